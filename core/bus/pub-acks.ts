import { createInbox, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from "nats";
import { SwitchboardError } from "../errors.js";
import type { PublishAck } from "./bus.js";
import { JsApiCode } from "./nats-errors.js";

/**
 * JetStream publishes awaiting their PubAck, on one reply subscription for the connection.
 *
 * nats.js's `js.publish` is a request: per message it allocates a request object, arms a
 * timer and, once answered, cancels itself by constructing (and discarding) a NatsError with
 * its stack trace — ~2.6% of the router's CPU at 250 contacts/s, which publishes five events
 * per contact. Here a publish is a core publish with a reply subject `<inbox>.<n>`; the answer
 * settles the pending entry, and one sweep a quarter second rejects those past their
 * deadline. Same protocol (the stream answers the reply subject with its PubAck JSON), same
 * error semantics as the bus had: UNAVAILABLE for no answer, no stream listening (503) or a
 * closed connection; NOT_FOUND for an unknown stream; FAILED_PRECONDITION for other JetStream
 * refusals. Microbench (200 in flight, loopback): ~30 → ~12 µs CPU per publish.
 */
export interface PubAcks {
  publish(subject: string, data: Uint8Array, headers: MsgHdrs): Promise<PublishAck>;
  /** Rejects what is still pending (UNAVAILABLE) and stops listening. */
  close(): void;
}

interface Pending {
  readonly subject: string;
  readonly deadline: number;
  resolve(ack: PublishAck): void;
  reject(error: SwitchboardError): void;
}

interface PubAckJson {
  stream?: string;
  seq?: number;
  duplicate?: boolean;
  error?: { code?: number; err_code?: number; description?: string };
}

export function createPubAcks(nc: NatsConnection, timeoutMs: number): PubAcks {
  const prefix = `${createInbox()}.`;
  const pending = new Map<number, Pending>();
  const decoder = new TextDecoder();
  let next = 0;
  let closed = false;

  const settle = (msg: Msg): void => {
    const id = Number(msg.subject.slice(prefix.length));
    const p = pending.get(id);
    if (p === undefined) return; // answered after its deadline
    pending.delete(id);
    if (msg.data.length === 0 && msg.headers !== undefined && msg.headers.code >= 400) {
      p.reject(
        new SwitchboardError(
          "UNAVAILABLE",
          `publish to ${p.subject}: ${msg.headers.code} ${msg.headers.description || "no responders"}`,
        ),
      );
      return;
    }
    let ack: PubAckJson;
    try {
      ack = JSON.parse(decoder.decode(msg.data)) as PubAckJson;
    } catch {
      p.reject(new SwitchboardError("INTERNAL", `publish to ${p.subject}: unreadable PubAck`));
      return;
    }
    if (ack.error !== undefined) {
      p.reject(refusal(p.subject, ack.error));
      return;
    }
    if (!ack.stream || typeof ack.seq !== "number") {
      p.reject(
        new SwitchboardError("INTERNAL", `publish to ${p.subject}: PubAck without a stream`),
      );
      return;
    }
    p.resolve({ stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate === true });
  };

  const subscription: Subscription = nc.subscribe(`${prefix}*`, {
    callback: (err, msg) => {
      if (err === null) settle(msg);
    },
  });

  // One timeout for all: entries are in deadline order, so the sweep stops at the first live one.
  const sweep = setInterval(
    () => {
      const now = performance.now();
      for (const [id, p] of pending) {
        if (p.deadline > now) break;
        pending.delete(id);
        p.reject(
          new SwitchboardError(
            "UNAVAILABLE",
            `publish to ${p.subject}: no PubAck within ${timeoutMs} ms (outcome unknown; retry with the same msgId)`,
          ),
        );
      }
    },
    Math.max(10, Math.min(250, timeoutMs / 4)),
  );
  sweep.unref();

  return {
    publish(subject, data, headers) {
      if (closed) return Promise.reject(new SwitchboardError("UNAVAILABLE", "bus is closed"));
      const id = ++next;
      return new Promise<PublishAck>((resolve, reject) => {
        pending.set(id, { subject, deadline: performance.now() + timeoutMs, resolve, reject });
        try {
          nc.publish(subject, data, { reply: `${prefix}${id}`, headers });
        } catch (error) {
          pending.delete(id);
          const detail = error instanceof Error ? error.message : String(error);
          reject(
            new SwitchboardError("UNAVAILABLE", `publish to ${subject}: ${detail}`, {
              cause: error,
            }),
          );
        }
      });
    },
    close() {
      if (closed) return;
      closed = true;
      clearInterval(sweep);
      for (const p of pending.values())
        p.reject(new SwitchboardError("UNAVAILABLE", `publish to ${p.subject}: bus closed`));
      pending.clear();
      subscription.unsubscribe();
    },
  };
}

function refusal(subject: string, error: NonNullable<PubAckJson["error"]>): SwitchboardError {
  const detail = `publish to ${subject}: ${error.description ?? "refused"} (${error.err_code ?? error.code ?? "?"})`;
  if (error.err_code === JsApiCode.streamNotFound) return new SwitchboardError("NOT_FOUND", detail);
  // 503: JetStream itself is not available right now (a leader election, a restart).
  if (error.code === 503) return new SwitchboardError("UNAVAILABLE", detail);
  return new SwitchboardError("FAILED_PRECONDITION", detail);
}
