import { Channel as ProtoChannel } from "../../proto/index.js";
import { invalidArgument } from "../errors.js";
import type { Channel } from "../store/index.js";

/** The channel as it appears in subjects: `sb.contact.<tenant>.<channelToken>.…`. */
export type ChannelToken = "voice" | "email" | "chat" | "kiosk";
export const CHANNEL_TOKENS: readonly ChannelToken[] = ["voice", "email", "chat", "kiosk"];

const byProto = new Map<ProtoChannel, ChannelToken>([
  [ProtoChannel.VOICE, "voice"],
  [ProtoChannel.EMAIL, "email"],
  [ProtoChannel.CHAT, "chat"],
  [ProtoChannel.KIOSK, "kiosk"],
]);
const byToken = new Map<string, ProtoChannel>([...byProto].map(([p, t]) => [t, p]));

/** The subject token of a proto channel. UNSPECIFIED (or unknown) → INVALID_ARGUMENT. */
export function channelToken(channel: ProtoChannel, field = "channel"): ChannelToken {
  const token = byProto.get(channel);
  if (token === undefined) {
    throw invalidArgument([{ field, description: `no subject token for channel ${channel}` }]);
  }
  return token;
}

/** The proto channel of a subject token; anything else → INVALID_ARGUMENT. */
export function channelFromToken(token: string, field = "channel"): ProtoChannel {
  const channel = byToken.get(token);
  if (channel === undefined) {
    throw invalidArgument([{ field, description: `unknown channel token "${token}"` }]);
  }
  return channel;
}

/** The store's and engine's channel name ("VOICE") of a proto channel. */
export function channelName(channel: ProtoChannel, field = "channel"): Channel {
  return channelToken(channel, field).toUpperCase() as Channel;
}

/** The proto channel of a store/engine channel name. */
export function channelFromName(name: Channel): ProtoChannel {
  return channelFromToken(name.toLowerCase());
}
