import type { Protocol } from '../../../../cluster/meta.js';
import type { FelixSelector } from './selector.js';

/**
 * An ip set a rendered rule names. Felix's calculation graph keeps each set's members current:
 * a selector set (hash:net) holds the IPs of every workload the selector matches, cluster-wide;
 * a named-port set (hash:ip,port) holds IP,proto:port for every matching workload that declares
 * a container port of that name and protocol.
 */
export type SetDemand =
  | { readonly kind: 'selector'; readonly name: string; readonly selector: FelixSelector }
  | { readonly kind: 'named-port'; readonly name: string; readonly selector: FelixSelector; readonly protocol: Protocol; readonly port: string };
