export * from './config.js';
export * from './upstream.js';
export { kubernetesPlugin, pluginZone, zoneSoa, type PluginContext, type PluginOutcome, type PluginRequest } from './kubernetes.js';
export * from './server.js';
export * from './transport.js';
export * from './sockets.js';
