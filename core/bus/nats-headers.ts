import { type MsgHdrs, headers as natsHeaders } from "nats";
import type { BusHeaders } from "./bus.js";

export const msgIdHeader = "Nats-Msg-Id";

export function toNatsHeaders(headers: BusHeaders | undefined): MsgHdrs | undefined {
  if (headers === undefined || Object.keys(headers).length === 0) return undefined;
  const out = natsHeaders();
  for (const [k, v] of Object.entries(headers)) out.set(k, v);
  return out;
}

/** Our headers view: first value per name, without the bus's own `Nats-*` headers. */
export function fromNatsHeaders(headers: MsgHdrs | undefined): {
  headers: BusHeaders;
  msgId: string | undefined;
} {
  const out: Record<string, string> = {};
  let msgId: string | undefined;
  if (headers !== undefined) {
    for (const [k, values] of headers) {
      if (k.toLowerCase() === msgIdHeader.toLowerCase()) msgId = values[0];
      else if (!/^nats-/i.test(k) && values[0] !== undefined) out[k] = values[0];
    }
  }
  return { headers: out, msgId };
}
