import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { decodeContactCommand, pipelineFilters } from "../../core/index.js";
import { Channel, ContactEventType, ContactService, IntermediaryKind } from "../../proto/index.js";
import { waitUntil } from "../../test/harness/index.js";
import { connectAgent, putAgent, type Stack, startStack } from "../../test/stack/index.js";
import { startPhoneAdapter } from "./index.js";
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  allVerbs,
  type FakeTwilioApi,
  newCallSid,
  spoken,
  startFakeTwilioApi,
  twilioClient,
  type Verb,
} from "./phone-test-kit.js";

// Twilio calls the public URL (a proxy in front of the gateway); signatures cover it.
const PUBLIC = "https://voice.example.test";
const CALLER = "+32470111222";
const DIALLED = "+3220000000";

let stack: Stack | undefined;
let api: FakeTwilioApi | undefined;
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await stack?.stop();
  await api?.close();
  stack = undefined;
  api = undefined;
});

async function start(
  extra: string[] = [],
  account: string[] = ["--twilio-account-sid", ACCOUNT_SID],
) {
  api = await startFakeTwilioApi();
  stack = await startStack({
    adapters: [startPhoneAdapter],
    // The router's live position feed, often enough for a test to see it.
    router: { positionIntervalMs: 50 },
    argv: [
      "--twilio-auth-token",
      AUTH_TOKEN,
      "--public-url",
      PUBLIC,
      "--twilio-api-url",
      api.url,
      ...account,
      "--hold-announce-seconds",
      "5",
      ...extra,
    ],
  });
  // Every submit and cancel the adapter publishes (the bus keeps them; subscribe sees them).
  const commands: { kind: string; contactId: string; key: string }[] = [];
  const tenants = new Map<string, string>();
  await stack.bus.subscribe(pipelineFilters.contactCommands(stack.bus.subjects), (m) => {
    const c = decodeContactCommand(m.data).command;
    if (c.case === "submit") {
      commands.push({ kind: "submit", contactId: c.value.id, key: c.value.idempotencyKey });
      tenants.set(c.value.id, c.value.tenant);
    } else if (c.case === "cancel")
      commands.push({ kind: "cancel", contactId: c.value.contactId, key: c.value.reason });
    else commands.push({ kind: String(c.case), contactId: "", key: "" });
  });
  return {
    stack,
    api,
    commands,
    tenants,
    post: twilioClient(stack.httpUrl, PUBLIC),
    contacts: stack.client(ContactService),
  };
}

const callParams = (callSid: string, extra: Record<string, string> = {}) => ({
  AccountSid: ACCOUNT_SID,
  ApiVersion: "2010-04-01",
  CallSid: callSid,
  CallStatus: "in-progress",
  Direction: "inbound",
  From: CALLER,
  To: DIALLED,
  Caller: CALLER,
  Called: DIALLED,
  ...extra,
});

const only = (verbs: readonly Verb[], name: string): Verb => {
  const found = allVerbs(verbs).filter((v) => v.name === name);
  expect(found, `one <${name}> in ${JSON.stringify(verbs)}`).toHaveLength(1);
  return found[0]!;
};

function channelsFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "phone-")), "channels.yaml");
  writeFileSync(file, `${text}\n`);
  return file;
}

async function metric(s: Stack, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${s.httpUrl}/metrics`)).text();
  const line = text
    .split("\n")
    .find((l) => l.startsWith(`${name}{`) && labels.split(",").every((p) => l.includes(p)));
  return line === undefined ? 0 : Number(line.split(" ").pop());
}

/** incoming → menu digit → queued: the contact id the adapter submitted. */
async function callAndChoose(
  t: Awaited<ReturnType<typeof start>>,
  callSid: string,
  digit: string,
): Promise<string> {
  const incoming = await t.post("/voice/incoming", callParams(callSid, { CallStatus: "ringing" }));
  expect(incoming.status).toBe(200);
  const gather = only(incoming.verbs, "Gather");
  const chosen = await t.post(gather.attrs.action!, callParams(callSid, { Digits: digit }));
  expect(chosen.status).toBe(200);
  expect(chosen.verbs.map((v) => v.name)).toEqual(["Say", "Redirect"]);
  expect(chosen.verbs[1]?.text).toBe(`${PUBLIC}/voice/hold`);
  const submit = t.commands.find((c) => c.kind === "submit" && c.key === callSid);
  expect(submit).toBeDefined();
  return submit!.contactId;
}

/** The hold loop until it announces a position (the router's QUEUED event has landed). */
async function holdUntilPosition(t: Awaited<ReturnType<typeof start>>, callSid: string) {
  let answer: Awaited<ReturnType<typeof t.post>> | undefined;
  await waitUntil("a position announcement", async () => {
    answer = await t.post("/voice/hold", callParams(callSid));
    return /You are number \d+ in the queue/.test(spoken(answer.verbs));
  });
  return answer!;
}

describe("phone adapter call flows (real router, gRPC agent, Twilio stand-ins)", () => {
  it("IVR → queued hold loop with position → agent accepts → live call redirected → Dial → status → completed", async () => {
    const t = await start(["--callback-threshold-seconds", "86400"]);
    await putAgent(t.stack, "anna", {
      skills: [
        { skill: "sales", proficiency: 3 },
        { skill: "support", proficiency: 3 },
      ],
    });

    const callSid = newCallSid();
    const incoming = await t.post(
      "/voice/incoming",
      callParams(callSid, { CallStatus: "ringing" }),
    );
    expect(incoming.status).toBe(200);
    expect(incoming.contentType).toMatch(/^text\/xml/);
    expect(incoming.verbs.map((v) => v.name)).toEqual(["Gather", "Redirect"]);
    const gather = incoming.verbs[0]!;
    expect(gather.attrs).toMatchObject({
      action: `${PUBLIC}/voice/menu`,
      numDigits: "1",
      input: "dtmf",
    });
    expect(spoken(incoming.verbs)).toContain("For sales, press 1.");
    expect(spoken(incoming.verbs)).toContain("For support, press 2.");
    expect(spoken(incoming.verbs)).toContain("press 9");

    const contactId = await callAndChoose(t, callSid, "2");
    // A retried webhook (same CallSid) finds the call where it is: one contact.
    const retried = await t.post("/voice/menu", callParams(callSid, { Digits: "2" }));
    expect(retried.status).toBe(200);
    expect(t.commands.filter((c) => c.kind === "submit")).toHaveLength(1);

    const held = await holdUntilPosition(t, callSid);
    expect(spoken(held.verbs)).toContain("You are number 1 in the queue.");
    expect(spoken(held.verbs)).toMatch(/expected wait is about \d+ minutes/);
    expect(held.verbs.map((v) => v.name)).toEqual(["Say", "Say", "Pause", "Redirect"]);
    expect(only(held.verbs, "Pause").attrs.length).toBe("5");
    expect(only(held.verbs, "Redirect").text).toBe(`${PUBLIC}/voice/hold`);

    const view = await t.contacts.getContact({ contactId });
    expect(view.contact).toMatchObject({
      channel: Channel.VOICE,
      idempotencyKey: callSid,
      customer: { identifiers: { phone: CALLER } },
      requiredSkills: [{ skill: "support" }],
      channelMetadata: { voice_call_id: callSid, ivr_option: "2", ivr_queue: "support" },
    });
    expect(view.lastEvent?.type).toBe(ContactEventType.QUEUED);

    // The provider API fails once (5xx): the redirect is retried with backoff.
    t.api.failNext(1, 503);
    // The agent logs in AVAILABLE only now: the caller has been waiting in the queue.
    const anna = await connectAgent(t.stack, "anna", null);
    closers.push(anna.close);
    const offer = await anna.next("offer");
    expect(offer.contact?.id).toBe(contactId);
    anna.send({ case: "acceptOffer", value: { offerId: offer.offerId } });

    const redirectPath = `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${callSid}.json`;
    await waitUntil(
      "the live call redirect",
      () =>
        t.api.requests.some((r) => r.path === redirectPath && r.form.has("Url")) &&
        t.api.requests.filter((r) => r.path === redirectPath).length >= 2,
    );
    const redirects = t.api.requests.filter((r) => r.path === redirectPath);
    expect(redirects).toHaveLength(2);
    const redirect = redirects[1]!;
    expect(redirect.method).toBe("POST");
    expect(redirect.authorization).toBe(
      `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString("base64")}`,
    );
    const connectUrl = `${PUBLIC}/voice/connect?tenant=default&contact=${contactId}`;
    expect(redirect.form.get("Url")).toBe(connectUrl);
    expect(redirect.form.get("Method")).toBe("POST");
    expect(
      await metric(t.stack, "switchboard_phone_provider_api_errors_total", 'kind="http_5xx"'),
    ).toBe(1);

    // The provider fetches the redirect URL: TwiML that dials the agent's client identity.
    const connect = await t.post(connectUrl, callParams(callSid));
    expect(connect.status).toBe(200);
    expect(connect.verbs.map((v) => v.name)).toEqual(["Say", "Dial", "Hangup"]);
    const client = only(connect.verbs, "Client");
    expect(client.text).toBe("anna");
    expect(client.attrs.statusCallback).toBe(
      `${PUBLIC}/voice/status?leg=agent&tenant=default&contact=${contactId}`,
    );
    // The hold loop, should the redirect have been missed, dials the agent as well.
    const fallback = await t.post("/voice/hold", callParams(callSid));
    expect(only(fallback.verbs, "Client").text).toBe("anna");

    const agentLeg = newCallSid();
    const answered = await t.post(
      client.attrs.statusCallback!,
      callParams(agentLeg, {
        ParentCallSid: callSid,
        CallStatus: "in-progress",
        To: "client:anna",
        Direction: "outbound-dial",
      }),
    );
    expect(answered.status).toBe(200);
    await anna.complete(contactId);
    const hungUp = await t.post(
      "/voice/status",
      callParams(callSid, { CallStatus: "completed", CallDuration: "42" }),
    );
    expect(hungUp.status).toBe(200);
    await waitUntil("COMPLETED", async () => {
      const v = await t.contacts.getContact({ contactId });
      return v.lastEvent?.type === ContactEventType.COMPLETED;
    });
    // A hang-up after the agent took the call is not an abandon.
    expect(t.commands.filter((c) => c.kind === "cancel")).toHaveLength(0);
    expect(await metric(t.stack, "switchboard_phone_calls_total", 'outcome="connected"')).toBe(1);
    expect(await metric(t.stack, "switchboard_phone_live_redirects_total", 'result="ok"')).toBe(1);
  });

  it("a caller who hangs up while queued abandons the contact, once, with the waiting time", async () => {
    const t = await start(["--callback-threshold-seconds", "86400"]);
    const callSid = newCallSid();
    const contactId = await callAndChoose(t, callSid, "1");
    await holdUntilPosition(t, callSid);
    const hungUp = await t.post("/voice/status", callParams(callSid, { CallStatus: "completed" }));
    expect(hungUp.status).toBe(200);
    expect(hungUp.verbs).toEqual([]);
    await waitUntil("ABANDONED", async () => {
      const v = await t.contacts.getContact({ contactId });
      return v.lastEvent?.type === ContactEventType.ABANDONED;
    });
    const v = await t.contacts.getContact({ contactId });
    expect(v.lastEvent?.reason).toBe("caller_hung_up");
    // Twilio may send the status twice: counted and cancelled once.
    await t.post("/voice/status", callParams(callSid, { CallStatus: "completed" }));
    expect(t.commands.filter((c) => c.kind === "cancel")).toEqual([
      { kind: "cancel", contactId, key: "caller_hung_up" },
    ]);
    expect(await metric(t.stack, "switchboard_phone_calls_total", 'outcome="abandoned"')).toBe(1);
    expect(await metric(t.stack, "switchboard_phone_abandoned_wait_seconds_count", "")).toBe(1);
    // The hold loop of a call whose contact ended says goodbye.
    const after = await t.post("/voice/hold", callParams(callSid));
    expect(after.verbs.map((x) => x.name)).toEqual(["Say", "Hangup"]);
  });

  it("callback: long expected wait → press 1 → caller hangs up, contact kept → agent accepts → outbound call → callback-answer dials the agent", async () => {
    const t = await start(); // default threshold 120 s; no agent staffed → about 3 minutes
    await putAgent(t.stack, "bob", {
      skills: [
        { skill: "sales", proficiency: 3 },
        { skill: "support", proficiency: 3 },
      ],
    });
    const callSid = newCallSid();
    const contactId = await callAndChoose(t, callSid, "2");
    const held = await holdUntilPosition(t, callSid);
    expect(held.verbs.map((v) => v.name)).toEqual(["Gather", "Redirect"]);
    const gather = held.verbs[0]!;
    expect(gather.attrs).toMatchObject({ action: `${PUBLIC}/voice/hold-choice`, numDigits: "1" });
    expect(spoken(held.verbs)).toContain("press 1");
    expect(spoken(held.verbs)).toMatch(/about \d+ minutes/);

    const chose = await t.post(gather.attrs.action!, callParams(callSid, { Digits: "1" }));
    expect(chose.verbs.map((v) => v.name)).toEqual(["Say", "Hangup"]);
    expect(spoken(chose.verbs)).toContain("call you back");
    // The router keeps the contact's place and says so.
    expect(t.commands.filter((c) => c.kind === "callback")).toHaveLength(1);
    await waitUntil("CALLBACK_SCHEDULED", async () => {
      const v = await t.contacts.getContact({ contactId });
      return v.lastEvent?.type === ContactEventType.CALLBACK_SCHEDULED;
    });
    const hungUp = await t.post("/voice/status", callParams(callSid, { CallStatus: "completed" }));
    expect(hungUp.status).toBe(200);

    // The contact kept its place: the agent who logs in is offered it (an abandoned one
    // would never be offered), and no cancel was ever published.
    const bob = await connectAgent(t.stack, "bob", null);
    closers.push(bob.close);
    const offer = await bob.next("offer");
    expect(offer.contact?.id).toBe(contactId);
    expect(t.commands.filter((c) => c.kind === "cancel")).toHaveLength(0);
    bob.send({ case: "acceptOffer", value: { offerId: offer.offerId } });

    const createPath = `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`;
    await waitUntil("the outbound callback call", () =>
      t.api.requests.some((r) => r.path === createPath),
    );
    const placed = t.api.requests.filter((r) => r.path === createPath);
    expect(placed).toHaveLength(1);
    const form = placed[0]!.form;
    const answerUrl = `${PUBLIC}/voice/callback-answer?tenant=default&contact=${contactId}`;
    expect(form.get("To")).toBe(CALLER);
    expect(form.get("From")).toBe(DIALLED);
    expect(form.get("Url")).toBe(answerUrl);
    expect(form.get("StatusCallback")).toBe(
      `${PUBLIC}/voice/status?leg=callback&tenant=default&contact=${contactId}`,
    );
    expect(form.getAll("StatusCallbackEvent")).toEqual([
      "initiated",
      "ringing",
      "answered",
      "completed",
    ]);
    // No live-call redirect: the caller's own call is over.
    expect(t.api.requests.some((r) => r.path.includes(callSid))).toBe(false);

    const outbound = newCallSid();
    const outboundParams = {
      ...callParams(outbound, { Direction: "outbound-api" }),
      From: DIALLED,
      To: CALLER,
    };
    const answer = await t.post(answerUrl, outboundParams);
    expect(answer.status).toBe(200);
    expect(answer.verbs.map((v) => v.name)).toEqual(["Say", "Dial", "Hangup"]);
    expect(spoken(answer.verbs)).toContain("callback");
    expect(only(answer.verbs, "Client").text).toBe("bob");
    await t.post(form.get("StatusCallback")!, { ...outboundParams, CallStatus: "in-progress" });

    expect(await metric(t.stack, "switchboard_phone_callbacks_total", 'stage="offered"')).toBe(1);
    expect(await metric(t.stack, "switchboard_phone_callbacks_total", 'stage="accepted"')).toBe(1);
    expect(await metric(t.stack, "switchboard_phone_callbacks_total", 'stage="placed"')).toBe(1);
    expect(await metric(t.stack, "switchboard_phone_callbacks_total", 'stage="answered"')).toBe(1);
    expect(await metric(t.stack, "switchboard_phone_calls_total", 'outcome="callback"')).toBe(1);
  });

  it("IVR: invalid and missing digits re-prompt a bounded number of times, then the default option; 9 = on behalf of someone", async () => {
    const t = await start(["--callback-threshold-seconds", "86400"]);
    const first = newCallSid();
    await t.post("/voice/incoming", callParams(first));
    const wrong = await t.post("/voice/menu", callParams(first, { Digits: "7" }));
    expect(spoken(wrong.verbs)).toContain("not one of the options");
    expect(only(wrong.verbs, "Gather").attrs.action).toBe(`${PUBLIC}/voice/menu`);
    const silent = await t.post("/voice/menu", callParams(first));
    expect(spoken(silent.verbs)).not.toContain("not one of the options");
    expect(only(silent.verbs, "Gather")).toBeDefined();
    const third = await t.post("/voice/menu", callParams(first, { Digits: "*" }));
    expect(third.verbs.map((v) => v.name)).toEqual(["Say", "Redirect"]);
    const submitted = t.commands.find((c) => c.key === first);
    const dflt = await t.contacts.getContact({ contactId: submitted!.contactId });
    expect(dflt.contact?.requiredSkills.map((s) => s.skill)).toEqual(["sales"]);

    const second = newCallSid();
    await t.post("/voice/incoming", callParams(second));
    const behalf = await t.post("/voice/menu", callParams(second, { Digits: "9" }));
    expect(spoken(behalf.verbs)).toContain("on behalf");
    expect(spoken(behalf.verbs)).not.toContain("press 9");
    const contactId = await (async () => {
      await t.post("/voice/menu", callParams(second, { Digits: "2" }));
      return t.commands.find((c) => c.key === second)!.contactId;
    })();
    const v = await t.contacts.getContact({ contactId });
    expect(v.contact?.intermediary).toMatchObject({
      kind: IntermediaryKind.CARER,
      id: CALLER,
      present: true,
    });
    expect(v.contact?.customer?.id).toBe(`voice-call:${second}`);
  });

  it("languages and menu from --channels-file: language menu, prompts in the chosen language, contact.language", async () => {
    const dir = mkdtempSync(join(tmpdir(), "phone-"));
    const file = join(dir, "channels.yaml");
    writeFileSync(
      file,
      [
        "phone:",
        "  languages:",
        "    - { digit: 1, name: English, voice: en-GB, code: en }",
        "    - { digit: 2, name: français, voice: fr-FR, code: fr }",
        "  menu:",
        "    - { digit: 3, label: billing, queue: billing, skills: [billing], priority: 20 }",
        "  prompts:",
        "    fr-FR:",
        '      languageOption: "Pour le {name}, appuyez sur {digit}."',
        '      menuOption: "Pour {label}, appuyez sur {digit}."',
        "",
      ].join("\n"),
    );
    const t = await start(["--channels-file", file, "--callback-threshold-seconds", "86400"]);
    const callSid = newCallSid();
    const incoming = await t.post("/voice/incoming", callParams(callSid));
    const gather = only(incoming.verbs, "Gather");
    expect(gather.attrs.action).toBe(`${PUBLIC}/voice/language`);
    const says = gather.children.filter((c) => c.name === "Say");
    expect(says.map((s) => [s.attrs.language, s.text])).toEqual([
      ["en-GB", "Welcome."],
      ["en-GB", "For English, press 1."],
      ["fr-FR", "Pour le français, appuyez sur 2."],
    ]);
    const french = await t.post("/voice/language", callParams(callSid, { Digits: "2" }));
    const menuSays = allVerbs(french.verbs).filter((v) => v.name === "Say");
    expect(menuSays.map((s) => [s.attrs.language, s.text])).toEqual([
      ["fr-FR", "Pour billing, appuyez sur 3."],
    ]);
    await t.post("/voice/menu", callParams(callSid, { Digits: "3" }));
    const contactId = t.commands.find((c) => c.key === callSid)!.contactId;
    const v = await t.contacts.getContact({ contactId });
    expect(v.contact).toMatchObject({
      language: "fr",
      priority: 20,
      queueId: "billing",
      requiredSkills: [{ skill: "billing" }],
    });
  });

  it("a live call already gone (4xx) is not retried, the hold loop still dials the agent; anonymous callers get no callback offer", async () => {
    const t = await start(); // default threshold: the wait of about 3 minutes would offer one
    await putAgent(t.stack, "anna", {
      skills: [
        { skill: "sales", proficiency: 3 },
        { skill: "support", proficiency: 3 },
      ],
    });
    const callSid = newCallSid();
    await t.post("/voice/incoming", callParams(callSid, { From: "anonymous" }));
    await t.post("/voice/menu", callParams(callSid, { From: "anonymous", Digits: "1" }));
    const contactId = t.commands.find((c) => c.key === callSid)!.contactId;
    const held = await holdUntilPosition(t, callSid);
    expect(spoken(held.verbs)).toMatch(/about \d+ minutes/);
    expect(allVerbs(held.verbs).some((v) => v.name === "Gather")).toBe(false);
    const v = await t.contacts.getContact({ contactId });
    expect(v.contact?.customer?.id).toBe(`voice-call:${callSid}`);
    expect(v.contact?.customer?.identifiers?.phone ?? "").toBe("");

    t.api.failNext(1, 404);
    const anna = await connectAgent(t.stack, "anna", null);
    closers.push(anna.close);
    const offer = await anna.next("offer");
    anna.send({ case: "acceptOffer", value: { offerId: offer.offerId } });
    await waitUntil(
      "the failed redirect to be counted",
      async () =>
        (await metric(t.stack, "switchboard_phone_live_redirects_total", 'result="failed"')) === 1,
    );
    const redirectPath = `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${callSid}.json`;
    expect(t.api.requests.filter((r) => r.path === redirectPath)).toHaveLength(1);
    expect(
      await metric(t.stack, "switchboard_phone_provider_api_errors_total", 'kind="http_4xx"'),
    ).toBe(1);
    const fallback = await t.post("/voice/hold", callParams(callSid, { From: "anonymous" }));
    expect(fallback.verbs.map((x) => x.name)).toEqual(["Say", "Dial", "Hangup"]);
    expect(only(fallback.verbs, "Client").text).toBe("anna");
  });

  it("placeOn: offered — the callback is placed when the agent is reserved, the customer holds on the callback leg until the agent accepts; agents.<id>.number dials a <Number>", async () => {
    const file = channelsFile(
      [
        "phone:",
        '  callbacks: { placeOn: offered, callerId: "+3220000099" }',
        "  agents:",
        '    carl: { number: "+32470999888" }',
      ].join("\n"),
    );
    const t = await start(["--channels-file", file]);
    await putAgent(t.stack, "carl", {
      skills: [
        { skill: "sales", proficiency: 3 },
        { skill: "support", proficiency: 3 },
      ],
    });
    const callSid = newCallSid();
    const contactId = await callAndChoose(t, callSid, "2");
    const held = await holdUntilPosition(t, callSid);
    await t.post(only(held.verbs, "Gather").attrs.action!, callParams(callSid, { Digits: "1" }));
    await t.post("/voice/status", callParams(callSid, { CallStatus: "completed" }));

    const carl = await connectAgent(t.stack, "carl", null);
    closers.push(carl.close);
    const offer = await carl.next("offer");
    const createPath = `/2010-04-01/Accounts/${ACCOUNT_SID}/Calls.json`;
    await waitUntil("the callback placed on OFFERED", () =>
      t.api.requests.some((r) => r.path === createPath),
    );
    const form = t.api.requests.find((r) => r.path === createPath)!.form;
    expect(form.get("From")).toBe("+3220000099");
    expect(form.get("To")).toBe(CALLER);
    const outbound = { ...callParams(newCallSid()), From: "+3220000099", To: CALLER };
    const early = await t.post(form.get("Url")!, outbound);
    expect(early.verbs.map((v) => v.name)).toEqual(["Say", "Pause", "Redirect"]);
    expect(only(early.verbs, "Redirect").text).toBe(form.get("Url"));

    carl.send({ case: "acceptOffer", value: { offerId: offer.offerId } });
    await waitUntil("ACCEPTED", async () => {
      const v = await t.contacts.getContact({ contactId });
      return v.lastEvent?.type === ContactEventType.CONNECTED;
    });
    const dialled = await t.post(form.get("Url")!, outbound);
    expect(dialled.verbs.map((v) => v.name)).toEqual(["Say", "Dial", "Hangup"]);
    expect(only(dialled.verbs, "Number").text).toBe("+32470999888");
    // Placed once, although OFFERED and ACCEPTED both came.
    expect(t.api.requests.filter((r) => r.path === createPath)).toHaveLength(1);
  });

  it("the dialled number picks the tenant (phone.tenants)", async () => {
    const file = channelsFile(["phone:", "  tenants:", `    "${DIALLED}": acme`].join("\n"));
    const t = await start(["--channels-file", file, "--tenants", "default,acme"]);
    const mapped = newCallSid();
    const contactId = await callAndChoose(t, mapped, "1");
    expect(t.tenants.get(contactId)).toBe("acme");
    expect(
      await t.stack.store.forTenant("acme").channelState.get("phone-call", mapped),
    ).toBeDefined();
    const other = newCallSid();
    await t.post("/voice/incoming", callParams(other, { To: "+3220000001" }));
    await t.post("/voice/menu", callParams(other, { To: "+3220000001", Digits: "1" }));
    const otherId = t.commands.find((c) => c.key === other)!.contactId;
    expect(t.tenants.get(otherId)).toBe("default");
  });

  it("the hold loop follows the router's live position feed: number 2, then number 1 once the caller ahead hangs up", async () => {
    const t = await start(["--callback-threshold-seconds", "86400"]);
    const ahead = newCallSid();
    const behind = newCallSid();
    await callAndChoose(t, ahead, "1");
    await holdUntilPosition(t, ahead);
    await callAndChoose(t, behind, "1");
    const second = await holdUntilPosition(t, behind);
    expect(spoken(second.verbs)).toContain("You are number 2 in the queue.");
    await t.post("/voice/status", callParams(ahead, { CallStatus: "completed" }));
    // No QUEUED event changes for the caller behind: only the feed can tell.
    await waitUntil("the position feed to move the caller up", async () => {
      const answer = await t.post("/voice/hold", callParams(behind));
      return spoken(answer.verbs).includes("You are number 1 in the queue.");
    });
  });

  it("without --twilio-account-sid: no callback offer, no provider API call; the hold loop connects the accepted caller", async () => {
    const t = await start([], []);
    await putAgent(t.stack, "anna", { skills: [{ skill: "sales", proficiency: 3 }] });
    const callSid = newCallSid();
    const contactId = await callAndChoose(t, callSid, "1");
    const held = await holdUntilPosition(t, callSid);
    // About 3 minutes is above the default threshold, but a callback could not be placed.
    expect(spoken(held.verbs)).toMatch(/about \d+ minutes/);
    expect(allVerbs(held.verbs).some((v) => v.name === "Gather")).toBe(false);
    const anna = await connectAgent(t.stack, "anna", null);
    closers.push(anna.close);
    const offer = await anna.next("offer");
    anna.send({ case: "acceptOffer", value: { offerId: offer.offerId } });
    let dialled: Awaited<ReturnType<typeof t.post>> | undefined;
    await waitUntil("the hold loop to dial the agent", async () => {
      dialled = await t.post("/voice/hold", callParams(callSid));
      return dialled.verbs.some((v) => v.name === "Dial");
    });
    expect(only(dialled!.verbs, "Client").text).toBe("anna");
    expect(t.api.requests).toEqual([]);
    expect(await metric(t.stack, "switchboard_phone_provider_api_errors_total", "")).toBe(0);
    expect((await t.contacts.getContact({ contactId })).lastEvent?.type).toBe(
      ContactEventType.CONNECTED,
    );
  });
});
