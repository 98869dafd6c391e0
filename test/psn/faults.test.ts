import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SimEndpoint } from "../../sim/psn/server.js";
import { createLogger } from "../../src/log.js";
import { getOwnAccountId } from "../../src/psn/auth.js";
import type { PsnClient } from "../../src/psn/client.js";
import {
  PsnAuthError,
  PsnForbiddenError,
  PsnMalformedError,
  PsnNotFoundError,
  PsnRateLimitedError,
  PsnUnavailableError,
} from "../../src/psn/errors.js";
import { MAX_ANSWER_BYTES, MAX_RATE_LIMIT_PAUSE_MS, PsnHttp } from "../../src/psn/http.js";
import { clientFor, type Harness, startHarness } from "./harness.js";

function captureLog() {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return {
    log: createLogger({ level: "debug", destination }),
    lines: () =>
      chunks
        .join("")
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown> & { msg: string }),
  };
}

let h: Harness;
let sessionId: string;
let shareId: string;

beforeAll(async () => {
  h = await startHarness();
  sessionId = h.sim.startParty(h.alice.accountId, { joinability: "open", name: "Squad" });
  h.sim.joinParty(sessionId, h.bob.accountId);
  h.sim.setPresence(h.alice.accountId, {
    online: true,
    game: { name: "Astro Bot", iconUrl: "https://i/a.png" },
    status: "Level 3",
  });
  shareId = h.sim.shareUrl(sessionId)!.split("/").pop()!;
});
afterAll(async () => {
  await h.close();
});
afterEach(() => {
  h.sim.clearFaults();
  h.sim.resetRequests();
});

interface Op {
  endpoint: SimEndpoint;
  call: (client: PsnClient) => Promise<unknown>;
  /** The answer is not parsed, so body faults cannot break it. */
  bodyless?: boolean;
  /** Signs in or refreshes: no account to pause. */
  unauthenticated?: boolean;
}

const ops: Record<string, Op> = {
  authorize: { endpoint: "authorize", call: (c) => c.exchangeNpsso(h.bob.npsso), unauthenticated: true },
  token: {
    endpoint: "token",
    call: (c) => c.refresh(h.store.tokens.get(h.alice.accountId)!.refreshToken),
    unauthenticated: true,
  },
  accountsMe: { endpoint: "accountsMe", call: (c) => getOwnAccountId(c.http, h.auth) },
  profile: { endpoint: "profile", call: (c) => c.getProfile(h.auth, h.bob.accountId) },
  presence: { endpoint: "presence", call: (c) => c.getPresence(h.auth, "me") },
  presences: {
    endpoint: "presences",
    call: (c) => c.getPresences(h.auth, [h.alice.accountId, h.bob.accountId]),
  },
  parties: { endpoint: "parties", call: (c) => c.getParties(h.auth) },
  invite: {
    endpoint: "invite",
    call: (c) => c.sendInvitation(h.auth, sessionId, h.bob.accountId),
    bodyless: true,
  },
  share: { endpoint: "share", call: (c) => c.getShareLink(h.auth, sessionId) },
  partyInfo: { endpoint: "partyInfo", call: (c) => c.getPartyInfo(shareId), unauthenticated: true },
};
const all = Object.keys(ops);
const op = (name: string) => ops[name]!;
const calls = (endpoint: SimEndpoint) => h.sim.requests().filter((r) => r.endpoint === endpoint);

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected the call to fail");
}

describe.each(all)("%s", (name) => {
  const { endpoint, call, bodyless, unauthenticated } = op(name);

  // An invitation is the one write a person would notice twice: it is never repeated.
  const attempts = name === "invite" ? 1 : 3;

  if (attempts > 1) {
    it("recovers from one 5xx by retrying", async () => {
      h.sim.fault(endpoint, { status: 503 });
      await expect(call(h.client)).resolves.not.toBeInstanceOf(Error);
      expect(calls(endpoint).map((r) => r.status)).toEqual([503, expect.any(Number)]);
      expect(calls(endpoint)[1]!.status).toBeLessThan(400);
    });
  }

  it(`gives up with PsnUnavailableError after ${attempts} attempt(s) of 5xx`, async () => {
    h.sim.fault(endpoint, { status: 500, times: 10 });
    const err = await failure(call(h.client));
    expect(err).toBeInstanceOf(PsnUnavailableError);
    expect(calls(endpoint)).toHaveLength(attempts);
  });

  it("maps 403 to PsnForbiddenError without retrying", async () => {
    h.sim.fault(endpoint, { status: 403 });
    const err = await failure(call(h.client));
    expect(err).toBeInstanceOf(PsnForbiddenError);
    expect((err as PsnForbiddenError).psnCode).toBe(2281486);
    expect(calls(endpoint)).toHaveLength(1);
  });

  it("rate limited: PsnRateLimitedError at the time of Retry-After, and the account paused", async () => {
    const client = clientFor(h.sim);
    try {
      h.sim.fault(endpoint, { status: 429, headers: { "retry-after": "120" } });
      const before = Date.now();
      const err = await failure(call(client));
      expect(err).toBeInstanceOf(PsnRateLimitedError);
      const retryAt = (err as PsnRateLimitedError).retryAt.getTime();
      expect(retryAt).toBeGreaterThanOrEqual(before + 119_000);
      expect(retryAt).toBeLessThanOrEqual(Date.now() + 121_000);
      if (!unauthenticated) {
        expect(client.budget.pausedUntil(h.alice.accountId)?.getTime()).toBe(retryAt);
        // Paused: the next call fails at once without reaching PSN.
        h.sim.resetRequests();
        const again = await failure(call(client));
        expect(again).toBeInstanceOf(PsnRateLimitedError);
        expect(h.sim.requests()).toHaveLength(0);
      }
    } finally {
      await client.close();
    }
  });

  // The invitation's answer is not parsed, so a broken body cannot break it.
  if (!bodyless) {
    it("maps a body that is not JSON to PsnMalformedError", async () => {
      if (endpoint === "authorize") {
        // authorize reads only the redirect; a 200 page instead of it is malformed too.
        h.sim.fault(endpoint, { status: 200, body: "<html>" });
      } else {
        h.sim.fault(endpoint, { malformedJson: true });
      }
      expect(await failure(call(h.client))).toBeInstanceOf(PsnMalformedError);
    });
  }

  it.each(["extraFields", "unknownEnums", "dropOptional"] as const)(
    "still parses an answer with %s",
    async (kind) => {
      h.sim.fault(endpoint, { [kind]: true });
      await expect(call(h.client)).resolves.not.toBeInstanceOf(Error);
    },
  );
});

describe("status mapping details", () => {
  it("a 429 on a request made with an expired token is logged under the token's account, which it pauses", async () => {
    const client = clientFor(h.sim);
    try {
      h.sim.expireAccessTokens(h.alice.accountId);
      h.sim.fault("presence", { status: 429, headers: { "retry-after": "300" } });
      await failure(client.getPresence(h.auth, "me"));
      expect(client.budget.pausedUntil(h.alice.accountId)).not.toBeNull();
      // The soak reads PSN's pauses from this log: one it cannot attribute is a party it
      // would count as missed while the account was rightly waiting.
      expect(h.sim.requests().filter((r) => r.status === 429)).toEqual([
        expect.objectContaining({ endpoint: "presence", accountId: h.alice.accountId }),
      ]);
    } finally {
      await client.close();
    }
  });

  it("honours X-RateLimit-Next-Available (unix seconds)", async () => {
    const client = clientFor(h.sim);
    try {
      const next = Math.floor(Date.now() / 1000) + 900;
      h.sim.fault("presence", { status: 429, headers: { "x-ratelimit-next-available": String(next) } });
      const err = (await failure(client.getPresence(h.auth, "me"))) as PsnRateLimitedError;
      expect(err.retryAt.getTime()).toBe(next * 1000);
      expect(err.source).toBe("server");
      expect(client.budget.pausedUntil(h.alice.accountId)?.getTime()).toBe(next * 1000);
    } finally {
      await client.close();
    }
  });

  it("caps a 429's pause at 15 minutes, however long PSN asks for, and logs that it did", async () => {
    const { log, lines } = captureLog();
    const client = clientFor(h.sim, {}, log);
    try {
      h.sim.fault("presence", {
        status: 429,
        headers: {
          "retry-after": "86400",
          "x-ratelimit-next-available": String(Date.UTC(2100, 0, 1) / 1000),
        },
      });
      const before = Date.now();
      const err = (await failure(client.getPresence(h.auth, "me"))) as PsnRateLimitedError;
      expect(err).toBeInstanceOf(PsnRateLimitedError);
      expect(err.retryAt.getTime()).toBeGreaterThanOrEqual(before + MAX_RATE_LIMIT_PAUSE_MS);
      expect(err.retryAt.getTime()).toBeLessThanOrEqual(Date.now() + MAX_RATE_LIMIT_PAUSE_MS);
      expect(client.budget.pausedUntil(h.alice.accountId)?.getTime()).toBe(err.retryAt.getTime());
      const capped = lines().find((l) => /pause longer than 15 minutes/.test(l.msg));
      expect(capped).toMatchObject({ level: 40, endpoint: "presence", asked: "2100-01-01T00:00:00.000Z" });
    } finally {
      await client.close();
    }
  });

  it.each(["presence", "parties"] as const)(
    "%s: an answer past 1 MiB is not read: PsnMalformedError at once, no retry",
    async (endpoint) => {
      h.sim.fault(endpoint, { padBytes: MAX_ANSWER_BYTES + 1, times: 3 });
      const err = await failure(
        endpoint === "presence" ? h.client.getPresence(h.auth, "me") : h.client.getParties(h.auth),
      );
      expect(err).toBeInstanceOf(PsnMalformedError);
      expect((err as Error).message).toMatch(/larger than 1048576 bytes/);
      expect(calls(endpoint)).toHaveLength(1);
    },
  );

  it("an answer with no length that never ends is cut at 1 MiB, not read until the timeout", async () => {
    const endless = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const more = () => {
        while (!res.destroyed && res.write(chunk));
      };
      res.on("drain", more);
      more();
    });
    endless.listen(0, "127.0.0.1");
    await once(endless, "listening");
    const { port } = endless.address() as AddressInfo;
    const http = new PsnHttp({ baseUrls: { api: `http://127.0.0.1:${port}` }, timeoutMs: 60_000 });
    try {
      const err = await failure(http.send({ endpoint: "endless", host: "api", method: "GET", path: "/" }));
      expect(err).toBeInstanceOf(PsnMalformedError);
      expect((err as Error).message).toMatch(/larger than 1048576 bytes/);
    } finally {
      await http.close();
      endless.closeAllConnections();
      endless.close();
    }
  });

  it("an answer just under the cap is read as usual", async () => {
    h.sim.fault("presence", { padBytes: MAX_ANSWER_BYTES - 4096 });
    await expect(h.client.getPresence(h.auth, "me")).resolves.toMatchObject({ online: true });
  });

  it("honours Retry-After as an HTTP date", async () => {
    const client = clientFor(h.sim);
    try {
      const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 300_000);
      h.sim.fault("parties", { status: 429, headers: { "retry-after": at.toUTCString() } });
      const err = (await failure(client.getParties(h.auth))) as PsnRateLimitedError;
      expect(err.retryAt.getTime()).toBe(at.getTime());
    } finally {
      await client.close();
    }
  });

  it.each(["profile", "presence", "parties", "invite", "accountsMe"])(
    "%s: 404 → PsnNotFoundError",
    async (name) => {
      h.sim.fault(op(name).endpoint, { status: 404 });
      expect(await failure(op(name).call(h.client))).toBeInstanceOf(PsnNotFoundError);
    },
  );

  it.each(["share", "partyInfo"])("%s: 404 → null (no link / party gone)", async (name) => {
    h.sim.fault(op(name).endpoint, { status: 404 });
    await expect(op(name).call(h.client)).resolves.toBeNull();
  });

  it("an invitation from a non-member is forbidden by the simulator", async () => {
    const other = h.sim.startParty(h.bob.accountId, { joinability: "invite" });
    expect(await failure(h.client.sendInvitation(h.auth, other, h.bob.accountId))).toBeInstanceOf(
      PsnForbiddenError,
    );
    h.sim.endParty(other);
  });

  it("401 on a call: one refresh, then success", async () => {
    h.sim.fault("presence", { status: 401 });
    await expect(h.client.getPresence(h.auth, "me")).resolves.toMatchObject({ online: true });
    expect(h.sim.requests().map((r) => `${r.endpoint} ${r.status}`)).toEqual([
      "presence 401",
      "token 200",
      "presence 200",
    ]);
  });

  it("401 twice: PsnAuthError after a single refresh, no loop", async () => {
    h.sim.fault("parties", { status: 401, times: 5 });
    const err = await failure(h.client.getParties(h.auth));
    expect(err).toBeInstanceOf(PsnAuthError);
    expect(h.sim.requests().map((r) => r.endpoint)).toEqual(["parties", "token", "parties"]);
  });

  describe("timeouts", () => {
    let fast: PsnClient;
    beforeAll(() => {
      fast = clientFor(h.sim, { timeoutMs: 300 });
    });
    afterAll(async () => {
      await fast.close();
    });

    it.each(["presence", "token", "partyInfo"])(
      "%s: a delay past the timeout, every time → unavailable",
      async (name) => {
        h.sim.fault(op(name).endpoint, { delayMs: 1_500, times: 3 });
        const err = await failure(op(name).call(fast));
        expect(err).toBeInstanceOf(PsnUnavailableError);
        expect((err as Error).message).toMatch(/timed out/);
      },
    );

    it("a delay past the timeout once is retried and recovers", async () => {
      h.sim.fault("presence", { delayMs: 1_500 });
      await expect(fast.getPresence(h.auth, "me")).resolves.toMatchObject({ online: true });
    });
  });
});
