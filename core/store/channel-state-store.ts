/**
 * Small per-tenant facts the channel adapters must share across processes and restarts: which
 * contact an email thread, a chat session token, a call or a kiosk belongs to; which device
 * fault already has an open contact. Values are short strings (ids, small JSON), each with a
 * time to live; `namespace` keeps adapters apart (e.g. "email-thread", "chat-session").
 */
export interface ChannelStateStore {
  get(namespace: string, key: string): Promise<string | undefined>;
  /** Sets (or replaces) the value for `ttlMs`. */
  put(namespace: string, key: string, value: string, ttlMs: number): Promise<void>;
  /**
   * Sets the value only when none is stored: the first claim wins, a later one gets the
   * stored value back with `created: false` (one contact per device fault, per thread…).
   */
  claim(
    namespace: string,
    key: string,
    value: string,
    ttlMs: number,
  ): Promise<{ value: string; created: boolean }>;
  /** Resolves to whether a value was there. */
  delete(namespace: string, key: string): Promise<boolean>;
}
