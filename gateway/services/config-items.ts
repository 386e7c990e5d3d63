import {
  type ConfigItem,
  type ConfigKind,
  ErrorCode,
  invalidArgument,
  SwitchboardError,
  type TenantStore,
} from "../../core/index.js";

/**
 * Create-or-replace with the proto contract's optimistic concurrency: version 0 writes
 * unconditionally, any other value must equal the stored revision. Resolves to the new
 * revision and whether the item is new. A version 0 write still runs as a compare-and-set
 * against what it read, so `created` is exact even under concurrent writers.
 */
export async function putItem(
  store: TenantStore,
  kind: ConfigKind,
  id: string,
  data: Uint8Array,
  version: bigint,
): Promise<{ revision: number; created: boolean }> {
  for (let attempt = 0; ; attempt++) {
    const current = version === 0n ? await store.config.get(kind, id) : undefined;
    const expectedRevision = version === 0n ? (current?.revision ?? 0) : Number(version);
    try {
      const revision = await store.config.put(kind, id, data, { expectedRevision });
      return { revision, created: version === 0n ? current === undefined : false };
    } catch (error) {
      const conflict = error instanceof SwitchboardError && error.code === ErrorCode.Aborted;
      if (conflict && version === 0n && attempt < 5) continue;
      if (conflict) throw versionMismatch(kind, id, error);
      throw error;
    }
  }
}

export async function deleteItem(store: TenantStore, kind: ConfigKind, id: string): Promise<void> {
  if (!(await store.config.delete(kind, id))) throw notFound(kind, id);
}

export async function requireItem(
  store: TenantStore,
  kind: ConfigKind,
  id: string,
): Promise<ConfigItem> {
  const item = await store.config.get(kind, id);
  if (item === undefined) throw notFound(kind, id);
  return item;
}

export function notFound(kind: ConfigKind, id: string): SwitchboardError {
  return new SwitchboardError(ErrorCode.NotFound, `${kind} ${id} not found`);
}

function versionMismatch(kind: ConfigKind, id: string, cause: unknown): SwitchboardError {
  return new SwitchboardError(
    ErrorCode.FailedPrecondition,
    `${kind} ${id} was changed by someone else (version mismatch): get it again and retry`,
    { cause },
  );
}

/** One page of `items` (already in list order) after `pageToken`. */
export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  pageSize: number,
  pageToken: string,
): { page: T[]; nextPageToken: string } {
  if (pageSize > 1000) {
    throw invalidArgument([{ field: "page_size", description: "must be between 1 and 1000" }]);
  }
  const size = pageSize === 0 ? 100 : pageSize;
  let start = 0;
  if (pageToken !== "") {
    const after = Buffer.from(pageToken, "base64url").toString("utf8");
    const index = items.findIndex((item) => keyOf(item) > after);
    if (after === "" || Buffer.from(after, "utf8").toString("base64url") !== pageToken) {
      throw invalidArgument([{ field: "page_token", description: "not a token from this API" }]);
    }
    start = index === -1 ? items.length : index;
  }
  const page = items.slice(start, start + size);
  const last = page.at(-1);
  const more = start + size < items.length && last !== undefined;
  return {
    page,
    nextPageToken: more ? Buffer.from(keyOf(last), "utf8").toString("base64url") : "",
  };
}
