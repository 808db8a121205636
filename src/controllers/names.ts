import { fnv32 } from '../lib/hash.js';

/**
 * Netns ids for the emulated system. Kubernetes pods and nodes get their own namespaces; the
 * physical network between nodes is one more namespace ("underlay").
 */
export const nodeNetns = (node: string): string => `node:${node}`;
export const podNetns = (namespace: string, name: string): string => `pod:${namespace}/${name}`;
export const UNDERLAY_NETNS = 'net:underlay';


/**
 * The host end of a pod's veth: the bridge plugin names it `veth` + 8 hex digits of 4 random
 * bytes (`fmt.Sprintf("veth%x", ...)`); podnet derives the bytes from the pod so names are stable.
 */
export function bridgeVethName(namespace: string, pod: string): string {
  return `veth${fnv32(`${namespace}/${pod}`).toString(16).padStart(8, '0')}`;
}
