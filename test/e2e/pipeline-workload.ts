import { setTimeout as delay } from "node:timers/promises";
import { credentials } from "@grpc/grpc-js";
import { expect } from "vitest";
import { createGrpcClient } from "../../gateway/index.js";
import { ContactEventType, ContactService, type WatchContactResponse } from "../../proto/index.js";
import { waitFor } from "../harness/index.js";
import { createAgents, notCompleted, type Submissions, submitAll } from "./pipeline-contacts.js";
import { type AgentLedger, openDesktops } from "./pipeline-desktops.js";

export interface WorkloadOptions {
  readonly contacts: number;
  readonly agents: number;
  readonly capacity: number;
  /** Runs once, concurrently with the submits, when this many contacts were acknowledged. */
  readonly fault?: { readonly afterAcked: number; run(): Promise<void> };
  /** How long the whole run may take to drain before the test fails with a summary. */
  readonly drainTimeoutMs?: number;
  /** Contacts watched with WatchContact from their submit to their end. */
  readonly watched?: number;
}

export interface WorkloadResult {
  readonly submissions: Submissions;
  readonly ledger: AgentLedger;
  /** contactId → COMPLETED events seen on its WatchContact stream. */
  readonly watchedCompletions: Map<string, number>;
}

/**
 * The issue's end-to-end scenario from outside the system: an admin creates the agents, the
 * agents connect and handle every offer at once, a platform submits `contacts`, an optional
 * fault strikes mid-run, and it waits until every acknowledged contact was completed.
 */
export async function runWorkload(address: string, o: WorkloadOptions): Promise<WorkloadResult> {
  const ids = await createAgents(address, o.agents, o.capacity);
  const desktops = openDesktops(address, ids, o.capacity);
  using contacts = createGrpcClient(ContactService, address, credentials.createInsecure());
  const watchedCompletions = new Map<string, number>();
  const watches: { cancel(): void }[] = [];
  try {
    await desktops.ready;
    let fault: Promise<unknown> | undefined;
    const keys = Array.from({ length: o.contacts }, (_, i) => `c-${i}`);
    const submissions = await submitAll(address, keys, {
      onAck: (acked, contactId) => {
        if (o.fault !== undefined && fault === undefined && acked >= o.fault.afterAcked)
          // Settled here so a failing fault cannot become an unhandled rejection meanwhile.
          fault = o.fault.run().then(
            () => undefined,
            (err: unknown) => err,
          );
        if (watches.length < (o.watched ?? 0)) watches.push(watch(contactId));
      },
    });
    const faultError = await fault;
    if (faultError !== undefined) throw faultError;
    const acked = [...submissions.acked.values()];
    await waitFor(
      async () => {
        const done = acked.filter((id) => desktops.ledger.completed.has(id)).length;
        if (done < acked.length) throw new Error(`${done}/${acked.length} completed`);
      },
      { timeoutMs: o.drainTimeoutMs ?? 60_000, intervalMs: 100, what: "every contact completed" },
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; ${summary(submissions, desktops.ledger)}`, {
        cause: err,
      });
    });
    return { submissions, ledger: desktops.ledger, watchedCompletions };
  } finally {
    for (const w of watches) w.cancel();
    desktops.close();
  }

  function watch(contactId: string) {
    const stream = contacts.watchContact({ contactId });
    watchedCompletions.set(contactId, 0);
    stream.on("data", (r: WatchContactResponse) => {
      if (r.event?.type === ContactEventType.COMPLETED)
        watchedCompletions.set(contactId, (watchedCompletions.get(contactId) ?? 0) + 1);
    });
    stream.on("error", () => undefined); // cancelled at the end; the counts are what is checked
    return stream;
  }
}

function summary(s: Submissions, l: AgentLedger): string {
  const offered = new Set(l.offers.keys());
  const neverOffered = [...s.acked.values()].filter((id) => !offered.has(id));
  return JSON.stringify({
    acked: s.acked.size,
    refused: s.refused.slice(0, 5),
    retries: s.retries,
    offered: offered.size,
    neverOffered: neverOffered.length,
    completed: l.completed.size,
    doubleOffers: l.doubleOffers().slice(0, 5),
    commandErrors: l.commandErrors.slice(0, 5),
  });
}

/**
 * The guarantees of DESIGN §3, checked on what the clients saw and on the stored records. Each
 * assertion names the guarantee it checks and lists the offending ids, so that a failure in CI
 * says which one broke without a rerun.
 */
export async function expectGuaranteesHeld(address: string, r: WorkloadResult, contacts: number) {
  const { submissions: s, ledger: l } = r;
  expect(s.refused, "submits refused with a code that is not retried (key: code details)").toEqual(
    [],
  );
  expect(s.conflicting, "idempotency: keys acknowledged twice with different contact ids").toEqual(
    [],
  );
  expect(s.acked.size, "submits acknowledged (one per key)").toBe(contacts);
  const ackedIds = [...s.acked.values()];
  expect(
    ackedIds.filter((id, i) => ackedIds.indexOf(id) !== i),
    "idempotency: contact ids acknowledged for two different keys",
  ).toEqual([]);
  expect(
    l.doubleOffers(),
    "nothing assigned twice: contacts offered under two live offer ids or to two agents (contact: agent/offer, …)",
  ).toEqual([]);
  expect(
    l.overCapacity,
    "no agent over capacity: offers received while the agent held `capacity` contacts with no wrap-up sent (agent:contact while holding …)",
  ).toEqual([]);
  expect(
    l.commandErrors,
    "agent commands refused with a code other than UNAVAILABLE, or streams that failed",
  ).toEqual([]);
  expect(
    ackedIds.flatMap((id) => {
      const n = l.completed.get(id) ?? 0;
      return n === 1 ? [] : [`${id}: ${n === 0 ? describeLost(id, l) : `completed ${n} times`}`];
    }),
    "nothing acknowledged is lost: acknowledged contacts not completed exactly once by a desktop",
  ).toEqual([]);
  const acked = new Set(ackedIds);
  expect(
    [...l.offers.keys()].filter((id) => !acked.has(id)),
    "contacts offered that the platform was never acknowledged for",
  ).toEqual([]);
  // The desktop's ack means the command is durable, not yet applied: the records catch up.
  let stale = await notCompleted(address, acked);
  for (let i = 0; i < 100 && stale.length > 0; i++) {
    await delay(200);
    stale = await notCompleted(
      address,
      stale.map((line) => line.split(":")[0]!),
    );
  }
  expect(
    stale,
    "stored records: acknowledged contacts whose GetContact state is not COMPLETED 20 s after the drain",
  ).toEqual([]);
  expect(
    [...r.watchedCompletions].filter(([, n]) => n !== 1).map(([id, n]) => `${id}: ${n}`),
    "WatchContact streams that did not see exactly one COMPLETED event (contact: count)",
  ).toEqual([]);
}

/** What the desktops saw of a contact that was never completed. */
function describeLost(contactId: string, l: AgentLedger): string {
  const offers = l.offers.get(contactId) ?? [];
  if (offers.length === 0) return "never offered";
  return `offered ${offers.map((o) => `${o.agentId}/${o.offerId}${l.withdrawn.has(o.offerId) ? " (withdrawn)" : ""}`).join(", ")}, not completed`;
}
