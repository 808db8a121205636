/** Something a controller logged while programming a node (flanneld, kube-proxy, Felix, BIRD). */
export interface ControllerEvent {
  readonly node: string;
  readonly component: string;
  readonly level: 'info' | 'warning' | 'error';
  readonly message: string;
  /** The kernel request that failed, as an `ip` command, when there was one. */
  readonly request?: string;
}
