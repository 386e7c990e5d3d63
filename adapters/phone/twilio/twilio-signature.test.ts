import { describe, expect, it } from "vitest";
import { signTwilio } from "../phone-test-kit.js";
import { twilioSignature, twilioSignatureMatches } from "./twilio-signature.js";

// The worked example of Twilio's request-validation documentation and its SDKs' tests
// (twilio-php/twilio-csharp RequestValidatorTest): auth token "12345".
const URL = "https://mycompany.com/myapp.php?foo=1&bar=2";
const PARAMS = {
  CallSid: "CA1234567890ABCDE",
  Caller: "+14158675309",
  Digits: "1234",
  From: "+14158675309",
  To: "+18005551212",
};
const PUBLISHED = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";

describe("X-Twilio-Signature", () => {
  it("reproduces Twilio's published example, whatever the parameter order", async () => {
    const shuffled: [string, string][] = [
      ["To", PARAMS.To],
      ["Digits", PARAMS.Digits],
      ["CallSid", PARAMS.CallSid],
      ["From", PARAMS.From],
      ["Caller", PARAMS.Caller],
    ];
    expect(twilioSignature("12345", URL, shuffled)).toBe(PUBLISHED);
    expect(twilioSignatureMatches("12345", URL, shuffled, PUBLISHED)).toBe(true);
    // The tests' own signer (WebCrypto, written separately) agrees with the published value.
    expect(await signTwilio("12345", URL, PARAMS)).toBe(PUBLISHED);
  });

  it("rejects any change to the token, URL, a parameter, or the signature itself", () => {
    const params = Object.entries(PARAMS);
    expect(twilioSignatureMatches("54321", URL, params, PUBLISHED)).toBe(false);
    expect(twilioSignatureMatches("12345", `${URL}&x=1`, params, PUBLISHED)).toBe(false);
    expect(twilioSignatureMatches("12345", URL.replace("https", "http"), params, PUBLISHED)).toBe(
      false,
    );
    const tampered = params.map(([k, v]): [string, string] => [k, k === "Digits" ? "9" : v]);
    expect(twilioSignatureMatches("12345", URL, tampered, PUBLISHED)).toBe(false);
    expect(twilioSignatureMatches("12345", URL, [...params, ["Extra", ""]], PUBLISHED)).toBe(false);
    expect(twilioSignatureMatches("12345", URL, params, PUBLISHED.slice(0, -1))).toBe(false);
    expect(twilioSignatureMatches("12345", URL, params, `${PUBLISHED}=`)).toBe(false);
    expect(twilioSignatureMatches("12345", URL, params, "")).toBe(false);
    expect(twilioSignatureMatches("12345", URL, params, "é".repeat(14))).toBe(false);
  });
});
