/** The channel a contact came in on, as in switchboard.v1.Channel without the prefix. */
export type Channel = "VOICE" | "EMAIL" | "CHAT" | "KIOSK";
export const CHANNELS: readonly Channel[] = ["VOICE", "EMAIL", "CHAT", "KIOSK"];
