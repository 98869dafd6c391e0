import { describe, expect, it } from "vitest";
import { SecretRegistry, scrubSecrets, secretsOf, silentLogger } from "../../src/log.js";
import { secretsSent, staticToken } from "../../src/psn/http.js";
import { clientFor, startHarness } from "../psn/harness.js";
import { capturingLogger } from "../support/capturingLogger.js";

const REFRESH = "3f2c9a7e-1b4d-4e8f-9a6b-0c1d2e3f4a5b";
const NPSSO = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6QUJD";

describe("the secret registry scrubs registered values, however encoded", () => {
  it.each<[string, (v: string) => string]>([
    ["raw", (v) => `PSN said: ${v}`],
    ["URL-encoded", (v) => `echo ${encodeURIComponent(v)} end`],
    ["JSON-escaped", (v) => `body ${JSON.stringify(v).slice(1, -1)}`],
    ["base64", (v) => `blob ${Buffer.from(v).toString("base64")}.`],
    ["base64url", (v) => `blob ${Buffer.from(v).toString("base64url")}.`],
    ["at the very start and end", (v) => v],
    ["twice", (v) => `${v} and again ${v}`],
  ])("%s", (_how, place) => {
    const secrets = new SecretRegistry();
    const value = `${REFRESH}/"+&`;
    secrets.remember(value);
    const scrubbed = secrets.scrub(place(value));
    expect(scrubbed).toContain("[Redacted]");
    for (const form of [value, encodeURIComponent(value), Buffer.from(value).toString("base64")])
      expect(scrubbed).not.toContain(form);
  });

  it("leaves text without a registered value as it was, and ignores values too short to be secrets", () => {
    const secrets = new SecretRegistry();
    secrets.remember("posting", "", null, undefined);
    secrets.hold("1234567");
    expect(secrets.size).toBe(0);
    const line = "card posting for party 1234567";
    expect(secrets.scrub(line)).toBe(line);
  });

  it("forgets a passing value after its time, never a held one", () => {
    let now = 0;
    const secrets = new SecretRegistry({ ttlMs: 60_000, now: () => now });
    secrets.hold(NPSSO);
    secrets.remember(REFRESH);
    now = 59_000;
    expect(secrets.scrub(REFRESH)).toBe("[Redacted]");
    now = 61_000;
    secrets.remember("another-secret-value");
    expect(secrets.scrub(REFRESH)).toBe(REFRESH);
    expect(secrets.scrub(NPSSO)).toBe("[Redacted]");
  });

  it("keeps at most its capacity of passing values, forgetting the least recently used", () => {
    const secrets = new SecretRegistry({ capacity: 3 });
    for (const v of ["secret-aaaa-1", "secret-bbbb-2", "secret-cccc-3"]) secrets.remember(v);
    secrets.remember("secret-aaaa-1"); // used again: now the most recent
    secrets.remember("secret-dddd-4");
    expect(secrets.size).toBe(3);
    expect(secrets.scrub("secret-bbbb-2")).toBe("secret-bbbb-2");
    for (const v of ["secret-aaaa-1", "secret-cccc-3", "secret-dddd-4"])
      expect(secrets.scrub(v)).toBe("[Redacted]");
  });

  it("tells apart JWTs that share their header (the index is keyed by a value's end)", () => {
    const secrets = new SecretRegistry();
    const header = "eyJhbGciOiJIUzI1NiJ9";
    const [a, b] = [`${header}.eyJhIjoxfQ.sigAAAAAAAA`, `${header}.eyJhIjoyfQ.sigBBBBBBBB`];
    secrets.remember(a);
    expect(secrets.scrub(`${b} ${a}`)).toBe(`${b} [Redacted]`);
  });
});

describe("patterns: secrets in the shapes PSN error text takes", () => {
  it.each([
    [`{"npsso":"${NPSSO}"}`, `{"npsso":"[Redacted]"}`],
    [`{\\"refresh_token\\":\\"${REFRESH}\\"}`, `{\\"refresh_token\\":\\"[Redacted]\\"}`],
    [`Bad request: npsso: ${NPSSO}, code: v3.AbCdEfGh`, "Bad request: npsso: [Redacted], code: [Redacted]"],
    [
      `refresh_token%3D${REFRESH}%26grant_type%3Drefresh_token`,
      "refresh_token%3D[Redacted]%26grant_type%3Drefresh_token",
    ],
    [`code%3Dv3.AbCdEf%26redirect_uri%3Dx`, "code%3D[Redacted]%26redirect_uri%3Dx"],
  ])("%s", (text, scrubbed) => {
    expect(scrubSecrets(text)).toBe(scrubbed);
  });

  it.each([
    "connect failed, code: ECONNREFUSED",
    "PSN error code: 2105857",
    '{"code":"UND_ERR_CONNECT_TIMEOUT"}',
    "card state: needs_relink",
  ])("keeps what an operator searches for: %s", (text) => {
    expect(scrubSecrets(text)).toBe(text);
  });
});

describe("secretsSent: what a PSN request carries", () => {
  it("names the bearer or Basic credential, the NPSSO cookie and secret form fields, nothing else", () => {
    expect(
      secretsSent(
        { authorization: "Bearer tok-123456789", cookie: `a=1; npsso=${NPSSO}`, "user-agent": "x" },
        { refresh_token: REFRESH, grant_type: "refresh_token", scope: "psn:mobile.v2.core" },
      ),
    ).toEqual(["tok-123456789", NPSSO, REFRESH]);
    expect(secretsSent({ authorization: "Basic Y2xpZW50OnNlY3JldA==" }, { code: "v3.AbCdEfGh" })).toEqual([
      "Y2xpZW50OnNlY3JldA==",
      "v3.AbCdEfGh",
    ]);
  });

  it("a silent logger's registry keeps nothing", () => {
    const secrets = secretsOf(silentLogger());
    secrets.remember(REFRESH);
    expect(secrets.scrub(REFRESH)).toBe(REFRESH);
  });
});

describe("a PSN client that never received the tokens it sends (read back from the database)", () => {
  it("scrubs the bearer token and refresh token it sent when PSN quotes them back bare, and a token just received", async () => {
    // The harness signs in with a client of its own; the one under test only ever sends them.
    const h = await startHarness();
    const { log, text: output } = capturingLogger();
    const client = clientFor(h.sim, {}, log);
    try {
      const tokens = h.store.tokens.get(h.alice.accountId)!;
      const b64 = (v: string) => Buffer.from(v).toString("base64");
      h.sim.fault("friends", { status: 400, echoSecrets: "base64" });
      const friends = await client
        .getFriends(staticToken(h.alice.accountId, tokens.accessToken))
        .catch((e) => e);
      log.warn({ err: friends }, "friend list read failed");
      h.sim.fault("token", { status: 400, echoSecrets: "bare" });
      const refused = await client.refresh(tokens.refreshToken).catch((e) => e);
      log.warn({ err: refused }, "refresh failed");
      // Received and not yet sent: a failure right after the refresh could quote the new token.
      const fresh = await client.refresh(tokens.refreshToken);
      log.info(`as received: ${b64(fresh.accessToken)}`);

      const out = output();
      expect(h.sim.echoedSecrets()).toEqual([tokens.accessToken, tokens.refreshToken]);
      expect(out).toContain("PSN friends: HTTP 400");
      expect(out).toContain("PSN token: HTTP 400");
      for (const secret of [tokens.accessToken, tokens.refreshToken, fresh.accessToken]) {
        expect(out).not.toContain(secret);
        expect(out).not.toContain(b64(secret));
      }
    } finally {
      await client.close();
      await h.close();
    }
  });
});
