/**
 * The benchmark's synthetic contact centre: agents with 2–6 of 200 skills (mildly skewed
 * popularity), proficiency 1–5, mixed channels and capacities, a few languages, teams,
 * intermediary and account authorizations; contacts whose requirements follow the same
 * popularity; arrival rate set for about 50% occupancy.
 */
import type {
  AgentProfile,
  Channel,
  ContactInput,
  CustomerHistory,
  RoutingConfig,
} from "../../router/index.js";
import { pickWeighted, type Rng, seeded } from "./prng.js";

export const SKILL_COUNT = 200;
/**
 * 40 domains of 5 related skills (billing: invoices, refunds, …). Domain popularity ∝
 * 1/(rank+3); agents learn skills within one or two domains, contacts needing two skills need
 * two of the same domain — as in a real centre, where combinations are not random.
 */
const DOMAINS = 40;
const PER_DOMAIN = SKILL_COUNT / DOMAINS;
const DOMAIN_WEIGHTS = Array.from({ length: DOMAINS }, (_, d) => [d, 1 / (d + 3)] as const);

function skillIn(rng: Rng, domain: number): string {
  return `sk${domain * PER_DOMAIN + Math.floor(rng() * PER_DOMAIN)}`;
}
const LANGS = [
  ["en", 85],
  ["fr", 8],
  ["es", 5],
  ["de", 2],
] as const;

export const CHANNEL_MIX: readonly (readonly [Channel, number])[] = [
  ["VOICE", 40],
  ["CHAT", 30],
  ["EMAIL", 25],
  ["KIOSK", 5],
];
export const HANDLE_MEAN_MS: Record<Channel, number> = {
  VOICE: 300_000,
  CHAT: 600_000,
  EMAIL: 900_000,
  KIOSK: 240_000,
};
const WEIGHT: Record<Channel, number> = { VOICE: 1, CHAT: 0.34, EMAIL: 0.2, KIOSK: 1 };

/** Arrivals per ms for the given occupancy: λ · Σ p·w·H = occupancy · N. */
export function arrivalRatePerMs(agents: number, occupancy: number): number {
  let loadPerContact = 0;
  let total = 0;
  for (const [, p] of CHANNEL_MIX) total += p;
  for (const [c, p] of CHANNEL_MIX) loadPerContact += (p / total) * WEIGHT[c] * HANDLE_MEAN_MS[c];
  return (occupancy * agents) / loadPerContact;
}

export const ROUTING: RoutingConfig = {
  queues: [
    {
      id: "voice",
      escalation: [
        { afterMs: 30_000, lowerMinProficiencyBy: 1 },
        { afterMs: 90_000, lowerMinProficiencyBy: 1, anyTeam: true },
      ],
    },
    {
      id: "digital",
      agingIntervalMs: 60_000,
      escalation: [{ afterMs: 300_000, lowerMinProficiencyBy: 2 }],
    },
    { id: "vip", priority: 5, escalation: [{ afterMs: 20_000, overflowToQueueId: "voice" }] },
    { id: "accounts", accountTeamWaitMs: 60_000 },
  ],
  rules: [
    { id: "vip", queueId: "vip", when: { minPriority: 3, channels: ["VOICE", "KIOSK"] } },
    { id: "institutional", queueId: "accounts", when: { institutional: true } },
    { id: "voice", queueId: "voice", when: { channels: ["VOICE", "KIOSK"] } },
  ],
  defaultQueueId: "digital",
};

export function makeAgents(count: number, seed: number): AgentProfile[] {
  const rng = seeded(seed);
  return Array.from({ length: count }, (_, i) => {
    const n = 2 + Math.floor(rng() * 5);
    const skills = new Map<string, number>();
    const home = pickWeighted(rng, DOMAIN_WEIGHTS);
    const drawn = pickWeighted(rng, DOMAIN_WEIGHTS);
    const second = drawn === home ? (home + 1) % DOMAINS : drawn;
    while (skills.size < n) {
      skills.set(skillIn(rng, skills.size < 3 ? home : second), 1 + Math.floor(rng() * 5));
    }
    const languages = ["en"];
    if (rng() < 0.2) languages.push("fr");
    if (rng() < 0.15) languages.push("es");
    if (rng() < 0.05) languages.push("de");
    const kind = rng();
    const channels: Channel[] =
      kind < 0.3
        ? ["VOICE", "KIOSK"]
        : kind < 0.6
          ? ["CHAT", "EMAIL"]
          : ["VOICE", "CHAT", "EMAIL", "KIOSK"];
    const profile: AgentProfile = {
      id: `ag${i}`,
      skills: [...skills].map(([skill, proficiency]) => ({ skill, proficiency })),
      complexityTier: 2 + Math.floor(rng() * 4),
      languages,
      channels,
      team: `team${i % 20}`,
      authorizations: {
        ...(rng() < 0.1 ? { intermediaryKinds: ["BROKER" as const, "CARER" as const] } : {}),
        ...(rng() < 0.05 ? { accountIds: [`acc${Math.floor(rng() * 50)}`] } : {}),
      },
      ...(rng() < 0.1 ? { channelWeights: { CHAT: 0.25 } } : {}),
    };
    return profile;
  });
}

export interface Arrival {
  readonly contact: ContactInput;
  readonly history?: CustomerHistory;
  readonly patienceMs: number;
}

/** Contact number `i`, a pure function of (seed, i, agents) so any run can regenerate it. */
export function makeContact(i: number, nowMs: number, agentCount: number, seed: number): Arrival {
  const rng = seeded(seed * 7919 + i);
  const channel = pickWeighted(rng, CHANNEL_MIX);
  const r = rng();
  const n = r < 0.05 ? 0 : r < 0.75 ? 1 : 2;
  const domain = pickWeighted(rng, DOMAIN_WEIGHTS);
  const required = new Map<string, number>();
  while (required.size < n) required.set(skillIn(rng, domain), 1 + Math.floor(rng() * 3));
  const language = pickWeighted(rng, LANGS);
  const contact: ContactInput = {
    id: `c${i}`,
    channel,
    requiredSkills: [...required].map(([skill, minProficiency]) => ({ skill, minProficiency })),
    complexity: 1 + Math.floor(rng() * 4),
    priority: rng() < 0.05 ? 3 : rng() < 0.3 ? 1 : 0,
    language,
    customerId: `cust${Math.floor(rng() * agentCount * 20)}`,
    ...(rng() < 0.03
      ? {
          intermediary: {
            kind: "BROKER" as const,
            id: `br${Math.floor(rng() * 100)}`,
            present: true,
          },
        }
      : {}),
    ...(rng() < 0.02
      ? { account: { id: `acc${Math.floor(rng() * 50)}`, institutional: true } }
      : {}),
  };
  const withHistory = rng() < 0.15;
  const history: CustomerHistory | undefined = withHistory
    ? {
        lastAgents: [
          {
            agentId: `ag${Math.floor(rng() * agentCount)}`,
            endedAtMs: Math.max(0, nowMs - Math.floor(rng() * 5 * 86_400_000)),
          },
        ],
        loyaltyTier: rng() < 0.2 ? "GOLD" : "STANDARD",
      }
    : undefined;
  return {
    contact,
    ...(history === undefined ? {} : { history }),
    patienceMs: 60_000 + Math.floor(rng() * 240_000),
  };
}

export function handleTimeMs(channel: Channel, key: number, unit: number): number {
  return Math.max(1000, Math.round(HANDLE_MEAN_MS[channel] * (0.5 + unit) + (key % 7)));
}
export type { Rng };
