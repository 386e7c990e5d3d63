import type { Clock } from "../../clock.js";
import {
  activeByVersion,
  type CompleteResult,
  type ConfirmLiveResult,
  type ConfirmResult,
  type Fence,
  type ReleaseResult,
  type Reservation,
  type ReservationOp,
  type ReservationOpResult,
  type ReservationStore,
  type ReserveInput,
  type ReserveResult,
} from "../reservation-store.js";
import type { NormalizedCommonOptions } from "../store.js";
import { checkFence, checkId, checkReserveInput, offerConflict } from "../validate.js";
import { getOrCreate, type TenantState } from "./tenant-state.js";

/**
 * The in-memory twin of redis/reservation-scripts.ts: each method runs to completion without
 * awaiting, which is what makes it atomic here. Keep the two in the same order of checks.
 */
export function createMemoryReservations(
  state: TenantState,
  clock: Clock,
  options: NormalizedCommonOptions,
  guard: () => void,
): ReservationStore {
  const fenceIsLive = (fence: Fence): boolean => {
    const lease = state.leases.get(fence.partition);
    return lease !== undefined && lease.expiresAtMs > clock.nowMs() && lease.token === fence.token;
  };

  const pruneFinished = (): void => {
    const now = clock.nowMs();
    while (state.finished.length > 0 && (state.finished[0]?.expireAtMs ?? 0) <= now) {
      const { offerId } = state.finished.shift()!;
      const offer = state.offers.get(offerId);
      // Taken again since it finished (confirmLive): not ours to prune any more.
      if (offer?.state === "RESERVED" || offer?.state === "CONFIRMED") continue;
      state.offers.delete(offerId);
      if (offer && state.contactOffers.get(offer.contactId) === offerId) {
        state.contactOffers.delete(offer.contactId);
      }
    }
  };

  // Gives back what a RESERVED or CONFIRMED offer holds and marks it finished.
  const finish = (offer: Reservation, to: "RELEASED" | "COMPLETED"): void => {
    const load = getOrCreate(state.loads, offer.agentId, () => new Map());
    load.set(offer.channel, (load.get(offer.channel) ?? 0) - offer.weightMilli);
    load.set("total", (load.get("total") ?? 0) - offer.weightMilli);
    state.agentOffers.get(offer.agentId)?.delete(offer.offerId);
    state.offers.set(offer.offerId, { ...offer, state: to });
    state.finished.push({
      offerId: offer.offerId,
      expireAtMs: clock.nowMs() + options.finishedOfferRetentionMs,
    });
  };

  // A RESERVED offer past its expiry no longer holds anything: release it on first touch.
  const expireIfDue = (offerId: string): Reservation | undefined => {
    const offer = state.offers.get(offerId);
    if (offer?.state === "RESERVED" && offer.expiresAtMs <= clock.nowMs()) {
      finish(offer, "RELEASED");
      return state.offers.get(offerId);
    }
    return offer;
  };

  const begin = (): void => {
    guard();
    pruneFinished();
  };

  type Input = Omit<ReserveInput, "fence">;

  // CONTACT_RESERVED / AGENT_FULL, or undefined when the agent may hold the offer.
  const refusal = (input: Input): "CONTACT_RESERVED" | "AGENT_FULL" | undefined => {
    for (const offerId of [...(state.agentOffers.get(input.agentId) ?? [])]) {
      expireIfDue(offerId);
    }
    const currentId = state.contactOffers.get(input.contactId);
    const current =
      currentId === undefined || currentId === input.offerId ? undefined : expireIfDue(currentId);
    if (current?.state === "RESERVED" || current?.state === "CONFIRMED") return "CONTACT_RESERVED";
    const load = state.loads.get(input.agentId);
    if ((load?.get("total") ?? 0) + input.weightMilli > input.capacityMilli) return "AGENT_FULL";
    if (input.channel === "VOICE" && (load?.get("VOICE") ?? 0) > 0) return "AGENT_FULL";
    return undefined;
  };

  const hold = (input: Input, to: "RESERVED" | "CONFIRMED", version: number): void => {
    state.offers.set(input.offerId, {
      offerId: input.offerId,
      contactId: input.contactId,
      agentId: input.agentId,
      channel: input.channel,
      weightMilli: input.weightMilli,
      expiresAtMs: input.expiresAtMs,
      version,
      state: to,
    });
    state.contactOffers.set(input.contactId, input.offerId);
    const load = getOrCreate(state.loads, input.agentId, () => new Map());
    load.set(input.channel, (load.get(input.channel) ?? 0) + input.weightMilli);
    load.set("total", (load.get("total") ?? 0) + input.weightMilli);
    getOrCreate(state.agentOffers, input.agentId, () => new Set()).add(input.offerId);
  };

  type Reserved =
    | { readonly ok: true; readonly version: number; readonly created: boolean }
    | Exclude<ReserveResult, { ok: true }>
    | { readonly ok: false; readonly reason: "OFFER_CONFLICT" };
  const reserve = (input: Input): Reserved => {
    const existing = state.offers.get(input.offerId);
    if (existing) {
      if (
        existing.contactId !== input.contactId ||
        existing.agentId !== input.agentId ||
        existing.channel !== input.channel ||
        existing.weightMilli !== input.weightMilli
      ) {
        return { ok: false, reason: "OFFER_CONFLICT" };
      }
      return { ok: true, version: existing.version, created: false };
    }
    const why = refusal(input);
    if (why !== undefined) return { ok: false, reason: why };
    state.reservationSeq += 1;
    hold(input, "RESERVED", state.reservationSeq);
    return { ok: true, version: state.reservationSeq, created: true };
  };

  const confirmLive = (input: Input): ConfirmLiveResult => {
    const offer = state.offers.get(input.offerId);
    if (offer?.state === "CONFIRMED") return { ok: true };
    if (offer?.state === "COMPLETED") return { ok: false, reason: "COMPLETED" };
    if (offer?.state === "RESERVED") {
      state.offers.set(input.offerId, { ...offer, state: "CONFIRMED" });
      return { ok: true };
    }
    // Let go by the store (expired on touch, or lost): taken again if nothing else holds it.
    const why = refusal(input);
    if (why !== undefined) return { ok: false, reason: why };
    let version = offer?.version;
    if (version === undefined) {
      state.reservationSeq += 1;
      version = state.reservationSeq;
    }
    hold(input, "CONFIRMED", version);
    return { ok: true };
  };

  const release = (offerId: string): ReleaseResult => {
    const offer = expireIfDue(offerId);
    if (!offer) return { ok: false, reason: "NOT_FOUND" };
    if (offer.state === "RESERVED") finish(offer, "RELEASED");
    else if (offer.state !== "RELEASED") return { ok: false, reason: "ALREADY_CONFIRMED" };
    return { ok: true };
  };

  const confirm = (offerId: string): ConfirmResult => {
    const offer = expireIfDue(offerId);
    if (!offer) return { ok: false, reason: "NOT_FOUND" };
    if (offer.state === "RELEASED") return { ok: false, reason: "RELEASED" };
    if (offer.state === "RESERVED") state.offers.set(offerId, { ...offer, state: "CONFIRMED" });
    return { ok: true };
  };

  const complete = (contactId: string): CompleteResult => {
    const offerId = state.contactOffers.get(contactId);
    const offer = offerId === undefined ? undefined : expireIfDue(offerId);
    if (!offer) return { ok: false, reason: "NOT_FOUND" };
    if (offer.state === "CONFIRMED") finish(offer, "COMPLETED");
    else if (offer.state !== "COMPLETED") return { ok: false, reason: "NOT_CONFIRMED" };
    return { ok: true };
  };

  return {
    async reserve(input: ReserveInput): Promise<ReserveResult> {
      checkReserveInput(input);
      begin();
      if (!fenceIsLive(input.fence)) return { ok: false, reason: "STALE_TOKEN" };
      const result = reserve(input);
      if (!result.ok) {
        if (result.reason === "OFFER_CONFLICT") throw offerConflict(input.offerId);
        return result;
      }
      return { ok: true, version: result.version };
    },

    async apply(ops: readonly ReservationOp[], fence: Fence): Promise<ReservationOpResult[]> {
      checkFence(fence);
      for (const op of ops) {
        if (op.kind === "reserve" || op.kind === "confirmLive")
          checkReserveInput({ ...op.input, fence });
        else
          checkId(
            op.kind === "complete" ? "contactId" : "offerId",
            op.kind === "complete" ? op.contactId : op.offerId,
          );
      }
      if (ops.length === 0) return [];
      begin();
      if (!fenceIsLive(fence)) return ops.map(() => ({ ok: false, reason: "STALE_TOKEN" }));
      return ops.map((op): ReservationOpResult => {
        if (op.kind === "reserve") return reserve(op.input);
        if (op.kind === "confirmLive") return confirmLive(op.input);
        if (op.kind === "release") return release(op.offerId);
        if (op.kind === "confirm") return confirm(op.offerId);
        return complete(op.contactId);
      });
    },

    async release(offerId: string, fence: Fence): Promise<ReleaseResult> {
      checkId("offerId", offerId);
      checkFence(fence);
      begin();
      if (!fenceIsLive(fence)) return { ok: false, reason: "STALE_TOKEN" };
      return release(offerId);
    },

    async confirm(offerId: string, fence: Fence): Promise<ConfirmResult> {
      checkId("offerId", offerId);
      checkFence(fence);
      begin();
      if (!fenceIsLive(fence)) return { ok: false, reason: "STALE_TOKEN" };
      return confirm(offerId);
    },

    async complete(contactId: string, fence: Fence): Promise<CompleteResult> {
      checkId("contactId", contactId);
      checkFence(fence);
      begin();
      if (!fenceIsLive(fence)) return { ok: false, reason: "STALE_TOKEN" };
      return complete(contactId);
    },

    async get(offerId: string): Promise<Reservation | undefined> {
      checkId("offerId", offerId);
      begin();
      return state.offers.get(offerId);
    },

    async getForContact(contactId: string): Promise<Reservation | undefined> {
      checkId("contactId", contactId);
      begin();
      const offerId = state.contactOffers.get(contactId);
      return offerId === undefined ? undefined : state.offers.get(offerId);
    },

    async listActive(): Promise<Reservation[]> {
      begin();
      return activeByVersion(state.offers.values());
    },

    async listActiveForAgent(agentId: string): Promise<Reservation[]> {
      checkId("agentId", agentId);
      begin();
      const ids = [...(state.agentOffers.get(agentId) ?? [])];
      return activeByVersion(ids.map((id) => state.offers.get(id)));
    },
  };
}
