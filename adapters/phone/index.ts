// The phone adapter: voice-provider webhooks (Twilio first) → VOICE contacts, and back.
export {
  createPhoneAdapter,
  type PhoneAdapterOptions,
  startPhoneAdapter,
} from "./phone-adapter.js";
export type {
  CallInstruction,
  CallStatus,
  CallWebhook,
  DialTarget,
  FormParam,
  OutboundCall,
  VerifyResult,
  VoiceProvider,
  WebhookRequest,
} from "./voice-provider.js";
export { ProviderApiError } from "./voice-provider.js";
