import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { PsnAuthError } from "../../src/psn/errors.js";
import { type Harness, startHarness } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const tokenCalls = (harness: Harness) => harness.sim.requests().filter((r) => r.endpoint === "token");

function expireStoredAccessToken(harness: Harness): void {
  const tokens = harness.store.tokens.get(harness.alice.accountId)!;
  harness.store.tokens.set(harness.alice.accountId, {
    ...tokens,
    accessTokenExpiresAt: new Date(Date.now() - 1_000),
  });
}

describe("TokenManager", () => {
  it("refreshes once for ten concurrent callers (single flight)", async () => {
    h = await startHarness();
    expireStoredAccessToken(h);
    const before = h.store.tokens.get(h.alice.accountId)!;
    const harness = h;
    const presences = await Promise.all(
      Array.from({ length: 10 }, () => harness.client.getPresence(harness.auth, "me")),
    );
    expect(presences).toHaveLength(10);
    expect(tokenCalls(h)).toHaveLength(1);
    expect(h.store.saves).toBe(1);
    const after = h.store.tokens.get(h.alice.accountId)!;
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).toBe(before.refreshToken);
  });

  it("refreshes once when ten concurrent calls all meet a 401", async () => {
    h = await startHarness();
    h.sim.expireAccessTokens();
    const harness = h;
    await Promise.all(Array.from({ length: 10 }, () => harness.client.getParties(harness.auth)));
    expect(tokenCalls(h)).toHaveLength(1);
    expect(h.sim.requests().filter((r) => r.status === 401)).toHaveLength(10);
  });

  it("refreshes ahead of expiry, before PSN refuses the token", async () => {
    // Tokens that live 30 s, with the default 60 s margin: every use is "about to expire".
    h = await startHarness({ sim: { accessTokenTtlSec: 30 } });
    await h.client.getPresence(h.auth, "me");
    expect(h.sim.requests().map((r) => `${r.endpoint} ${r.status}`)).toEqual(["token 200", "presence 200"]);
  });

  it("asks for a relink once when PSN refuses the refresh token, then fails fast", async () => {
    h = await startHarness();
    h.sim.revokeRefreshToken(h.alice.accountId);
    expireStoredAccessToken(h);
    const harness = h;
    const errors = await Promise.all(
      Array.from({ length: 5 }, () =>
        harness.client.getPresence(harness.auth, "me").catch((e: unknown) => e),
      ),
    );
    for (const err of errors) {
      expect(err).toBeInstanceOf(PsnAuthError);
      expect((err as PsnAuthError).reason).toBe("invalid_refresh_token");
    }
    expect(h.relinks).toEqual([h.alice.accountId]);
    expect(tokenCalls(h)).toHaveLength(1);

    const again = await h.client.getParties(h.auth).catch((e: unknown) => e);
    expect((again as PsnAuthError).reason).toBe("invalid_refresh_token");
    expect(h.relinks).toHaveLength(1);
    expect(tokenCalls(h)).toHaveLength(1);
  });

  it("pauses the account when PSN rate-limits its refresh, and the simulator's log names whose refresh it was", async () => {
    h = await startHarness();
    expireStoredAccessToken(h);
    h.sim.fault("token", { status: 429, headers: { "retry-after": "300" } });
    await expect(h.client.getPresence(h.auth, "me")).rejects.toThrow();
    // Paused: no second request goes out for this account.
    await expect(h.client.getParties(h.auth)).rejects.toThrow(/paused/);
    h.sim.revokeRefreshToken(h.alice.accountId);
    // The soak counts an account as unreadable from its 429s and refusals in this log.
    expect(tokenCalls(h).map((r) => [r.status, r.accountId])).toEqual([[429, h.alice.accountId]]);
  });

  it("names the account of a refused refresh in the simulator's log", async () => {
    h = await startHarness();
    h.sim.revokeRefreshToken(h.alice.accountId);
    expireStoredAccessToken(h);
    await expect(h.client.getPresence(h.auth, "me")).rejects.toThrow();
    expect(tokenCalls(h).map((r) => [r.status, r.accountId])).toEqual([[400, h.alice.accountId]]);
  });

  it("asks for a relink when the refresh token's 60 days ran out (short lifetimes in the simulator)", async () => {
    h = await startHarness({ sim: { accessTokenTtlSec: 1, refreshTokenTtlSec: 1 } });
    const tokens = h.store.tokens.get(h.alice.accountId)!;
    // The store still believes in the refresh token; PSN no longer does.
    h.store.tokens.set(h.alice.accountId, {
      ...tokens,
      refreshTokenExpiresAt: new Date(Date.now() + 86_400_000),
    });
    await waitUntil(() => Date.now() > tokens.refreshTokenExpiresAt.getTime() + 50);
    const err = await h.client.getPresence(h.auth, "me").catch((e: unknown) => e);
    expect((err as PsnAuthError).reason).toBe("invalid_refresh_token");
    expect(h.relinks).toEqual([h.alice.accountId]);
    expect(h.sim.requests().map((r) => `${r.endpoint} ${r.status}`)).toEqual(["token 400"]);
  });

  it("does not even ask PSN when the refresh token is known to have expired", async () => {
    h = await startHarness();
    const tokens = h.store.tokens.get(h.alice.accountId)!;
    h.store.tokens.set(h.alice.accountId, {
      ...tokens,
      accessTokenExpiresAt: new Date(0),
      refreshTokenExpiresAt: new Date(Date.now() - 1),
    });
    const err = await h.client.getParties(h.auth).catch((e: unknown) => e);
    expect((err as PsnAuthError).reason).toBe("invalid_refresh_token");
    expect(h.relinks).toEqual([h.alice.accountId]);
    expect(h.sim.requests()).toHaveLength(0);
  });
});

describe("secrets in logs", () => {
  it("keeps tokens and the NPSSO out of everything logged on error paths", async () => {
    let captured = "";
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        captured += chunk.toString("utf8");
        done();
      },
    });
    const log = createLogger({ level: "debug", destination });
    h = await startHarness({ log });
    const tokens = h.store.tokens.get(h.alice.accountId)!;

    h.sim.fault("presence", { status: 503, times: 10 });
    const unavailable = await h.client.getPresence(h.auth, "me").catch((e: unknown) => e);
    log.error({ err: unavailable }, "presence failed");

    h.sim.revokeRefreshToken(h.alice.accountId);
    h.sim.expireAccessTokens();
    const authErr = await h.client.getParties(h.auth).catch((e: unknown) => e);
    expect(authErr).toBeInstanceOf(PsnAuthError);
    log.error({ err: authErr, tokens }, "parties failed");

    const npssoErr = await h.client.exchangeNpsso(`${h.bob.npsso}x`).catch((e: unknown) => e);
    log.error({ err: npssoErr }, "sign-in failed");

    expect(captured).toContain("parties failed");
    expect(captured).toContain("PSN sign-in problem");
    expect(captured).not.toContain(tokens.accessToken);
    expect(captured).not.toContain(tokens.refreshToken);
    expect(captured).not.toContain(h.bob.npsso);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
