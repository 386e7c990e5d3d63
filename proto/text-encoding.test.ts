import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { getTextEncoding } from "@bufbuild/protobuf/wire";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ContactSchema } from "./index.js";
import { decodeUtf8, encodeUtf8 } from "./text-encoding.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

describe("protobuf-es string conversion (text-encoding.ts)", () => {
  it("encodes every string exactly as TextEncoder does", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" })),
        (s) => {
          expect(encodeUtf8(s)).toEqual(encoder.encode(s));
        },
      ),
      { numRuns: 2000 },
    );
    for (const s of ["", "a", "é", "\ud800", "x".repeat(300), `${"x".repeat(200)}é`]) {
      expect(encodeUtf8(s)).toEqual(encoder.encode(s));
    }
  });

  it("decodes every byte string exactly as TextDecoder does (replacements, BOM)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(decodeUtf8(bytes)).toBe(decoder.decode(bytes));
      }),
      { numRuns: 2000 },
    );
    for (const bytes of [[0xef, 0xbb, 0xbf, 0x61], [0xff], [0xc3, 0xa9], Array(400).fill(0x61)]) {
      const b = Uint8Array.from(bytes);
      expect(decodeUtf8(b)).toBe(decoder.decode(b));
    }
  });

  it("is what protobuf-es uses once proto/index.ts is loaded, and round-trips messages", () => {
    expect(getTextEncoding().encodeUtf8).toBe(encodeUtf8);
    expect(getTextEncoding().decodeUtf8).toBe(decodeUtf8);
    const contact = create(ContactSchema, {
      id: "c-1",
      subject: "Rückruf bitte ☎",
      tenant: "acme",
    });
    expect(fromBinary(ContactSchema, toBinary(ContactSchema, contact))).toEqual(contact);
  });
});
