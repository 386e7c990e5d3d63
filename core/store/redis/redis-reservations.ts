import type { Clock } from "../../clock.js";
import type { Channel } from "../channel.js";
import {
  activeByVersion,
  type CompleteResult,
  type ConfirmResult,
  type Fence,
  type ReleaseResult,
  type Reservation,
  type ReservationOp,
  type ReservationOpResult,
  type ReservationState,
  type ReservationStore,
  type ReserveInput,
  type ReserveResult,
} from "../reservation-store.js";
import type { NormalizedCommonOptions } from "../store.js";
import { checkFence, checkId, checkReserveInput, offerConflict } from "../validate.js";
import type { RedisRunner } from "./redis-runner.js";

/** The reservation port over the scripts in reservation-scripts.ts. */
export function createRedisReservations(
  runner: RedisRunner,
  base: string,
  clock: Clock,
  options: NormalizedCommonOptions,
): ReservationStore {
  const header = (): string[] => [
    base,
    String(clock.nowMs()),
    String(options.finishedOfferRetentionMs),
  ];
  const fenceArgs = (fence: Fence): string[] => [fence.partition, String(fence.token)];

  const read = async (offerId: string): Promise<Reservation | undefined> => {
    const fields = await runner.run("get offer", () =>
      runner.client.hgetall(`${base}offer:${offerId}`),
    );
    return toReservation(offerId, fields);
  };

  /**
   * The active reservations among a set's members. Not one atomic read: fine for rebuilding
   * indexes and desktops, which later writes correct anyway.
   */
  const listFrom = async (setKey: string): Promise<Reservation[]> => {
    const ids = await runner.run("list active", () => runner.client.smembers(setKey));
    return activeByVersion(await Promise.all(ids.map(read)));
  };

  return {
    async reserve(input: ReserveInput): Promise<ReserveResult> {
      checkReserveInput(input);
      const reply = (await runner.script("reserve", [
        ...header(),
        input.contactId,
        input.agentId,
        input.offerId,
        input.channel,
        String(input.weightMilli),
        String(input.capacityMilli),
        String(input.expiresAtMs),
        ...fenceArgs(input.fence),
      ])) as [string, number?];
      const [outcome, version] = reply;
      if (outcome === "OK") return { ok: true, version: Number(version) };
      if (outcome === "OFFER_CONFLICT") throw offerConflict(input.offerId);
      return { ok: false, reason: outcome as "STALE_TOKEN" | "CONTACT_RESERVED" | "AGENT_FULL" };
    },

    async apply(ops: readonly ReservationOp[], fence: Fence): Promise<ReservationOpResult[]> {
      checkFence(fence);
      if (ops.length === 0) return [];
      const args: string[] = [...header(), ...fenceArgs(fence)];
      for (const op of ops) {
        switch (op.kind) {
          case "reserve":
          case "confirmLive": {
            const input = op.input;
            checkReserveInput({ ...input, fence });
            args.push(
              op.kind === "reserve" ? "R" : "L",
              input.contactId,
              input.agentId,
              input.offerId,
              input.channel,
              String(input.weightMilli),
              String(input.capacityMilli),
              String(input.expiresAtMs),
            );
            break;
          }
          case "release":
            checkId("offerId", op.offerId);
            args.push("X", op.offerId);
            break;
          case "confirm":
            checkId("offerId", op.offerId);
            args.push("C", op.offerId);
            break;
          case "complete":
            checkId("contactId", op.contactId);
            args.push("P", op.contactId);
            break;
        }
      }
      const reply = (await runner.script("batch", args)) as [string, number?][] | ["STALE_TOKEN"];
      // A stale fence answers once, for the whole batch, before writing anything.
      if (reply[0] === "STALE_TOKEN") {
        return ops.map(() => ({ ok: false, reason: "STALE_TOKEN" }) as const);
      }
      return (reply as [string, number?, number?][]).map(([outcome, version, created]) =>
        outcome === "OK"
          ? version === undefined
            ? { ok: true }
            : { ok: true, version: Number(version), created: created === 1 }
          : ({ ok: false, reason: outcome } as ReservationOpResult),
      );
    },

    async release(offerId: string, fence: Fence): Promise<ReleaseResult> {
      checkId("offerId", offerId);
      checkFence(fence);
      const outcome = await runner.script("release", [...header(), offerId, ...fenceArgs(fence)]);
      if (outcome === "OK") return { ok: true };
      return { ok: false, reason: outcome as "STALE_TOKEN" | "NOT_FOUND" | "ALREADY_CONFIRMED" };
    },

    async confirm(offerId: string, fence: Fence): Promise<ConfirmResult> {
      checkId("offerId", offerId);
      checkFence(fence);
      const outcome = await runner.script("confirm", [...header(), offerId, ...fenceArgs(fence)]);
      if (outcome === "OK") return { ok: true };
      return { ok: false, reason: outcome as "STALE_TOKEN" | "NOT_FOUND" | "RELEASED" };
    },

    async complete(contactId: string, fence: Fence): Promise<CompleteResult> {
      checkId("contactId", contactId);
      checkFence(fence);
      const outcome = await runner.script("complete", [
        ...header(),
        contactId,
        ...fenceArgs(fence),
      ]);
      if (outcome === "OK") return { ok: true };
      return { ok: false, reason: outcome as "STALE_TOKEN" | "NOT_FOUND" | "NOT_CONFIRMED" };
    },

    async get(offerId: string): Promise<Reservation | undefined> {
      checkId("offerId", offerId);
      return read(offerId);
    },

    async getForContact(contactId: string): Promise<Reservation | undefined> {
      checkId("contactId", contactId);
      const offerId = await runner.run("get contact", () =>
        runner.client.get(`${base}contact:${contactId}`),
      );
      return offerId === null ? undefined : read(offerId);
    },

    async listActive(): Promise<Reservation[]> {
      return listFrom(`${base}active`);
    },

    async listActiveForAgent(agentId: string): Promise<Reservation[]> {
      checkId("agentId", agentId);
      return listFrom(`${base}agent-offers:${agentId}`);
    },
  };
}

function toReservation(offerId: string, f: Record<string, string>): Reservation | undefined {
  if (f.contact === undefined || f.agent === undefined) return undefined;
  return {
    offerId,
    contactId: f.contact,
    agentId: f.agent,
    channel: f.channel as Channel,
    weightMilli: Number(f.weight),
    expiresAtMs: Number(f.expires),
    version: Number(f.version),
    state: f.state as ReservationState,
  };
}
