// The store's public surface: the port (interfaces), its two factories, and nothing else.

export type { AgentLoad, AgentState, AgentStatus, AgentStore } from "./agent-store.js";
export { AGENT_STATES } from "./agent-store.js";
export { CHANNELS, type Channel } from "./channel.js";
export type { ChannelStateStore } from "./channel-state-store.js";
export type { ConfigItem, ConfigKind, ConfigStore, ConfigWriteOptions } from "./config-store.js";
export { CONFIG_KINDS } from "./config-store.js";
export type { ContactStore } from "./contact-store.js";
export type {
  CustomerHistory,
  HistoryEntry,
  HistoryStore,
  LastAgent,
  OpenCase,
  RecordCompletionOptions,
} from "./history-store.js";
export type {
  CustomerIdentifier,
  IdentifierKind,
  IdentityStore,
  ResolveResult,
} from "./identity-store.js";
export { IDENTIFIER_KINDS } from "./identity-store.js";
export type { Lease, LeaseStore } from "./lease-store.js";
export { createMemoryStore, type MemoryStoreOptions } from "./memory/memory-store.js";
export { createRedisStore, type RedisStoreOptions } from "./redis/redis-store.js";
export {
  createRedisHandle,
  type RedisHandle,
  type RedisHandleOptions,
} from "./redis-connection.js";
export type {
  CompleteResult,
  ConfirmResult,
  Fence,
  ReleaseResult,
  Reservation,
  ReservationState,
  ReservationStore,
  ReserveInput,
  ReserveRefusal,
  ReserveResult,
} from "./reservation-store.js";
export type { Snapshot, SnapshotStore } from "./snapshot-store.js";
export type { Store, StoreCommonOptions, TenantStore } from "./store.js";
export { TOKEN_ROLES, type TokenGrant, type TokenRole, type TokenStore } from "./token-store.js";
