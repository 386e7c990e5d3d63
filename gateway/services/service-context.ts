import type { Timestamp } from "@bufbuild/protobuf/wkt";
import type {
  Bus,
  Clock,
  ContactIntake,
  Conversations,
  IdGenerator,
  Logger,
  Store,
} from "../../core/index.js";
import type { Authenticator } from "../auth/index.js";

/** What every gateway service needs; built once in gateway.ts. */
export interface ServiceContext {
  readonly bus: Bus;
  readonly store: Store;
  readonly auth: Authenticator;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The `time` of every ContactCommand/AgentCommand: sub-millisecond, strictly increasing. */
  readonly commandTime: () => Timestamp;
  /** Contact ids, event ids and request ids (UUIDv7). */
  readonly ids: IdGenerator;
  /** Names this gateway process in AgentConnected/AgentDisconnected. */
  readonly gatewayId: string;
  /** Validated, idempotent, durable contact submission (shared with in-process adapters). */
  readonly intake: ContactIntake;
  /** Conversation messages between customers and agents. */
  readonly conversations: Conversations;
  /** Aborted when the gateway starts draining: long-lived streams end so the drain can finish. */
  readonly shutdown: AbortSignal;
}
