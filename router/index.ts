/**
 * The router folder's public surface. Other folders import only this file.
 * The engine is pure: no I/O, no clock, no dependencies; time comes in as `nowMs`.
 */
export type {
  EscalationStep,
  QueueConfig,
  RoutingConfig,
  RoutingRule,
  RuleCondition,
  ScoringWeights,
} from "./engine/config-types.js";
export type {
  ContactPhase,
  Exclusion,
  Offer,
  RouterEffect,
  RouterEffectType,
  RoutingDecision,
  ScoreTerm,
} from "./engine/decision.js";
export {
  type AccountRef,
  type AgentAuthorizations,
  type AgentPresence,
  type AgentProfile,
  type AgentSkill,
  type AgentState,
  CHANNELS,
  type Channel,
  type ContactInput,
  type ContactOutcome,
  type ContactState,
  type CustomerHistory,
  INTERMEDIARY_KINDS,
  type Intermediary,
  type IntermediaryKind,
  type PastAgent,
  type SkillRequirement,
} from "./engine/domain.js";
export {
  type AgentView,
  type ContactView,
  createRouterEngine,
  type RouterEngine,
  type RouterEngineStats,
  restoreRouterEngine,
  type TransferTarget,
} from "./engine/engine.js";
export { RouterError, type RouterErrorCode } from "./engine/errors.js";
export type { RouterEngineOptions } from "./engine/options.js";
export type { AgentSnapshot, ContactSnapshot, RouterSnapshot } from "./engine/snapshot.js";
export * from "./service/index.js";
