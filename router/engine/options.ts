import type { RoutingConfig } from "./config-types.js";
import { CHANNELS, type Channel } from "./domain.js";
import { invalid } from "./errors.js";
import { checkInt, checkNumber } from "./validate-util.js";

/** Options of `createRouterEngine`. Every field is optional; defaults are listed per field. */
export interface RouterEngineOptions {
  /** Queues and rules; default one queue `default` and no rules. */
  readonly routing?: RoutingConfig;
  /** Load weight of one contact per channel, in (0, 1]. Default VOICE 1, CHAT 0.34, EMAIL 0.2, KIOSK 1. */
  readonly channelWeights?: Readonly<Partial<Record<Channel, number>>>;
  /**
   * Load may exceed 1.0 by this much, so that weights rounded up (3 × 0.34) still fill an
   * agent exactly as intended. Default 0.02.
   */
  readonly capacityTolerance?: number;
  /** Missed (expired) offers in a row before the agent is set AWAY. Default 3. */
  readonly maxConsecutiveMisses?: number;
  /** A contact within this of the customer's previous one is a repeat. Default 72 h. */
  readonly repeatWindowMs?: number;
  /** Priority added to repeat contacts. Default 2. */
  readonly repeatPriorityBoost?: number;
  /** Priority added per loyalty tier. Default { REGULAR: 1, GOLD: 2, VIP: 4 }. */
  readonly loyaltyPriority?: Readonly<Record<string, number>>;
  /** Handle time assumed before a queue has completions, for wait estimates. Default 180 000. */
  readonly defaultHandleMs?: number;
  /** Requirement signatures remembered as "no eligible agent". Default 4096. */
  readonly noMatchCacheSize?: number;
  /** Customers whose completions the engine remembers. Default 100 000. */
  readonly historyCapacity?: number;
  /**
   * `indexed` (default) uses the ready lists; `naive-scan` scans every agent and every waiting
   * contact with the same constraints and order — the benchmark baseline and a test oracle.
   */
  readonly strategy?: "indexed" | "naive-scan";
}

export interface NormalizedOptions {
  readonly weightsMilli: readonly number[];
  readonly capacityMilli: number;
  readonly maxConsecutiveMisses: number;
  readonly repeatWindowMs: number;
  readonly repeatPriorityBoost: number;
  readonly loyaltyPriority: Readonly<Record<string, number>>;
  readonly defaultHandleMs: number;
  readonly noMatchCacheSize: number;
  readonly historyCapacity: number;
  readonly indexed: boolean;
}

const DEFAULT_WEIGHTS: Record<Channel, number> = { VOICE: 1, EMAIL: 0.2, CHAT: 0.34, KIOSK: 1 };

export function toMilli(weight: number, field: string): number {
  checkNumber(weight, field, 0.001, 1);
  return Math.round(weight * 1000);
}

export function normalizeOptions(options: RouterEngineOptions): NormalizedOptions {
  const weights = { ...DEFAULT_WEIGHTS, ...options.channelWeights };
  const tolerance = options.capacityTolerance ?? 0.02;
  checkNumber(tolerance, "capacityTolerance", 0, 0.5);
  const loyalty = options.loyaltyPriority ?? { REGULAR: 1, GOLD: 2, VIP: 4 };
  for (const [tier, boost] of Object.entries(loyalty)) {
    checkInt(boost, `loyaltyPriority.${tier}`, -1000, 1000);
  }
  const strategy = options.strategy ?? "indexed";
  if (strategy !== "indexed" && strategy !== "naive-scan") {
    throw invalid(`strategy must be "indexed" or "naive-scan", got ${String(strategy)}`);
  }
  const normalized: NormalizedOptions = {
    weightsMilli: CHANNELS.map((c) => toMilli(weights[c], `channelWeights.${c}`)),
    capacityMilli: 1000 + Math.round(tolerance * 1000),
    maxConsecutiveMisses: options.maxConsecutiveMisses ?? 3,
    repeatWindowMs: options.repeatWindowMs ?? 72 * 3_600_000,
    repeatPriorityBoost: options.repeatPriorityBoost ?? 2,
    loyaltyPriority: { ...loyalty },
    defaultHandleMs: options.defaultHandleMs ?? 180_000,
    noMatchCacheSize: options.noMatchCacheSize ?? 4096,
    historyCapacity: options.historyCapacity ?? 100_000,
    indexed: strategy === "indexed",
  };
  checkInt(normalized.maxConsecutiveMisses, "maxConsecutiveMisses", 1, 1000);
  checkInt(normalized.repeatWindowMs, "repeatWindowMs", 0, Number.MAX_SAFE_INTEGER);
  checkInt(normalized.repeatPriorityBoost, "repeatPriorityBoost", -1000, 1000);
  checkInt(normalized.defaultHandleMs, "defaultHandleMs", 1, Number.MAX_SAFE_INTEGER);
  checkInt(normalized.noMatchCacheSize, "noMatchCacheSize", 0, 10_000_000);
  checkInt(normalized.historyCapacity, "historyCapacity", 0, 100_000_000);
  return normalized;
}
