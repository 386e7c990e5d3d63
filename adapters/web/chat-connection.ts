import { create } from "@bufbuild/protobuf";
import { type WebSocket, WebSocket as WebSocketClass } from "ws";
import {
  type ContactIntake,
  type Conversations,
  ErrorCode,
  type IdGenerator,
  type Logger,
  SwitchboardError,
} from "../../core/index.js";
import {
  Channel,
  ContactEventType,
  ConversationMessageSchema,
  MessageSender,
  TypingIndicatorSchema,
} from "../../proto/index.js";
import {
  type ClientFrame,
  type FrameError,
  isFrameError,
  parseClientFrame,
  type ServerFrame,
} from "./chat-frames.js";
import type { ChatHub, ChatPeer } from "./chat-hub.js";
import type { ChatSession, ChatSessions } from "./chat-sessions.js";
import { isEnded, isWithAgent, messageFrame, statusFrame } from "./chat-status.js";
import type { TranscriptMailer } from "./transcript-mail.js";
import type { WebMetrics } from "./web-metrics.js";

export interface ConnectionDeps {
  readonly hub: ChatHub;
  readonly sessions: ChatSessions;
  readonly intake: ContactIntake;
  readonly conversations: Conversations;
  readonly ids: IdGenerator;
  readonly nowMs: () => number;
  readonly logger: Logger;
  readonly metrics: WebMetrics;
  /** Undefined when `--smtp-outbound-url` is unset. */
  readonly mailer: TranscriptMailer | undefined;
  readonly messagesPerMinute: number;
}

/** Rate-limited frames in a row before the socket is closed (1008). */
export const ABUSE_CLOSE_AFTER = 10;
/** A client that does not read: more than this queued for it → terminated. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** Transcript emails per connection (each one is real mail to a real person). */
const MAX_TRANSCRIPTS = 3;

/**
 * One customer socket: resumes the contact (welcome, the transcript so far, the current
 * status), then turns the customer's frames into conversation messages, typing, transcript
 * requests and CSAT answers. Every frame is rate-limited and checked; a bad one gets an error
 * frame and the socket stays usable. Frames are handled one at a time, in order.
 */
export function serveChatSocket(
  ws: WebSocket,
  found: { session: ChatSession; key: string },
  deps: ConnectionDeps,
): void {
  const { hub, metrics } = deps;
  let session = found.session;
  const { tenant, contactId } = session;
  const log = deps.logger.child({ contactId });
  const send = (frame: ServerFrame) => {
    if (ws.readyState !== WebSocketClass.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      log.warn("chat socket not reading; terminated");
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(frame));
    metrics.framesOut.inc({ type: frame.type });
  };
  const fail = (error: FrameError) => send({ type: "error", ...error });
  const peer: ChatPeer = { tenant, contactId, send, lastSequence: 0, ended: false };

  // Token bucket: `messagesPerMinute` frames, refilled continuously.
  const perMs = deps.messagesPerMinute / 60_000;
  let allowance = deps.messagesPerMinute;
  let lastRefillMs = deps.nowMs();
  let limitedInARow = 0;
  let transcripts = 0;
  let queue: Promise<void> = Promise.resolve();

  metrics.socketsOpen.inc();
  ws.on("error", (err) => log.debug({ err }, "chat socket error"));
  ws.on("close", () => {
    metrics.socketsOpen.dec();
    hub.detach(peer);
  });
  ws.on("message", (data, isBinary) => {
    const now = deps.nowMs();
    allowance = Math.min(deps.messagesPerMinute, allowance + (now - lastRefillMs) * perMs);
    lastRefillMs = now;
    if (allowance < 1) {
      metrics.rateLimited.inc();
      metrics.framesIn.inc({ type: "rate_limited" });
      limitedInARow += 1;
      if (limitedInARow >= ABUSE_CLOSE_AFTER) {
        log.warn("chat socket closed: sustained frames over the rate limit");
        ws.close(1008, "rate limit exceeded");
        return;
      }
      fail({
        code: "rate_limited",
        message: `at most ${deps.messagesPerMinute} frames a minute; this one was dropped`,
      });
      return;
    }
    allowance -= 1;
    limitedInARow = 0;
    const frame: ClientFrame | FrameError = isBinary
      ? { code: "bad_frame", message: "frames are JSON text, not binary" }
      : parseClientFrame(rawText(data));
    metrics.framesIn.inc({ type: isFrameError(frame) ? "invalid" : frame.type });
    if (isFrameError(frame)) return fail(frame);
    // A transcript email may take seconds: it must not hold up the conversation behind it.
    if (frame.type === "transcript") {
      handle(frame).catch((err: unknown) => fail(describe(err, log)));
      return;
    }
    queue = queue.then(() => handle(frame)).catch((err: unknown) => fail(describe(err, log)));
  });

  async function handle(frame: ClientFrame): Promise<void> {
    switch (frame.type) {
      case "message": {
        if (peer.ended) return fail({ code: "chat_ended", message: "this chat has ended" });
        await deps.conversations.publish(
          create(ConversationMessageSchema, {
            // A page resending after a reconnect uses the same id: kept once.
            id: frame.id === undefined ? deps.ids.next() : `c-${frame.id}`,
            contactId,
            tenant,
            channel: Channel.CHAT,
            sender: MessageSender.CUSTOMER,
            senderDisplayName: session.name,
            text: frame.text,
          }),
        );
        return;
      }
      case "typing":
        if (peer.ended) return;
        deps.conversations.typing(
          create(TypingIndicatorSchema, {
            contactId,
            tenant,
            channel: Channel.CHAT,
            sender: MessageSender.CUSTOMER,
            typing: frame.typing,
          }),
        );
        return;
      case "transcript": {
        if (deps.mailer === undefined) {
          metrics.transcriptsSent.inc({ outcome: "not_configured" });
          return fail({
            code: "email_not_configured",
            message: "email not configured: transcripts cannot be sent from this site",
          });
        }
        if (transcripts >= MAX_TRANSCRIPTS) {
          return fail({ code: "rate_limited", message: "transcript already sent" });
        }
        transcripts += 1;
        const messages = await deps.conversations.transcript(tenant, contactId);
        try {
          await deps.mailer.send({ to: session.email, name: session.name, contactId, messages });
        } catch (err) {
          metrics.transcriptsSent.inc({ outcome: "failed" });
          // Not the error itself: relay messages quote the recipient's address.
          const { code, responseCode } = err as { code?: string; responseCode?: number };
          log.warn({ code, responseCode }, "chat transcript email not sent");
          return fail({ code: "email_failed", message: "the transcript could not be sent" });
        }
        metrics.transcriptsSent.inc({ outcome: "sent" });
        send({ type: "transcript_sent" });
        return;
      }
      case "csat":
        await deps.intake.recordCsat(tenant, contactId, frame.score);
        session = { ...session, csat: frame.score };
        await deps.sessions.update(found.key, session);
        send({ type: "csat_recorded", score: frame.score });
        return;
      case "leave":
        await hub.customerLeft(tenant, contactId);
        ws.close(1000, "customer left");
        return;
    }
  }

  // Resume: live frames flow from the moment the peer is attached; the transcript and the
  // stored status fill in what happened before (the page dedupes messages by id).
  hub.attach(peer);
  send({
    type: "welcome",
    contactId,
    name: session.name,
    topic: session.topic,
  });
  queue = queue.then(async () => {
    const [messages, view] = await Promise.all([
      deps.conversations.transcript(tenant, contactId),
      deps.intake.get(tenant, contactId),
    ]);
    send({ type: "history", messages: messages.map(messageFrame) });
    const last = view?.lastEvent;
    if (last === undefined || Number(last.sequence) <= peer.lastSequence) return;
    peer.lastSequence = Number(last.sequence);
    if (isEnded(last.type)) peer.ended = true;
    const name =
      last.agentId !== "" && isWithAgent(last.type)
        ? await hub.agentName(tenant, last.agentId)
        : undefined;
    const status = statusFrame(last, name);
    if (status !== undefined) send(status);
    if (last.type === ContactEventType.COMPLETED && session.csat === undefined) {
      send({ type: "csat_request" });
    }
  });
  queue = queue.catch((err: unknown) => fail(describe(err, log)));
}

function rawText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data as ArrayBuffer).toString("utf8");
}

/** A failed frame as the page sees it; the details stay in the log. */
function describe(err: unknown, log: Logger): FrameError {
  if (err instanceof SwitchboardError) {
    switch (err.code) {
      case ErrorCode.InvalidArgument: {
        const first = err.violations[0];
        return {
          code: "invalid_field",
          message: first?.description ?? err.message,
          ...(first === undefined ? {} : { field: first.field }),
        };
      }
      case ErrorCode.FailedPrecondition:
        return { code: "not_ended", message: "rate the chat once it has ended" };
      case ErrorCode.Unavailable:
        return { code: "unavailable", message: "try again in a moment" };
    }
  }
  log.error({ err }, "chat frame failed");
  return { code: "internal", message: "something went wrong; try again" };
}
