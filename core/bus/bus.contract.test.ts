import { randomUUID } from "node:crypto";
import { connect, type NatsConnection } from "nats";
import { Counter } from "prom-client";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { waitUntil } from "../../test/harness/index.js";
import { SwitchboardError } from "../errors.js";
import { createLogger } from "../log.js";
import type { Bus, BusMessage, DeadLetter } from "./bus.js";
import type { BusOptions } from "./bus-options.js";
import { DeadLetterHeaders } from "./delivery.js";
import { createJetStreamBus } from "./jetstream-bus.js";
import { createMemoryBus } from "./memory-bus.js";

/**
 * One contract, two implementations: every behaviour the router and gateway rely on is checked
 * against the in-memory bus and against a real NATS JetStream server, so they cannot drift.
 */
const logger = createLogger({ level: "silent" });
const enc = new TextEncoder();
const dec = new TextDecoder();

let nc: NatsConnection;
const created: Bus[] = [];

type Extra = Omit<BusOptions, "logger" | "streamPrefix" | "subjectRoot">;
type Factory = (extra?: Extra) => Bus;

function names(): { streamPrefix: string; subjectRoot: string } {
  const id = randomUUID().replaceAll("-", "").slice(0, 12);
  return { streamPrefix: `T${id}_`, subjectRoot: `t${id}` };
}

const factories: [string, Factory][] = [
  ["memory", (extra = {}) => createMemoryBus({ logger, ...names(), ...extra })],
  [
    "jetstream",
    (extra = {}) =>
      createJetStreamBus({ logger, connection: nc, storage: "memory", ...names(), ...extra }),
  ],
];

beforeAll(async () => {
  nc = await connect({ servers: inject("natsUrl"), name: "bus-contract-test" });
});
afterEach(async () => {
  const jsm = await nc.jetstreamManager();
  for (const bus of created.splice(0)) {
    await bus.close();
    // The shared server outlives this file; leave it as we found it.
    if (bus.kind === "jetstream") {
      for (const s of Object.values(bus.streams))
        await jsm.streams.delete(s.name).catch(() => false);
    }
  }
});
afterAll(async () => {
  await nc.close();
});

const until = waitUntil;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof SwitchboardError ? error.code : `not a SwitchboardError: ${error}`;
  }
  return undefined;
}

describe.each(factories)("bus contract: %s", (_kind, factory) => {
  async function newBus(extra?: Extra): Promise<Bus> {
    const bus = factory(extra);
    created.push(bus);
    await bus.ensureStreams();
    return bus;
  }

  it("publishes durably and delivers in order with explicit acks that survive a restart", async () => {
    const bus = await newBus();
    const subject = bus.subjects.contact("acme", "chat", "created");
    for (const [i, id] of ["a", "b", "c"].entries()) {
      const ack = await bus.publish(subject, enc.encode(`m${i}`), {
        msgId: id,
        headers: { k: id },
      });
      expect(ack).toEqual({ stream: bus.streams.contacts.name, seq: i + 1, duplicate: false });
    }
    const got: BusMessage[] = [];
    const filterSubjects = [`${bus.subjects.root}.contact.acme.>`];
    const consumer = await bus.consume({ durable: "router", filterSubjects }, async (m) => {
      got.push(m);
    });
    await until("3 messages", () => got.length === 3);
    expect(got.map((m) => [dec.decode(m.data), m.seq, m.msgId, m.headers.k])).toEqual([
      ["m0", 1, "a", "a"],
      ["m1", 2, "b", "b"],
      ["m2", 3, "c", "c"],
    ]);
    expect(got.every((m) => m.deliveryCount === 1 && !m.redelivered && m.subject === subject)).toBe(
      true,
    );
    await consumer.stop();

    // Acks were recorded: the same durable resumes after them.
    await bus.publish(subject, enc.encode("m3"), { msgId: "d" });
    const resumed: BusMessage[] = [];
    await bus.consume({ durable: "router", filterSubjects }, async (m) => {
      resumed.push(m);
    });
    await until("the new message", () => resumed.length === 1);
    expect(resumed.map((m) => m.msgId)).toEqual(["d"]);
  });

  it("stores a retried publish once (same msgId → duplicate: true) and delivers it once", async () => {
    const bus = await newBus();
    const subject = bus.subjects.contact("acme", "email", "created");
    const first = await bus.publish(subject, enc.encode("x"), { msgId: "idem-1" });
    const retry = await bus.publish(subject, enc.encode("x"), { msgId: "idem-1" });
    expect(first.duplicate).toBe(false);
    expect(retry).toEqual({ ...first, duplicate: true });
    await bus.publish(subject, enc.encode("end"), { msgId: "idem-2" });
    const got: string[] = [];
    await bus.consume({ filterSubjects: [subject] }, async (m) => {
      got.push(m.msgId ?? "?");
    });
    await until("the sentinel", () => got.includes("idem-2"));
    expect(got).toEqual(["idem-1", "idem-2"]);
  });

  it("naks a failed message and redelivers it with deliveryCount 2 and redelivered", async () => {
    const bus = await newBus();
    const subject = bus.subjects.agent("acme", "ag1", "state");
    await bus.publish(subject, enc.encode("x"), { msgId: "n1" });
    const seen: BusMessage[] = [];
    await bus.consume({ filterSubjects: [subject], backoffMs: [50] }, async (m) => {
      seen.push(m);
      if (m.deliveryCount === 1) throw new Error("transient");
    });
    await until("a redelivery", () => seen.length === 2);
    expect(seen.map((m) => [m.seq, m.deliveryCount, m.redelivered])).toEqual([
      [1, 1, false],
      [1, 2, true],
    ]);
  });

  it("dead-letters after maxDeliver attempts with the reason in headers, and counts it", async () => {
    const deadLetters: DeadLetter[] = [];
    const counter = new Counter({
      name: "dlq_total",
      help: "dead letters",
      labelNames: ["consumer"],
      registers: [],
    });
    const bus = await newBus({
      onDeadLetter: (d) => deadLetters.push(d),
      deadLetterCounter: counter,
    });
    const subject = bus.subjects.offer("acme", "ag7");
    await bus.publish(subject, enc.encode("poison"), { msgId: "p1", headers: { trace: "t-1" } });
    let attempts = 0;
    await bus.consume(
      { durable: "offers", filterSubjects: [subject], maxDeliver: 3, backoffMs: [10, 20] },
      async () => {
        attempts++;
        throw new Error(`cannot decode (attempt ${attempts})`);
      },
    );
    const dlq: BusMessage[] = [];
    await bus.consume({ filterSubjects: [`${bus.subjects.root}.dlq.>`] }, async (m) => {
      dlq.push(m);
    });
    await until("the dead letter", () => dlq.length === 1 && deadLetters.length === 1);
    const [letter] = dlq;
    expect(letter?.subject).toBe(bus.subjects.deadLetter(subject));
    expect(letter?.stream).toBe(bus.streams.deadLetters.name);
    expect(dec.decode(letter?.data)).toBe("poison");
    expect(letter?.headers).toMatchObject({
      [DeadLetterHeaders.reason]: "cannot decode (attempt 3)",
      [DeadLetterHeaders.subject]: subject,
      [DeadLetterHeaders.stream]: bus.streams.offers.name,
      [DeadLetterHeaders.seq]: "1",
      [DeadLetterHeaders.deliveryCount]: "3",
      [DeadLetterHeaders.consumer]: "offers",
      [DeadLetterHeaders.msgId]: "p1",
      trace: "t-1",
    });
    expect(attempts).toBe(3);
    expect(deadLetters[0]).toMatchObject({ consumer: "offers", seq: 1, deliveryCount: 3 });
    expect((await counter.get()).values).toEqual([{ labels: { consumer: "offers" }, value: 1 }]);
  });

  it("keeps each partition in order while partitions run concurrently", async () => {
    const bus = await newBus();
    const partitions = 10;
    const perPartition = 200;
    const concurrency = 8;
    const subject = (p: number) => bus.subjects.contact(`tenant${p}`, "chat", "created");
    const publishes: Promise<unknown>[] = [];
    for (let i = 0; i < perPartition; i++) {
      for (let p = 0; p < partitions; p++) {
        publishes.push(bus.publish(subject(p), enc.encode(String(i)), { msgId: `${p}-${i}` }));
      }
    }
    await Promise.all(publishes);
    const order = new Map<string, number[]>();
    const running = new Map<string, number>();
    let inFlight = 0;
    let maxInFlight = 0;
    let maxPerPartition = 0;
    let total = 0;
    await bus.consume(
      {
        filterSubjects: [`${bus.subjects.root}.contact.>`],
        concurrency,
        maxAckPending: 500,
        partitionKey: (m) => (bus.subjects.parse(m.subject).kind === "contact" ? m.subject : ""),
      },
      async (m) => {
        const key = m.subject;
        inFlight++;
        running.set(key, (running.get(key) ?? 0) + 1);
        maxInFlight = Math.max(maxInFlight, inFlight);
        maxPerPartition = Math.max(maxPerPartition, running.get(key) ?? 0);
        await new Promise((resolve) => setTimeout(resolve, Math.random() < 0.5 ? 0 : 1));
        const list = order.get(key) ?? [];
        list.push(Number(dec.decode(m.data)));
        order.set(key, list);
        running.set(key, (running.get(key) ?? 1) - 1);
        inFlight--;
        total++;
      },
    );
    await until("every message", () => total === partitions * perPartition, 20_000);
    const expected = Array.from({ length: perPartition }, (_, i) => i);
    for (let p = 0; p < partitions; p++) expect(order.get(subject(p))).toEqual(expected);
    expect(maxPerPartition).toBe(1);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(concurrency);
  });

  it("replays from a stream sequence, also resetting an existing durable", async () => {
    const bus = await newBus();
    const subject = bus.subjects.contact("acme", "kiosk", "created");
    for (let i = 1; i <= 5; i++) await bus.publish(subject, enc.encode(`${i}`), { msgId: `r${i}` });
    const filterSubjects = [subject];
    const first: number[] = [];
    const c1 = await bus.consume({ durable: "standby", filterSubjects }, async (m) => {
      first.push(m.seq);
    });
    await until("all five", () => first.length === 5);
    await c1.stop();
    const replayed: number[] = [];
    await bus.consume(
      { durable: "standby", filterSubjects, deliverFrom: { seq: 3 } },
      async (m) => {
        replayed.push(m.seq);
      },
    );
    await until("the replay", () => replayed.length === 3);
    expect(replayed).toEqual([3, 4, 5]);
  });

  it("fans out notifications and stored messages to wildcard subscribers like NATS", async () => {
    const bus = await newBus();
    const r = bus.subjects.root;
    const patterns = [`${r}.presence.*.online`, `${r}.presence.>`, `${r}.*.t1.>`, `${r}.>`];
    const got = new Map<string, string[]>(patterns.map((p) => [p, []]));
    for (const p of patterns) await bus.subscribe(p, (n) => void got.get(p)?.push(n.subject));
    const sent = [
      `${r}.presence.t1.online`,
      `${r}.presence.t2.offline`,
      `${r}.presence.t1.a.online`,
      `${r}.presence`,
      `${r}.chat.t1.typing`,
    ];
    for (const s of sent) bus.notify(s, enc.encode("n"), { headers: { h: "1" } });
    const stored = bus.subjects.contact("t1", "chat", "created");
    await bus.publish(stored, enc.encode("s"), { msgId: "w1" });
    const end = `${r}.presence.t1.online`;
    bus.notify(end, enc.encode("end"));
    await until("the sentinel everywhere", () =>
      [...got.values()].every((list) => list.filter((s) => s === end).length === 2),
    );
    expect(got.get(patterns[0] as string)).toEqual([sent[0], end]);
    expect(got.get(patterns[1] as string)).toEqual([sent[0], sent[1], sent[2], end]);
    expect(got.get(patterns[2] as string)).toEqual([sent[0], sent[2], sent[4], stored, end]);
    expect(got.get(patterns[3] as string)).toEqual([...sent, stored, end]);
  });

  it("rejects bad subjects, tokens, ids and filters with INVALID_ARGUMENT", async () => {
    const bus = await newBus();
    const s = bus.subjects;
    for (const bad of ["a.b", "a*", ">", "a b", "", "tab\t"]) {
      expect(codeOf(() => s.contact(bad, "chat", "created"))).toBe("INVALID_ARGUMENT");
      expect(codeOf(() => s.agent("acme", bad, "state"))).toBe("INVALID_ARGUMENT");
    }
    const ok = s.contact("acme", "chat", "created");
    const rejects = async (p: Promise<unknown>) =>
      expect(p).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await rejects(bus.publish(`${s.root}.contact.acme.*.created`, enc.encode(""), { msgId: "1" }));
    await rejects(bus.publish(`${s.root}.elsewhere.x`, enc.encode(""), { msgId: "1" }));
    await rejects(bus.publish(ok, enc.encode(""), { msgId: "has space" }));
    await rejects(
      bus.publish(ok, enc.encode(""), { msgId: "1", headers: { "Nats-Expected": "x" } }),
    );
    await rejects(bus.publish(ok, enc.encode(""), { msgId: "1", headers: { h: "a\r\nb" } }));
    await rejects(bus.consume({ filterSubjects: [`${s.root}.>`] }, async () => {}));
    await rejects(
      bus.consume({ filterSubjects: [`${s.root}.contact.>`], maxDeliver: 0 }, async () => {}),
    );
    await rejects(bus.consume({ durable: "a.b", filterSubjects: [ok] }, async () => {}));
    await rejects(bus.subscribe(`${s.root}.>.x`, () => {}));
    expect(codeOf(() => bus.notify(ok, enc.encode("")))).toBe("INVALID_ARGUMENT");
    expect(s.parse(ok)).toEqual({
      kind: "contact",
      tenant: "acme",
      channel: "chat",
      event: "created",
    });
  });

  it("refuses work before ensureStreams and tolerates ensuring twice with a changed config", async () => {
    const bus = factory({ duplicateWindowMs: 60_000 });
    created.push(bus);
    const subject = bus.subjects.offer("acme", "ag1");
    await expect(bus.publish(subject, enc.encode(""), { msgId: "1" })).rejects.toMatchObject({
      code: "FAILED_PRECONDITION",
    });
    await bus.ensureStreams();
    await bus.ensureStreams();
    const again = factory({
      duplicateWindowMs: 30_000,
      streamPrefix: bus.streams.offers.name.replace(/OFFERS$/, ""),
      subjectRoot: bus.subjects.root,
    } as Extra);
    created.push(again);
    await again.ensureStreams();
    expect((await again.publish(subject, enc.encode(""), { msgId: "1" })).seq).toBe(1);
  });

  it("re-attaches a durable with changed settings without failing", async () => {
    const bus = await newBus();
    const subject = bus.subjects.contact("acme", "chat", "updated");
    const filterSubjects = [subject];
    const c = await bus.consume(
      { durable: "d", filterSubjects, ackWaitMs: 30_000 },
      async () => {},
    );
    await c.stop();
    const got: number[] = [];
    await bus.consume(
      { durable: "d", filterSubjects, ackWaitMs: 10_000, maxAckPending: 50 },
      async (m) => {
        got.push(m.seq);
      },
    );
    await bus.publish(subject, enc.encode(""), { msgId: "1" });
    await until("the message", () => got.length === 1);
  });

  it("consumes several filter subjects of one stream (JetStream: server 2.10+)", async () => {
    const bus = await newBus();
    const s = bus.subjects;
    const wanted = [s.contact("acme", "chat", "created"), s.contact("acme", "email", "created")];
    const options = { filterSubjects: wanted };
    const version = nc.info?.version ?? "0";
    const [major = 0, minor = 0] = version.split(".").map(Number);
    if (bus.kind === "jetstream" && (major < 2 || (major === 2 && minor < 10))) {
      await expect(bus.consume(options, async () => {})).rejects.toMatchObject({
        code: "UNIMPLEMENTED",
      });
      return;
    }
    const got: string[] = [];
    await bus.consume(options, async (m) => {
      got.push(m.subject);
    });
    await bus.publish(s.contact("acme", "kiosk", "created"), enc.encode(""), { msgId: "0" });
    for (const [i, subject] of wanted.entries()) {
      await bus.publish(subject, enc.encode(""), { msgId: `${i + 1}` });
    }
    await until("both", () => got.length === 2);
    expect(got).toEqual(wanted);
  });
});
