import type { IdGenerator } from "../../ids.js";
import { compareIds } from "../compare-ids.js";
import type {
  CustomerHistory,
  HistoryEntry,
  HistoryStore,
  RecordCompletionOptions,
} from "../history-store.js";
import {
  type CustomerIdentifier,
  type IdentityStore,
  identifierKey,
  type ResolveResult,
} from "../identity-store.js";
import type { NormalizedCommonOptions } from "../store.js";
import { checkHistoryEntry, checkId, storedHistoryEntry } from "../validate.js";
import { getOrCreate, type TenantState } from "./tenant-state.js";

/**
 * Identity and history together, because a merge moves history: the in-memory twin of
 * redis/customer-scripts.ts.
 */
export function createMemoryCustomers(
  state: TenantState,
  ids: IdGenerator,
  options: NormalizedCommonOptions,
  guard: () => void,
): { identity: IdentityStore; history: HistoryStore } {
  // Merged ids redirect to their survivor; chains end because a survivor is always older.
  const root = (customerId: string): string => {
    let id = customerId;
    for (let next = state.aliases.get(id); next !== undefined; next = state.aliases.get(id)) {
      id = next;
    }
    return id;
  };

  const trimHistory = (customerId: string): void => {
    const entries = state.histories.get(customerId);
    if (entries && entries.size > options.historyLimit) {
      const keep = sortEntries([...entries.values()]).slice(0, options.historyLimit);
      state.histories.set(customerId, new Map(keep.map((e) => [e.contactId, e])));
    }
    const agents = state.lastAgents.get(customerId);
    if (agents && agents.size > options.lastAgentsLimit) {
      const keep = sortAgents(agents).slice(0, options.lastAgentsLimit);
      state.lastAgents.set(customerId, new Map(keep.map((a) => [a.agentId, a.lastContactMs])));
    }
  };

  const merge = (loser: string, winner: string): void => {
    state.aliases.set(loser, winner);
    const winnerIds = getOrCreate(state.customerIdentifiers, winner, () => new Set());
    for (const key of state.customerIdentifiers.get(loser) ?? []) {
      state.identifiers.set(key, winner);
      winnerIds.add(key);
    }
    state.customerIdentifiers.delete(loser);
    const history = getOrCreate(state.histories, winner, () => new Map());
    for (const entry of state.histories.get(loser)?.values() ?? []) {
      if (!history.has(entry.contactId)) history.set(entry.contactId, entry);
    }
    state.histories.delete(loser);
    const agents = getOrCreate(state.lastAgents, winner, () => new Map());
    for (const [agentId, ms] of state.lastAgents.get(loser) ?? []) {
      agents.set(agentId, Math.max(ms, agents.get(agentId) ?? 0));
    }
    state.lastAgents.delete(loser);
    const loserCase = state.openCases.get(loser);
    if (loserCase && !state.openCases.has(winner)) state.openCases.set(winner, loserCase);
    state.openCases.delete(loser);
    trimHistory(winner);
  };

  const identity: IdentityStore = {
    async resolve(identifiers: readonly CustomerIdentifier[]): Promise<ResolveResult> {
      const keys = identifiers.map((identifier, i) =>
        identifierKey(identifier, `identifiers[${i}]`),
      );
      const candidate = ids.next();
      guard();
      const found = new Set<string>();
      for (const key of keys) {
        const customerId = state.identifiers.get(key);
        if (customerId !== undefined) found.add(root(customerId));
      }
      const sorted = [...found].sort(compareIds);
      const winner = sorted[0] ?? candidate;
      const mergedIds = sorted.slice(1);
      for (const loser of mergedIds) merge(loser, winner);
      const winnerIds = getOrCreate(state.customerIdentifiers, winner, () => new Set());
      for (const key of keys) {
        state.identifiers.set(key, winner);
        winnerIds.add(key);
      }
      return { customerId: winner, created: sorted.length === 0, mergedIds };
    },
    async resolveWithHistory(identifiers) {
      const resolved = await identity.resolve(identifiers);
      return { ...resolved, history: await history.getHistory(resolved.customerId) };
    },
  };

  const history: HistoryStore = {
    async recordCompletion(
      customerId: string,
      entry: HistoryEntry,
      recordOptions: RecordCompletionOptions = {},
    ): Promise<void> {
      checkHistoryEntry(customerId, entry);
      guard();
      const id = root(customerId);
      getOrCreate(state.histories, id, () => new Map()).set(
        entry.contactId,
        storedHistoryEntry(entry),
      );
      const agents = getOrCreate(state.lastAgents, id, () => new Map());
      agents.set(entry.agentId, Math.max(entry.completedAtMs, agents.get(entry.agentId) ?? 0));
      if (recordOptions.openCase === null) state.openCases.delete(id);
      else if (recordOptions.openCase) state.openCases.set(id, { ...recordOptions.openCase });
      trimHistory(id);
    },

    async getHistory(customerId: string): Promise<CustomerHistory> {
      checkId("customerId", customerId);
      guard();
      const id = root(customerId);
      const openCase = state.openCases.get(id);
      return {
        customerId: id,
        contacts: sortEntries([...(state.histories.get(id)?.values() ?? [])]),
        lastAgents: sortAgents(state.lastAgents.get(id) ?? new Map()),
        ...(openCase ? { openCase } : {}),
      };
    },
  };

  return { identity, history };
}

// Newest first; ties broken by id descending, the order of Redis ZREVRANGE.
function sortEntries(entries: HistoryEntry[]): HistoryEntry[] {
  return entries.sort(
    (a, b) => b.completedAtMs - a.completedAtMs || compareIds(b.contactId, a.contactId),
  );
}

function sortAgents(agents: Map<string, number>): { agentId: string; lastContactMs: number }[] {
  return [...agents]
    .map(([agentId, lastContactMs]) => ({ agentId, lastContactMs }))
    .sort((a, b) => b.lastContactMs - a.lastContactMs || compareIds(b.agentId, a.agentId));
}
