import { match } from 'ts-pattern';
import { cidrContains, formatCidr } from '../net/cidr.js';
import { formatIpv4 } from '../net/ipv4.js';
import { err, ok, type Result } from '../lib/result.js';
import type { Cluster } from '../cluster/cluster.js';
import type { CniConfig } from '../cluster/header.js';
import type { ControllerEvent } from '../controllers/events.js';
import { policyEnforcement, type PolicyEnforcement } from '../policy/enforcement.js';
import { buildSystem } from '../topology/build.js';
import type { System } from '../topology/system.js';
import type { EndpointSpec } from '../trace/endpoint.js';
import { runTrace, type TraceRequest, type TraceRun } from '../trace/run.js';
import { outcomeFacts, type OutcomeFacts } from './facts.js';
import { variantConfig, type CniVariant, type NamedVariant } from './variant.js';

/** The topology to compare on: as written, and a way to read it again with another CNI. */
export interface CompareSource {
  readonly cluster: Cluster;
  /**
   * The same topology assembled with this CNI configuration (IPAM and the header depend on it),
   * or the reason it cannot be.
   */
  readonly reload: (cni: CniConfig) => Result<Cluster, string>;
}

/** How to bring a cluster to life and walk a flow in it; the real ones unless a test swaps them. */
export interface CompareDeps {
  readonly build: (c: Cluster) => Result<System, string>;
  readonly trace: (s: System, req: TraceRequest) => Result<TraceRun, string>;
}

export const DEFAULT_COMPARE_DEPS: CompareDeps = { build: buildSystem, trace: (s, req) => runTrace(s, req) };

/** What one variant did with the flow. */
export interface VariantRun {
  readonly cluster: Cluster;
  /** The system the walk ran in (with an external client, when the flow has one). */
  readonly system: System;
  readonly run: TraceRun;
  /** Whether this CNI applies NetworkPolicy at all. */
  readonly enforcement: PolicyEnforcement;
  /** Controller warnings and errors while programming the nodes (e.g. a route the kernel refused). */
  readonly problems: readonly ControllerEvent[];
  /** One per outcome of the random choices (one with --seed). */
  readonly outcomes: readonly OutcomeFacts[];
}

/** Why a variant has no run: its topology did not load, the system did not build, or the trace failed. */
export interface VariantFailure {
  readonly stage: 'load' | 'build' | 'trace';
  readonly message: string;
}

export interface CompareColumn {
  readonly name: string;
  readonly variant: CniVariant;
  readonly config: CniConfig;
  readonly result: Result<VariantRun, VariantFailure>;
}

/**
 * Endpoints must name the same thing under every CNI. A pod's address differs per CNI (host-local
 * per node /24, Calico blocks), so an address inside the pod CIDR is refused: name the pod.
 */
export function checkComparable(cluster: Cluster, req: TraceRequest): Result<null, string> {
  for (const [flag, spec] of [['source', req.from], ['destination', req.to]] as const) {
    const problem = endpointProblem(cluster, spec);
    if (problem !== null) return err(`${flag} ${problem}`);
  }
  return ok(null);
}

/** Checked on the Kubernetes objects, so a missing pod is bad input even where no CNI builds. */
function endpointProblem(c: Cluster, e: EndpointSpec): string | null {
  return match(e)
    .with({ kind: 'ip' }, { kind: 'external' }, (x) =>
      cidrContains(c.header.podCIDR, x.ip)
        ? `${formatIpv4(x.ip)}: an address in the pod CIDR ${formatCidr(c.header.podCIDR)} names a different pod under each CNI (IPAM differs); name the pod as NS/POD`
        : null,
    )
    .with({ kind: 'pod' }, (x) =>
      c.pods.some((p) => p.namespace === x.namespace && p.name === x.name) ? null : `${x.namespace}/${x.name}: no such pod; pods: ${c.pods.map((p) => `${p.namespace}/${p.name}`).join(', ') || 'none'}`,
    )
    .with({ kind: 'node' }, (x) => (c.nodes.some((n) => n.name === x.name) ? null : `node/${x.name}: no such node; nodes: ${c.nodes.map((n) => n.name).join(', ')}`))
    .with({ kind: 'service' }, (x) =>
      c.services.some((s) => s.namespace === x.namespace && s.name === x.name)
        ? null
        : `svc/${x.namespace}/${x.name}: no such service; services: ${c.services.map((s) => `${s.namespace}/${s.name}`).join(', ') || 'none'}`,
    )
    .exhaustive();
}

function runVariant(src: CompareSource, nv: NamedVariant, req: TraceRequest, deps: CompareDeps): CompareColumn {
  const config = variantConfig(nv.variant, src.cluster.header.cni);
  const column = (result: Result<VariantRun, VariantFailure>): CompareColumn => ({ name: nv.name, variant: nv.variant, config, result });
  const cluster = src.reload(config);
  if (!cluster.ok) return column(err({ stage: 'load', message: cluster.error }));
  const system = deps.build(cluster.value);
  if (!system.ok) return column(err({ stage: 'build', message: system.error }));
  const run = deps.trace(system.value, req);
  if (!run.ok) return column(err({ stage: 'trace', message: run.error }));
  // The walk may have run in a grown system (an external client added); its labels and links count.
  const walked = run.value.system ?? system.value;
  return column(
    ok({
      cluster: cluster.value,
      system: walked,
      run: run.value,
      enforcement: policyEnforcement(cluster.value.header.cni),
      problems: system.value.events.filter((e) => e.level !== 'info'),
      outcomes: run.value.outcomes.map((o) => outcomeFacts(walked, cluster.value, run.value.kind, o)),
    }),
  );
}

/**
 * The same flow under each CNI variant, in the order given: one column each, a run or the
 * reason there is none. Pure: the same source, variants and request give the same columns.
 */
export function compareCni(src: CompareSource, variants: readonly NamedVariant[], req: TraceRequest, deps: CompareDeps = DEFAULT_COMPARE_DEPS): Result<readonly CompareColumn[], string> {
  const comparable = checkComparable(src.cluster, req);
  if (!comparable.ok) return comparable;
  return ok(variants.map((v) => runVariant(src, v, req, deps)));
}
