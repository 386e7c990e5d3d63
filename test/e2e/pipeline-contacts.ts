import { setTimeout as delay } from "node:timers/promises";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { credentials, type ServiceError, status } from "@grpc/grpc-js";
import { createGrpcClient, type GrpcClient } from "../../gateway/index.js";
import {
  AdminService,
  Channel,
  ContactEventType,
  type ContactSchema,
  ContactService,
} from "../../proto/index.js";

export const SKILL = "billing";

/** A valid chat contact whose idempotency key is `key`. */
export function chatContact(key: string): MessageInitShape<typeof ContactSchema> {
  return {
    channel: Channel.CHAT,
    idempotencyKey: key,
    customer: { identifiers: { webSessionId: `w-${key}` } },
    requiredSkills: [{ skill: SKILL, minProficiency: 2 }],
    complexity: 2,
  };
}

/** One queue, one catch-all rule and `count` chat agents of `capacity`, through AdminService. */
export async function createAgents(address: string, count: number, capacity: number) {
  using admin = createGrpcClient(AdminService, address, credentials.createInsecure());
  await admin.putQueue({ queue: { id: SKILL, name: "Billing" } });
  await admin.putRoutingRule({ rule: { id: "all", order: 100, queueId: SKILL } });
  const ids = Array.from({ length: count }, (_, i) => `agent-${String(i).padStart(3, "0")}`);
  await Promise.all(
    ids.map((id) =>
      admin.putAgent({
        agent: {
          id,
          skills: [{ skill: SKILL, proficiency: 3 }],
          complexityTier: 3,
          channelCapacities: [{ channel: Channel.CHAT, maxConcurrent: capacity }],
        },
      }),
    ),
  );
  return ids;
}

/** Codes a platform retries with the same idempotency key; anything else is a real answer. */
const RETRIED = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]);

export interface Submissions {
  /** idempotency key → the contact id the gateway acknowledged. */
  readonly acked: Map<string, string>;
  /** Keys acknowledged more than once with different contact ids (must stay empty). */
  readonly conflicting: string[];
  /** Submits refused with a code that is not retried. */
  readonly refused: string[];
  retries: number;
}

/**
 * Submits `keys` with at most `inFlight` calls outstanding. A submit answered UNAVAILABLE or
 * DEADLINE_EXCEEDED is sent again with the same key until `giveUpMs` has passed: that is the
 * platform's side of the contract, and the reason no acknowledged contact may be lost.
 */
export async function submitAll(
  address: string,
  keys: readonly string[],
  options: {
    inFlight?: number;
    giveUpMs?: number;
    onAck?: (acked: number, contactId: string) => void;
  } = {},
): Promise<Submissions> {
  using client = createGrpcClient(ContactService, address, credentials.createInsecure(), {
    defaultTimeoutMs: 5_000,
  });
  const out: Submissions = { acked: new Map(), conflicting: [], refused: [], retries: 0 };
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++]!;
      const id = await submitOne(client, key, options.giveUpMs ?? 60_000, out);
      if (id === undefined) continue;
      const earlier = out.acked.get(key);
      if (earlier !== undefined && earlier !== id) out.conflicting.push(key);
      out.acked.set(key, id);
      options.onAck?.(out.acked.size, id);
    }
  };
  await Promise.all(Array.from({ length: options.inFlight ?? 32 }, worker));
  return out;
}

async function submitOne(
  client: GrpcClient<typeof ContactService>,
  key: string,
  giveUpMs: number,
  out: Submissions,
): Promise<string | undefined> {
  const deadline = Date.now() + giveUpMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const { contact } = await client.submitContact({ contact: chatContact(key) });
      return contact?.id;
    } catch (err) {
      const e = err as ServiceError;
      if (!RETRIED.has(e.code) || Date.now() > deadline) {
        out.refused.push(`${key}: ${status[e.code]} ${e.details}`);
        return undefined;
      }
      out.retries++;
      await delay(Math.min(1_000, 50 * 2 ** attempt));
    }
  }
}

/** Contact ids whose stored state (GetContact) is not COMPLETED, with what it is instead. */
export async function notCompleted(address: string, ids: Iterable<string>): Promise<string[]> {
  using client = createGrpcClient(ContactService, address, credentials.createInsecure());
  const bad: string[] = [];
  const all = [...ids];
  for (let i = 0; i < all.length; i += 50) {
    await Promise.all(
      all.slice(i, i + 50).map(async (contactId) => {
        const got = await client.getContact({ contactId });
        const type = got.lastEvent?.type ?? ContactEventType.UNSPECIFIED;
        if (type !== ContactEventType.COMPLETED)
          bad.push(`${contactId}: ${ContactEventType[type]}`);
      }),
    );
  }
  return bad;
}
