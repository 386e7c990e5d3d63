// How contacts and conversation messages enter Switchboard: shared by the gateway's services
// and the in-process channel adapters.

export {
  type CallbackOptions,
  type CancelOptions,
  type ContactIntake,
  type ContactIntakeOptions,
  type ContactView,
  checkReason,
  createContactIntake,
  customerIdentifiers,
  type SubmitResult,
} from "./contact-intake.js";
export {
  checkContactId,
  provisionalRecord,
  readRecord,
  requireRecord,
  type StoredRecord,
  TERMINAL_EVENTS,
} from "./contact-records.js";
export { validateSubmittedContact } from "./contact-validation.js";
export {
  type Conversations,
  conversationViolations,
  createConversations,
} from "./conversations.js";
export {
  E164,
  ID_PATTERN,
  knownEnum,
  LANGUAGE_PATTERN,
  language,
  maxCount,
  maxLength,
  optionalId,
  range,
  requireId,
  SKILL_PATTERN,
  type Violations,
} from "./field-checks.js";
export { type PositionUpdate, subscribePositions } from "./positions.js";
