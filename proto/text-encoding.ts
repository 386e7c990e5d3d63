import { configureTextEncoding, getTextEncoding } from "@bufbuild/protobuf/wire";

/**
 * protobuf-es turns every string field into UTF-8 and back with TextEncoder/TextDecoder. On
 * Node 20 each TextEncoder.encode call costs ~1.5 µs however short the string (it crosses into
 * C++ and allocates), and messages are mostly short ids, names and reasons: encoding a routing
 * decision spent a quarter of its time there. Short ASCII strings — nearly all of them — are
 * converted in JavaScript here; anything else (non-ASCII, long) goes to the defaults, so every
 * result is exactly what the defaults give (same bytes, same strings, same replacements).
 * Installed through protobuf-es's own hook, once, when proto/index.ts is first imported.
 */
const SHORT = 256;
const defaults = getTextEncoding();

export function encodeUtf8(text: string): Uint8Array<ArrayBuffer> {
  const n = text.length;
  if (n > SHORT) return defaults.encodeUtf8(text);
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return defaults.encodeUtf8(text);
    bytes[i] = c;
  }
  return bytes;
}

export function decodeUtf8(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n > SHORT) return defaults.decodeUtf8(bytes);
  for (let i = 0; i < n; i++) if ((bytes[i] as number) > 0x7f) return defaults.decodeUtf8(bytes);
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

configureTextEncoding({ encodeUtf8, decodeUtf8, checkUtf8: defaults.checkUtf8 });
