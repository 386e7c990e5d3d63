/**
 * The floor: the least bookkeeping any engine with this routing model must do per decision,
 * driven by the same `Sim` on the same workload, so the bench can say how far the real engine
 * is from what this machine allows. It is not a router: first eligible agent on one list
 * (no scoring, no proficiency margin, no escalation, aging, phases, history rules, account
 * teams, explanations or snapshots), and it answers only what the driver asks.
 *
 * What it keeps, because every engine of this design must:
 * - contacts, offers and customer history in Maps keyed by the callers' string ids;
 * - per channel, per required skill, a list of ready agents in idle-since order, and one of
 *   all ready agents; an agent is in each list of its skills on each channel it can still
 *   take a contact on, so taking or finishing work moves it in each (DESIGN §2's index);
 * - per channel and skill a FIFO of waiting contacts, checked when an agent frees up;
 * - an offer-expiry heap, an effect per state change and a small decision object per offer.
 *
 * Complexity: as the engine's, with a first-eligible walk (O(k) for k agents examined).
 */
import type {
  AgentPresence,
  AgentProfile,
  Channel,
  ContactInput,
  RouterEffect,
} from "../../router/index.js";
import { CHANNELS, RouterError } from "../../router/index.js";

/** The engine's default channel weights (DESIGN §2), in thousandths of an agent. */
const WEIGHT_MILLI: Readonly<Record<Channel, number>> = {
  VOICE: 1000,
  EMAIL: 200,
  CHAT: 340,
  KIOSK: 1000,
};
const OFFER_TIMEOUT_MS = 30_000;
/** Never two voice contacts on one agent, whatever the weights. */
const VOICE = CHANNELS.indexOf("VOICE");

interface Node {
  readonly agent: FloorAgent;
  prev: Node | null;
  next: Node | null;
  linked: boolean;
}

class List {
  head: Node | null = null;
  tail: Node | null = null;
  append(n: Node): void {
    n.prev = this.tail;
    n.next = null;
    if (this.tail === null) this.head = n;
    else this.tail.next = n;
    this.tail = n;
    n.linked = true;
  }
  unlink(n: Node): void {
    if (n.prev === null) this.head = n.next;
    else n.prev.next = n.next;
    if (n.next === null) this.tail = n.prev;
    else n.next.prev = n.prev;
    n.prev = n.next = null;
    n.linked = false;
  }
}

interface FloorAgent {
  readonly id: string;
  readonly skills: Map<string, number>;
  readonly languages: Set<string>;
  readonly tier: number;
  readonly channels: readonly boolean[];
  readonly weights: readonly number[];
  available: boolean;
  loadMilli: number;
  voice: number;
  /** Per channel: [node in the channel's all-list, nodes in its skill lists…] and the lists. */
  readonly nodes: Node[][];
  readonly lists: List[][];
}

interface FloorContact {
  readonly id: string;
  readonly ch: number;
  readonly skills: readonly { readonly skill: string; readonly minProficiency: number }[];
  readonly language: string;
  readonly complexity: number;
  readonly customerId: string;
  state: "WAITING" | "OFFERED" | "CONNECTED";
  agent: FloorAgent | null;
  queued: boolean;
  excluded: string | null;
}

interface FloorOffer {
  readonly offerId: string;
  readonly version: number;
  readonly contact: FloorContact;
  readonly agent: FloorAgent;
  readonly expiresAtMs: number;
}

export class FloorEngine {
  private readonly agents = new Map<string, FloorAgent>();
  private readonly contacts = new Map<string, FloorContact>();
  private readonly offers = new Map<string, FloorOffer>();
  private readonly history = new Map<string, { agentId: string; endedAtMs: number }>();
  /** Per channel: skill → its ready list, and the list of every ready agent. */
  private readonly skillLists = CHANNELS.map(() => new Map<string, List>());
  private readonly allLists = CHANNELS.map(() => new List());
  private readonly waiting = CHANNELS.map(() => new Map<string, FloorContact[]>());
  private readonly expiry: FloorOffer[] = [];
  private seq = 0;

  upsertAgent(cmd: { nowMs: number; agent: AgentProfile }): RouterEffect[] {
    const p = cmd.agent;
    const skills = new Map(p.skills.map((s) => [s.skill, s.proficiency]));
    const channels = CHANNELS.map((c) => p.channels?.includes(c) === true);
    const weights = CHANNELS.map((c) => {
      const w = p.channelWeights?.[c];
      return w === undefined ? WEIGHT_MILLI[c] : Math.round(w * 1000);
    });
    const a: FloorAgent = {
      id: p.id,
      skills,
      languages: new Set(p.languages),
      tier: p.complexityTier ?? 1,
      channels,
      weights,
      available: false,
      loadMilli: 0,
      voice: 0,
      nodes: [],
      lists: [],
    };
    for (let ch = 0; ch < CHANNELS.length; ch++) {
      const lists: List[] = channels[ch] ? [this.allLists[ch] as List] : [];
      if (channels[ch]) for (const s of skills.keys()) lists.push(this.skillList(ch, s));
      a.lists.push(lists);
      a.nodes.push(lists.map(() => ({ agent: a, prev: null, next: null, linked: false })));
    }
    this.agents.set(a.id, a);
    return [];
  }

  setAgentPresence(cmd: {
    nowMs: number;
    agentId: string;
    presence: AgentPresence;
  }): RouterEffect[] {
    const a = this.agents.get(cmd.agentId);
    if (a === undefined) throw new RouterError("NOT_FOUND", `agent ${cmd.agentId}`);
    a.available = cmd.presence === "AVAILABLE";
    const effects: RouterEffect[] = [];
    this.refresh(a, false);
    if (a.available) this.routeAgent(a, cmd.nowMs, effects);
    return effects;
  }

  submitContact(cmd: { nowMs: number; contact: ContactInput; history?: unknown }): RouterEffect[] {
    const input = cmd.contact;
    if (typeof input.id !== "string" || this.contacts.has(input.id)) {
      throw new RouterError("INVALID_ARGUMENT", "contact.id");
    }
    const effects = this.expire(cmd.nowMs);
    const c: FloorContact = {
      id: input.id,
      ch: CHANNELS.indexOf(input.channel),
      skills: input.requiredSkills ?? [],
      language: input.language ?? "en",
      complexity: input.complexity ?? 1,
      customerId: input.customerId ?? "",
      state: "WAITING",
      agent: null,
      queued: false,
      excluded: null,
    };
    this.contacts.set(c.id, c);
    const last = this.history.get(c.customerId);
    this.routeContact(c, cmd.nowMs, effects, last?.agentId ?? null);
    return effects;
  }

  acceptOffer(cmd: { nowMs: number; offerId: string; version: number }): RouterEffect[] {
    const effects = this.expire(cmd.nowMs);
    const o = this.liveOffer(cmd.offerId, cmd.version);
    this.offers.delete(o.offerId);
    o.contact.state = "CONNECTED";
    effects.push({
      type: "CONTACT_CONNECTED",
      atMs: cmd.nowMs,
      contactId: o.contact.id,
      agentId: o.agent.id,
      offerId: o.offerId,
    });
    return effects;
  }

  rejectOffer(cmd: { nowMs: number; offerId: string; version: number }): RouterEffect[] {
    const effects = this.expire(cmd.nowMs);
    this.endOffer(this.liveOffer(cmd.offerId, cmd.version), cmd.nowMs, effects);
    return effects;
  }

  completeContact(cmd: { nowMs: number; contactId: string }): RouterEffect[] {
    const effects = this.expire(cmd.nowMs);
    const c = this.contacts.get(cmd.contactId);
    if (c === undefined || c.state !== "CONNECTED") {
      throw new RouterError("NOT_FOUND", `contact ${cmd.contactId}`);
    }
    this.contacts.delete(c.id);
    const a = c.agent as FloorAgent;
    this.history.set(c.customerId, { agentId: a.id, endedAtMs: cmd.nowMs });
    this.release(a, c, cmd.nowMs, effects);
    return effects;
  }

  cancelContact(cmd: { nowMs: number; contactId: string }): RouterEffect[] {
    const effects = this.expire(cmd.nowMs);
    const c = this.contacts.get(cmd.contactId);
    // The driver abandons only waiting contacts; the floor handles no other case.
    if (c?.state !== "WAITING") {
      throw new RouterError("FAILED_PRECONDITION", `contact ${cmd.contactId} is not waiting`);
    }
    this.contacts.delete(c.id);
    c.queued = false; // left in its FIFO, skipped when met
    effects.push({ type: "CONTACT_ENDED", atMs: cmd.nowMs, contactId: c.id, reason: "ABANDONED" });
    return effects;
  }

  tick(nowMs: number): RouterEffect[] {
    return this.expire(nowMs);
  }

  getContact(contactId: string): { state: string } | undefined {
    const c = this.contacts.get(contactId);
    return c === undefined ? undefined : { state: c.state };
  }

  private skillList(ch: number, skill: string): List {
    const m = this.skillLists[ch] as Map<string, List>;
    let l = m.get(skill);
    if (l === undefined) {
      l = new List();
      m.set(skill, l);
    }
    return l;
  }

  private canTake(a: FloorAgent, ch: number): boolean {
    return (
      a.available &&
      a.channels[ch] === true &&
      a.loadMilli + (a.weights[ch] as number) <= 1000 &&
      (ch !== VOICE || a.voice === 0)
    );
  }

  /** Each channel: leave the lists where it lost room, join (or, with `toTail`, move to) the tail. */
  private refresh(a: FloorAgent, toTail: boolean): void {
    for (let ch = 0; ch < CHANNELS.length; ch++) {
      const nodes = a.nodes[ch] as Node[];
      const lists = a.lists[ch] as List[];
      const should = this.canTake(a, ch);
      for (let i = 0; i < nodes.length; i++) {
        const n = nodes[i] as Node;
        const l = lists[i] as List;
        if (n.linked && (!should || toTail)) l.unlink(n);
        if (!n.linked && should) l.append(n);
      }
    }
  }

  private eligible(a: FloorAgent, c: FloorContact): boolean {
    if (a.tier < c.complexity || !a.languages.has(c.language) || a.id === c.excluded) return false;
    for (const k of c.skills) if ((a.skills.get(k.skill) ?? 0) < k.minProficiency) return false;
    return true;
  }

  private routeContact(
    c: FloorContact,
    nowMs: number,
    effects: RouterEffect[],
    preferred: string | null,
  ): void {
    const first = c.skills[0];
    const list =
      first === undefined ? this.allLists[c.ch] : this.skillLists[c.ch]?.get(first.skill);
    let considered = 0;
    if (preferred !== null) {
      const p = this.agents.get(preferred);
      considered++;
      if (p !== undefined && this.canTake(p, c.ch) && this.eligible(p, c)) {
        this.offer(c, p, considered, nowMs, effects);
        return;
      }
    }
    for (let n = list?.head ?? null; n !== null; n = n.next) {
      considered++;
      if (this.eligible(n.agent, c)) {
        this.offer(c, n.agent, considered, nowMs, effects);
        return;
      }
    }
    const key = first?.skill ?? "";
    const w = this.waiting[c.ch] as Map<string, FloorContact[]>;
    let fifo = w.get(key);
    if (fifo === undefined) {
      fifo = [];
      w.set(key, fifo);
    }
    fifo.push(c);
    c.queued = true;
    effects.push({
      type: "CONTACT_QUEUED",
      atMs: nowMs,
      contactId: c.id,
      queueId: "q",
      position: fifo.length,
      expectedWaitMs: 0,
      decision: decision(c, nowMs, considered, null),
    });
  }

  /** A freed agent takes the first eligible waiting contacts of its skills' FIFOs. */
  private routeAgent(a: FloorAgent, nowMs: number, effects: RouterEffect[]): void {
    for (let ch = 0; ch < CHANNELS.length; ch++) {
      const w = this.waiting[ch] as Map<string, FloorContact[]>;
      for (const skill of a.skills.keys()) this.takeFrom(w.get(skill), a, ch, nowMs, effects);
      this.takeFrom(w.get(""), a, ch, nowMs, effects);
    }
  }

  /** Offers `a` eligible contacts from one FIFO while it has room, looking at 8 at most. */
  private takeFrom(
    fifo: FloorContact[] | undefined,
    a: FloorAgent,
    ch: number,
    nowMs: number,
    effects: RouterEffect[],
  ): void {
    if (fifo === undefined) return;
    let considered = 0;
    for (let i = 0; i < fifo.length && considered < 8 && this.canTake(a, ch); i++) {
      const c = fifo[i] as FloorContact;
      if (!c.queued) {
        fifo.splice(i--, 1); // cancelled or offered meanwhile
        continue;
      }
      considered++;
      if (this.eligible(a, c)) {
        fifo.splice(i--, 1);
        c.queued = false;
        this.offer(c, a, considered, nowMs, effects);
      }
    }
  }

  private offer(
    c: FloorContact,
    a: FloorAgent,
    considered: number,
    nowMs: number,
    effects: RouterEffect[],
  ): void {
    const version = ++this.seq;
    const o: FloorOffer = {
      offerId: `offer-${version}`,
      version,
      contact: c,
      agent: a,
      expiresAtMs: nowMs + OFFER_TIMEOUT_MS,
    };
    this.offers.set(o.offerId, o);
    c.state = "OFFERED";
    c.agent = a;
    a.loadMilli += a.weights[c.ch] as number;
    if (c.ch === VOICE) a.voice++;
    this.refresh(a, true);
    this.pushExpiry(o);
    effects.push({
      type: "OFFER_CREATED",
      atMs: nowMs,
      offer: {
        offerId: o.offerId,
        version,
        contactId: c.id,
        agentId: a.id,
        queueId: "q",
        createdAtMs: nowMs,
        expiresAtMs: o.expiresAtMs,
        weightMilli: a.weights[c.ch] as number,
      },
      decision: decision(c, nowMs, considered, a.id),
    });
  }

  private release(a: FloorAgent, c: FloorContact, nowMs: number, effects: RouterEffect[]): void {
    a.loadMilli -= a.weights[c.ch] as number;
    if (c.ch === VOICE) a.voice--;
    this.refresh(a, false);
    this.routeAgent(a, nowMs, effects);
  }

  private endOffer(o: FloorOffer, nowMs: number, effects: RouterEffect[]): void {
    this.offers.delete(o.offerId);
    const c = o.contact;
    effects.push({
      type: "OFFER_REJECTED",
      atMs: nowMs,
      offerId: o.offerId,
      contactId: c.id,
      agentId: o.agent.id,
    });
    c.state = "WAITING";
    c.agent = null;
    c.excluded = o.agent.id;
    this.routeContact(c, nowMs, effects, null);
    this.release(o.agent, c, nowMs, effects);
  }

  private liveOffer(offerId: string, version: number): FloorOffer {
    const o = this.offers.get(offerId);
    if (o === undefined || o.version !== version) throw new RouterError("NOT_FOUND", offerId);
    return o;
  }

  private expire(nowMs: number): RouterEffect[] {
    const effects: RouterEffect[] = [];
    const h = this.expiry;
    while (h.length > 0 && (h[0] as FloorOffer).expiresAtMs <= nowMs) {
      const o = this.popExpiry();
      if (this.offers.get(o.offerId) === o) this.endOffer(o, nowMs, effects);
    }
    return effects;
  }

  private pushExpiry(o: FloorOffer): void {
    const h = this.expiry;
    let i = h.push(o) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((h[p] as FloorOffer).expiresAtMs <= o.expiresAtMs) break;
      h[i] = h[p] as FloorOffer;
      i = p;
    }
    h[i] = o;
  }

  private popExpiry(): FloorOffer {
    const h = this.expiry;
    const top = h[0] as FloorOffer;
    const last = h.pop() as FloorOffer;
    if (h.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const m =
        r < h.length && (h[r] as FloorOffer).expiresAtMs < (h[l] as FloorOffer).expiresAtMs ? r : l;
      if ((h[m] as FloorOffer).expiresAtMs >= last.expiresAtMs) break;
      h[i] = h[m] as FloorOffer;
      i = m;
    }
    h[i] = last;
    return top;
  }
}

function decision(c: FloorContact, nowMs: number, considered: number, winner: string | null) {
  return {
    direction: "CONTACT_TO_AGENT" as const,
    atMs: nowMs,
    contactId: c.id,
    channel: CHANNELS[c.ch] ?? "VOICE",
    ruleId: "floor",
    queueId: "q",
    escalationStep: 0,
    phase: "OPEN" as const,
    candidatesConsidered: considered,
    winnerAgentId: winner,
    score: 0,
    scoreTerms: [],
    exclusions: [],
    reason: "",
  };
}
