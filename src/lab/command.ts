/** One command the lab runs: argv for execFile (no shell), optional standard input. */
export interface LabCommand {
  readonly argv: readonly string[];
  readonly stdin?: string;
}

export function cmd(...argv: string[]): LabCommand {
  return { argv };
}

/** `ip netns exec NAME argv...` */
export function inNetns(netns: string, argv: readonly string[], stdin?: string): LabCommand {
  return stdin === undefined ? { argv: ['ip', 'netns', 'exec', netns, ...argv] } : { argv: ['ip', 'netns', 'exec', netns, ...argv], stdin };
}

const SAFE = /^[A-Za-z0-9@%+=:,./_-]+$/;

function quote(arg: string): string {
  return SAFE.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command as a shell line (standard input as a here-document), for dry runs and errors. */
export function formatCommand(c: LabCommand): string {
  const line = c.argv.map(quote).join(' ');
  return c.stdin === undefined ? line : `${line} <<'EOF'\n${c.stdin}${c.stdin.endsWith('\n') ? '' : '\n'}EOF`;
}
