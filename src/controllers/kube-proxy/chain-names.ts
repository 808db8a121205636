import { createHash } from 'node:crypto';

/** RFC 4648 base32 (Go's base32.StdEncoding), upper case. */
function base32(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

function hash16(text: string): string {
  return base32(createHash('sha256').update(text).digest()).slice(0, 16);
}

/**
 * `<svc>` as kube-proxy's ServicePortName prints it: `namespace/name`, plus `:portName` when the
 * port is named.
 */
export function servicePortName(namespace: string, name: string, portName: string | null): string {
  return portName ? `${namespace}/${name}:${portName}` : `${namespace}/${name}`;
}

/** portProtoHash (pkg/proxy/iptables/proxier.go): sha256 of name + lowercase protocol, base32, 16 chars. */
export function portProtoHash(svcPortName: string, protocol: string): string {
  return hash16(svcPortName + protocol.toLowerCase());
}

export const svcChain = (svc: string, proto: string) => `KUBE-SVC-${portProtoHash(svc, proto)}`;
export const svlChain = (svc: string, proto: string) => `KUBE-SVL-${portProtoHash(svc, proto)}`;
export const extChain = (svc: string, proto: string) => `KUBE-EXT-${portProtoHash(svc, proto)}`;
export const fwChain = (svc: string, proto: string) => `KUBE-FW-${portProtoHash(svc, proto)}`;

/** servicePortEndpointChainName: the endpoint "ip:port" is part of the hashed string. */
export const sepChain = (svc: string, proto: string, endpoint: string) => `KUBE-SEP-${hash16(svc + proto.toLowerCase() + endpoint)}`;

/** computeProbability: `fmt.Sprintf("%0.10f", 1.0/float64(n))`. */
export function computeProbability(n: number): string {
  return (1 / n).toFixed(10);
}
