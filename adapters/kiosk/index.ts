// The kiosk channel adapter: KioskService.Connect for self-service devices, and the
// `switchboard kiosk-sim` simulator that drives it (README.md).

export { kioskEventSubject } from "./device-presence.js";
export {
  createKioskAdapter,
  type KioskAdapterOptions,
  startKioskAdapter,
} from "./kiosk-adapter.js";
export { type KioskSimOptions, type KioskSimSummary, runKioskSim } from "./kiosk-sim.js";
export { KIOSK_SIM_USAGE, runKioskSimCommand } from "./kiosk-sim-command.js";
