import { channelName, type CustomerHistory as StoredHistory } from "../../core/index.js";
import type { Contact, SkillRequirement as ProtoSkill } from "../../proto/index.js";
import { IntermediaryKind } from "../../proto/index.js";
import type {
  ContactInput,
  CustomerHistory,
  IntermediaryKind as EngineKind,
  SkillRequirement,
} from "../engine/domain.js";

/** proto IntermediaryKind → engine name; UNSPECIFIED has none. */
export function intermediaryKindName(kind: IntermediaryKind): EngineKind | undefined {
  const name = IntermediaryKind[kind];
  return name === undefined || kind === IntermediaryKind.UNSPECIFIED
    ? undefined
    : (name as EngineKind);
}

function skills(list: readonly ProtoSkill[]): SkillRequirement[] {
  // proto: 0 means 1 (any agent with the skill); the engine wants 1–5.
  return list.map((s) => ({
    skill: s.skill,
    minProficiency: Math.min(5, Math.max(1, s.minProficiency)),
  }));
}

/**
 * A submitted contact as the engine sees it. Proto defaults (0 = 1 for complexity, empty =
 * absent) become absent fields; the engine validates ranges and names the bad field.
 * `customerId` is the resolved one (identity store), not necessarily `contact.customer.id`.
 */
export function contactToInput(contact: Contact, customerId?: string): ContactInput {
  const kind = contact.intermediary && intermediaryKindName(contact.intermediary.kind);
  const customer = customerId ?? (contact.customer?.id || undefined);
  return {
    id: contact.id,
    channel: channelName(contact.channel, "contact.channel"),
    requiredSkills: skills(contact.requiredSkills),
    optionalSkills: skills(contact.optionalSkills),
    complexity: Math.min(5, Math.max(1, contact.complexity)),
    priority: Math.min(1000, contact.priority),
    ...(contact.language === "" ? {} : { language: contact.language }),
    ...(contact.intermediary && kind !== undefined
      ? {
          intermediary: {
            kind,
            id: contact.intermediary.id,
            present: contact.intermediary.present,
          },
        }
      : {}),
    ...(contact.account && contact.account.id !== ""
      ? { account: { id: contact.account.id, institutional: contact.account.institutional } }
      : {}),
    ...(customer === undefined ? {} : { customerId: customer }),
    attributes: { ...contact.channelMetadata },
    ...(contact.queueId === "" ? {} : { queueId: contact.queueId }),
  };
}

/**
 * Stored customer history → what the engine weighs, as it stood at `asOfMs` (the command's
 * time): a standby replaying old commands must not see completions that happened later, or it
 * would decide differently from the leader it replaces. The submitter's `preferred_agent_id`
 * acts like an open case owner (first choice); high-value customers get the GOLD boost.
 */
export function historyToEngine(
  history: StoredHistory | undefined,
  contact: Contact,
  asOfMs = Number.MAX_SAFE_INTEGER,
): CustomerHistory | undefined {
  const preferred = contact.preferredAgentId || history?.openCase?.ownerAgentId;
  const lastByAgent = new Map<string, number>();
  for (const entry of history?.contacts ?? []) {
    if (entry.completedAtMs > asOfMs) continue;
    lastByAgent.set(
      entry.agentId,
      Math.max(lastByAgent.get(entry.agentId) ?? 0, entry.completedAtMs),
    );
  }
  const lastEnded = Math.max(-1, ...lastByAgent.values());
  const result: CustomerHistory = {
    ...(lastByAgent.size > 0
      ? { lastAgents: [...lastByAgent].map(([agentId, endedAtMs]) => ({ agentId, endedAtMs })) }
      : {}),
    ...(lastEnded < 0 ? {} : { lastContactEndedAtMs: lastEnded }),
    ...(preferred ? { openCaseOwnerAgentId: preferred } : {}),
    ...(contact.customer?.highValue === true ? { loyaltyTier: "GOLD" } : {}),
  };
  return Object.keys(result).length === 0 ? undefined : result;
}
