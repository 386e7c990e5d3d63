import type { Channel } from "./channel.js";

/**
 * The router's proof that it still holds its partition's lease. Every write below checks it
 * inside the same atomic step: only the token of the partition's live lease is accepted, so a
 * router whose lease expired or was taken over cannot commit anything. A `Lease` is a Fence.
 */
export interface Fence {
  readonly partition: string;
  readonly token: number;
}

export interface ReserveInput {
  readonly contactId: string;
  readonly agentId: string;
  /** Names this reservation; retrying with the same offerId returns the first result. */
  readonly offerId: string;
  readonly channel: Channel;
  /** What this contact adds to the agent's load, in thousandths (voice 1000, chat 340, email 200). */
  readonly weightMilli: number;
  /** The agent's total capacity in thousandths (typically 1000). */
  readonly capacityMilli: number;
  /** After this the reservation is dead: it no longer blocks the contact or the agent. */
  readonly expiresAtMs: number;
  readonly fence: Fence;
}

/** Why a reservation was refused. These are routine outcomes, not errors. */
export type ReserveRefusal =
  /** The fence is not the partition's live lease: another router took over, or ours expired. */
  | "STALE_TOKEN"
  /** The contact is already reserved (unexpired) or connected to an agent. */
  | "CONTACT_RESERVED"
  /** load + weight > capacity, or a second voice contact for the agent. */
  | "AGENT_FULL";

export type ReserveResult =
  | { readonly ok: true; readonly version: number }
  | { readonly ok: false; readonly reason: ReserveRefusal };

export type ReleaseResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: "STALE_TOKEN" | "NOT_FOUND" | "ALREADY_CONFIRMED" };

export type ConfirmResult =
  | { readonly ok: true }
  /** RELEASED: rejected, released or expired before the accept arrived. */
  | { readonly ok: false; readonly reason: "STALE_TOKEN" | "NOT_FOUND" | "RELEASED" };

export type CompleteResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: "STALE_TOKEN" | "NOT_FOUND" | "NOT_CONFIRMED" };

/**
 * One write of a batch (`ReservationStore.apply`), without its fence: the batch carries one.
 * `confirmLive` is the lease holder vouching that the offer is live in its own state (it
 * committed the reservation itself and has not ended it): a RESERVED offer is confirmed even
 * past its expiry (it still holds its load and contact), and one the store already let go
 * (expired on touch, or lost) is taken again — only if the contact is free and the agent has
 * room, so the store's two guarantees hold whatever the caller believes.
 */
export type ReservationOp =
  | { readonly kind: "reserve"; readonly input: Omit<ReserveInput, "fence"> }
  | { readonly kind: "release"; readonly offerId: string }
  | { readonly kind: "confirm"; readonly offerId: string }
  | { readonly kind: "confirmLive"; readonly input: Omit<ReserveInput, "fence"> }
  | { readonly kind: "complete"; readonly contactId: string };

/** Refusals of `confirmLive`: the contact or the agent's capacity is taken by another offer. */
export type ConfirmLiveResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: "STALE_TOKEN" | "CONTACT_RESERVED" | "AGENT_FULL" | "COMPLETED";
    };

/** What each op of a batch answered, in the batch's order; refusals as in the single calls. */
export type ReservationOpResult =
  /** `created`: this batch made the reservation; false when it found it (a retry, a replay). */
  | { readonly ok: true; readonly version: number; readonly created: boolean }
  | ReserveResult
  /** A reserve whose offerId is already used with other inputs (single call: ALREADY_EXISTS). */
  | { readonly ok: false; readonly reason: "OFFER_CONFLICT" }
  | ReleaseResult
  | ConfirmResult
  | ConfirmLiveResult
  | CompleteResult;

/**
 * RESERVED: offered, holding agent capacity and the contact until accepted or expiresAtMs.
 * CONFIRMED: accepted; the contact is connected and the capacity stays taken until complete.
 * RELEASED / COMPLETED: finished; kept for `finishedOfferRetentionMs` so retries stay idempotent.
 */
export type ReservationState = "RESERVED" | "CONFIRMED" | "RELEASED" | "COMPLETED";

export interface Reservation {
  readonly offerId: string;
  readonly contactId: string;
  readonly agentId: string;
  readonly channel: Channel;
  readonly weightMilli: number;
  readonly expiresAtMs: number;
  /** Strictly increasing per tenant: a later reservation has a larger version. */
  readonly version: number;
  /** As stored: a RESERVED offer past expiresAtMs is released lazily by the next write touching it. */
  readonly state: ReservationState;
}

/** The RESERVED and CONFIRMED ones among `offers`, by version: what `listActive*` answer. */
export function activeByVersion(offers: Iterable<Reservation | undefined>): Reservation[] {
  return [...offers]
    .filter((o): o is Reservation => o?.state === "RESERVED" || o?.state === "CONFIRMED")
    .sort((a, b) => a.version - b.version);
}

/**
 * Reservations commit the agent and the contact together, atomically: never two agents for one
 * contact, never more than capacity for one agent, also with two routers running by mistake.
 * Every write is idempotent: retrying after a timeout gives the same result and never counts
 * load twice. Refusals are results; exceptions mean the store could not answer (UNAVAILABLE),
 * or a programming error (INVALID_ARGUMENT, ALREADY_EXISTS for an offerId reused with other
 * inputs).
 */
export interface ReservationStore {
  reserve(input: ReserveInput): Promise<ReserveResult>;
  /**
   * Several writes in one atomic step (one round trip), applied in order, each answering as
   * its single call would; with a stale fence every op answers STALE_TOKEN and nothing is
   * written. Retrying the same batch is safe: every op is idempotent.
   */
  apply(ops: readonly ReservationOp[], fence: Fence): Promise<ReservationOpResult[]>;
  /** Reject or timeout: frees the capacity and the contact. */
  release(offerId: string, fence: Fence): Promise<ReleaseResult>;
  /** Accept: the contact is connected to the agent; capacity stays taken until `complete`. */
  confirm(offerId: string, fence: Fence): Promise<ConfirmResult>;
  /** The contact's connected reservation ends and frees its capacity. */
  complete(contactId: string, fence: Fence): Promise<CompleteResult>;
  get(offerId: string): Promise<Reservation | undefined>;
  /** The contact's latest reservation (live or recently finished). */
  getForContact(contactId: string): Promise<Reservation | undefined>;
  /** RESERVED and CONFIRMED reservations ordered by version, e.g. to rebuild router indexes. */
  listActive(): Promise<Reservation[]>;
  /** listActive for one agent, read from the agent's own index: O(its reservations). */
  listActiveForAgent(agentId: string): Promise<Reservation[]>;
}
