import type { ChannelStateStore } from "../../core/index.js";

/**
 * Where a caller is: choosing a language or a topic (no contact yet), queued on hold, gone
 * with a callback scheduled, being connected to the agent who accepted, or connected.
 */
export type CallStage = "language" | "menu" | "queued" | "callback" | "connecting" | "connected";

/** One inbound call, kept in the store (shared by gateway replicas, survives restarts). */
export interface CallRecord {
  readonly callId: string;
  readonly tenant: string;
  /** The public base URL the provider reached us on (for URLs in later REST calls). */
  readonly base: string;
  /** The dialled number (a callback's caller id by default). */
  readonly to: string;
  /** The caller's number when it is a valid E.164 phone number (identity, callback). */
  readonly phone?: string;
  stage: CallStage;
  /** Invalid or missing answers at the current IVR step. */
  attempts: number;
  languageDigit?: string;
  /** A present intermediary (IntermediaryKind) chosen in the menu. */
  onBehalf?: number;
  contactId?: string;
  agentId?: string;
  readonly startedMs: number;
  queuedMs?: number;
  callbackOffered?: boolean;
  /** The caller's own call leg has ended (the contact may live on as a callback). */
  callerGone?: boolean;
  /** Outcome counted once, when the caller's leg ended. */
  outcome?: string;
}

const CALLS = "phone-call";
const DONE = "phone-done";
/** Longer than any call, shorter than forever. */
export const CALL_TTL_MS = 24 * 3_600_000;

/** The call records and the once-only markers of provider actions, in `channelState`. */
export interface CallStore {
  get(callId: string): Promise<CallRecord | undefined>;
  put(record: CallRecord): Promise<void>;
  /** Creates the record unless one exists; returns the stored one. */
  claim(record: CallRecord): Promise<CallRecord>;
  /** Has this action (e.g. `redirect:<contactId>`) been done? */
  done(action: string): Promise<boolean>;
  markDone(action: string): Promise<void>;
}

export function createCallStore(state: ChannelStateStore): CallStore {
  const decode = (value: string | undefined): CallRecord | undefined => {
    if (value === undefined) return undefined;
    try {
      return JSON.parse(value) as CallRecord;
    } catch {
      return undefined;
    }
  };
  return {
    get: async (callId) => decode(await state.get(CALLS, callId)),
    put: (record) => state.put(CALLS, record.callId, JSON.stringify(record), CALL_TTL_MS),
    async claim(record) {
      const claimed = await state.claim(CALLS, record.callId, JSON.stringify(record), CALL_TTL_MS);
      return decode(claimed.value) ?? record;
    },
    done: async (action) => (await state.get(DONE, action)) !== undefined,
    markDone: (action) => state.put(DONE, action, "1", CALL_TTL_MS),
  };
}
