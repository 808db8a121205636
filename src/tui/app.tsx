import { useEffect, useMemo, useRef, useState } from 'react';
import { Box, Text, useApp, useInput, useStdout, type Key } from 'ink';
import type { Result } from '../lib/result.js';
import type { Loaded, TuiDeps } from './model.js';
import { detailRowCount, drawRows, pageFor, screenLines, type Size } from './screen.js';
import { initialState, makeEnv, reduce, reloadedState, type Env, type TuiState, type View } from './state.js';
import { fit, line, seg, wrap, type Line } from './text.js';
import { themeFor, type Theme } from './theme.js';

/** Ink's key event as the reducer's key string (`<up>`, `<enter>`, or the text typed). */
export function keyName(input: string, key: Key): string | null {
  if (key.ctrl && input === 'c') return '<ctrl-c>';
  if (key.upArrow) return '<up>';
  if (key.downArrow) return '<down>';
  if (key.leftArrow) return '<left>';
  if (key.rightArrow) return '<right>';
  if (key.pageUp) return '<pageup>';
  if (key.pageDown) return '<pagedown>';
  if (key.home) return '<home>';
  if (key.end) return '<end>';
  if (key.return) return '<enter>';
  if (key.escape) return '<escape>';
  if (key.tab) return key.shift ? '<backtab>' : '<tab>';
  if (key.backspace || key.delete) return '<backspace>';
  if (key.ctrl || key.meta) return null;
  return input === '' ? null : input;
}

/** Draw lines of styled segments; every line is already cut to the screen width. */
export function Lines({ lines, theme }: { readonly lines: readonly Line[]; readonly theme: Theme }) {
  return (
    <Box flexDirection="column">
      {lines.map((l, i) => (
        <Text key={i} wrap="truncate-end">
          {l.length === 0 ? ' ' : l.map((s, j) => (
            <Text key={j} {...theme[s.style]}>
              {s.text}
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  );
}

export interface AppProps {
  /** A topology already built; tests pass a hand-built System here. */
  readonly loaded?: Loaded | null;
  /** Loads (or reloads, on `R`) the topology. Called on start when `loaded` is not given. */
  readonly load?: () => Promise<Result<Loaded, string>>;
  readonly deps: TuiDeps;
  /** Fixed screen size (tests); otherwise the terminal's, following resizes. */
  readonly size?: Size;
  /** Colour on (default) or off (NO_COLOR). */
  readonly color?: boolean;
  readonly view?: View;
  /** What the loading screen names. */
  readonly file?: string;
}

function terminalSize(stdout: NodeJS.WriteStream): Size {
  return { columns: stdout.columns || 80, rows: stdout.rows || 24 };
}

function messageScreen(size: Size, title: string, text: string, keys: string): Line[] {
  const h = drawRows(size);
  const body = [line(seg('podnet ', 'title'), seg(title)), line(), ...wrap(line(seg(text)), size.columns, 2), line(), line(seg(keys, 'dim'))];
  const out = body.slice(0, h).map((l) => fit(l, size.columns, false));
  while (out.length < h) out.push([]);
  return out;
}

export function App(props: AppProps) {
  const { exit } = useApp();
  const { stdout } = useStdout();
  const [termSize, setTermSize] = useState<Size>(() => terminalSize(stdout));
  useEffect(() => {
    if (props.size) return;
    const onResize = (): void => setTermSize(terminalSize(stdout));
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, props.size]);
  const size = props.size ?? termSize;
  const theme = themeFor(props.color ?? true);

  const [loaded, setLoaded] = useState<Loaded | null>(props.loaded ?? null);
  const [error, setError] = useState<string | null>(null);
  const base = useMemo(() => (loaded ? makeEnv(loaded, props.deps) : null), [loaded, props.deps]);
  const [state, setState] = useState<TuiState | null>(() => (base ? initialState(base, props.view) : null));

  // The env for a state: the page sizes depend on the layout, which depends on the state.
  const envFor = (s: TuiState, b: Env): Env => ({ ...b, page: pageFor(s, size), detailRows: (x) => detailRowCount(x, b, size) });
  const ref = useRef({ base, size, state });
  ref.current = { base, size, state };

  const doLoad = (prev: TuiState | null): void => {
    if (!props.load) {
      if (prev) setState({ ...prev, reload: false, status: 'nothing to reload: the view was given a built topology' });
      return;
    }
    props.load().then(
      (r) => {
        if (!r.ok) {
          if (prev) setState({ ...prev, reload: false, status: `reload failed: ${r.error.split('\n')[0] ?? ''}` });
          else setError(r.error);
          return;
        }
        const env = makeEnv(r.value, props.deps);
        setError(null);
        setLoaded(r.value);
        setState(prev ? reloadedState(prev, env) : initialState(env, props.view));
      },
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  };

  useEffect(() => {
    // Load once on start; reloads come from the `R` key.
    if (!loaded) doLoad(null);
  }, []);

  useEffect(() => {
    if (state?.quit) exit();
    else if (state?.reload) doLoad(state);
  }, [state?.quit, state?.reload]);

  useInput((input, key) => {
    const k = keyName(input, key);
    if (k === null) return;
    const { base: b, state: s } = ref.current;
    if (!b || !s) {
      if (k === 'q' || k === '<ctrl-c>') exit();
      else if (k === 'R' && error) {
        setError(null);
        doLoad(null);
      }
      return;
    }
    // Keys typed faster than the app reads them arrive together ("jjj"): one key each.
    const ks = k.startsWith('<') ? [k] : [...k];
    setState((prev) => (prev ? ks.reduce((acc, x) => reduce(acc, x, envFor(acc, b)), prev) : prev));
  });

  let lines: Line[];
  if (error) lines = messageScreen(size, 'cannot load the topology', error, 'R retry · q quit');
  else if (!base || !state) lines = messageScreen(size, `loading ${props.file ?? 'the topology'}…`, 'building every node kernel (CNI, kube-proxy)', 'q quit');
  else lines = screenLines(state, envFor(state, base), size);
  return <Lines lines={lines} theme={theme} />;
}
