import type { Redis } from "ioredis";
import { type Clock, systemClock } from "../../clock.js";
import { ErrorCode, SwitchboardError } from "../../errors.js";
import { createIdGenerator, type IdGenerator } from "../../ids.js";
import type { Logger } from "../../log.js";
import type { AgentState, AgentStatus, AgentStore } from "../agent-store.js";
import { CHANNELS, type Channel } from "../channel.js";
import { compareIds } from "../compare-ids.js";
import type { ConfigItem, ConfigStore } from "../config-store.js";
import type { LeaseStore } from "../lease-store.js";
import type { SnapshotStore } from "../snapshot-store.js";
import type { Store, StoreCommonOptions, TenantStore } from "../store.js";
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
import { adminScripts } from "./admin-scripts.js";
import { contactScripts } from "./contact-scripts.js";
import { customerScripts } from "./customer-scripts.js";
import { createRedisChannelState, createRedisContacts } from "./redis-contacts.js";
import { createRedisCustomers } from "./redis-customers.js";
import { createRedisReservations } from "./redis-reservations.js";
import { createRedisRunner, type RedisRunner } from "./redis-runner.js";
import { createRedisTokens } from "./redis-tokens.js";
import { reservationScripts } from "./reservation-scripts.js";

export interface RedisStoreOptions extends StoreCommonOptions {
  /**
   * The client to use, e.g. `createRedisHandle(...).client`: its `enableOfflineQueue: false`
   * makes calls fail at once while Redis is down. The caller owns it; `close()` leaves it open.
   */
  readonly client: Redis;
  readonly logger: Logger;
  /** Put before every key, e.g. per deployment or per test. Default "sb:". Keys: `<prefix>{<tenant>}:…`. */
  readonly keyPrefix?: string;
  /** A call without an answer after this long rejects with UNAVAILABLE. Default 2000. */
  readonly callTimeoutMs?: number;
  /** The router's clock for reservation expiry; lease TTLs run on the Redis server. Default: system clock. */
  readonly clock?: Clock;
  /** Makes new customer ids; default UUIDv7, so older customers sort first. */
  readonly ids?: IdGenerator;
}

/** The production store: state in Redis, every compare-and-set a Lua script. */
export function createRedisStore(options: RedisStoreOptions): Store {
  const common = normalizeCommonOptions(options);
  const callTimeoutMs = options.callTimeoutMs ?? 2000;
  checkPositiveInt("callTimeoutMs", callTimeoutMs);
  const keyPrefix = options.keyPrefix ?? "sb:";
  if (/[{}]/.test(keyPrefix)) {
    throw new SwitchboardError(ErrorCode.InvalidArgument, "keyPrefix must not contain { or }");
  }
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? createIdGenerator(clock);
  const logger = options.logger.child({ component: "redis-store" });
  const runner = createRedisRunner(
    options.client,
    { ...reservationScripts, ...customerScripts, ...adminScripts, ...contactScripts },
    logger,
    callTimeoutMs,
  );
  let closed = false;
  const tenants = new Map<string, TenantStore>();
  return {
    // Global, not per tenant: a token is looked up before anyone knows its tenant.
    tokens: createRedisTokens(runner, `${keyPrefix}tokens`),
    forTenant(tenantId) {
      if (closed) throw new SwitchboardError(ErrorCode.Unavailable, "redis store is closed");
      // Built once per tenant (it holds no state of its own): every submit and accept asks.
      const cached = tenants.get(tenantId);
      if (cached !== undefined) return cached;
      checkTenant(tenantId);
      // The hash tag keeps a tenant's keys in one cluster slot, which the scripts need.
      const base = `${keyPrefix}{${tenantId}}:`;
      const tenant: TenantStore = {
        tenantId,
        config: createConfig(runner, base),
        agents: createAgents(runner, base),
        reservations: createRedisReservations(runner, base, clock, common),
        ...createRedisCustomers(runner, base, ids, common),
        leases: createLeases(runner, base),
        snapshots: createSnapshots(runner, base),
        contacts: createRedisContacts(runner, base, common),
        channelState: createRedisChannelState(runner, base),
      };
      // Bounded: a flood of tenant names costs rebuilding, not memory.
      if (tenants.size >= MAX_CACHED_TENANTS) tenants.clear();
      tenants.set(tenantId, tenant);
      return tenant;
    },
    async close() {
      closed = true;
    },
  };
}

/** Tenant stores kept built at once (see forTenant). */
const MAX_CACHED_TENANTS = 10_000;

function aborted(what: string, expected: number | undefined, current: unknown): SwitchboardError {
  return new SwitchboardError(
    ErrorCode.Aborted,
    `${what}: expected revision ${expected}, current ${Number(current)}`,
  );
}

function createConfig(runner: RedisRunner, base: string): ConfigStore {
  const hash = (kind: string) => `${base}config:${kind}`;
  return {
    async put(kind, id, data, options = {}) {
      checkKind(kind);
      checkId("id", id);
      checkExpectedRevision(options.expectedRevision);
      const expected =
        options.expectedRevision === undefined ? "" : String(options.expectedRevision);
      const reply = (await runner.script("configPut", [
        base,
        kind,
        id,
        Buffer.from(data),
        expected,
      ])) as number[];
      if (reply[0] === -1) throw aborted(`${kind} ${id}`, options.expectedRevision, reply[1]);
      return Number(reply[0]);
    },
    async get(kind, id) {
      checkKind(kind);
      checkId("id", id);
      const [revision, data] = await runner.run("config get", () =>
        runner.client.hmgetBuffer(hash(kind), `r:${id}`, `d:${id}`),
      );
      if (!revision || !data) return undefined;
      return { kind, id, revision: Number(revision.toString()), data: new Uint8Array(data) };
    },
    async list(kind) {
      checkKind(kind);
      const all = await runner.run("config list", () => runner.client.hgetallBuffer(hash(kind)));
      const items: ConfigItem[] = [];
      for (const [field, revision] of Object.entries(all)) {
        if (!field.startsWith("r:")) continue;
        const id = field.slice(2);
        const data = all[`d:${id}`];
        if (data)
          items.push({
            kind,
            id,
            revision: Number(revision.toString()),
            data: new Uint8Array(data),
          });
      }
      return items.sort((a, b) => compareIds(a.id, b.id));
    },
    async delete(kind, id, options = {}) {
      checkKind(kind);
      checkId("id", id);
      checkExpectedRevision(options.expectedRevision);
      const expected =
        options.expectedRevision === undefined ? "" : String(options.expectedRevision);
      const reply = (await runner.script("configDelete", [base, kind, id, expected])) as number[];
      if (reply[0] === -1) throw aborted(`${kind} ${id}`, options.expectedRevision, reply[1]);
      return reply[0] === 1;
    },
  };
}

function createAgents(runner: RedisRunner, base: string): AgentStore {
  const states = `${base}agent-state`;
  const status = (
    agentId: string,
    stored: string | null,
    load: Record<string, string>,
  ): AgentStatus => {
    const [state, sinceMs] = stored ? stored.split(":") : ["OFFLINE", "0"];
    const byChannelMilli: Partial<Record<Channel, number>> = {};
    for (const channel of CHANNELS) {
      const milli = Number(load[channel] ?? 0);
      if (milli !== 0) byChannelMilli[channel] = milli;
    }
    return {
      agentId,
      state: (state ?? "OFFLINE") as AgentState,
      sinceMs: Number(sinceMs ?? 0),
      load: { totalMilli: Number(load.total ?? 0), byChannelMilli },
    };
  };
  return {
    async setState(agentId, state, sinceMs) {
      checkId("agentId", agentId);
      checkAgentState(state, sinceMs);
      await runner.run("agent set state", () =>
        runner.client.hset(states, agentId, `${state}:${sinceMs}`),
      );
    },
    async get(agentId) {
      checkId("agentId", agentId);
      const [stored, load] = await runner.run("agent get", () =>
        Promise.all([
          runner.client.hget(states, agentId),
          runner.client.hgetall(`${base}load:${agentId}`),
        ]),
      );
      return status(agentId, stored, load);
    },
    async list() {
      const all = await runner.run("agent list", () => runner.client.hgetall(states));
      const agentIds = Object.keys(all).sort(compareIds);
      const loads = await runner.run("agent loads", () =>
        Promise.all(agentIds.map((id) => runner.client.hgetall(`${base}load:${id}`))),
      );
      return agentIds.map((id, i) => status(id, all[id] ?? null, loads[i] ?? {}));
    },
  };
}

function createLeases(runner: RedisRunner, base: string): LeaseStore {
  const renewOrRelease = async (
    lease: Parameters<LeaseStore["renew"]>[0],
    ttlMs: string,
  ): Promise<boolean> => {
    checkId("partition", lease.partition);
    checkId("holderId", lease.holderId);
    const args = [base, lease.partition, lease.holderId, String(lease.token), ttlMs];
    return (await runner.script("leaseRenewOrRelease", args)) === 1;
  };
  return {
    async acquire(partition, holderId, ttlMs) {
      checkId("partition", partition);
      checkId("holderId", holderId);
      checkPositiveInt("ttlMs", ttlMs);
      const token = await runner.script("leaseAcquire", [base, partition, holderId, String(ttlMs)]);
      return token === null ? null : { partition, holderId, token: Number(token) };
    },
    async renew(lease, ttlMs) {
      checkPositiveInt("ttlMs", ttlMs);
      return renewOrRelease(lease, String(ttlMs));
    },
    async release(lease) {
      return renewOrRelease(lease, "");
    },
  };
}

function createSnapshots(runner: RedisRunner, base: string): SnapshotStore {
  return {
    async put(partition, snapshot) {
      checkId("partition", partition);
      checkSnapshotSeq(snapshot.seq);
      const args = [base, partition, String(snapshot.seq), Buffer.from(snapshot.data)];
      return (await runner.script("snapshotPut", args)) === 1;
    },
    async get(partition) {
      checkId("partition", partition);
      const [seq, data] = await runner.run("snapshot get", () =>
        runner.client.hmgetBuffer(`${base}snapshot:${partition}`, "seq", "data"),
      );
      if (!seq || !data) return undefined;
      return { seq: Number(seq.toString()), data: new Uint8Array(data) };
    },
  };
}
