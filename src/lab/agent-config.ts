/** What one lab agent (src/lab/agent.ts) serves inside its netns. */
export interface AgentConfig {
  /** Model netns id, echoed to every client so it knows which endpoint it reached. */
  readonly id: string;
  readonly tcp: readonly number[];
  readonly udp: readonly number[];
  /** Answer DNS on UDP 53 as the modelled CoreDNS of this topology file. */
  readonly dns: { readonly topology: string; readonly selfIp: string; readonly log: string } | null;
}

/** An agent's one-line answer: `<netns id> <peer ip>:<peer port>`. */
export interface AgentAnswer {
  readonly netns: string;
  readonly peer: string;
}

export function parseAgentAnswer(line: string): AgentAnswer | null {
  const m = /^(\S+) ([0-9.]+):\d+$/.exec(line.trim());
  return m && m[1] !== undefined && m[2] !== undefined ? { netns: m[1], peer: m[2] } : null;
}
