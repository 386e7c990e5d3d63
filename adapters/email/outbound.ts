import { createHash } from "node:crypto";
import { durationMs } from "@bufbuild/protobuf/wkt";
import { createTransport, type Transporter } from "nodemailer";
import {
  CONTACT_EVENT,
  type Consumer,
  channelToken,
  decodeContactEvent,
  decodeConversationMessage,
  type Logger,
  pipelineFilters,
  TERMINAL_EVENTS,
} from "../../core/index.js";
import type { AdapterContext } from "../../gateway/index.js";
import { Channel, type ContactEvent, ContactEventType, MessageSender } from "../../proto/index.js";
import type { EmailSettings } from "./email-config.js";
import type { EmailMetrics } from "./email-metrics.js";
import { replySubject } from "./reference.js";
import { type Thread, type ThreadStore, withMessage } from "./thread-store.js";

/** How long a send may hold its claim before another attempt may send the mail again. */
const SENDING_TTL_MS = 120_000;
/** Events on which a contact is acknowledged (the first of them wins). */
const ACK_ON = new Set([
  ContactEventType.QUEUED,
  ContactEventType.OFFERED,
  ContactEventType.ACCEPTED,
  ContactEventType.CONNECTED,
]);

export interface Outbound {
  stop(): Promise<void>;
}

/**
 * Outbound mail (nodemailer, --smtp-outbound-url): the acknowledgement of each new contact and
 * the agents' replies, each driven by a durable bus consumer. A mail is claimed in channel
 * state before it is sent and marked sent after, so a redelivery never sends it twice; a send
 * that fails releases the claim and throws, and the consumer redelivers with backoff — a reply
 * is never lost while the relay is down.
 */
export async function startOutbound(
  ctx: AdapterContext,
  settings: EmailSettings,
  metrics: EmailMetrics,
  logger: Logger,
  threads: (tenant: string) => ThreadStore,
): Promise<Outbound> {
  const url = ctx.config.smtpOutboundUrl;
  const transport: Transporter | undefined =
    url === undefined
      ? undefined
      : createTransport({
          url,
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 30_000,
          disableFileAccess: true,
          disableUrlAccess: true,
        });
  if (transport === undefined) {
    logger.warn(
      "email adapter: --smtp-outbound-url is not set; no acknowledgements or replies are sent",
    );
  }
  const from = parseFrom(ctx.config.emailFrom);
  const consumerOptions = {
    maxDeliver: settings.outboundMaxDeliver,
    backoffMs: settings.outboundBackoffMs,
    ackWaitMs: 90_000,
    concurrency: 4,
  };

  /** Sends one mail at most once (see above); false when outbound is disabled. */
  async function sendOnce(
    store: ThreadStore,
    claimId: string,
    kind: "ack" | "reply",
    mail: Parameters<Transporter["sendMail"]>[0],
    ids: Record<string, string>,
  ): Promise<boolean> {
    const claim = await store.claimSend(claimId, SENDING_TTL_MS);
    if (claim === "done") return false;
    if (claim === "busy") throw new Error(`${kind} ${claimId} is being sent by another attempt`);
    if (transport === undefined) {
      metrics.outbound.inc({ kind, outcome: "skipped" });
      logger.debug(ids, `email ${kind} not sent: outbound disabled`);
      await store.markSent(claimId);
      return false;
    }
    try {
      await transport.sendMail(mail);
    } catch (err) {
      metrics.outbound.inc({ kind, outcome: "failed" });
      // The relay's text may quote the recipient: log its codes only (no PII at warn).
      const { code, responseCode } = err as { code?: string; responseCode?: number };
      logger.warn({ ...ids, code, responseCode }, `email ${kind} not sent; retrying with backoff`);
      await store.releaseSend(claimId);
      throw err;
    }
    metrics.outbound.inc({ kind, outcome: "sent" });
    await store.markSent(claimId);
    logger.debug(ids, `email ${kind} sent`);
    return true;
  }

  async function acknowledge(event: ContactEvent): Promise<void> {
    const { tenant, contactId } = event;
    const view = await ctx.intake.get(tenant, contactId);
    const contact = view?.contact;
    if (contact === undefined) return;
    if (view?.lastEvent !== undefined && TERMINAL_EVENTS.has(view.lastEvent.type)) return;
    const store = threads(tenant);
    const meta = contact.channelMetadata;
    const reference = meta["email.reference"] ?? "";
    const to = meta["email.reply_to"] || contact.customer?.identifiers?.email || "";
    if (reference === "" || to === "") return;
    if (meta["email.auto_reply_suspected"] === "true") {
      const claim = await store.claimSend(`ack:${contactId}`, SENDING_TTL_MS);
      if (claim === "send") {
        metrics.outbound.inc({ kind: "ack", outcome: "suppressed" });
        await store.markSent(`ack:${contactId}`);
      }
      return;
    }
    const customerMessageId = meta["email.message_id"] ?? "";
    const messageId = `ack.${contactId}@${from.domain}`;
    // Queued: the router's estimate (unknown when it has none); offered or later: now.
    const waitMs =
      event.type !== ContactEventType.QUEUED
        ? 0
        : event.expectedWait === undefined
          ? undefined
          : durationMs(event.expectedWait);
    const sent = await sendOnce(
      store,
      `ack:${contactId}`,
      "ack",
      {
        from: from.header,
        to,
        subject: replySubject(contact.subject, reference),
        messageId: `<${messageId}>`,
        ...(customerMessageId === ""
          ? {}
          : { inReplyTo: `<${customerMessageId}>`, references: [`<${customerMessageId}>`] }),
        // RFC 3834: an automatic answer says so, so that other robots do not answer it.
        headers: { "Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All" },
        text: ackText(reference, waitMs, contact.customer?.displayName ?? ""),
      },
      { contactId, tenant },
    );
    if (sent) {
      await store.rememberMessage(messageId, contactId);
      await store.updateThread(contactId, (thread) =>
        thread === undefined
          ? undefined
          : { ...thread, messageIds: withMessage(thread.messageIds, messageId) },
      );
    }
  }

  const acks = await ctx.bus.consume(
    {
      durable: "email-acks",
      // Only the email channel's events (pipelineFilters has no channel narrowing for events).
      filterSubjects: [
        `${ctx.bus.subjects.root}.contact.*.${channelToken(Channel.EMAIL)}.${CONTACT_EVENT}`,
      ],
      ...consumerOptions,
      partitionKey: (m) => decodeContactEvent(m.data).contactId,
    },
    async (m) => {
      const event = decodeContactEvent(m.data);
      if (event.channel !== Channel.EMAIL || !ACK_ON.has(event.type) || !settings.acknowledge)
        return;
      await acknowledge(event);
    },
  );

  const replies = await ctx.bus.consume(
    {
      durable: "email-messages",
      filterSubjects: [pipelineFilters.messages(ctx.bus.subjects, Channel.EMAIL)],
      ...consumerOptions,
      partitionKey: (m) => m.subject,
    },
    async (m) => {
      const message = decodeConversationMessage(m.data);
      if (message.sender !== MessageSender.AGENT) return;
      const { tenant, contactId } = message;
      const store = threads(tenant);
      const thread =
        (await store.thread(contactId)) ?? (await threadFromContact(ctx, tenant, contactId));
      const ids = { contactId, tenant, messageId: message.id };
      if (thread === undefined) {
        metrics.outbound.inc({ kind: "reply", outcome: "failed" });
        logger.warn(ids, "agent reply not sent: no email thread known for the contact");
        return;
      }
      // Derived from the message id: a retried send carries the same Message-ID.
      const messageId = `reply.${contactId}.${createHash("sha256").update(message.id).digest("hex").slice(0, 16)}@${from.domain}`;
      const chain = thread.messageIds.map((id) => `<${id}>`);
      const sent = await sendOnce(
        store,
        `reply:${message.id}`,
        "reply",
        {
          from: {
            name: message.senderDisplayName
              ? `${message.senderDisplayName} (${from.name})`
              : from.name,
            address: from.address,
          },
          to: thread.replyAddress || thread.customer,
          subject: replySubject(thread.subject, thread.reference),
          messageId: `<${messageId}>`,
          ...(thread.lastCustomerMessageId === ""
            ? {}
            : { inReplyTo: `<${thread.lastCustomerMessageId}>` }),
          ...(chain.length === 0 ? {} : { references: chain }),
          text: `${message.text}\n\n-- \nReference: ${thread.reference}. Please keep [#${thread.reference}] in the subject when you reply.\n`,
        },
        ids,
      );
      if (sent) {
        await store.rememberMessage(messageId, contactId);
        await store.updateThread(contactId, (latest = thread) => ({
          ...latest,
          messageIds: withMessage(latest.messageIds, messageId),
          agentId: message.agentId,
        }));
      }
    },
  );

  return {
    async stop() {
      const consumers: Consumer[] = [acks, replies];
      await Promise.allSettled(consumers.map((c) => c.stop()));
      transport?.close();
    },
  };
}

/** The thread as the contact record knows it, when channel state lost it (TTL). */
async function threadFromContact(
  ctx: AdapterContext,
  tenant: string,
  contactId: string,
): Promise<Thread | undefined> {
  const contact = (await ctx.intake.get(tenant, contactId))?.contact;
  const customer = contact?.customer?.identifiers?.email ?? "";
  if (contact === undefined || customer === "") return undefined;
  const meta = contact.channelMetadata;
  const messageId = meta["email.message_id"] ?? "";
  return {
    customer,
    displayName: contact.customer?.displayName ?? "",
    replyAddress: meta["email.reply_to"] || customer,
    subject: contact.subject,
    reference: meta["email.reference"] ?? "",
    messageIds: messageId === "" ? [] : [messageId],
    lastCustomerMessageId: messageId,
    agentId: "",
  };
}

/** --email-from split into its parts ("Support <support@example.com>"). */
function parseFrom(value: string): {
  header: string;
  name: string;
  address: string;
  domain: string;
} {
  const match = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(value);
  const address = (match?.[2] ?? value).trim();
  const name = (match?.[1] ?? "").trim() || "Support";
  return {
    header: value,
    name,
    address,
    domain: address.split("@").pop() || "switchboard.localhost",
  };
}

/** The acknowledgement's text: reference, expected response time, how to reply. */
export function ackText(reference: string, waitMs: number | undefined, name: string): string {
  const greeting = name === "" ? "Hello," : `Hello ${name},`;
  return [
    greeting,
    "",
    `Thank you for your message. Your reference is ${reference}.`,
    `We expect to respond ${expectedResponse(waitMs)}.`,
    "",
    `To add to your request, reply to this email and keep [#${reference}] in the subject.`,
    "",
    "This is an automatic message.",
    "",
  ].join("\n");
}

function expectedResponse(waitMs: number | undefined): string {
  if (waitMs === undefined) return "as soon as an agent is available";
  const minutes = Math.ceil(waitMs / 60_000);
  if (minutes <= 1) return "within a few minutes";
  if (minutes < 90) return `within about ${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  if (hours < 36) return `within about ${hours} hours`;
  return `within about ${Math.round(hours / 24)} days`;
}
