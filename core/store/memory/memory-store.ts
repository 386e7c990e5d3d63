import { type Clock, systemClock } from "../../clock.js";
import { ErrorCode, SwitchboardError } from "../../errors.js";
import { createIdGenerator, type IdGenerator } from "../../ids.js";
import type { AgentLoad, AgentStatus, AgentStore } from "../agent-store.js";
import type { Channel } from "../channel.js";
import { compareIds } from "../compare-ids.js";
import type { ConfigItem, ConfigStore } from "../config-store.js";
import type { Lease, LeaseStore } from "../lease-store.js";
import type { SnapshotStore } from "../snapshot-store.js";
import type { NormalizedCommonOptions, Store, StoreCommonOptions, TenantStore } from "../store.js";
import {
  checkAgentState,
  checkExpectedRevision,
  checkId,
  checkKind,
  checkPositiveInt,
  checkSnapshotSeq,
  checkTenant,
  normalizeCommonOptions,
} from "../validate.js";
import { createMemoryChannelState, createMemoryContacts } from "./memory-contacts.js";
import { createMemoryCustomers } from "./memory-customers.js";
import { createMemoryReservations } from "./memory-reservations.js";
import { createMemoryTokens } from "./memory-tokens.js";
import { createTenantState, getOrCreate, type TenantState } from "./tenant-state.js";

export interface MemoryStoreOptions extends StoreCommonOptions {
  /** Time for lease TTLs, reservation expiry and retention. Default: the system clock. */
  readonly clock?: Clock;
  /** Makes new customer ids; default UUIDv7 on `clock`, so older customers sort first. */
  readonly ids?: IdGenerator;
}

/**
 * The embedded store: the same contract as Redis, state in this process only (lost on exit,
 * documented as such). Single-threaded JavaScript makes every method atomic as long as it
 * does not await, and none does.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? createIdGenerator(clock);
  const common = normalizeCommonOptions(options);
  const tenants = new Map<string, TenantStore>();
  let closed = false;
  const guard = (): void => {
    if (closed) throw new SwitchboardError(ErrorCode.Unavailable, "memory store is closed");
  };
  return {
    tokens: createMemoryTokens(guard),
    forTenant(tenantId) {
      checkTenant(tenantId);
      return getOrCreate(tenants, tenantId, () =>
        createTenantStore(tenantId, createTenantState(), clock, ids, common, guard),
      );
    },
    async close() {
      closed = true;
    },
  };
}

function createTenantStore(
  tenantId: string,
  state: TenantState,
  clock: Clock,
  ids: IdGenerator,
  options: NormalizedCommonOptions,
  guard: () => void,
): TenantStore {
  return {
    tenantId,
    config: createConfig(state, guard),
    agents: createAgents(state, guard),
    reservations: createMemoryReservations(state, clock, options, guard),
    ...createMemoryCustomers(state, ids, options, guard),
    leases: createLeases(state, clock, guard),
    snapshots: createSnapshots(state, guard),
    contacts: createMemoryContacts(state, clock, options, guard),
    channelState: createMemoryChannelState(state, clock, guard),
  };
}

function createConfig(state: TenantState, guard: () => void): ConfigStore {
  const items = (kind: Parameters<ConfigStore["get"]>[0]) =>
    getOrCreate(state.config, kind, () => new Map());
  const checkRevision = (current: number, expected: number | undefined, what: string): void => {
    if (expected !== undefined && expected !== current) {
      throw new SwitchboardError(
        ErrorCode.Aborted,
        `${what}: expected revision ${expected}, current ${current}`,
      );
    }
  };
  return {
    async put(kind, id, data, options = {}) {
      checkKind(kind);
      checkId("id", id);
      checkExpectedRevision(options.expectedRevision);
      guard();
      checkRevision(items(kind).get(id)?.revision ?? 0, options.expectedRevision, `${kind} ${id}`);
      state.configSeq += 1;
      items(kind).set(id, { revision: state.configSeq, data: Uint8Array.from(data) });
      return state.configSeq;
    },
    async get(kind, id) {
      checkKind(kind);
      checkId("id", id);
      guard();
      const item = items(kind).get(id);
      return item && { kind, id, revision: item.revision, data: Uint8Array.from(item.data) };
    },
    async list(kind) {
      checkKind(kind);
      guard();
      return [...items(kind)]
        .map(
          ([id, item]): ConfigItem => ({
            kind,
            id,
            revision: item.revision,
            data: Uint8Array.from(item.data),
          }),
        )
        .sort((a, b) => compareIds(a.id, b.id));
    },
    async delete(kind, id, options = {}) {
      checkKind(kind);
      checkId("id", id);
      checkExpectedRevision(options.expectedRevision);
      guard();
      const current = items(kind).get(id)?.revision ?? 0;
      checkRevision(current, options.expectedRevision, `${kind} ${id}`);
      return items(kind).delete(id);
    },
  };
}

function createAgents(state: TenantState, guard: () => void): AgentStore {
  const status = (agentId: string): AgentStatus => {
    const presence = state.agentStates.get(agentId);
    const byChannelMilli: Partial<Record<Channel, number>> = {};
    let totalMilli = 0;
    for (const [key, milli] of state.loads.get(agentId) ?? []) {
      if (key === "total") totalMilli = milli;
      else if (milli !== 0) byChannelMilli[key] = milli;
    }
    const load: AgentLoad = { totalMilli, byChannelMilli };
    return { agentId, state: presence?.state ?? "OFFLINE", sinceMs: presence?.sinceMs ?? 0, load };
  };
  return {
    async setState(agentId, agentState, sinceMs) {
      checkId("agentId", agentId);
      checkAgentState(agentState, sinceMs);
      guard();
      state.agentStates.set(agentId, { state: agentState, sinceMs });
    },
    async get(agentId) {
      checkId("agentId", agentId);
      guard();
      return status(agentId);
    },
    async list() {
      guard();
      return [...state.agentStates.keys()].sort(compareIds).map(status);
    },
  };
}

function createLeases(state: TenantState, clock: Clock, guard: () => void): LeaseStore {
  const live = (partition: string) => {
    const lease = state.leases.get(partition);
    return lease && lease.expiresAtMs > clock.nowMs() ? lease : undefined;
  };
  const matches = (lease: Lease) => {
    checkId("partition", lease.partition);
    checkId("holderId", lease.holderId);
    guard();
    const current = live(lease.partition);
    return current?.holderId === lease.holderId && current.token === lease.token
      ? current
      : undefined;
  };
  return {
    async acquire(partition, holderId, ttlMs) {
      checkId("partition", partition);
      checkId("holderId", holderId);
      checkPositiveInt("ttlMs", ttlMs);
      guard();
      const current = live(partition);
      if (current && current.holderId !== holderId) return null;
      const token = current?.token ?? (state.leaseSeq.get(partition) ?? 0) + 1;
      state.leaseSeq.set(partition, Math.max(token, state.leaseSeq.get(partition) ?? 0));
      state.leases.set(partition, { holderId, token, expiresAtMs: clock.nowMs() + ttlMs });
      return { partition, holderId, token };
    },
    async renew(lease, ttlMs) {
      checkPositiveInt("ttlMs", ttlMs);
      const current = matches(lease);
      if (current) current.expiresAtMs = clock.nowMs() + ttlMs;
      return current !== undefined;
    },
    async release(lease) {
      const current = matches(lease);
      if (current) state.leases.delete(lease.partition);
      return current !== undefined;
    },
  };
}

function createSnapshots(state: TenantState, guard: () => void): SnapshotStore {
  return {
    async put(partition, snapshot) {
      checkId("partition", partition);
      checkSnapshotSeq(snapshot.seq);
      guard();
      const current = state.snapshots.get(partition);
      if (current && current.seq > snapshot.seq) return false;
      state.snapshots.set(partition, { seq: snapshot.seq, data: Uint8Array.from(snapshot.data) });
      return true;
    },
    async get(partition) {
      checkId("partition", partition);
      guard();
      const current = state.snapshots.get(partition);
      return current && { seq: current.seq, data: Uint8Array.from(current.data) };
    },
  };
}
