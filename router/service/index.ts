// The router service's public surface (re-exported by router/index.ts).
export {
  agentToProfile,
  buildRoutingConfig,
  queueToConfig,
  ruleToEngine,
} from "./config-mapping.js";
export { contactToInput, historyToEngine } from "./contact-mapping.js";
export { type RouterOptions, routerDefaults } from "./router-options.js";
export { type Router, startRouter } from "./router-service.js";
