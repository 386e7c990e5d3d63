import type { IdGenerator } from "../../ids.js";
import type {
  CustomerHistory,
  HistoryEntry,
  HistoryStore,
  LastAgent,
  OpenCase,
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
import type { RedisRunner } from "./redis-runner.js";

/** Identity and history over the scripts in customer-scripts.ts. */
export function createRedisCustomers(
  runner: RedisRunner,
  base: string,
  ids: IdGenerator,
  options: NormalizedCommonOptions,
): { identity: IdentityStore; history: HistoryStore } {
  const header = (customerId: string): string[] => [
    base,
    customerId,
    String(options.historyLimit),
    String(options.lastAgentsLimit),
  ];

  const keysOf = (identifiers: readonly CustomerIdentifier[]): string[] =>
    identifiers.map((identifier, i) => identifierKey(identifier, `identifiers[${i}]`));

  const identity: IdentityStore = {
    async resolve(identifiers: readonly CustomerIdentifier[]): Promise<ResolveResult> {
      const reply = (await runner.script("resolve", [
        ...header(ids.next()),
        ...keysOf(identifiers),
      ])) as [string, number, ...string[]];
      const [customerId, created, ...mergedIds] = reply;
      return { customerId, created: created === 1, mergedIds };
    },
    async resolveWithHistory(identifiers) {
      const [customerId, created, mergedIds, entries, agents, openCase] = (await runner.script(
        "resolveWithHistory",
        [...header(ids.next()), ...keysOf(identifiers)],
      )) as [string, number, string[], HistoryReply[0], HistoryReply[1], HistoryReply[2]];
      return {
        customerId,
        created: created === 1,
        mergedIds,
        history: historyFrom(customerId, [entries, agents, openCase]),
      };
    },
  };

  const history: HistoryStore = {
    async recordCompletion(
      customerId: string,
      entry: HistoryEntry,
      recordOptions: RecordCompletionOptions = {},
    ): Promise<void> {
      checkHistoryEntry(customerId, entry);
      const { openCase } = recordOptions;
      const caseMode = openCase === undefined ? "keep" : openCase === null ? "clear" : "set";
      await runner.script("recordCompletion", [
        ...header(customerId),
        entry.contactId,
        String(entry.completedAtMs),
        JSON.stringify(storedHistoryEntry(entry)),
        entry.agentId,
        caseMode,
        openCase
          ? JSON.stringify({ caseId: openCase.caseId, ownerAgentId: openCase.ownerAgentId })
          : "",
      ]);
    },

    async getHistory(customerId: string): Promise<CustomerHistory> {
      checkId("customerId", customerId);
      const [id, ...reply] = (await runner.script("getHistory", header(customerId))) as [
        string,
        ...HistoryReply,
      ];
      return historyFrom(id, reply);
    },
  };

  return { identity, history };
}

/** The scripts' `history_of`: entry JSONs, agent id / ms pairs, the open case JSON or "". */
type HistoryReply = [(string | null)[], string[], string];

function historyFrom(
  customerId: string,
  [entries, agents, openCase]: HistoryReply,
): CustomerHistory {
  const lastAgents: LastAgent[] = [];
  for (let i = 0; i + 1 < agents.length; i += 2) {
    lastAgents.push({ agentId: agents[i] ?? "", lastContactMs: Number(agents[i + 1]) });
  }
  return {
    customerId,
    contacts: entries.flatMap((json) => (json ? [JSON.parse(json) as HistoryEntry] : [])),
    lastAgents,
    ...(openCase ? { openCase: JSON.parse(openCase) as OpenCase } : {}),
  };
}
