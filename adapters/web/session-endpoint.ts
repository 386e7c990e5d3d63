import type { IncomingMessage, ServerResponse } from "node:http";
import { create } from "@bufbuild/protobuf";
import {
  type ContactIntake,
  ErrorCode,
  type FieldViolation,
  type IdGenerator,
  type Logger,
  SwitchboardError,
} from "../../core/index.js";
import { Channel, ContactSchema } from "../../proto/index.js";
import type { ChatSessions } from "./chat-sessions.js";
import { originAllowed, sameOrigin } from "./origin-policy.js";
import type { WebChatSettings } from "./web-config.js";
import type { WebMetrics } from "./web-metrics.js";

/** Largest POST /chat/sessions body; a name, an email and a topic fit many times over. */
export const MAX_SESSION_BODY_BYTES = 8 * 1024;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f]/;

export interface SessionEndpointOptions {
  readonly settings: WebChatSettings;
  readonly sessions: ChatSessions;
  readonly intake: ContactIntake;
  readonly ids: IdGenerator;
  readonly nowMs: () => number;
  readonly metrics: WebMetrics;
  readonly logger: Logger;
  readonly allowedOrigins: readonly string[] | undefined;
  /** The contact now waits for its customer's socket (the grace period starts). */
  readonly created: (tenant: string, contactId: string) => void;
}

/**
 * `POST /chat/sessions` (and its CORS preflight): validates name, email and topic, submits
 * the CHAT contact through the intake and answers `201 {token, contactId}`. Bad input is a 400
 * naming every field; a body over 8 KiB is 413; anything but JSON is 415.
 */
export function createSessionEndpoint(options: SessionEndpointOptions) {
  const { settings, metrics, logger } = options;
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(body));
  };
  const refuse = (res: ServerResponse, status: number, reason: string, body: object) => {
    metrics.sessionsRefused.inc({ reason });
    send(res, status, body);
  };

  const cors = (req: IncomingMessage, res: ServerResponse): boolean => {
    const origin = req.headers.origin;
    if (origin === undefined || sameOrigin(req)) return true;
    if (options.allowedOrigins === undefined || !originAllowed(req, options.allowedOrigins)) {
      return false;
    }
    res.setHeader("access-control-allow-origin", origin);
    res.setHeader("vary", "Origin");
    return true;
  };

  async function createSession(res: ServerResponse, body: Buffer) {
    let input: unknown;
    try {
      input = JSON.parse(body.toString("utf8"));
    } catch {
      return refuse(res, 400, "invalid", {
        error: "the body is not JSON",
        fieldViolations: [{ field: "body", description: "a JSON object: name, email, topic" }],
      });
    }
    const checked = validate(input, settings);
    if ("violations" in checked) {
      return refuse(res, 400, "invalid", {
        error: "invalid chat session request",
        fieldViolations: checked.violations,
      });
    }
    const { name, email, topic } = checked;
    const sessionId = options.ids.next();
    const contact = create(ContactSchema, {
      channel: Channel.CHAT,
      customer: { identifiers: { email, webSessionId: sessionId }, displayName: name },
      requiredSkills: topic.skills.map((s) => ({ ...s })),
      priority: topic.priority,
      queueId: topic.queueId ?? "",
      subject: `Chat: ${topic.label}`,
      channelMetadata: { topic: topic.id, web_session_id: sessionId },
      idempotencyKey: `chat:${sessionId}`,
    });
    const { contact: submitted } = await options.intake.submit(settings.tenant, contact);
    let token: string;
    try {
      token = await options.sessions.create({
        contactId: submitted.id,
        tenant: settings.tenant,
        sessionId,
        name,
        email,
        topic: topic.id,
        expiresAtMs: options.nowMs() + settings.sessionTtlMs,
      });
    } catch (err) {
      // Nobody could ever reach this contact: end it rather than leave it queued.
      await options.intake
        .cancel(settings.tenant, submitted.id, { reason: "chat_session_failed" })
        .catch(() => undefined);
      throw err;
    }
    options.created(settings.tenant, submitted.id);
    metrics.sessionsCreated.inc({ topic: topic.id });
    logger.info({ contactId: submitted.id, topic: topic.id }, "chat session created");
    send(res, 201, {
      token,
      contactId: submitted.id,
      websocket: `/ws/chat?token=${token}`,
    });
  }

  return {
    handle(req: IncomingMessage, res: ServerResponse): boolean {
      const path = (req.url ?? "/").split("?")[0];
      if (path !== "/chat/sessions") return false;
      if (req.method === "OPTIONS") {
        if (!cors(req, res)) {
          refuse(res, 403, "origin", { error: "origin not allowed" });
          return true;
        }
        res.writeHead(204, {
          "access-control-allow-methods": "POST",
          "access-control-allow-headers": "content-type",
          "access-control-max-age": "600",
        });
        res.end();
        return true;
      }
      if (req.method !== "POST") {
        res.setHeader("allow", "POST, OPTIONS");
        send(res, 405, { error: `method ${req.method} not allowed; POST a JSON body` });
        return true;
      }
      if (!cors(req, res)) {
        refuse(res, 403, "origin", { error: "origin not allowed (--allowed-origins)" });
        return true;
      }
      const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
      if (type !== "application/json") {
        refuse(res, 415, "media_type", { error: "send Content-Type: application/json" });
        req.resume();
        return true;
      }
      const declared = Number(req.headers["content-length"] ?? 0);
      if (declared > MAX_SESSION_BODY_BYTES) {
        refuse(res, 413, "too_large", { error: `body over ${MAX_SESSION_BODY_BYTES} bytes` });
        res.once("finish", () => req.destroy());
        return true;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let over = false;
      req.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_SESSION_BODY_BYTES && !over) {
          over = true;
          refuse(res, 413, "too_large", { error: `body over ${MAX_SESSION_BODY_BYTES} bytes` });
          res.once("finish", () => req.destroy());
        }
        if (!over) chunks.push(chunk);
      });
      req.on("error", () => req.destroy());
      req.on("end", () => {
        if (over) return;
        createSession(res, Buffer.concat(chunks)).catch((err: unknown) => {
          if (res.headersSent) return;
          if (err instanceof SwitchboardError && err.code === ErrorCode.InvalidArgument) {
            return refuse(res, 400, "invalid", {
              error: err.message,
              fieldViolations: err.violations,
            });
          }
          const unavailable = err instanceof SwitchboardError && err.code === ErrorCode.Unavailable;
          logger.error({ err }, "chat session not created");
          refuse(res, 503, unavailable ? "unavailable" : "error", {
            error: "the chat service is unavailable; try again shortly",
          });
        });
      });
      return true;
    },
  };
}

type Topic = WebChatSettings["topics"] extends ReadonlyMap<string, infer T> ? T : never;

function validate(
  input: unknown,
  settings: WebChatSettings,
): { name: string; email: string; topic: Topic } | { violations: FieldViolation[] } {
  const out: FieldViolation[] = [];
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { violations: [{ field: "body", description: "a JSON object: name, email, topic" }] };
  }
  const body = input as Record<string, unknown>;
  const name = typeof body.name === "string" ? body.name.trim() : undefined;
  if (name === undefined || name === "" || name.length > 100 || CONTROL.test(name)) {
    out.push({ field: "name", description: "required: 1–100 characters" });
  }
  const email = typeof body.email === "string" ? body.email.trim().toLowerCase() : undefined;
  if (email === undefined || email.length > 254 || !EMAIL.test(email)) {
    out.push({ field: "email", description: "required: an email address (name@example.com)" });
  }
  const topics = [...settings.topics.keys()];
  let topic: Topic | undefined;
  if (body.topic === undefined || body.topic === "") {
    const fallback = settings.defaultTopic ?? (topics.length === 1 ? topics[0] : undefined);
    topic = fallback === undefined ? undefined : settings.topics.get(fallback);
    if (topic === undefined) {
      out.push({ field: "topic", description: `required: one of ${topics.join(", ")}` });
    }
  } else if (typeof body.topic !== "string") {
    out.push({ field: "topic", description: `a string: one of ${topics.join(", ")}` });
  } else {
    topic = settings.topics.get(body.topic);
    if (topic === undefined && settings.defaultTopic !== undefined) {
      topic = settings.topics.get(settings.defaultTopic);
    }
    if (topic === undefined) {
      out.push({ field: "topic", description: `unknown topic; one of ${topics.join(", ")}` });
    }
  }
  if (out.length > 0 || name === undefined || email === undefined || topic === undefined) {
    return { violations: out };
  }
  return { name, email, topic };
}
