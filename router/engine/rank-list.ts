/**
 * A sorted multiset with rank queries, for queue positions: the waiting contacts of one queue
 * in service order, so "how many are ahead of this one" no longer scans the whole queue
 * (queues grow with the centre: a 100k-agent centre has 10× longer queues than a 10k one).
 *
 * Sorted blocks of at most MAX_BLOCK items (split in half when full, dropped when empty): a
 * plain sqrt-decomposition list, simpler than a balanced tree and cache-friendly. Requires a
 * strict total order that does not change while an item is inside (servedBeforeInQueue is
 * time-invariant, and a contact's keys only change while it is out of the waiting index).
 *
 * Complexity (n items, B = MAX_BLOCK): insert (which returns the rank) / remove
 * O(log n + B + n/B), rank O(log n + n/B), size O(1). With B = 128 and queues of up to tens of
 * thousands, a few hundred word operations.
 */
const MAX_BLOCK = 128;

export class RankList<T> {
  private readonly blocks: T[][] = [];
  size = 0;

  /** `before(a, b)` is true when a comes first; a strict total order. */
  constructor(private readonly before: (a: T, b: T) => boolean) {}

  /** Adds `item` and returns its rank (items before it), found on the way in. */
  insert(item: T): number {
    this.size++;
    const blocks = this.blocks;
    if (blocks.length === 0) {
      blocks.push([item]);
      return 0;
    }
    const bi = this.blockFor(item);
    const block = blocks[bi] as T[];
    // Shift by hand rather than `splice`: a runtime call that also allocates the (empty)
    // array of removed items, on every insert.
    const at = this.indexIn(block, item);
    block.push(item);
    for (let j = block.length - 1; j > at; j--) block[j] = block[j - 1] as T;
    block[at] = item;
    if (block.length > MAX_BLOCK) blocks.splice(bi + 1, 0, block.splice(block.length >> 1));
    return this.ahead(bi) + at;
  }

  remove(item: T): boolean {
    const blocks = this.blocks;
    if (blocks.length === 0) return false;
    const bi = this.blockFor(item);
    const block = blocks[bi] as T[];
    const i = this.indexIn(block, item);
    if (block[i] !== item) return false;
    const last = block.length - 1;
    for (let j = i; j < last; j++) block[j] = block[j + 1] as T;
    block.pop();
    if (last === 0) blocks.splice(bi, 1);
    this.size--;
    return true;
  }

  /** Items strictly before `item` (which need not be inside). */
  rank(item: T): number {
    const blocks = this.blocks;
    if (blocks.length === 0) return 0;
    const bi = this.blockFor(item);
    return this.ahead(bi) + this.indexIn(blocks[bi] as T[], item);
  }

  /** Items in the blocks before block `bi`. */
  private ahead(bi: number): number {
    let ahead = 0;
    for (let b = 0; b < bi; b++) ahead += (this.blocks[b] as T[]).length;
    return ahead;
  }

  /** The first block whose last item is not before `item` (the last block if none). */
  private blockFor(item: T): number {
    const blocks = this.blocks;
    let lo = 0;
    let hi = blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const block = blocks[mid] as T[];
      if (this.before(block[block.length - 1] as T, item)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first item of `block` that is not before `item`. */
  private indexIn(block: T[], item: T): number {
    let lo = 0;
    let hi = block.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.before(block[mid] as T, item)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
