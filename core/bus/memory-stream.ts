import type { BusHeaders, PublishAck, StreamSpec } from "./bus.js";
import type { BusTimers } from "./timers.js";

export interface StoredMessage {
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: BusHeaders;
  readonly msgId: string;
}

/**
 * One in-memory stream: an append-only log with JetStream's sequence numbering (from 1) and
 * dedupe window. Nothing is ever evicted: it lives exactly as long as the process.
 */
export interface MemoryStream {
  readonly spec: StreamSpec;
  readonly lastSeq: number;
  append(subject: string, data: Uint8Array, headers: BusHeaders, msgId: string): PublishAck;
  get(seq: number): StoredMessage | undefined;
  /** Called (in a microtask, never re-entrantly) after each stored message. */
  onAppend(listener: () => void): () => void;
}

export function createMemoryStream(
  spec: StreamSpec,
  timers: BusTimers,
  duplicateWindowMs: number,
): MemoryStream {
  const messages: StoredMessage[] = [];
  // Insertion order is time order, so expired ids are always at the front.
  const seen = new Map<string, { seq: number; atMs: number }>();
  const listeners = new Set<() => void>();

  const forgetExpired = (nowMs: number): void => {
    for (const [id, entry] of seen) {
      if (entry.atMs + duplicateWindowMs > nowMs) break;
      seen.delete(id);
    }
  };

  return {
    spec,
    get lastSeq() {
      return messages.length;
    },
    append(subject, data, headers, msgId) {
      const nowMs = timers.nowMs();
      forgetExpired(nowMs);
      const previous = seen.get(msgId);
      if (previous !== undefined) return { stream: spec.name, seq: previous.seq, duplicate: true };
      const seq = messages.length + 1;
      // Copies, so a publisher reusing its buffer cannot change what was stored.
      messages.push({ seq, subject, data: data.slice(), headers: { ...headers }, msgId });
      seen.set(msgId, { seq, atMs: nowMs });
      queueMicrotask(() => {
        for (const listener of listeners) listener();
      });
      return { stream: spec.name, seq, duplicate: false };
    },
    get(seq) {
      return messages[seq - 1];
    },
    onAppend(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
