import type { Bus, Lease, Logger, ReserveInput, TenantStore } from "../../core/index.js";
import type { IoPipeline } from "./io-pipeline.js";
import type { PartitionState } from "./partition-state.js";
import type { ReservationEpoch } from "./reservation-epoch.js";

/** What a partition's command handlers and effect applier share. */
export interface PartitionContext {
  readonly tenant: string;
  readonly state: PartitionState;
  readonly bus: Bus;
  readonly store: TenantStore;
  readonly logger: Logger;
  /** The lease this partition leads under; the fence of every reservation call. */
  readonly lease: Lease;
  /** A store or bus call, retried through outages until the partition stops leading. */
  io<T>(call: () => Promise<T>): Promise<T>;
  /** The engine's time for a command stamped `timeMs` (never backwards). */
  nowMs(timeMs?: number): number;
  readonly capacityMilli: number;
  /** The effects' I/O, issued without holding up the next command (see IoPipeline). */
  readonly pipe: IoPipeline;
  /**
   * Engine offer ids the router itself rejects (an accept that came too late, a desktop that
   * went away) → the reason of the withdrawal the agent is sent: it never said no itself.
   */
  readonly withdrawOnReject: Map<string, string>;
  /** Reservation writes of the open epoch, committed together (see ReservationEpoch). */
  readonly reservations: ReservationEpoch;
  /**
   * Offers this leader reserved itself and still counts as live, by bus offer id: an accept
   * of one is applied at once and confirmed in the epoch (`confirmLive`). Offers inherited
   * from a snapshot are not here: their accept waits for the store's answer.
   */
  readonly vouched: Map<string, Omit<ReserveInput, "fence">>;
  /** Bus offer id → whether its reservation was committed, while that may still be pending. */
  readonly offerCommits: Map<string, Promise<boolean>>;
  /** Engine offer id → the pending confirmation its CONNECTED events wait for. */
  readonly confirmations: Map<string, Promise<unknown>>;
}
