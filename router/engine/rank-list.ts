/**
 * A sorted multiset with rank queries, for queue positions: the waiting contacts of one queue
 * in service order, so "how many are ahead of this one" no longer scans the whole queue
 * (queues grow with the centre: a 100k-agent centre has 10× longer queues than a 10k one).
 *
 * Sorted blocks of at most MAX_BLOCK items (split in half when full, dropped when empty): a
 * plain sqrt-decomposition list, simpler than a balanced tree and cache-friendly. Items are
 * ordered by a key of `width` numbers compared lexicographically (smallest first), kept in the
 * block beside the items: a binary search reads the block's own typed array, not the items
 * (waiting contacts, scattered over the heap: a cache miss per comparison). Keys must be
 * distinct and must not change while their item is inside (a contact's queue key is
 * time-invariant, and its parts only change while it is out of the waiting index).
 *
 * Complexity (n items, B = MAX_BLOCK): insert (which returns the rank) / remove
 * O(log n + B + n/B), rank O(log n + n/B), size O(1). With B = 128 and queues of up to tens of
 * thousands, a few hundred word operations.
 */
const MAX_BLOCK = 128;
/** A new block's room, in items; it doubles as the block fills, up to MAX_BLOCK + 1. */
const FIRST_ROOM = 8;

interface Block<T> {
  readonly items: T[];
  /** The items' keys, `width` numbers each, in the same order (room for more at the end). */
  keys: Float64Array;
}

export class RankList<T> {
  private readonly blocks: Block<T>[] = [];
  /** The key of the item being inserted, removed or ranked. */
  private readonly probe: Float64Array;
  size = 0;

  /** `keyOf(item, out)` writes the item's key (`width` numbers) into `out`. */
  constructor(
    private readonly width: number,
    private readonly keyOf: (item: T, out: Float64Array) => void,
  ) {
    this.probe = new Float64Array(width);
  }

  /** Adds `item` and returns its rank (items before it), found on the way in. */
  insert(item: T): number {
    const w = this.width;
    const k = this.probe;
    this.keyOf(item, k);
    this.size++;
    const blocks = this.blocks;
    if (blocks.length === 0) blocks.push({ items: [], keys: new Float64Array(FIRST_ROOM * w) });
    const bi = this.blockFor(k);
    const block = blocks[bi] as Block<T>;
    const items = block.items;
    const at = this.indexIn(block, k);
    const n = items.length;
    if ((n + 1) * w > block.keys.length) {
      const keys = new Float64Array(Math.min(2 * n, MAX_BLOCK + 1) * w);
      keys.set(block.keys);
      block.keys = keys;
    }
    // Shift by hand rather than `splice`: a runtime call that also allocates the (empty)
    // array of removed items, on every insert.
    items.push(item);
    for (let j = n; j > at; j--) items[j] = items[j - 1] as T;
    items[at] = item;
    block.keys.copyWithin((at + 1) * w, at * w, n * w);
    block.keys.set(k, at * w);
    if (n + 1 > MAX_BLOCK) {
      const half = (n + 1) >> 1;
      const keys = new Float64Array((MAX_BLOCK + 1) * w);
      keys.set(block.keys.subarray(half * w, (n + 1) * w));
      blocks.splice(bi + 1, 0, { items: items.splice(half), keys });
    }
    return this.ahead(bi) + at;
  }

  remove(item: T): boolean {
    const blocks = this.blocks;
    if (blocks.length === 0) return false;
    const w = this.width;
    const k = this.probe;
    this.keyOf(item, k);
    const bi = this.blockFor(k);
    const block = blocks[bi] as Block<T>;
    const items = block.items;
    const i = this.indexIn(block, k);
    if (items[i] !== item) return false;
    const last = items.length - 1;
    for (let j = i; j < last; j++) items[j] = items[j + 1] as T;
    items.pop();
    block.keys.copyWithin(i * w, (i + 1) * w, (last + 1) * w);
    if (last === 0) blocks.splice(bi, 1);
    this.size--;
    return true;
  }

  /** Items strictly before `item` (which need not be inside). */
  rank(item: T): number {
    const blocks = this.blocks;
    if (blocks.length === 0) return 0;
    const k = this.probe;
    this.keyOf(item, k);
    const bi = this.blockFor(k);
    return this.ahead(bi) + this.indexIn(blocks[bi] as Block<T>, k);
  }

  /** Items in the blocks before block `bi`. */
  private ahead(bi: number): number {
    let ahead = 0;
    for (let b = 0; b < bi; b++) ahead += (this.blocks[b] as Block<T>).items.length;
    return ahead;
  }

  /** The first block whose last item is not before key `k` (the last block if none). */
  private blockFor(k: Float64Array): number {
    const blocks = this.blocks;
    let lo = 0;
    let hi = blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const block = blocks[mid] as Block<T>;
      if (this.keyBefore(block.keys, block.items.length - 1, k)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first item of `block` that is not before key `k`. */
  private indexIn(block: Block<T>, k: Float64Array): number {
    let lo = 0;
    let hi = block.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.keyBefore(block.keys, mid, k)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Is the key at index `i` of `keys` before key `k` (lexicographically smaller)? */
  private keyBefore(keys: Float64Array, i: number, k: Float64Array): boolean {
    const w = this.width;
    const at = i * w;
    for (let j = 0; j < w; j++) {
      const a = keys[at + j] as number;
      const b = k[j] as number;
      if (a !== b) return a < b;
    }
    return false;
  }
}
