/**
 * A lease on a router partition (tenant, or tenant+site). `token` comes from one counter per
 * partition that only grows, so a later holder always has a larger token than every earlier one.
 * A Lease is also the `Fence` the reservation store checks.
 */
export interface Lease {
  readonly partition: string;
  readonly holderId: string;
  readonly token: number;
}

export interface LeaseStore {
  /**
   * Takes the partition for `ttlMs` and resolves to a fresh token; null when another holder's
   * lease is still live. Asking again while holding it extends it and keeps the token, so
   * `holderId` must be unique per process incarnation (e.g. a UUIDv7).
   */
  acquire(partition: string, holderId: string, ttlMs: number): Promise<Lease | null>;
  /** Extends the lease; false when it expired or someone else holds it (stop routing then). */
  renew(lease: Lease, ttlMs: number): Promise<boolean>;
  /** Hands the lease back (SIGTERM drain); false when it was no longer ours. */
  release(lease: Lease): Promise<boolean>;
}
