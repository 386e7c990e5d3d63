import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { type Logger, TERMINAL_EVENTS } from "../../core/index.js";
import type { AdapterContext } from "../../gateway/index.js";
import {
  Channel,
  ContactSchema,
  ConversationMessageSchema,
  type MessageAttachment,
  MessageAttachmentSchema,
  MessageSender,
} from "../../proto/index.js";
import type { EmailRoute } from "./email-config.js";
import type { EmailMetrics } from "./email-metrics.js";
import type { ParsedEmail } from "./parse-email.js";
import { referenceOf } from "./reference.js";
import { type Thread, type ThreadStore, withMessage } from "./thread-store.js";

export type InboundOutcome =
  | "new_contact"
  | "joined_thread"
  | "repeat_contact"
  | "duplicate"
  | "loop_dropped";

export interface InboundDeps {
  readonly ctx: AdapterContext;
  readonly logger: Logger;
  readonly metrics: EmailMetrics;
  readonly threads: (tenant: string) => ThreadStore;
}

const MAX_SUCCESSORS = 10;
const MAX_METADATA_BYTES = 1024;

/**
 * What one accepted inbound email does: dropped (loop rules), joined to its open contact
 * (In-Reply-To / References / subject token), a repeat contact when that contact has ended,
 * or a new contact. Resolves once everything is durable — only then does SMTP answer 250.
 * Idempotent: a client retrying the same mail after a lost 250 changes nothing.
 */
export async function handleInbound(
  deps: InboundDeps,
  email: ParsedEmail,
  route: EmailRoute,
  recipient: string,
): Promise<InboundOutcome> {
  const { ctx, logger, metrics } = deps;
  if (email.loop !== undefined) {
    metrics.loops.inc({ reason: email.loop });
    logger.info({ reason: email.loop }, "inbound mail dropped by the loop rules");
    return "loop_dropped";
  }
  const threads = deps.threads(route.tenant);
  const seen = await threads.contactOfMessage(email.messageId);
  if (seen !== undefined) {
    // A retry after a lost 250: publishing again is deduplicated by the message id.
    if ((await ctx.intake.get(route.tenant, seen)) !== undefined) {
      await publishMessage(deps, route.tenant, seen, email);
    }
    return "duplicate";
  }
  const previous = await findThread(deps, threads, route.tenant, email);
  if (previous !== undefined) {
    const view = await ctx.intake.get(route.tenant, previous);
    if (view !== undefined) {
      const ended = view.lastEvent !== undefined && TERMINAL_EVENTS.has(view.lastEvent.type);
      if (!ended) {
        await publishMessage(deps, route.tenant, previous, email);
        const reference = view.contact.channelMetadata["email.reference"] ?? "";
        await threads.updateThread(previous, (thread) => nextThread(thread, email, reference));
        await threads.rememberMessage(email.messageId, previous);
        return "joined_thread";
      }
      // A reply to an ended contact: a new (repeat) contact offered first to the agent who
      // handled the thread; the ended one keeps its outcome and KPIs.
      const thread = await threads.thread(previous);
      const agentId = view.lastEvent?.agentId || thread?.agentId || "";
      const contactId = await newContact(deps, email, route, recipient, {
        preferredAgentId: agentId,
        previousContactId: previous,
        thread,
      });
      await threads.setSuccessor(previous, contactId);
      return "repeat_contact";
    }
  }
  await newContact(deps, email, route, recipient, {});
  return "new_contact";
}

/** The contact this mail answers, following repeat contacts to the newest one. */
async function findThread(
  deps: InboundDeps,
  threads: ThreadStore,
  tenant: string,
  email: ParsedEmail,
): Promise<string | undefined> {
  let found: string | undefined;
  for (const id of email.replyTo) {
    found = await threads.contactOfMessage(id);
    if (found !== undefined) break;
  }
  if (found === undefined && email.referenceToken !== undefined) {
    found = await threads.contactOfReference(email.referenceToken);
  }
  for (let i = 0; found !== undefined && i < MAX_SUCCESSORS; i++) {
    const next = await threads.successor(found);
    if (next === undefined) break;
    found = next;
  }
  if (found !== undefined) deps.logger.debug({ contactId: found, tenant }, "mail joins a thread");
  return found;
}

interface NewContactOptions {
  readonly preferredAgentId?: string;
  readonly previousContactId?: string;
  readonly thread?: Thread | undefined;
}

async function newContact(
  deps: InboundDeps,
  email: ParsedEmail,
  route: EmailRoute,
  recipient: string,
  options: NewContactOptions,
): Promise<string> {
  const { ctx } = deps;
  const idempotencyKey = `email-${hashOf(email.messageId)}`;
  const reference = referenceOf(idempotencyKey);
  const metadata: Record<string, string> = {
    "email.reference": reference,
    "email.recipient": recipient,
  };
  const put = (key: string, value: string) => {
    if (value !== "" && Buffer.byteLength(value) <= MAX_METADATA_BYTES) metadata[key] = value;
  };
  put("email.message_id", email.messageId);
  put("email.reply_to", email.replyAddress);
  put("email.language_hint", email.languageHint);
  if (email.attachments.length > 0) put("email.attachments", String(email.attachments.length));
  if (email.autoReplySuspected) put("email.auto_reply_suspected", "true");
  if (options.previousContactId !== undefined)
    put("email.previous_contact_id", options.previousContactId);
  const { contact } = await ctx.intake.submit(
    route.tenant,
    create(ContactSchema, {
      channel: Channel.EMAIL,
      idempotencyKey,
      customer: {
        identifiers: { email: email.from },
        displayName: email.displayName,
      },
      requiredSkills: route.skills.map((s) => ({
        skill: s.skill,
        minProficiency: s.minProficiency,
      })),
      priority: route.priority,
      language: route.language,
      queueId: route.queue,
      preferredAgentId: options.preferredAgentId ?? "",
      subject: email.subject.slice(0, 256),
      summary: email.text.slice(0, 4096),
      channelMetadata: metadata,
      createTime: timestampFromMs(ctx.clock.nowMs()),
    }),
  );
  const threads = deps.threads(route.tenant);
  await threads.rememberReference(reference, contact.id);
  // The repeat contact carries the thread on: same subject line and Message-ID chain.
  const base: Thread | undefined = options.thread && {
    ...options.thread,
    reference,
  };
  await publishMessage(deps, route.tenant, contact.id, email);
  await threads.putThread(contact.id, nextThread(base, email, reference));
  await threads.rememberMessage(email.messageId, contact.id);
  return contact.id;
}

function nextThread(thread: Thread | undefined, email: ParsedEmail, reference: string): Thread {
  const ids = thread?.messageIds ?? [...email.replyTo].reverse();
  return {
    customer: email.from,
    displayName: email.displayName || (thread?.displayName ?? ""),
    replyAddress: email.replyAddress || email.from,
    subject: thread?.subject || email.subject,
    reference: thread?.reference ?? reference,
    messageIds: withMessage(ids, email.messageId),
    lastCustomerMessageId: email.messageId,
    agentId: thread?.agentId ?? "",
  };
}

/** The mail as a customer message on the contact (the agent receives it, and the transcript keeps it). */
async function publishMessage(
  deps: InboundDeps,
  tenant: string,
  contactId: string,
  email: ParsedEmail,
): Promise<void> {
  const key = hashOf(email.messageId);
  const attachments = await keepAttachments(deps, contactId, key, email);
  const text =
    email.text !== ""
      ? email.text
      : attachments.length > 0
        ? ""
        : email.subject || "(empty message)";
  await deps.ctx.conversations.publish(
    create(ConversationMessageSchema, {
      id: `email-${key}`,
      contactId,
      tenant,
      channel: Channel.EMAIL,
      sender: MessageSender.CUSTOMER,
      senderDisplayName: email.displayName,
      text,
      attachments: attachments.slice(0, 50),
      metadata: {
        message_id: email.messageId.slice(0, 998),
        subject: email.subject.slice(0, 998),
        ...(email.languageHint === "" ? {} : { language_hint: email.languageHint }),
      },
    }),
  );
}

/** Metadata always; the content under --attachments-dir/<contactId>/ when set, else dropped. */
async function keepAttachments(
  deps: InboundDeps,
  contactId: string,
  key: string,
  email: ParsedEmail,
): Promise<MessageAttachment[]> {
  const dir = deps.ctx.config.attachmentsDir;
  const out: MessageAttachment[] = [];
  for (const [i, a] of email.attachments.entries()) {
    const name = safeName(a.name, i);
    let location = "";
    if (dir !== undefined) {
      const folder = join(dir, contactId);
      await mkdir(folder, { recursive: true });
      location = join(folder, `${key.slice(0, 12)}-${i + 1}-${name}`);
      await writeFile(location, a.content);
    }
    out.push(
      create(MessageAttachmentSchema, {
        name,
        contentType: a.contentType.slice(0, 255),
        sizeBytes: BigInt(a.size),
        location,
      }),
    );
  }
  return out;
}

/** A file name that cannot leave its folder or upset a shell: basename, safe characters, capped. */
export function safeName(name: string, index: number): string {
  const cleaned = basename(name.replace(/\\/g, "/"))
    .replace(/[^\p{L}\p{N}._ -]/gu, "_")
    .replace(/^\.+/, "")
    .trim()
    .slice(0, 120);
  return cleaned === "" ? `attachment-${index + 1}` : cleaned;
}

function hashOf(s: string): string {
  return createHash("sha256").update(s).digest("hex").slice(0, 40);
}
