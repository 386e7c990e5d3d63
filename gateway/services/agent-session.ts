import type { MessageInitShape } from "@bufbuild/protobuf";
import type { AgentServiceConnectResponseSchema, Channel } from "../../proto/index.js";
import type { EncodedMessage } from "../grpc/adapter.js";

/** A message for the agent's stream: built here, or already encoded (a forwarded offer). */
export type AgentMessage =
  | MessageInitShape<typeof AgentServiceConnectResponseSchema>
  | EncodedMessage<typeof AgentServiceConnectResponseSchema>;

/** One agent's open stream on this gateway and what it has been offered and assigned. */
export interface AgentSession {
  readonly tenant: string;
  readonly agentId: string;
  /** Shown to customers with the agent's messages. */
  readonly displayName: string;
  /** offerId → its contact and expiry. */
  readonly pendingOffers: Map<
    string,
    { contactId: string; expireAtMs: number | undefined; channel: Channel }
  >;
  /** Contacts accepted (or restored at login) and not completed yet, with their channel. */
  readonly assigned: Map<string, Channel>;
  /**
   * Offers accepted or rejected on this stream → their expiry: until the router has confirmed
   * or released them, their reservation still stands in the store as RESERVED, and they must
   * not be offered again (offer-reconcile.ts).
   */
  readonly answeredOffers: Map<string, number>;
  send(message: AgentMessage): void;
  /** Aborted when a newer stream for the same agent replaced this one. */
  readonly replaced: AbortController;
}

/**
 * Whether `session` already has this offer, or is done with it: pending on the desktop, or
 * accepted or rejected there. Such an offer is not delivered again. (A new offer of a contact
 * the agent holds, say after the router could not confirm its accept, is another offer id.)
 */
export function knowsOffer(session: AgentSession, offerId: string): boolean {
  return session.pendingOffers.has(offerId) || session.answeredOffers.has(offerId);
}
