import type { AgentState } from "../agent-store.js";
import type { Channel } from "../channel.js";
import type { ConfigKind } from "../config-store.js";
import type { HistoryEntry, OpenCase } from "../history-store.js";
import type { Reservation } from "../reservation-store.js";

/**
 * One tenant's state in memory, shaped like the Redis keys so the two implementations stay
 * easy to compare line by line.
 */
export interface TenantState {
  configSeq: number;
  readonly config: Map<ConfigKind, Map<string, { revision: number; data: Uint8Array }>>;
  readonly agentStates: Map<string, { state: AgentState; sinceMs: number }>;
  /** agentId → channel (or "total") → thousandths. */
  readonly loads: Map<string, Map<Channel | "total", number>>;
  reservationSeq: number;
  readonly offers: Map<string, Reservation>;
  /** contactId → offerId of its latest reservation. */
  readonly contactOffers: Map<string, string>;
  /** agentId → its RESERVED/CONFIRMED offer ids. */
  readonly agentOffers: Map<string, Set<string>>;
  /** Finished offers in the order they finished; they expire in that order (one retention). */
  readonly finished: { offerId: string; expireAtMs: number }[];
  readonly leaseSeq: Map<string, number>;
  readonly leases: Map<string, { holderId: string; token: number; expiresAtMs: number }>;
  readonly snapshots: Map<string, { seq: number; data: Uint8Array }>;
  /** "kind:value" → customerId. */
  readonly identifiers: Map<string, string>;
  /** customerId → its identifier keys. */
  readonly customerIdentifiers: Map<string, Set<string>>;
  /** merged-away customerId → the customer it was merged into. */
  readonly aliases: Map<string, string>;
  readonly histories: Map<string, Map<string, HistoryEntry>>;
  readonly lastAgents: Map<string, Map<string, number>>;
  readonly openCases: Map<string, OpenCase>;
  /** Idempotency key → contactId; Map order is claim order, which expiry sweeps rely on. */
  readonly idempotencyKeys: Map<string, { contactId: string; expiresAtMs: number }>;
  /** contactId → latest record; re-inserted on update, so Map order is last-update order. */
  readonly contactRecords: Map<
    string,
    { record: Uint8Array; sequence: number; expiresAtMs: number }
  >;
  /** contactId → transcript; re-inserted on append, so Map order is last-append order. */
  readonly transcripts: Map<
    string,
    { ids: Set<string>; messages: Uint8Array[]; expiresAtMs: number }
  >;
  /** "namespace\u0000key" → value; re-inserted on write. */
  readonly channelState: Map<string, { value: string; expiresAtMs: number }>;
}

export function createTenantState(): TenantState {
  return {
    configSeq: 0,
    config: new Map(),
    agentStates: new Map(),
    loads: new Map(),
    reservationSeq: 0,
    offers: new Map(),
    contactOffers: new Map(),
    agentOffers: new Map(),
    finished: [],
    leaseSeq: new Map(),
    leases: new Map(),
    snapshots: new Map(),
    identifiers: new Map(),
    customerIdentifiers: new Map(),
    aliases: new Map(),
    histories: new Map(),
    lastAgents: new Map(),
    openCases: new Map(),
    idempotencyKeys: new Map(),
    contactRecords: new Map(),
    transcripts: new Map(),
    channelState: new Map(),
  };
}

/** Map.get with a default inserted on first use. */
export function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}
