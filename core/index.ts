// The bus and store ports: their own index.ts files curate what is public.
export * from "./bus/index.js";
export { type Clock, createManualClock, type ManualClock, systemClock } from "./clock.js";
export {
  ADAPTERS,
  type AdapterName,
  type Config,
  type LoadConfigOptions,
  loadConfig,
  OPTIONS,
  type OptionSpec,
  ROLES,
  type Role,
  renderConfigTable,
  renderOptionsHelp,
} from "./config/index.js";
export {
  ErrorCode,
  type FieldViolation,
  invalidArgument,
  SwitchboardError,
  type SwitchboardErrorOptions,
} from "./errors.js";
export type { HealthCheck } from "./health-check.js";
export { createIdGenerator, type IdGenerator, newId } from "./ids.js";
export * from "./intake/index.js";
export {
  createLogger,
  createStdoutDestination,
  LOG_LEVELS,
  type Logger,
  type LoggerOptions,
  type LogLevel,
} from "./log.js";
export * from "./pipeline/index.js";
export * from "./store/index.js";
