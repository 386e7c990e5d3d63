/** What the admin API configures; each kind is its own id space. */
export type ConfigKind = "agent" | "queue" | "rule";
export const CONFIG_KINDS: readonly ConfigKind[] = ["agent", "queue", "rule"];

/**
 * One configuration item as opaque bytes (the serialized proto message). `revision` comes from
 * one counter per tenant, so it only ever grows for an item — also across delete and re-create,
 * which keeps an old `expectedRevision` from matching a new item of the same id.
 */
export interface ConfigItem {
  readonly kind: ConfigKind;
  readonly id: string;
  readonly revision: number;
  readonly data: Uint8Array;
}

export interface ConfigWriteOptions {
  /**
   * Optimistic concurrency: the write happens only if the item's current revision equals this;
   * 0 means "must not exist yet". Mismatch → SwitchboardError ABORTED. Omitted: unconditional.
   */
  readonly expectedRevision?: number;
}

export interface ConfigStore {
  /** Creates or replaces an item; resolves to its new revision. */
  put(
    kind: ConfigKind,
    id: string,
    data: Uint8Array,
    options?: ConfigWriteOptions,
  ): Promise<number>;
  get(kind: ConfigKind, id: string): Promise<ConfigItem | undefined>;
  /** Every item of a kind, ordered by id. */
  list(kind: ConfigKind): Promise<ConfigItem[]>;
  /** Resolves to false when there was nothing to delete. */
  delete(kind: ConfigKind, id: string, options?: ConfigWriteOptions): Promise<boolean>;
}
