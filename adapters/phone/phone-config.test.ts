import { describe, expect, it } from "vitest";
import { SwitchboardError } from "../../core/index.js";
import { IntermediaryKind } from "../../proto/index.js";
import { fill, parsePhoneSection } from "./phone-config.js";

function violation(section: Record<string, unknown>): string {
  try {
    parsePhoneSection(section, "default");
  } catch (err) {
    expect(err).toBeInstanceOf(SwitchboardError);
    const v = (err as SwitchboardError).violations?.[0];
    return `${v?.field}: ${v?.description}`;
  }
  throw new Error("expected INVALID_ARGUMENT");
}

describe("phone section of --channels-file", () => {
  it("defaults: English only, 1 sales, 2 support, 9 on behalf of someone, 3 attempts, callbacks on", () => {
    const c = parsePhoneSection({}, "acme");
    expect(c.defaultTenant).toBe("acme");
    expect(c.languages).toEqual([{ digit: "1", name: "English", voice: "en-US" }]);
    expect(c.menu.map((o) => [o.digit, o.queue, o.onBehalf])).toEqual([
      ["1", "sales", undefined],
      ["2", "support", undefined],
      ["9", undefined, IntermediaryKind.CARER],
    ]);
    expect(c.defaultOption.digit).toBe("1");
    expect(c.maxAttempts).toBe(3);
    expect(c.callbacks).toEqual({ enabled: true, placeOn: "accepted" });
  });

  it("reads a full section", () => {
    const c = parsePhoneSection(
      {
        tenants: { "+3220000000": "acme" },
        languages: [
          { digit: 1, name: "Nederlands", voice: "nl-BE", code: "nl" },
          { digit: 2, name: "français", voice: "fr-BE", code: "fr" },
        ],
        menu: [
          { digit: 1, label: "billing", queue: "billing", skills: ["billing"], priority: 30 },
          { digit: 8, label: "a broker", onBehalf: "broker" },
        ],
        defaultOption: 1,
        maxAttempts: 2,
        holdMusicUrl: "https://cdn.example.com/hold.mp3",
        callbacks: { enabled: true, placeOn: "offered", callerId: "+3220000001" },
        agents: { anna: { number: "+32470000001" }, bob: { client: "bob_desk" } },
        prompts: { "fr-BE": { welcome: "Bienvenue." } },
      },
      "default",
    );
    expect(c.tenantByNumber.get("+3220000000")).toBe("acme");
    expect(c.languages[1]).toEqual({ digit: "2", name: "français", voice: "fr-BE", code: "fr" });
    expect(c.menu[0]).toEqual({
      digit: "1",
      label: "billing",
      queue: "billing",
      skills: ["billing"],
      priority: 30,
    });
    expect(c.menu[1]?.onBehalf).toBe(IntermediaryKind.BROKER);
    expect(c.callbacks).toEqual({ enabled: true, placeOn: "offered", callerId: "+3220000001" });
    expect(c.agents.get("anna")).toEqual({ number: "+32470000001" });
    expect(c.agents.get("bob")).toEqual({ client: "bob_desk" });
    expect(c.prompts.get("fr-BE")?.welcome).toBe("Bienvenue.");
    // Keys a language does not translate fall back to English.
    expect(c.prompts.get("fr-BE")?.invalid).toMatch(/not one of the options/);
  });

  it("names the bad key", () => {
    expect(violation({ menus: [] })).toMatch(/^--channels-file phone\.menus: unknown key/);
    expect(violation({ menu: [{ digit: 12, label: "x" }] })).toMatch(/phone\.menu\[0\]\.digit/);
    expect(violation({ menu: [{ digit: 1, label: "x", skills: ["Bad Skill"] }] })).toMatch(
      /phone\.menu\[0\]\.skills\[0\]/,
    );
    expect(
      violation({
        menu: [
          { digit: 1, label: "a" },
          { digit: 1, label: "b" },
        ],
      }),
    ).toMatch(/phone\.menu: digit 1 is used twice/);
    expect(violation({ menu: [{ digit: 9, label: "x", onBehalf: "cousin" }] })).toMatch(
      /phone\.menu\[0\]\.onBehalf/,
    );
    expect(violation({ menu: [{ digit: 9, label: "x", onBehalf: "carer" }] })).toMatch(
      /at least one option that is not onBehalf/,
    );
    expect(violation({ defaultOption: 9 })).toMatch(/phone\.defaultOption/);
    expect(violation({ callbacks: { placeOn: "never" } })).toMatch(/phone\.callbacks\.placeOn/);
    expect(violation({ agents: { anna: { number: "0470" } } })).toMatch(
      /phone\.agents\.anna\.number/,
    );
    expect(violation({ agents: { anna: {} } })).toMatch(/phone\.agents\.anna: needs number/);
    expect(violation({ prompts: { "en-US": { hello: "x" } } })).toMatch(
      /phone\.prompts\.en-US\.hello/,
    );
    expect(violation({ holdMusicUrl: "ftp://x" })).toMatch(/phone\.holdMusicUrl/);
    expect(violation({ tenants: { "0470": "acme" } })).toMatch(/phone\.tenants\.0470/);
    expect(violation({ maxAttempts: 0 })).toMatch(/phone\.maxAttempts: must be an integer from 1/);
  });

  it("fills placeholders and leaves unknown ones", () => {
    expect(fill("For {label}, press {digit}. {x}", { label: "sales", digit: 1 })).toBe(
      "For sales, press 1. {x}",
    );
  });
});
