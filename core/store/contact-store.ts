/**
 * What the gateway and the router keep per contact outside the event stream: the idempotency
 * key that makes a retried submit return the first contact, and the router's latest view of
 * the contact (a serialized `switchboard.v1.ContactRecord`, opaque here) for GetContact, and
 * the contact's conversation transcript (serialized `switchboard.v1.ConversationMessage`s).
 */
export interface ContactStore {
  /**
   * Claims `key` for `contactId` for `ttlMs`. The first claim wins; a later claim of the same
   * key (a retried submit) gets the first contactId back with `created: false`.
   */
  claimIdempotencyKey(
    key: string,
    contactId: string,
    ttlMs: number,
  ): Promise<{ contactId: string; created: boolean }>;
  /**
   * A new submit in one step: claims `key` for `contactId` (as claimIdempotencyKey) and, only
   * when this claim wins, stores `record` as the contact's provisional record (sequence 0, as
   * putRecord(contactId, record, 0)) together with it, so a won claim never stands without its
   * record. A key already claimed returns the first contactId with `created: false` and
   * stores nothing.
   */
  claimSubmit(
    key: string,
    contactId: string,
    ttlMs: number,
    record: Uint8Array,
  ): Promise<{ contactId: string; created: boolean }>;
  /**
   * Stores `record` only if `sequence` is greater than the stored record's, so a redelivered
   * or late event can never roll the view back. Resolves to whether it was stored.
   */
  putRecord(contactId: string, record: Uint8Array, sequence: number): Promise<boolean>;
  getRecord(contactId: string): Promise<{ record: Uint8Array; sequence: number } | undefined>;
  /**
   * Appends one conversation message to the contact's transcript, once per `messageId` (a
   * retried publish is kept once). Resolves to whether it was new. Kept as long as the
   * contact's record; the oldest messages beyond the store's limit are dropped.
   */
  appendMessage(contactId: string, messageId: string, message: Uint8Array): Promise<boolean>;
  /** The transcript, oldest first. */
  listMessages(contactId: string): Promise<Uint8Array[]>;
}
