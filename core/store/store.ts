import type { AgentStore } from "./agent-store.js";
import type { ChannelStateStore } from "./channel-state-store.js";
import type { ConfigStore } from "./config-store.js";
import type { ContactStore } from "./contact-store.js";
import type { HistoryStore } from "./history-store.js";
import type { IdentityStore } from "./identity-store.js";
import type { LeaseStore } from "./lease-store.js";
import type { ReservationStore } from "./reservation-store.js";
import type { SnapshotStore } from "./snapshot-store.js";
import type { TokenStore } from "./token-store.js";

/**
 * The routing state port. Everything lives per tenant: `forTenant` returns a view whose
 * methods can only build keys under that tenant, so no call can reach another tenant's data.
 * Redis and memory implement it identically (one contract suite runs against both).
 */
export interface Store {
  /** A view on one tenant's state. Cheap; callers may hold one per tenant. */
  forTenant(tenantId: string): TenantStore;
  /** API tokens of every tenant (each grant names its tenant). */
  readonly tokens: TokenStore;
  /** Stops using the backend. The Redis store leaves the caller's client open. */
  close(): Promise<void>;
}

export interface TenantStore {
  readonly tenantId: string;
  readonly config: ConfigStore;
  readonly agents: AgentStore;
  readonly reservations: ReservationStore;
  readonly identity: IdentityStore;
  readonly history: HistoryStore;
  readonly leases: LeaseStore;
  readonly snapshots: SnapshotStore;
  readonly contacts: ContactStore;
  readonly channelState: ChannelStateStore;
}

/** Options both implementations share. */
export interface StoreCommonOptions {
  /** Finished offers (released/completed) are kept this long so retries stay idempotent. Default 86 400 000 (24 h). */
  readonly finishedOfferRetentionMs?: number;
  /** Completed contacts kept per customer. Default 20. */
  readonly historyLimit?: number;
  /** Distinct last agents kept per customer. Default 10. */
  readonly lastAgentsLimit?: number;
  /** A contact record is kept this long after its last update. Default 604 800 000 (7 days). */
  readonly contactRecordRetentionMs?: number;
  /** Messages kept per contact transcript (oldest dropped first). Default 1000. */
  readonly transcriptLimit?: number;
}

export interface NormalizedCommonOptions {
  readonly finishedOfferRetentionMs: number;
  readonly historyLimit: number;
  readonly lastAgentsLimit: number;
  readonly contactRecordRetentionMs: number;
  readonly transcriptLimit: number;
}
