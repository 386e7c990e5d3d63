/** A router partition's state at stream sequence `seq`, opaque bytes. */
export interface Snapshot {
  readonly seq: number;
  readonly data: Uint8Array;
}

export interface SnapshotStore {
  /**
   * Keeps only the latest: a snapshot with a lower `seq` than the stored one is ignored
   * (resolves false), so a slow writer cannot roll the partition back.
   */
  put(partition: string, snapshot: Snapshot): Promise<boolean>;
  get(partition: string): Promise<Snapshot | undefined>;
}
