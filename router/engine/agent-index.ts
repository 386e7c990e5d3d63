/**
 * Ready lists of AVAILABLE agents with room for one more contact, per channel and tag:
 * (skill, proficiency level), language, account team, and "all". An agent is linked into every
 * list of its tags on a channel exactly while it can take a contact there.
 *
 * It also owns the dense skill ids (first-seen order) behind AgentRecord.levels, the per-agent
 * proficiency array the search checks instead of Maps keyed by skill name.
 *
 * Complexity: link / unlink / moveToTail an agent on one channel O(tags) (2–12 typically), list lookups
 * O(1) (Map by name), source sizes O(5) per skill, buildNodes O(tags + distinct skills seen).
 */
import { CHANNELS } from "./domain.js";
import { type ListFamily, type ListNode, ReadyList } from "./ready-list.js";
import type { AgentRecord } from "./records.js";

export interface SkillLists {
  /** The skill's dense id (AgentIndex.skillIds), so a search need not look it up by name. */
  readonly id: number;
  /** Index = proficiency 1..5 (slot 0 unused). */
  readonly levels: ReadyList<AgentRecord>[];
  readonly family: ListFamily;
}

export interface ChannelLists {
  readonly skills: Map<string, SkillLists>;
  readonly languages: Map<string, ReadyList<AgentRecord>>;
  readonly accounts: Map<string, ReadyList<AgentRecord>>;
  readonly all: ReadyList<AgentRecord>;
}

/**
 * Node tags: bits 0–2 the agent's complexity tier, bits 3–10 its languages among the first
 * LANGUAGE_BITS languages seen, bits 11–29 a bloom of its skills (bit 11 + id % SKILL_BITS).
 * A tag can prove an agent ineligible (tier too low, language missing, a required skill
 * missing), never eligible: survivors are checked exactly on the record.
 */
export const LANGUAGE_BITS = 8;
export const SKILL_BITS = 19;
const LANGUAGE_SHIFT = 3;
const SKILL_SHIFT = LANGUAGE_SHIFT + LANGUAGE_BITS;

/** The tag bit of a dense skill id. */
export function skillTagBit(id: number): number {
  return 1 << (SKILL_SHIFT + (id % SKILL_BITS));
}

/** The tag bit of a dense language id, or 0 when it has none (then tags cannot tell). */
export function languageTagBit(id: number): number {
  return id >= 0 && id < LANGUAGE_BITS ? 1 << (LANGUAGE_SHIFT + id) : 0;
}

export class AgentIndex {
  readonly channels: ChannelLists[];
  readonly families = new Map<string, ListFamily>();
  /** Skill name → dense id, assigned on first sight; ids index AgentRecord.levels. */
  readonly skillIds = new Map<string, number>();
  /** Language → dense id, first-seen order; the first LANGUAGE_BITS have a tag bit. */
  readonly languageIds = new Map<string, number>();

  constructor() {
    this.channels = CHANNELS.map((_, ch) => ({
      skills: new Map(),
      languages: new Map(),
      accounts: new Map(),
      all: new ReadyList<AgentRecord>(this.family(`${ch}|*`)),
    }));
  }

  /** Tag bits an eligible agent must have for a requirement, from the ids known now. */
  needBits(skills: readonly { readonly skill: string }[], language: string | null): number {
    let bits = 0;
    for (const k of skills) {
      const id = this.skillIds.get(k.skill);
      if (id !== undefined) bits |= skillTagBit(id);
    }
    if (language !== null) bits |= languageTagBit(this.languageIds.get(language) ?? -1);
    return bits;
  }

  family(key: string): ListFamily {
    let f = this.families.get(key);
    if (f === undefined) {
      f = { key, inserts: 0 };
      this.families.set(key, f);
    }
    return f;
  }

  /** The skill's dense id, assigned on first sight. */
  skillId(skill: string): number {
    let id = this.skillIds.get(skill);
    if (id === undefined) {
      id = this.skillIds.size;
      this.skillIds.set(skill, id);
    }
    return id;
  }

  skillLists(ch: number, skill: string): SkillLists {
    const lists = this.channels[ch] as ChannelLists;
    let s = lists.skills.get(skill);
    if (s === undefined) {
      const family = this.family(`${ch}|s|${skill}`);
      s = {
        id: this.skillId(skill),
        family,
        levels: [0, 1, 2, 3, 4, 5].map(() => new ReadyList<AgentRecord>(family)),
      };
      lists.skills.set(skill, s);
    }
    return s;
  }

  languageList(ch: number, language: string): ReadyList<AgentRecord> {
    return this.keyed(
      (this.channels[ch] as ChannelLists).languages,
      `${ch}|l|${language}`,
      language,
    );
  }

  accountList(ch: number, accountId: string): ReadyList<AgentRecord> {
    return this.keyed(
      (this.channels[ch] as ChannelLists).accounts,
      `${ch}|a|${accountId}`,
      accountId,
    );
  }

  /** Builds the agent's nodes for its current profile; call with the agent unlinked. */
  buildNodes(agent: AgentRecord): void {
    const p = agent.profile;
    for (const skill of p.skills.keys()) this.skillId(skill);
    // Sized to every id known now: skills first seen later are ones this profile lacks.
    const levels = new Uint8Array(this.skillIds.size);
    let tag = p.tier;
    for (const [skill, level] of p.skills) {
      const id = this.skillIds.get(skill) as number;
      levels[id] = level;
      tag |= skillTagBit(id);
    }
    for (const language of p.languages) {
      if (!this.languageIds.has(language)) this.languageIds.set(language, this.languageIds.size);
      tag |= languageTagBit(this.languageIds.get(language) as number);
    }
    agent.levels = levels;
    agent.tag = tag;
    agent.nodes = CHANNELS.map((_, ch) => {
      if (p.channels[ch] !== true) return [];
      const nodes: ListNode<AgentRecord>[] = [
        (this.channels[ch] as ChannelLists).all.node(agent, tag),
      ];
      for (const [skill, level] of p.skills) {
        nodes.push(
          (this.skillLists(ch, skill).levels[level] as ReadyList<AgentRecord>).node(agent, tag),
        );
      }
      for (const language of p.languages) {
        nodes.push(this.languageList(ch, language).node(agent, tag));
      }
      for (const account of p.authAccountIds) {
        nodes.push(this.accountList(ch, account).node(agent, tag));
      }
      return nodes;
    });
  }

  link(agent: AgentRecord, ch: number): void {
    const seq = agent.readySeq[ch] ?? 0;
    const sinceMs = agent.readySinceMs[ch] ?? 0;
    for (const n of agent.nodes[ch] ?? []) n.list.append(n, seq, sinceMs);
  }

  /** The agent, linked on `ch`, goes to the tail of each of its lists with its new seq. */
  moveToTail(agent: AgentRecord, ch: number): void {
    const seq = agent.readySeq[ch] ?? 0;
    const sinceMs = agent.readySinceMs[ch] ?? 0;
    const nodes = agent.nodes[ch];
    if (nodes === undefined) return;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i] as ListNode<AgentRecord>;
      n.list.moveToTail(n, seq, sinceMs);
    }
  }

  unlink(agent: AgentRecord, ch: number): void {
    for (const n of agent.nodes[ch] ?? []) n.list.unlink(n);
  }

  private keyed(
    map: Map<string, ReadyList<AgentRecord>>,
    familyKey: string,
    key: string,
  ): ReadyList<AgentRecord> {
    let list = map.get(key);
    if (list === undefined) {
      list = new ReadyList<AgentRecord>(this.family(familyKey));
      map.set(key, list);
    }
    return list;
  }
}
