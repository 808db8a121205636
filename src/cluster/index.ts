export * from './cluster.js';
export * from './meta.js';
export * from './node.js';
export * from './namespace.js';
export * from './pod.js';
export * from './service.js';
export * from './endpoint-slice.js';
export * from './header.js';
