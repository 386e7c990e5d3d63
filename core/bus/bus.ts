import type { SubjectScheme } from "./subjects.js";

/**
 * The event bus port. The router, gateway and adapters use only this interface; the NATS
 * JetStream implementation (`createJetStreamBus`) and the in-memory one (`createMemoryBus`) pass
 * the same contract tests. Delivery is at-least-once: handlers must tolerate a redelivered
 * message (check `redelivered`, dedupe by `msgId` or by version).
 */
export interface Bus {
  readonly kind: "memory" | "jetstream";
  /** Subject builders/parsers for this bus's subject root. */
  readonly subjects: SubjectScheme;
  /** The streams this bus stores into, by role. */
  readonly streams: StreamLayout;
  /**
   * Creates the streams, or updates them when their config changed and the change is allowed
   * (otherwise logs a warning and keeps the existing stream). Idempotent; call it once at start
   * in every process before `publish` or `consume` (they fail with FAILED_PRECONDITION before).
   */
  ensureStreams(): Promise<void>;
  /**
   * Durable publish: resolves once the message is stored. A second publish with the same
   * `msgId` within the duplicate window is stored once and acknowledged with `duplicate: true`.
   * Rejects with UNAVAILABLE while the server is unreachable (after at most the publish timeout),
   * INVALID_ARGUMENT for a bad subject/header or a subject no stream stores.
   */
  publish(subject: string, data: Uint8Array, options: PublishOptions): Promise<PublishAck>;
  /** Starts a pull consumer with explicit acks; resolves once it is registered and pulling. */
  consume(options: ConsumeOptions, handler: MessageHandler): Promise<Consumer>;
  /**
   * Fire-and-forget fan-out (core NATS), nothing stored. Subjects that a stream stores are
   * refused (INVALID_ARGUMENT): use `publish` for those.
   */
  notify(subject: string, data: Uint8Array, options?: NotifyOptions): void;
  /**
   * Receives `notify` messages and stored messages whose subject matches the pattern (`*`, `>`
   * wildcards). Resolves once the subscription is in place, so a later publish reaches it.
   */
  subscribe(pattern: string, handler: NotificationHandler): Promise<Subscription>;
  /**
   * Runs `listener` each time the bus has its connection back after losing it, once its
   * subscriptions are in place again. What was stored meanwhile never reached `subscribe`
   * handlers: whoever keeps state fed by them re-checks it then. Returns the unregister
   * function. (The in-memory bus never loses its connection.)
   */
  onReconnect(listener: () => void): () => void;
  /** Stops every consumer after its in-flight handlers finish, then ends subscriptions. */
  close(): Promise<void>;
}

/** Header name → value. Names starting with `Nats-` are reserved for the bus. */
export type BusHeaders = Readonly<Record<string, string>>;

export interface PublishOptions {
  /** Idempotency key, sent as `Nats-Msg-Id`. */
  readonly msgId: string;
  readonly headers?: BusHeaders;
}

export interface PublishAck {
  readonly stream: string;
  /** Stream sequence; for a duplicate, the sequence of the message stored first. */
  readonly seq: number;
  readonly duplicate: boolean;
}

export interface NotifyOptions {
  readonly headers?: BusHeaders;
}

export interface BusMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: BusHeaders;
  /** The idempotency key it was published with. */
  readonly msgId: string | undefined;
  readonly stream: string;
  readonly seq: number;
  /** 1 on the first delivery. */
  readonly deliveryCount: number;
  readonly redelivered: boolean;
}

/** Resolve → ack. Throw → nak with backoff, or dead-letter after `maxDeliver` attempts. */
export type MessageHandler = (message: BusMessage) => Promise<void>;

export interface ConsumeOptions {
  /**
   * Durable consumer name ([A-Za-z0-9_-]); its position survives restarts. Omitted: an
   * ephemeral consumer that is deleted on `stop()`.
   */
  readonly durable?: string;
  /** Subject patterns; all must fall into one stream. Several need NATS server ≥ 2.10. */
  readonly filterSubjects: readonly string[];
  /** Handler attempts before the message goes to the dead-letter stream. Default 5. */
  readonly maxDeliver?: number;
  /** Redelivery delay after the n-th failed attempt (last value repeats). Default [1000, 5000, 30000]. */
  readonly backoffMs?: readonly number[];
  /**
   * Unacknowledged this long → redelivered. Must cover the handler plus the wait in its
   * partition queue. Default 30 000.
   */
  readonly ackWaitMs?: number;
  /** Delivered but unsettled messages, across partitions. Default 1000. */
  readonly maxAckPending?: number;
  /** Handlers running at once, across partitions. Default 1. */
  readonly concurrency?: number;
  /**
   * Messages with the same key are handled one at a time in arrival order; different keys
   * concurrently. Default: one partition (strict order). A nak'd message comes back after its
   * backoff, behind messages that arrived meanwhile.
   */
  readonly partitionKey?: (message: BusMessage) => string;
  /**
   * Start at this stream sequence (replay). An existing durable of this name is reset to it:
   * replay means "deliver from here", whatever was acknowledged before.
   */
  readonly deliverFrom?: { readonly seq: number };
}

export interface Consumer {
  /** The durable name, or the generated name of an ephemeral consumer. */
  readonly name: string;
  /** Stops pulling, waits for in-flight handlers, releases unstarted messages for redelivery. */
  stop(): Promise<void>;
}

export interface Notification {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: BusHeaders;
}

/** Errors (thrown or rejected) are logged and otherwise ignored: nothing is redelivered. */
export type NotificationHandler = (notification: Notification) => void | Promise<void>;

export interface Subscription {
  unsubscribe(): void;
}

export interface StreamSpec {
  readonly name: string;
  readonly subjects: readonly string[];
}

export interface StreamLayout {
  readonly contacts: StreamSpec;
  readonly agents: StreamSpec;
  readonly offers: StreamSpec;
  /** Conversation messages between customers and agents. */
  readonly messages: StreamSpec;
  readonly deadLetters: StreamSpec;
}

/** What a dead-lettered message reports to `onDeadLetter` (and its DLQ headers). */
export interface DeadLetter {
  readonly consumer: string;
  readonly stream: string;
  readonly subject: string;
  readonly seq: number;
  readonly deliveryCount: number;
  readonly reason: string;
}
