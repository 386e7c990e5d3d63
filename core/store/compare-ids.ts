/**
 * Byte order, the way Redis compares strings (and the Lua scripts compare ids), independent of
 * locale. UUIDv7 customer ids in this order sort oldest first.
 */
export function compareIds(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
