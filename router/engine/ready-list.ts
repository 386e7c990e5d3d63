/**
 * Intrusive doubly linked list of agents ready for one channel, in the order they became
 * ready. Agents only ever join at the tail with `readySince = now`, and time never goes back,
 * so insertion order IS idle-since order: no tree needed.
 *
 * Complexity: append O(1), unlink O(1), moveToTail O(1), size O(1), iteration from the head (longest idle
 * first) O(1) per step. A node carries its item's ready seq and ready-since, so a walk reads
 * one object per step.
 */

/** Lists sharing a family share an insert counter (all proficiency levels of one skill). */
export interface ListFamily {
  readonly key: string;
  /** Bumped on every append; a no-match stays valid while one of its families is unchanged. */
  inserts: number;
}

export interface ListNode<T> {
  readonly item: T;
  readonly list: ReadyList<T>;
  prev: ListNode<T> | null;
  next: ListNode<T> | null;
  linked: boolean;
  /**
   * The item's ready sequence and ready-since time when it was appended: copied into the node
   * so a walk computes bounds from the node it already holds instead of chasing the item's
   * per-channel arrays (cache misses dominated the search).
   */
  seq: number;
  sinceMs: number;
  /**
   * A static summary of the item (agent-index.ts `agentTag`: tier, language bits, a skill
   * bloom), so a walk can reject most ineligible agents from the node alone, without reading
   * the agent's record, profile and skill array (cache misses that dominated at 100k agents).
   */
  readonly tag: number;
}

export class ReadyList<T> {
  head: ListNode<T> | null = null;
  tail: ListNode<T> | null = null;
  size = 0;

  constructor(readonly family: ListFamily) {}

  node(item: T, tag: number): ListNode<T> {
    return { item, list: this, prev: null, next: null, linked: false, seq: 0, sinceMs: 0, tag };
  }

  append(node: ListNode<T>, seq: number, sinceMs: number): void {
    if (node.linked) throw new Error("ready-list: node already linked");
    node.seq = seq;
    node.sinceMs = sinceMs;
    node.prev = this.tail;
    node.next = null;
    if (this.tail === null) this.head = node;
    else this.tail.next = node;
    this.tail = node;
    node.linked = true;
    this.size++;
    this.family.inserts++;
  }

  unlink(node: ListNode<T>): void {
    if (!node.linked) return;
    if (node.prev === null) this.head = node.next;
    else node.prev.next = node.next;
    if (node.next === null) this.tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = null;
    node.next = null;
    node.linked = false;
    this.size--;
  }

  /**
   * unlink + append in one step (an agent that just got work goes to the back): a node that
   * is already the tail only takes the new seq and time. Counts as an append for `inserts`.
   */
  moveToTail(node: ListNode<T>, seq: number, sinceMs: number): void {
    if (!node.linked) {
      this.append(node, seq, sinceMs);
      return;
    }
    node.seq = seq;
    node.sinceMs = sinceMs;
    this.family.inserts++;
    const next = node.next;
    if (next === null) return;
    const prev = node.prev;
    if (prev === null) this.head = next;
    else prev.next = next;
    next.prev = prev;
    const tail = this.tail as ListNode<T>;
    node.prev = tail;
    node.next = null;
    tail.next = node;
    this.tail = node;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let n = this.head; n !== null; n = n.next) yield n.item;
  }
}
