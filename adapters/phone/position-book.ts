/** Where a waiting caller stands, from the router's QUEUED event or its live position feed. */
export interface QueueSpot {
  readonly position: number;
  readonly expectedWaitMs: number | undefined;
  readonly atMs: number;
}

/**
 * The latest position of waiting voice contacts, in memory (the hold loop reads it on every
 * announcement; another replica falls back to the contact record's QUEUED event). Bounded:
 * past `maxEntries` the oldest entry goes.
 */
export interface PositionBook {
  get(contactId: string): QueueSpot | undefined;
  /** Keeps the newer of the stored and the given spot. */
  set(contactId: string, spot: QueueSpot): void;
  delete(contactId: string): void;
  readonly size: number;
}

export function createPositionBook(maxEntries = 50_000): PositionBook {
  const spots = new Map<string, QueueSpot>();
  return {
    get: (contactId) => spots.get(contactId),
    set(contactId, spot) {
      const known = spots.get(contactId);
      if (known !== undefined && known.atMs > spot.atMs) return;
      spots.delete(contactId);
      spots.set(contactId, spot);
      if (spots.size > maxEntries) {
        const oldest = spots.keys().next().value;
        if (oldest !== undefined) spots.delete(oldest);
      }
    },
    delete: (contactId) => {
      spots.delete(contactId);
    },
    get size() {
      return spots.size;
    },
  };
}
