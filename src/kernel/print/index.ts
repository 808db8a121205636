/**
 * Printers that turn a netns of the model into exactly what iproute2 6.1 (`ip`, `bridge`) and
 * `sysctl` print for the same kernel state. Verified against the real tools by
 * test/kernel/print/fidelity.test.ts.
 */
export { printBridgeFdb, formatFdb } from './bridge-fdb.js';
export { printContext, vethPeer, type PrintContext, type PrintOptions } from './context.js';
export { hasCarrier, operState, portForwarding, type OperState } from './carrier.js';
export { formatAddr, kernelAddrOrder, printIpAddr, type OrderedAddr } from './ip-addr.js';
export { linkHeader, printIpLink } from './ip-link.js';
export { formatNeigh, printIpNeigh, printIpNeighProxy } from './ip-neigh.js';
export { dumpOrder, formatRoute, printIpRoute, type RouteTableFilter } from './ip-route.js';
export { formatRule, printIpRule } from './ip-rule.js';
export { hexAlt, protoName, scopeName, tableName } from './names.js';
export { printSysctl, sysctlDisplayName, sysctlPath } from './sysctl.js';
