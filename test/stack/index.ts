// An in-process Switchboard for adapter and integration tests: see stack.ts and desktop.ts.
export {
  type AgentProfile,
  connectAgent,
  type Desktop,
  type DesktopCommand,
  putAgent,
} from "./desktop.js";
export { type Stack, type StackOptions, startStack } from "./stack.js";
