import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, SwitchboardError } from "../../core/index.js";
import { loadEmailSettings, routeFor } from "./email-config.js";

function settingsFrom(email: unknown) {
  const file = join(mkdtempSync(join(tmpdir(), "sb-email-cfg-")), "channels.yaml");
  writeFileSync(file, JSON.stringify({ email }));
  return loadEmailSettings(loadConfig({ argv: ["--channels-file", file], env: {} }));
}

describe("email section of --channels-file", () => {
  it("defaults without a section: default tenant, no routes, ack on, no AUTH", () => {
    const s = loadEmailSettings(loadConfig({ argv: [], env: {} }));
    expect(s).toMatchObject({
      tenant: "default",
      routes: [],
      users: [],
      acknowledge: true,
      rejectUnknownRecipients: false,
      outboundBackoffMs: [1000, 5000, 15_000, 60_000],
    });
  });

  it("routes: exact address (case-insensitive) before *@domain; skills as names or objects", () => {
    const s = settingsFrom({
      routes: [
        { recipient: "*@example.com", queue: "general" },
        {
          recipient: "Billing@Example.com",
          queue: "billing",
          skills: ["billing", { skill: "vip", minProficiency: 4 }],
        },
      ],
    });
    expect(routeFor(s.routes, "BILLING@example.com")).toMatchObject({
      queue: "billing",
      skills: [
        { skill: "billing", minProficiency: 0 },
        { skill: "vip", minProficiency: 4 },
      ],
    });
    expect(routeFor(s.routes, "other@example.com")?.queue).toBe("general");
    expect(routeFor(s.routes, "x@elsewhere.com")).toBeUndefined();
  });

  it("every bad key is named in one INVALID_ARGUMENT", () => {
    let error: unknown;
    try {
      settingsFrom({
        bogus: 1,
        routes: [
          { recipient: "not-an-address", queue: "a b" },
          {
            recipient: "a@b.c",
            priority: 101,
            language: "english!",
            skills: [{ skill: "Bad Skill" }],
          },
        ],
        auth: { required: true, users: [{ username: "u" }] },
        outbound: { backoffMs: [5] },
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SwitchboardError);
    const fields = (error as SwitchboardError).violations.map((v) => v.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        "--channels-file email.bogus",
        "--channels-file email.routes[0].recipient",
        "--channels-file email.routes[1].priority",
        "--channels-file email.routes[1].language",
        "--channels-file email.routes[1].skills[0].skill",
        "--channels-file email.auth.users[0]",
        "--channels-file email.auth.required",
        "--channels-file email.outbound.backoffMs[0]",
      ]),
    );
  });
});
