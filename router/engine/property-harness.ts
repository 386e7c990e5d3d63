/**
 * Test support for the property tests: a tiny command language fast-check can generate, an
 * interpreter that drives an engine with it, and an oracle that checks hard constraints from a
 * snapshot with code written independently of the engine's own eligibility checks.
 */
import type { RoutingConfig } from "./config-types.js";
import type { RouterEffect } from "./decision.js";
import { type AgentProfile, CHANNELS, type ContactInput, INTERMEDIARY_KINDS } from "./domain.js";
import type { RouterEngine } from "./engine.js";
import { RouterError } from "./errors.js";
import type { AgentSnapshot, ContactSnapshot, RouterSnapshot } from "./snapshot.js";

export const SKILLS = ["a", "b", "c"] as const;
export const LANGS = ["en", "fr"] as const;
export const AGENT_IDS = ["ag0", "ag1", "ag2", "ag3", "ag4", "ag5"] as const;

export const ROUTING: RoutingConfig = {
  queues: [
    {
      id: "main",
      agingIntervalMs: 10_000,
      offerTimeoutMs: 15_000,
      wrapUpMs: 5_000,
      preferredAgentWaitMs: 10_000,
      accountTeamWaitMs: 20_000,
      escalation: [
        { afterMs: 20_000, lowerMinProficiencyBy: 1 },
        { afterMs: 40_000, dropOptionalSkills: true, anyTeam: true },
      ],
    },
    {
      id: "team",
      priority: 2,
      teams: ["t0"],
      agingIntervalMs: 5_000,
      offerTimeoutMs: 10_000,
      escalation: [
        { afterMs: 15_000, addTeams: ["t1"] },
        { afterMs: 30_000, overflowToQueueId: "main" },
      ],
    },
  ],
  rules: [{ id: "voice-a", queueId: "team", when: { channels: ["VOICE"], skillsAny: ["a"] } }],
  defaultQueueId: "main",
};

export type Cmd =
  | {
      k: "agent";
      idx: number;
      prof: number[];
      tier: number;
      langs: number;
      channels: number;
      team: number;
      broker: boolean;
      account: boolean;
      voiceWeight: number;
    }
  | { k: "presence"; idx: number; p: 0 | 1 | 2 }
  | {
      k: "submit";
      channel: number;
      mins: number[];
      optional: number;
      complexity: number;
      lang: number;
      broker: boolean;
      account: number;
      priority: number;
      lastAgent: number;
    }
  | { k: "accept" | "reject" | "wrap" | "complete" | "cancel"; pick: number }
  | { k: "transferQ"; pick: number; q: number }
  | { k: "transferA"; pick: number; idx: number }
  | { k: "remove"; idx: number }
  | { k: "tick" };

export interface Step {
  readonly dtMs: number;
  readonly cmd: Cmd;
}

export function agentProfile(c: Extract<Cmd, { k: "agent" }>): AgentProfile {
  const skills = SKILLS.flatMap((skill, i) => {
    const p = c.prof[i] ?? 0;
    return p > 0 ? [{ skill, proficiency: p }] : [];
  });
  const channels = CHANNELS.filter((_, i) => (c.channels >> i) & 1);
  return {
    id: AGENT_IDS[c.idx] as string,
    skills,
    complexityTier: c.tier,
    languages: LANGS.filter((_, i) => (c.langs >> i) & 1),
    channels: channels.length > 0 ? channels : ["CHAT"],
    channelWeights: { VOICE: c.voiceWeight },
    team: `t${c.team}`,
    authorizations: {
      ...(c.broker ? { intermediaryKinds: ["BROKER" as const] } : {}),
      ...(c.account ? { accountIds: ["acme"] } : {}),
    },
  };
}

let contactCounter = 0;

function contactInput(c: Extract<Cmd, { k: "submit" }>): ContactInput {
  const requiredSkills = SKILLS.flatMap((skill, i) => {
    const m = c.mins[i] ?? 0;
    return m > 0 ? [{ skill, minProficiency: m }] : [];
  });
  const optional =
    c.optional > 0 ? [{ skill: SKILLS[c.optional - 1] as string, minProficiency: 2 }] : [];
  return {
    id: `ct${++contactCounter}`,
    channel: CHANNELS[c.channel] ?? "CHAT",
    requiredSkills,
    optionalSkills: optional,
    complexity: c.complexity,
    priority: c.priority,
    ...(c.lang > 0 ? { language: LANGS[c.lang - 1] as string } : {}),
    ...(c.broker
      ? { intermediary: { kind: INTERMEDIARY_KINDS[0], id: "brk", present: true } }
      : {}),
    ...(c.account > 0 ? { account: { id: "acme", institutional: c.account === 2 } } : {}),
    customerId: `cust${contactCounter % 4}`,
  };
}

function pick<T>(list: readonly T[], n: number): T | undefined {
  return list.length === 0 ? undefined : list[n % list.length];
}

/**
 * Applies one step to every engine (they must agree on what is live, since they received the
 * same commands). Returns the effects per engine; a RouterError must be thrown by all or none.
 */
export function applyStep(
  engines: readonly RouterEngine[],
  nowMs: number,
  step: Step,
): RouterEffect[][] {
  const lead = engines[0] as RouterEngine;
  const snap = lead.snapshot();
  const c = step.cmd;
  const contacts = [...snap.contacts].sort((x, y) => x.seq - y.seq);
  const byState = (s: ContactSnapshot["state"]) => contacts.filter((x) => x.state === s);
  let call: (e: RouterEngine) => RouterEffect[];
  switch (c.k) {
    case "agent": {
      const profile = agentProfile(c);
      call = (e) => e.upsertAgent({ nowMs, agent: profile });
      break;
    }
    case "presence": {
      const presence = (["AVAILABLE", "AWAY", "OFFLINE"] as const)[c.p];
      const agentId = AGENT_IDS[c.idx] as string;
      call = (e) => e.setAgentPresence({ nowMs, agentId, presence });
      break;
    }
    case "submit": {
      const contact = contactInput(c);
      const last = c.lastAgent >= 0 ? AGENT_IDS[c.lastAgent] : undefined;
      const history =
        last === undefined
          ? undefined
          : { lastAgents: [{ agentId: last, endedAtMs: Math.max(0, nowMs - 1000) }] };
      call = (e) =>
        e.submitContact({ nowMs, contact, ...(history === undefined ? {} : { history }) });
      break;
    }
    case "accept":
    case "reject": {
      const o = pick(snap.offers, c.pick);
      if (o === undefined) return engines.map((e) => e.tick(nowMs));
      call =
        c.k === "accept"
          ? (e) => e.acceptOffer({ nowMs, offerId: o.offerId, version: o.version })
          : (e) => e.rejectOffer({ nowMs, offerId: o.offerId, version: o.version });
      break;
    }
    case "wrap":
    case "complete": {
      const pool =
        c.k === "wrap" ? byState("CONNECTED") : [...byState("CONNECTED"), ...byState("WRAP_UP")];
      const target = pick(pool, c.pick);
      if (target === undefined) return engines.map((e) => e.tick(nowMs));
      const contactId = target.input.id;
      call =
        c.k === "wrap"
          ? (e) => e.startWrapUp({ nowMs, contactId })
          : (e) => e.completeContact({ nowMs, contactId, outcome: { csat: 4 } });
      break;
    }
    case "cancel":
    case "transferQ":
    case "transferA": {
      const target = pick(contacts, c.pick);
      if (target === undefined) return engines.map((e) => e.tick(nowMs));
      const contactId = target.input.id;
      if (c.k === "cancel")
        call = (e) => e.cancelContact({ nowMs, contactId, reason: "ABANDONED" });
      else if (c.k === "transferQ") {
        const queueId = c.q === 0 ? "main" : "team";
        call = (e) => e.transferContact({ nowMs, contactId, target: { queueId } });
      } else if (c.k === "transferA") {
        const agentId = AGENT_IDS[c.idx] as string;
        call = (e) => e.transferContact({ nowMs, contactId, target: { agentId } });
      } else return engines.map((e) => e.tick(nowMs));
      break;
    }
    case "remove": {
      const agentId = AGENT_IDS[c.idx] as string;
      call = (e) => e.removeAgent({ nowMs, agentId });
      break;
    }
    case "tick":
      call = (e) => e.tick(nowMs);
      break;
  }
  const results = engines.map((e) => {
    try {
      return { effects: call(e), error: null as RouterError | null };
    } catch (err) {
      if (!(err instanceof RouterError)) throw err;
      return { effects: [] as RouterEffect[], error: err };
    }
  });
  const codes = results.map((r) => r.error?.code ?? "OK");
  if (new Set(codes).size !== 1)
    throw new Error(`engines disagree on ${c.k}: ${codes.join(" vs ")}`);
  return results.map((r) => r.effects);
}

/** Hard constraints recomputed from the snapshot, independently of eligibility.ts. */
export function staticallyEligible(
  agent: AgentSnapshot,
  c: ContactSnapshot,
  routing: RoutingConfig,
): boolean {
  const q = routing.queues.find((x) => x.id === c.queueId);
  if (q === undefined) return false;
  const steps = (q.escalation ?? []).slice(0, c.step);
  const lower = steps.reduce((s, x) => s + (x.lowerMinProficiencyBy ?? 0), 0);
  const dropOptional = steps.some((x) => x.dropOptionalSkills === true);
  const anyTeam = q.teams === undefined || steps.some((x) => x.anyTeam === true);
  const teams = new Set([...(q.teams ?? []), ...steps.flatMap((x) => x.addTeams ?? [])]);
  const p = agent.profile;
  if (
    (c.phase === "PREFERRED_AGENT" && p.id !== c.preferredAgentId) ||
    (c.phase === "TARGETED" && p.id !== c.targetAgentId)
  ) {
    return false;
  }
  const accounts = p.authorizations?.accountIds ?? [];
  if (c.phase === "ACCOUNT_TEAM" && !accounts.includes(c.input.account?.id ?? "")) return false;
  if (!(p.channels ?? CHANNELS).includes(c.input.channel)) return false;
  const needs = [
    ...(c.input.requiredSkills ?? []),
    ...(dropOptional ? [] : (c.input.optionalSkills ?? [])),
  ];
  for (const n of needs) {
    const have = p.skills.find((s) => s.skill === n.skill)?.proficiency ?? 0;
    if (have < Math.max(1, n.minProficiency - lower)) return false;
  }
  if ((p.complexityTier ?? 5) < (c.input.complexity ?? 1)) return false;
  if (c.input.language !== undefined && !(p.languages ?? []).includes(c.input.language))
    return false;
  const im = c.input.intermediary;
  if (
    im?.present &&
    !(p.authorizations?.intermediaryKinds ?? []).includes(im.kind) &&
    !(p.authorizations?.intermediaryIds ?? []).includes(im.id)
  ) {
    return false;
  }
  if (!anyTeam && !teams.has(p.team ?? "")) return false;
  return true;
}

const DEFAULT_WEIGHT: Record<string, number> = { VOICE: 1000, EMAIL: 200, CHAT: 340, KIOSK: 1000 };

export function weightOf(agent: AgentSnapshot, channel: string): number {
  const o = agent.profile.channelWeights?.[channel as "VOICE"];
  return o === undefined ? (DEFAULT_WEIGHT[channel] ?? 1000) : Math.round(o * 1000);
}

/** Could this agent take one more contact of this channel right now? */
export function hasRoom(agent: AgentSnapshot, channel: string, snap: RouterSnapshot): boolean {
  if (agent.presence !== "AVAILABLE") return false;
  const heldVoice = agent.held.some(
    ([id]) => snap.contacts.find((c) => c.input.id === id)?.input.channel === "VOICE",
  );
  if (channel === "VOICE" && heldVoice) return false;
  return agent.loadMilli + weightOf(agent, channel) <= 1020;
}
