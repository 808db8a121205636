/**
 * A failed netlink request, as the kernel reports it (errno plus the extack message iproute2
 * prints after "Error:"). Controllers surface these the way flanneld logs them.
 */
export interface KernelError {
  readonly errno: 'EINVAL' | 'EEXIST' | 'ENODEV' | 'ENETUNREACH' | 'ENOENT' | 'ERANGE';
  readonly message: string;
  /** The request that failed, as an `ip` command would state it. */
  readonly request: string;
}
