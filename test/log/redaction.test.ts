import { describe, expect, it } from "vitest";
import { scrubSecrets } from "../../src/log.js";
import { capturingLogger } from "../support/capturingLogger.js";

const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJhY2NvdW50X2lkIjoiMTIzNDUifQ.c2lnbmF0dXJlLXNpbXVsYXRlZA";
const NPSSO = `${"a".repeat(40)}NPSSOSECRET${"b".repeat(13)}`;

describe("log redaction", () => {
  it.each([
    ["accessToken", { accessToken: JWT }],
    ["nested refresh_token", { tokens: { refresh_token: "rt-secret-value-123" } }],
    ["npsso", { npsso: NPSSO }],
    ["authorization header", { headers: { authorization: `Bearer ${JWT}` } }],
    ["cookie header", { req: { headers: { cookie: `npsso=${NPSSO}` } } }],
    ["encryption key", { encryptionKey: "S2V5S2V5S2V5S2V5S2V5S2V5S2V5S2V5S2V5S2V5S2U=" }],
  ])("blanks %s in structured fields", (_name, fields) => {
    const { log, text: output } = capturingLogger();
    log.info(fields, "something happened");
    const secret = JSON.stringify(fields).match(
      /(eyJ[^"]+|rt-secret-value-123|NPSSOSECRET|S2V5S2V5[^"]+)/,
    )?.[0];
    expect(secret).toBeTruthy();
    expect(output()).not.toContain(secret);
    expect(output()).toContain("[Redacted]");
  });

  it("keeps a token out of the log when it travels inside an error", () => {
    const { log, text: output } = capturingLogger();
    const err = new Error(
      `request failed: Authorization: Bearer ${JWT} for url https://x/y?code=v3.SECRETCODE&npsso=${NPSSO}`,
    );
    log.error({ err }, "PSN call failed");
    log.warn(`retrying after ${err.message}`);
    const out = output();
    expect(out).toContain("PSN call failed");
    for (const secret of [JWT, "v3.SECRETCODE", NPSSO]) expect(out).not.toContain(secret);
  });

  it("scrubs secrets out of free text but leaves ordinary text alone", () => {
    expect(scrubSecrets("user 123 joined party abc")).toBe("user 123 joined party abc");
    expect(scrubSecrets(`token=${JWT}`)).toBe("token=[Redacted]");
  });
});

describe("errors from discord.js and the network", () => {
  const LINK_TOKEN = "Qk9HVVNfTElOS19UT0tFTl9GT1JfVEVTVElOR19YWFg";
  const INTERACTION_TOKEN = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OnNlY3JldA";

  it("keeps the sign-in link of a failed DM and the interaction token of a failed reply out", async () => {
    const { DiscordAPIError } = await import("discord.js");
    const { log, text: output } = capturingLogger();
    const dm = new DiscordAPIError(
      { code: 50007, message: "Cannot send messages to this user" },
      50007,
      403,
      "POST",
      "https://discord.com/api/v10/channels/123/messages",
      {
        body: {
          content: "Link your PlayStation account",
          components: [{ components: [{ url: `https://psn.example.com/link/${LINK_TOKEN}` }] }],
        },
      },
    );
    const reply = new DiscordAPIError(
      { code: 10062, message: "Unknown interaction" },
      10062,
      404,
      "PATCH",
      `https://discord.com/api/v10/webhooks/1575142454590443520/${INTERACTION_TOKEN}/messages/@original`,
      { body: { content: `your link: https://psn.example.com/link/${LINK_TOKEN}` } },
    );
    log.error({ err: dm }, "could not DM");
    log.error({ err: reply }, "could not answer");
    log.warn(`opened https://psn.example.com/link/${LINK_TOKEN}`);
    const out = output();
    expect(out).toContain("could not DM");
    expect(out).not.toContain(LINK_TOKEN);
    expect(out).not.toContain(INTERACTION_TOKEN);
  });

  it.each([
    ["a Node network error", "ECONNREFUSED"],
    ["an undici timeout", "UND_ERR_CONNECT_TIMEOUT"],
    ["SQLite", "SQLITE_BUSY"],
    ["discord.js", "TokenInvalid"],
    ["Discord's JSON error code", 50007],
  ])("keeps the error code of %s (what an operator searches for)", (_what, code) => {
    const { log, text: output } = capturingLogger();
    log.error({ err: Object.assign(new Error("failed"), { code }) }, "failed");
    expect(JSON.parse(output()).err.code).toBe(code);
  });

  it.each([["v3.AbCdEf"], ["a1b2c3d4e5f6"], ["Zx9_secret-value"]])(
    "still blanks a code that may be an OAuth authorization code (%s)",
    (code) => {
      const { log, text: output } = capturingLogger();
      log.info({ request: { code } }, "exchanging");
      expect(output()).not.toContain(code);
    },
  );
});

describe("every string the logger writes, at any depth", () => {
  const deep = (depth: number, leaf: unknown): unknown =>
    depth === 0 ? leaf : { next: deep(depth - 1, leaf) };

  it.each<[string, (log: ReturnType<typeof capturingLogger>["log"]) => void]>([
    ["a field named for what went wrong", (log) => log.warn({ reason: `PSN said ${JWT}` }, "failed")],
    ["a field deep in an object", (log) => log.info({ a: deep(9, `npsso=${NPSSO}`) }, "deep")],
    ["an array of strings", (log) => log.info({ lines: ["fine", `Bearer ${JWT}`] }, "array")],
    ["an array of objects", (log) => log.info({ tries: [{ said: `npsso=${NPSSO}` }] }, "array")],
    ["an error that is not under err", (log) => log.warn({ failure: new Error(`said ${JWT}`) }, "nested")],
    [
      "an error's cause",
      (log) => log.error({ err: new Error("outer", { cause: new Error(`inner ${JWT}`) }) }),
    ],
    [
      "an error's own fields",
      (log) => log.error({ err: Object.assign(new Error("failed"), { body: { echo: `npsso=${NPSSO}` } }) }),
    ],
    [
      "an error's stack",
      (log) => {
        const err = new Error("plain");
        err.stack = `Error: plain\n    at call (https://x/?npsso=${NPSSO})`;
        log.error({ err }, "stack");
      },
    ],
    ["an error logged alone (its message becomes the line's)", (log) => log.error(new Error(`token ${JWT}`))],
    ["an error under err with no message given", (log) => log.error({ err: new Error(`token ${JWT}`) })],
    ["a child logger's bindings", (log) => log.child({ context: `npsso=${NPSSO}` }).info("child")],
    [
      "a URL object",
      (log) => log.info({ at: new URL(`https://x/cb?code=v3.SECRETCODE&npsso=${NPSSO}`) }, "url"),
    ],
  ])("scrubs %s", (_what, write) => {
    const { log, text: output } = capturingLogger();
    write(log);
    const out = output();
    expect(out.length).toBeGreaterThan(0);
    for (const secret of [JWT, NPSSO, "SECRETCODE"]) expect(out).not.toContain(secret);
    for (const line of out.trim().split("\n")) expect(() => JSON.parse(line)).not.toThrow();
  });

  it("leaves what it logs intact otherwise: dates, numbers, error types and codes, the caller's objects", () => {
    const { log, text: output } = capturingLogger();
    const fields = { at: new Date("2026-03-01T20:00:00Z"), count: 3, ok: true, none: null, list: [1, "two"] };
    const err = Object.assign(new TypeError(`bad ${JWT}`), { code: "ECONNRESET" });
    log.info({ ...fields, err }, "normal line");
    const line = JSON.parse(output());
    expect(line).toMatchObject({
      at: "2026-03-01T20:00:00.000Z",
      count: 3,
      ok: true,
      none: null,
      list: [1, "two"],
      msg: "normal line",
      err: { type: "TypeError", code: "ECONNRESET", message: "bad [Redacted]" },
    });
    expect(err.message).toBe(`bad ${JWT}`);
  });

  it("writes an error logged alone as pino writes one: under err, with its message as the line's", () => {
    const { log, text: output } = capturingLogger();
    log.error(Object.assign(new Error(`refresh failed for token ${JWT}`), { code: "ECONNRESET" }));
    const line = JSON.parse(output());
    expect(line.msg).toBe("refresh failed for token [Redacted]");
    expect(line.err).toMatchObject({ type: "Error", code: "ECONNRESET", message: line.msg });
  });

  it("writes an object that appears twice in one line both times: only a cycle is cut", () => {
    const { log, text: output } = capturingLogger();
    const guild = { id: "123", channel: "https://x/cb?code=v3.SECRETCODE" };
    log.info({ before: guild, after: guild, list: [guild, guild] }, "settings changed");
    const line = JSON.parse(output());
    const scrubbed = { id: "123", channel: "https://x/cb?code=[Redacted]" };
    expect(line).toMatchObject({ before: scrubbed, after: scrubbed, list: [scrubbed, scrubbed] });
  });

  it("cuts a cycle instead of looping", () => {
    const { log, text: output } = capturingLogger();
    const a: Record<string, unknown> = { name: `npsso=${NPSSO}` };
    a.self = a;
    log.info({ a }, "cyclic");
    expect(output()).toContain("cyclic");
    expect(output()).not.toContain(NPSSO);
  });
});

describe("a PSN error answer that echoes a secret, through the real poll path", () => {
  it("logs the failure without the JWT or the NPSSO PSN quoted back", async () => {
    const { startHarness } = await import("../psn/harness.js");
    const { observeMember } = await import("../../src/jobs/observe.js");
    const h = await startHarness();
    try {
      const { log, text: output } = capturingLogger();
      h.sim.fault("presence", {
        status: 400,
        body: { error: { code: 2105857, message: `Bad request for token ${JWT} (cookie npsso=${NPSSO})` } },
      });
      const plan = { due: true, presence: true, parties: false, partiesIfOnline: false } as const;
      const read = await observeMember(h.client, h.auth, plan, new Date(), log);
      expect(read.observation.kind).toBe("unavailable");
      const out = output();
      expect(out).toContain("PSN poll failed");
      expect(out).toContain("Bad request for token [Redacted]");
      expect(out).not.toContain(JWT);
      expect(out).not.toContain(NPSSO);
    } finally {
      await h.close();
    }
  });
});

describe("a refused Discord request, through the real card writer", () => {
  it("logs the refusal without the card it tried to post (the member, their party)", async () => {
    const { startMirrorWorld } = await import("../mirror/harness.js");
    const { log, text: output } = capturingLogger();
    const m = await startMirrorWorld({ log });
    try {
      const alice = await m.linkedMember("alice", "alice_ps");
      m.psn.startParty(alice.accountId, { joinability: "open", name: "Friday raid at Alice's" });
      // Discord refuses the card (an invalid form body): the writer logs the error discord.js threw.
      m.world.discord.fault(
        { method: "POST", path: `/channels/${m.world.partyChannel.id}/messages` },
        { status: 400, code: 50035, message: "Invalid Form Body", times: 1 },
      );
      await m.tick();
      const refused = output()
        .split("\n")
        .filter((l) => l.includes("a card action failed"));
      expect(refused).toHaveLength(1);
      // What an operator needs stays: the call and Discord's answer.
      expect(JSON.parse(refused[0]!).err).toMatchObject({ code: 50035, method: "POST", status: 400 });
      for (const sent of ["Friday raid", alice.user.id]) expect(refused[0]).not.toContain(sent);
    } finally {
      await m.stop();
    }
  });
});
