/** A rule of one netns's ruleset as `iptables-save` shows it: where it is and its text. */
export interface NetnsRuleRef {
  readonly netns: string;
  readonly table: string;
  readonly chain: string;
  readonly rule: string;
  /** 1-based position in the chain (`--line-numbers`); null for a chain policy. */
  readonly num?: number | null;
}
