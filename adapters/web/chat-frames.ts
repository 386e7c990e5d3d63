/**
 * The chat WebSocket's frames: JSON text frames both ways (adapters/web/README.md documents
 * them). `parseClientFrame` never throws: whatever a client sends becomes a typed frame or a
 * `FrameError` naming the problem, answered with an error frame on the same socket.
 */

/** What a customer's page may send. */
export type ClientFrame =
  | { readonly type: "message"; readonly text: string; readonly id?: string }
  | { readonly type: "typing"; readonly typing: boolean }
  | { readonly type: "transcript" }
  | { readonly type: "csat"; readonly score: number }
  | { readonly type: "leave" };

/** Error frame codes: stable strings a page can switch on. */
export type ErrorCode =
  | "bad_json"
  | "bad_frame"
  | "unknown_type"
  | "invalid_field"
  | "rate_limited"
  | "chat_ended"
  | "not_ended"
  | "email_not_configured"
  | "email_failed"
  | "unavailable"
  | "internal";

export interface FrameError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly field?: string;
}

/** What the adapter sends to the customer's page. */
export type ServerFrame =
  | {
      type: "welcome";
      contactId: string;
      name: string;
      topic: string;
    }
  | {
      type: "status";
      state: string;
      ended: boolean;
      sequence: number;
      position?: number;
      expectedWaitSeconds?: number;
      agentName?: string;
      reason?: string;
    }
  | { type: "position"; position: number; expectedWaitSeconds?: number }
  | { type: "agent_joined"; agentName: string }
  | { type: "history"; messages: ChatMessageFrame[] }
  | ChatMessageFrame
  | { type: "typing"; from: "agent"; typing: boolean; agentName?: string }
  | { type: "csat_request" }
  | { type: "csat_recorded"; score: number }
  | { type: "transcript_sent" }
  | ({ type: "error" } & FrameError);

export interface ChatMessageFrame {
  type: "message";
  id: string;
  from: "customer" | "agent" | "system";
  text: string;
  /** ISO 8601. */
  time: string;
  agentName?: string;
}

export const MAX_TEXT_LENGTH = 4000;
const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const TYPES = ["message", "typing", "transcript", "csat", "leave"] as const;

/** Parses one text frame; binary frames are refused by the caller with `bad_frame`. */
export function parseClientFrame(text: string): ClientFrame | FrameError {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { code: "bad_json", message: "a frame is one JSON object" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { code: "bad_frame", message: "a frame is a JSON object with a type", field: "type" };
  }
  const frame = value as Record<string, unknown>;
  const type = frame.type;
  if (typeof type !== "string") {
    return { code: "bad_frame", message: "type is required (a string)", field: "type" };
  }
  switch (type) {
    case "message": {
      const { text, id } = frame;
      if (typeof text !== "string" || text.trim() === "") {
        return invalid("text", "text is required (a non-empty string)");
      }
      if (text.length > MAX_TEXT_LENGTH) {
        return invalid("text", `text is at most ${MAX_TEXT_LENGTH} characters`);
      }
      if (id !== undefined && (typeof id !== "string" || !CLIENT_ID.test(id))) {
        return invalid("id", "id is 1–64 of [A-Za-z0-9_-]");
      }
      return id === undefined ? { type, text } : { type, text, id };
    }
    case "typing":
      if (typeof frame.typing !== "boolean") return invalid("typing", "typing is a boolean");
      return { type, typing: frame.typing };
    case "csat": {
      const score = frame.score;
      if (typeof score !== "number" || !Number.isInteger(score) || score < 1 || score > 5) {
        return invalid("score", "score is an integer from 1 to 5");
      }
      return { type, score };
    }
    case "transcript":
    case "leave":
      return { type };
    default:
      return {
        code: "unknown_type",
        message: `unknown type; one of ${TYPES.join(", ")}`,
        field: "type",
      };
  }
}

function invalid(field: string, message: string): FrameError {
  return { code: "invalid_field", message, field };
}

export function isFrameError(frame: ClientFrame | FrameError): frame is FrameError {
  return "code" in frame;
}
