export { renderConfigTable, renderOptionsHelp } from "./describe.js";
export { type LoadConfigOptions, loadConfig } from "./load-config.js";
export {
  ADAPTERS,
  type AdapterName,
  type Config,
  OPTIONS,
  type OptionSpec,
  ROLES,
  type Role,
} from "./options.js";
