/** Builders shared by the engine's tests (not part of the public surface). */
import type { RouterEffect } from "./decision.js";
import type { AgentProfile, Channel, ContactInput } from "./domain.js";
import type { RouterEngine } from "./engine.js";

export function agent(
  id: string,
  skills: Record<string, number>,
  extra: Partial<Omit<AgentProfile, "id" | "skills">> = {},
): AgentProfile {
  return {
    id,
    skills: Object.entries(skills).map(([skill, proficiency]) => ({ skill, proficiency })),
    languages: ["en"],
    ...extra,
  };
}

export function contact(
  id: string,
  channel: Channel,
  skills: Record<string, number>,
  extra: Partial<Omit<ContactInput, "id" | "channel" | "requiredSkills">> = {},
): ContactInput {
  return {
    id,
    channel,
    requiredSkills: Object.entries(skills).map(([skill, minProficiency]) => ({
      skill,
      minProficiency,
    })),
    ...extra,
  };
}

export function online(
  engine: RouterEngine,
  nowMs: number,
  ...profiles: AgentProfile[]
): RouterEffect[] {
  const effects: RouterEffect[] = [];
  for (const p of profiles) {
    effects.push(...engine.upsertAgent({ nowMs, agent: p }));
    effects.push(...engine.setAgentPresence({ nowMs, agentId: p.id, presence: "AVAILABLE" }));
  }
  return effects;
}

export function ofType<T extends RouterEffect["type"]>(
  effects: readonly RouterEffect[],
  type: T,
): Extract<RouterEffect, { type: T }>[] {
  return effects.filter((e): e is Extract<RouterEffect, { type: T }> => e.type === type);
}

/** contactId → agentId of every offer in the effects. */
export function offered(effects: readonly RouterEffect[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of ofType(effects, "OFFER_CREATED")) out[e.offer.contactId] = e.offer.agentId;
  return out;
}

export function onlyOffer(effects: readonly RouterEffect[]) {
  const offers = ofType(effects, "OFFER_CREATED");
  if (offers.length !== 1) throw new Error(`expected one offer, got ${offers.length}`);
  return offers[0] as Extract<RouterEffect, { type: "OFFER_CREATED" }>;
}
