import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { type CustomerHistory, customerIdentifiers } from "../../core/index.js";
import { type Contact, type ContactCommand, ContactEventType } from "../../proto/index.js";
import { RouterError } from "../engine/errors.js";
import { applyEffects } from "./apply-effects.js";
import { contactToInput, historyToEngine } from "./contact-mapping.js";
import type { PartitionContext } from "./partition-context.js";
import { type ContactEntry, contactChanged } from "./partition-state.js";
import { publishContactEvent } from "./publish-events.js";

/** What a submit needs from the store before the engine sees it: looked up ahead of its turn. */
export type CustomerLookup = Promise<
  | { ok: true; customerId: string | undefined; history: CustomerHistory | undefined }
  | { ok: false; error: unknown }
>;

/**
 * Starts a submit's identity and history look-ups as soon as its message arrives, side by side
 * with the commands ahead of it, so the ordered path finds them done. Never rejects.
 */
export function lookUpCustomer(ctx: PartitionContext, command: ContactCommand): CustomerLookup {
  if (command.command.case !== "submit") return Promise.resolve(noCustomer);
  const contact = command.command.value;
  return (async () => {
    const identifiers = customerIdentifiers(contact);
    if (identifiers.length > 0) {
      // One customer id across channels, with its history, in one round trip. A bad
      // identifier only loses the history (and the submitter's customer id is used), never
      // the contact.
      try {
        const found = await ctx.io(() => ctx.store.identity.resolveWithHistory(identifiers));
        return { ok: true as const, customerId: found.customerId, history: found.history };
      } catch (error) {
        ctx.logger.warn(
          { contactId: contact.id, err: error },
          "identity not resolved; routing without history",
        );
      }
    }
    const customerId = contact.customer?.id || undefined;
    const history =
      customerId === undefined
        ? undefined
        : await ctx.io(() => ctx.store.history.getHistory(customerId));
    return { ok: true as const, customerId, history };
  })().catch((error: unknown) => ({ ok: false as const, error }));
}

const noCustomer = { ok: true as const, customerId: undefined, history: undefined };

async function submit(
  ctx: PartitionContext,
  contact: Contact,
  timeMs: number | undefined,
  lookup: CustomerLookup,
): Promise<void> {
  const { state } = ctx;
  // A redelivered submit (or a second one for the same id) must not route the contact twice.
  if (state.contacts.has(contact.id) || state.engine.getContact(contact.id) !== undefined) return;
  const found = await lookup;
  if (!found.ok) throw found.error;
  const { customerId, history } = found;
  const nowMs = ctx.nowMs(timeMs);
  contact.enqueueTime = timestampFromMs(nowMs);
  const entry: ContactEntry = {
    contact,
    sequence: 0,
    customerId,
    queueId: contact.queueId,
    disposition: undefined,
    endReason: undefined,
  };
  state.contacts.set(contact.id, entry);
  publishContactEvent(ctx, entry, ContactEventType.CREATED, nowMs, {});
  const engineHistory = historyToEngine(history, contact, timeMs ?? nowMs);
  let effects: ReturnType<typeof state.engine.submitContact>;
  try {
    effects = state.engine.submitContact({
      nowMs,
      contact: contactToInput(contact, customerId),
      ...(engineHistory === undefined ? {} : { history: engineHistory }),
    });
  } catch (error) {
    // The gateway validates first; anything the engine still refuses is ended explicitly.
    ctx.logger.error(
      { contactId: contact.id, err: error },
      "contact refused by the routing engine; cancelling it",
    );
    publishContactEvent(ctx, entry, ContactEventType.CANCELLED, nowMs, {
      reason: "invalid_contact",
    });
    state.contacts.delete(contact.id);
    return;
  }
  // No child logger per contact: its bindings (and their redaction) were ~0.6% of the CPU.
  ctx.logger.debug(
    { contactId: contact.id, customerId, repeat: engineHistory !== undefined },
    "contact submitted",
  );
  await applyEffects(ctx, effects);
}

export async function handleContactCommand(
  ctx: PartitionContext,
  command: ContactCommand,
  lookup: CustomerLookup = lookUpCustomer(ctx, command),
): Promise<void> {
  const timeMs = command.time ? timestampMs(command.time) : undefined;
  switch (command.command.case) {
    case "submit":
      return submit(ctx, command.command.value, timeMs, lookup);
    case "cancel": {
      const { contactId, abandoned, reason } = command.command.value;
      const entry = ctx.state.contacts.get(contactId);
      if (entry === undefined) {
        ctx.logger.info({ contactId }, "cancel for a contact not live here (already ended?)");
        return;
      }
      entry.endReason = reason || undefined;
      try {
        const effects = ctx.state.engine.cancelContact({
          nowMs: ctx.nowMs(timeMs),
          contactId,
          reason: abandoned ? "ABANDONED" : "CANCELLED",
        });
        await applyEffects(ctx, effects);
      } catch (error) {
        if (!(error instanceof RouterError)) throw error;
        ctx.logger.warn({ contactId, err: error }, "cancel refused by the routing engine");
      }
      return;
    }
    case "callback": {
      const { contactId, phone, reason } = command.command.value;
      const entry = ctx.state.contacts.get(contactId);
      const view = ctx.state.engine.getContact(contactId);
      if (entry === undefined || view === undefined || view.state !== "WAITING") {
        ctx.logger.info({ contactId }, "callback for a contact not waiting here; ignored");
        return;
      }
      // The contact keeps its place: only its record learns where to call back.
      if (phone !== "") {
        entry.contact.channelMetadata.callback_phone = phone;
        contactChanged(entry.contact);
      }
      publishContactEvent(ctx, entry, ContactEventType.CALLBACK_SCHEDULED, ctx.nowMs(timeMs), {
        reason: reason || "callback_requested",
        queueId: view.queueId,
        ...(view.position === null ? {} : { position: view.position }),
        ...(view.expectedWaitMs === null ? {} : { expectedWaitMs: view.expectedWaitMs }),
      });
      return;
    }
    case undefined:
      ctx.logger.warn("contact command without a command; ignored");
  }
}
