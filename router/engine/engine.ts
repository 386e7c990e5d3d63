/**
 * The public face of the engine: `createRouterEngine(options)` and `restoreRouterEngine`.
 * Commands in, effects out — every mutating call returns the effects it produced, in order,
 * each carrying the RoutingDecision where one was made. Time only moves when a caller passes a
 * later `nowMs`; deadlines due by then run first and their effects lead the returned list.
 *
 * Complexity: each command as its file says (contact-commands.ts, agent-commands.ts), after
 * the due deadlines (runTimers); getAgent O(h) for its held contacts; getContact O(1), plus
 * O(log W + W/B) for a waiting contact's position; stats O(1); snapshot / snapshotJson and
 * restore as snapshot.ts says.
 */
import { configure, removeAgent, runTimers, setPresence, upsertAgent } from "./agent-commands.js";
import type { RoutingConfig } from "./config-types.js";
import {
  acceptOffer,
  cancelContact,
  completeContact,
  endOffer,
  liveOffer,
  startWrapUp,
  submitContact,
  type TransferTarget,
  transferContact,
} from "./contact-commands.js";
import type { ContactPhase, RouterEffect } from "./decision.js";
import type {
  AgentPresence,
  AgentProfile,
  AgentState,
  ContactInput,
  ContactOutcome,
  ContactState,
  CustomerHistory,
} from "./domain.js";
import { EngineCore } from "./engine-core.js";
import { invalid } from "./errors.js";
import { expectedWaitMs, queuePosition } from "./matching.js";
import { normalizeOptions, type RouterEngineOptions } from "./options.js";
import { type RouterSnapshot, restoreCore, snapshotJson, takeSnapshot } from "./snapshot.js";
import { DEFAULT_ROUTING, normalizeRouting } from "./validate-config.js";
import { checkInt } from "./validate-util.js";

export type { TransferTarget } from "./contact-commands.js";

export interface AgentView {
  readonly id: string;
  readonly profile: AgentProfile;
  readonly presence: AgentPresence;
  readonly state: AgentState;
  readonly stateSinceMs: number;
  /** Fraction of one agent in use, 0..1(+tolerance). */
  readonly load: number;
  readonly contactIds: readonly string[];
  readonly consecutiveMisses: number;
}

export interface ContactView {
  readonly id: string;
  readonly state: ContactState;
  readonly ruleId: string;
  readonly queueId: string;
  readonly escalationStep: number;
  readonly phase: ContactPhase;
  readonly priority: number;
  readonly repeat: boolean;
  readonly preferredAgentId: string | null;
  readonly agentId: string | null;
  readonly offerId: string | null;
  readonly firstEnqueuedAtMs: number;
  /** Only while WAITING. */
  readonly position: number | null;
  readonly expectedWaitMs: number | null;
}

export interface RouterEngineStats {
  readonly agents: number;
  readonly contacts: number;
  readonly waiting: number;
  readonly liveOffers: number;
}

/** Every method that takes `nowMs` rejects a time earlier than the last one seen. */
export interface RouterEngine {
  configure(cmd: { nowMs: number; routing: RoutingConfig }): RouterEffect[];
  /** Adds (OFFLINE) or replaces an agent's profile. */
  upsertAgent(cmd: { nowMs: number; agent: AgentProfile }): RouterEffect[];
  /** Fails while the agent still handles a connected or wrapping-up contact. */
  removeAgent(cmd: { nowMs: number; agentId: string }): RouterEffect[];
  setAgentPresence(cmd: {
    nowMs: number;
    agentId: string;
    presence: AgentPresence;
  }): RouterEffect[];
  submitContact(cmd: {
    nowMs: number;
    contact: ContactInput;
    history?: CustomerHistory;
  }): RouterEffect[];
  acceptOffer(cmd: { nowMs: number; offerId: string; version: number }): RouterEffect[];
  rejectOffer(cmd: { nowMs: number; offerId: string; version: number }): RouterEffect[];
  startWrapUp(cmd: { nowMs: number; contactId: string }): RouterEffect[];
  completeContact(cmd: {
    nowMs: number;
    contactId: string;
    outcome?: ContactOutcome;
  }): RouterEffect[];
  /** Keeps waiting time and history; a live offer must be answered first. */
  transferContact(cmd: {
    nowMs: number;
    contactId: string;
    target: TransferTarget;
  }): RouterEffect[];
  cancelContact(cmd: {
    nowMs: number;
    contactId: string;
    reason?: "CANCELLED" | "ABANDONED";
  }): RouterEffect[];
  /** Runs the deadlines due by `nowMs`: offer expiry, escalation, phase ends, wrap-up ends. */
  tick(nowMs: number): RouterEffect[];
  getAgent(agentId: string): AgentView | undefined;
  /** Ids of every agent the engine knows, in the order they were added. */
  agentIds(): string[];
  /** The routing configuration in force (a copy). */
  routing(): RoutingConfig;
  getContact(contactId: string): ContactView | undefined;
  stats(): RouterEngineStats;
  snapshot(): RouterSnapshot;
  /**
   * `JSON.stringify(snapshot())` without the deep copy in between: for storing the snapshot.
   * `restoreRouterEngine(JSON.parse(text))` continues exactly where the engine was.
   */
  snapshotJson(): string;
}

class Engine implements RouterEngine {
  constructor(
    private readonly core: EngineCore,
    private readonly persisted: Omit<RouterEngineOptions, "routing" | "strategy">,
  ) {}

  configure(cmd: { nowMs: number; routing: RoutingConfig }) {
    return this.run(cmd, (e) => configure(this.core, cmd.routing, cmd.nowMs, e));
  }
  upsertAgent(cmd: { nowMs: number; agent: AgentProfile }) {
    return this.run(cmd, (e) => upsertAgent(this.core, cmd.agent, cmd.nowMs, e));
  }
  removeAgent(cmd: { nowMs: number; agentId: string }) {
    return this.run(cmd, (e) => removeAgent(this.core, cmd.agentId, cmd.nowMs, e));
  }
  setAgentPresence(cmd: { nowMs: number; agentId: string; presence: AgentPresence }) {
    return this.run(cmd, (e) => setPresence(this.core, cmd.agentId, cmd.presence, cmd.nowMs, e));
  }
  submitContact(cmd: { nowMs: number; contact: ContactInput; history?: CustomerHistory }) {
    return this.run(cmd, (e) => submitContact(this.core, cmd.contact, cmd.history, cmd.nowMs, e));
  }
  acceptOffer(cmd: { nowMs: number; offerId: string; version: number }) {
    return this.run(cmd, (e) => acceptOffer(this.core, cmd.offerId, cmd.version, cmd.nowMs, e));
  }
  rejectOffer(cmd: { nowMs: number; offerId: string; version: number }) {
    return this.run(cmd, (e) => {
      const offer = liveOffer(this.core, cmd.offerId, cmd.version);
      endOffer(this.core, offer, "OFFER_REJECTED", cmd.nowMs, e);
    });
  }
  startWrapUp(cmd: { nowMs: number; contactId: string }) {
    return this.run(cmd, (e) => startWrapUp(this.core, cmd.contactId, cmd.nowMs, e));
  }
  completeContact(cmd: { nowMs: number; contactId: string; outcome?: ContactOutcome }) {
    return this.run(cmd, (e) =>
      completeContact(this.core, cmd.contactId, cmd.outcome, cmd.nowMs, e),
    );
  }
  transferContact(cmd: { nowMs: number; contactId: string; target: TransferTarget }) {
    return this.run(cmd, (e) =>
      transferContact(this.core, cmd.contactId, cmd.target, cmd.nowMs, e),
    );
  }
  cancelContact(cmd: { nowMs: number; contactId: string; reason?: "CANCELLED" | "ABANDONED" }) {
    return this.run(cmd, (e) =>
      cancelContact(this.core, cmd.contactId, cmd.reason ?? "CANCELLED", cmd.nowMs, e),
    );
  }
  tick(nowMs: number) {
    return this.run({ nowMs }, () => {});
  }

  getAgent(agentId: string): AgentView | undefined {
    const a = this.core.agents.get(agentId);
    if (a === undefined) return undefined;
    return {
      id: a.id,
      profile: structuredClone(a.source),
      presence: a.presence,
      state: a.state,
      stateSinceMs: a.stateSinceMs,
      load: a.loadMilli / 1000,
      contactIds: [...a.held.keys()],
      consecutiveMisses: a.consecutiveMisses,
    };
  }

  agentIds(): string[] {
    return [...this.core.agents.keys()];
  }

  routing(): RoutingConfig {
    return structuredClone(this.core.routing.source);
  }

  getContact(contactId: string): ContactView | undefined {
    const c = this.core.contacts.get(contactId);
    if (c === undefined) return undefined;
    const position = c.group === null ? null : queuePosition(this.core, c);
    return {
      id: c.id,
      state: c.state,
      ruleId: c.ruleId,
      queueId: c.queueId,
      escalationStep: c.step,
      phase: c.phase,
      priority: c.priority,
      repeat: c.repeat,
      preferredAgentId: c.preferredAgentId,
      agentId: c.agentId,
      offerId: c.offerId,
      firstEnqueuedAtMs: c.firstEnqueuedAtMs,
      position,
      expectedWaitMs: position === null ? null : expectedWaitMs(this.core, c, position),
    };
  }

  stats(): RouterEngineStats {
    const core = this.core;
    return {
      agents: core.agents.size,
      contacts: core.contacts.size,
      waiting: core.waiting.size,
      liveOffers: core.offers.size,
    };
  }

  snapshot(): RouterSnapshot {
    return takeSnapshot(this.core, this.persisted);
  }

  snapshotJson(): string {
    return snapshotJson(this.core, this.persisted);
  }

  private run(cmd: { nowMs: number }, command: (effects: RouterEffect[]) => void): RouterEffect[] {
    if (typeof cmd !== "object" || cmd === null) throw invalid("command must be an object");
    const nowMs = cmd.nowMs;
    checkInt(nowMs, "nowMs", 0, Number.MAX_SAFE_INTEGER);
    if (nowMs < this.core.nowMs) {
      throw invalid(`nowMs ${nowMs} is before the engine's time ${this.core.nowMs}`);
    }
    const effects = this.core.pending;
    const previousNowMs = this.core.nowMs;
    this.core.pending = [];
    this.core.nowMs = nowMs;
    runTimers(this.core, nowMs, effects);
    const mark = effects.length;
    try {
      command(effects);
    } catch (err) {
      effects.length = mark;
      this.core.pending = effects;
      // Nothing happened at all: leave the clock where it was too.
      if (mark === 0) this.core.nowMs = previousNowMs;
      throw err;
    }
    return effects;
  }
}

function persistedOptions(
  options: RouterEngineOptions,
): Omit<RouterEngineOptions, "routing" | "strategy"> {
  const { routing: _r, strategy: _s, ...rest } = options;
  return structuredClone(rest);
}

/** A new engine with no agents and no contacts. Throws INVALID_ARGUMENT on bad options. */
export function createRouterEngine(options: RouterEngineOptions = {}): RouterEngine {
  const core = new EngineCore(
    normalizeOptions(options),
    normalizeRouting(options.routing ?? DEFAULT_ROUTING),
  );
  return new Engine(core, persistedOptions(options));
}

/** An engine that continues exactly where `snapshot` left off. */
export function restoreRouterEngine(
  snapshot: RouterSnapshot,
  options: { readonly strategy?: "indexed" | "naive-scan" } = {},
): RouterEngine {
  const core = restoreCore(snapshot, options.strategy ?? "indexed");
  return new Engine(core, structuredClone(snapshot.options));
}
