// The bus's public surface: the port, its two factories, subjects. Implementations stay private.

export type {
  Bus,
  BusHeaders,
  BusMessage,
  ConsumeOptions,
  Consumer,
  DeadLetter,
  MessageHandler,
  Notification,
  NotificationHandler,
  NotifyOptions,
  PublishAck,
  PublishOptions,
  StreamLayout,
  StreamSpec,
  Subscription,
} from "./bus.js";
export { type BusOptions, busDefaults, type DeadLetterCounter } from "./bus-options.js";
export { consumeDefaults } from "./bus-rules.js";
export { DeadLetterHeaders } from "./delivery.js";
export {
  createJetStreamBus,
  type JetStreamBusOptions,
  jetStreamDefaults,
} from "./jetstream-bus.js";
export { createMemoryBus, type MemoryBusOptions } from "./memory-bus.js";
export { createNatsHandle, type NatsHandle, type NatsHandleOptions } from "./nats-connection.js";
export { checkPattern, checkSubject, subjectMatches } from "./subject-match.js";
export {
  checkToken,
  createSubjectScheme,
  type ParsedSubject,
  type SubjectScheme,
  subjects,
} from "./subjects.js";
export { type BusTimers, createManualTimers, type ManualTimers, systemTimers } from "./timers.js";
