// The channel adapters the `switchboard` command can host: role `all` starts every one of
// them inside the gateway, `switchboard adapter <channel>` starts one alone.
import type { AdapterName } from "../core/index.js";
import type { AdapterFactory } from "../gateway/index.js";
import { startEmailAdapter } from "./email/index.js";
import { runKioskSimCommand, startKioskAdapter } from "./kiosk/index.js";
import { startPhoneAdapter } from "./phone/index.js";
import { startWebAdapter } from "./web/index.js";

export const ADAPTER_FACTORIES: Readonly<Record<AdapterName, AdapterFactory>> = {
  email: startEmailAdapter,
  kiosk: startKioskAdapter,
  phone: startPhoneAdapter,
  web: startWebAdapter,
};

// `switchboard kiosk-sim` (dispatched by cli/run.ts before any configuration is loaded).
export { runKioskSimCommand };
