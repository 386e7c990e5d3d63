// The harness's public surface; other folders import only this file.

export { findFreePort } from "./free-port.js";
export { externalNatsUrl, externalRedisUrl } from "./harness-env.js";
export type { HarnessErrorCode } from "./harness-error.js";
export { HarnessError } from "./harness-error.js";
export type { StartNatsOptions } from "./nats-server.js";
export { startNats } from "./nats-server.js";
export { isProcessAlive } from "./process-alive.js";
export type { StartRedisOptions } from "./redis-server.js";
export { startRedis } from "./redis-server.js";
export type { ServerBackend, ServerHandle } from "./server-handle.js";
export { type WaitForOptions, waitFor, waitUntil } from "./wait-for.js";
export { type Checkable, probeHealth, waitForHealth } from "./wait-for-health.js";
