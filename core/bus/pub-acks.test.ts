import { connect, headers, type NatsConnection, StorageType } from "nats";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { SwitchboardError } from "../errors.js";
import { createPubAcks } from "./pub-acks.js";

const enc = new TextEncoder();
const stream = `PUBACKS_${process.pid}_${Date.now()}`;
const subjects = `pubacks${process.pid}.>`;
const subject = (s: string) => `pubacks${process.pid}.${s}`;
let nc: NatsConnection;

beforeAll(async () => {
  nc = await connect({ servers: inject("natsUrl") });
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: stream, subjects: [subjects], storage: StorageType.Memory });
});
afterAll(async () => {
  const jsm = await nc.jetstreamManager();
  await jsm.streams.delete(stream).catch(() => undefined);
  await nc.close();
});

const withId = (msgId: string, extra: Record<string, string> = {}) => {
  const h = headers();
  h.set("Nats-Msg-Id", msgId);
  for (const [k, v] of Object.entries(extra)) h.set(k, v);
  return h;
};

async function refusal(p: Promise<unknown>): Promise<SwitchboardError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SwitchboardError);
  return error as SwitchboardError;
}

describe("PubAcks (JetStream publish on one reply subscription)", () => {
  it("answers with the stream's PubAck, and duplicate for a repeated msgId", async () => {
    const acks = createPubAcks(nc, 2000);
    const first = await acks.publish(subject("a"), enc.encode("x"), withId("m1"));
    expect(first).toEqual({ stream, seq: expect.any(Number), duplicate: false });
    const again = await acks.publish(subject("a"), enc.encode("x"), withId("m1"));
    expect(again).toEqual({ stream, seq: first.seq, duplicate: true });
    const many = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        acks.publish(subject(`b.${i % 7}`), enc.encode(String(i)), withId(`n${i}`)),
      ),
    );
    expect(new Set(many.map((a) => a.seq)).size).toBe(200);
    acks.close();
  });

  it("a subject no stream listens on is UNAVAILABLE at once (no responders)", async () => {
    const acks = createPubAcks(nc, 5000);
    const started = performance.now();
    const error = await refusal(acks.publish("nostream.here", enc.encode("x"), withId("z")));
    expect(error.code).toBe("UNAVAILABLE");
    expect(performance.now() - started).toBeLessThan(2000);
    acks.close();
  });

  it("a JetStream refusal is FAILED_PRECONDITION with its description", async () => {
    const acks = createPubAcks(nc, 2000);
    const error = await refusal(
      acks.publish(
        subject("c"),
        enc.encode("x"),
        withId("w1", { "Nats-Expected-Stream": "SOME_OTHER_STREAM" }),
      ),
    );
    expect(error.code).toBe("FAILED_PRECONDITION");
    expect(error.message).toMatch(/stream/i);
    acks.close();
  });

  it("no answer within the timeout is UNAVAILABLE; close rejects what is pending", async () => {
    // A plain subscriber that never answers: the server sees a responder, nobody acks.
    const quiet = nc.subscribe("quiet.pubacks");
    await nc.flush();
    const acks = createPubAcks(nc, 200);
    const timedOut = await refusal(acks.publish("quiet.pubacks", enc.encode("x"), withId("q1")));
    expect(timedOut.code).toBe("UNAVAILABLE");
    expect(timedOut.message).toMatch(/no PubAck within 200 ms/);

    const slow = createPubAcks(nc, 60_000);
    const pending = slow.publish("quiet.pubacks", enc.encode("x"), withId("q2"));
    slow.close();
    expect((await refusal(pending)).code).toBe("UNAVAILABLE");
    expect((await refusal(slow.publish(subject("d"), enc.encode("x"), withId("q3")))).code).toBe(
      "UNAVAILABLE",
    );
    quiet.unsubscribe();
    acks.close();
  });
});
