import { createHash } from "node:crypto";
import type { ChannelStateStore } from "../../core/index.js";

/**
 * The email adapter's shared facts in channel state (per tenant, shared by replicas, kept
 * across restarts):
 *   email-msgid      sha256(Message-ID)  → contactId   every inbound and outbound message
 *   email-ref        SB-XXXXXXXX         → contactId   the subject token
 *   email-thread     contactId           → Thread JSON (addresses, subject, Message-ID chain)
 *   email-successor  contactId           → the repeat contact a reply to it created
 *   email-outbox     ack:<contactId> | reply:<messageId> → "sending" | "sent"
 */
export interface Thread {
  readonly customer: string;
  readonly displayName: string;
  /** Where replies go (Reply-To, else From). */
  readonly replyAddress: string;
  readonly subject: string;
  readonly reference: string;
  /** Message-IDs of the thread, oldest first (capped). */
  readonly messageIds: readonly string[];
  /** The customer's latest Message-ID: In-Reply-To of the next reply. */
  readonly lastCustomerMessageId: string;
  /** The agent who last wrote in this thread. */
  readonly agentId: string;
}

const MAX_CHAIN = 20;

export function createThreadStore(state: ChannelStateStore, ttlMs: number) {
  const key = (messageId: string) => createHash("sha256").update(messageId).digest("hex");
  // Read-modify-write of one thread, one at a time per contact in this process (an inbound
  // reply and an outbound send touching the same thread must not lose each other's ids).
  const pending = new Map<string, Promise<unknown>>();
  const serially = <T>(contactId: string, fn: () => Promise<T>): Promise<T> => {
    const before = pending.get(contactId) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    pending.set(contactId, settled);
    void settled.then(() => {
      if (pending.get(contactId) === settled) pending.delete(contactId);
    });
    return run;
  };
  const store = {
    async contactOfMessage(messageId: string): Promise<string | undefined> {
      return state.get("email-msgid", key(messageId));
    },
    async rememberMessage(messageId: string, contactId: string): Promise<void> {
      await state.put("email-msgid", key(messageId), contactId, ttlMs);
    },
    async contactOfReference(reference: string): Promise<string | undefined> {
      return state.get("email-ref", reference);
    },
    async rememberReference(reference: string, contactId: string): Promise<void> {
      await state.put("email-ref", reference, contactId, ttlMs);
    },
    async successor(contactId: string): Promise<string | undefined> {
      return state.get("email-successor", contactId);
    },
    async setSuccessor(contactId: string, next: string): Promise<void> {
      await state.put("email-successor", contactId, next, ttlMs);
    },
    async thread(contactId: string): Promise<Thread | undefined> {
      const raw = await state.get("email-thread", contactId);
      return raw === undefined ? undefined : (JSON.parse(raw) as Thread);
    },
    /** Applies `change` to the stored thread (undefined: none) and stores its result. */
    updateThread(
      contactId: string,
      change: (thread: Thread | undefined) => Thread | undefined,
    ): Promise<void> {
      return serially(contactId, async () => {
        const next = change(await store.thread(contactId));
        if (next !== undefined) await store.putThread(contactId, next);
      });
    },
    async putThread(contactId: string, thread: Thread): Promise<void> {
      const capped: Thread = {
        ...thread,
        // Keep the first (the thread's root) and the newest ones.
        messageIds:
          thread.messageIds.length > MAX_CHAIN
            ? [thread.messageIds[0] ?? "", ...thread.messageIds.slice(-(MAX_CHAIN - 1))]
            : thread.messageIds,
      };
      await state.put("email-thread", contactId, JSON.stringify(capped), ttlMs);
    },
    /**
     * Claims an outbound mail before sending it: "send" when this caller should send it, "done"
     * when it was sent, "busy" while another attempt is sending (or died sending: the claim
     * expires after `sendingTtlMs` and the mail is tried again).
     */
    async claimSend(id: string, sendingTtlMs: number): Promise<"send" | "done" | "busy"> {
      const claim = await state.claim("email-outbox", id, "sending", sendingTtlMs);
      if (claim.created) return "send";
      return claim.value === "sent" ? "done" : "busy";
    },
    async markSent(id: string): Promise<void> {
      await state.put("email-outbox", id, "sent", ttlMs);
    },
    async releaseSend(id: string): Promise<void> {
      await state.delete("email-outbox", id);
    },
  };
  return store;
}

export type ThreadStore = ReturnType<typeof createThreadStore>;

/** A thread's Message-ID chain with `id` appended once. */
export function withMessage(ids: readonly string[], id: string): string[] {
  return ids.includes(id) ? [...ids] : [...ids, id];
}
