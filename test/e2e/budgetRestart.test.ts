/**
 * PSN counts an account's requests across our restarts, so the budget must too: a
 * crash loop that restarts the bot mid-window never gets a fresh budget. Counted where
 * it matters, at the PSN simulator.
 */
import { afterEach, describe, expect, it } from "vitest";
import { PsnRateLimitedError } from "../../src/psn/errors.js";
import { type LinkedMember, startWorld, type World } from "./world.js";

const BUDGET = 4;

let world: World | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

/** Reads the member's presence until the bot refuses (its own budget or a pause); how many got through. */
async function pollUntilRefused(w: World, linked: LinkedMember): Promise<number> {
  const auth = w.app.ctx.tokens.provider(linked.accountId);
  for (let sent = 0; sent <= BUDGET * 2; sent++) {
    try {
      await w.app.ctx.psn.getPresence(auth, "me");
    } catch (err) {
      if (err instanceof PsnRateLimitedError) return sent;
      throw err;
    }
  }
  throw new Error("the budget never refused");
}

/**
 * What PSN received for the account, but for the sign-in's authorize and code exchange:
 * they happen before the account is known, so no budget can hold them. (No refresh
 * happens in these tests, the other use of the token endpoint.)
 */
const receivedFor = (w: World, accountId: string) =>
  w.psn
    .requests()
    .filter((r) => r.accountId === accountId && r.endpoint !== "authorize" && r.endpoint !== "token");

describe("the PSN budget across restarts", () => {
  it("a crash loop mid-window gets no new budget: PSN receives at most the budget", async () => {
    world = await startWorld({
      app: { schedulePolls: false },
      env: { PSN_BUDGET_REQUESTS: String(BUDGET), PSN_BUDGET_WINDOW_SECONDS: "600" },
    });
    const w = world;
    const linked = await w.linkMember(w.member, "Crash_Looper");

    // The sign-in read the profile: one request of the budget is spent already.
    expect(await pollUntilRefused(w, linked)).toBe(BUDGET - 1);
    for (let restart = 0; restart < 3; restart++) {
      await w.restartApp({ schedulePolls: false });
      expect(await pollUntilRefused(w, linked)).toBe(0);
    }
    expect(receivedFor(w, linked.accountId)).toHaveLength(BUDGET);
  });

  it("an account paused by a 429 stays paused across a restart", async () => {
    world = await startWorld({ app: { schedulePolls: false } });
    const w = world;
    const linked = await w.linkMember(w.member, "Rate_Limited");
    w.psn.fault("presence", { status: 429, headers: { "retry-after": "300" } });

    expect(await pollUntilRefused(w, linked)).toBe(0);
    await w.restartApp({ schedulePolls: false });
    expect(await pollUntilRefused(w, linked)).toBe(0);
    // The profile read at sign-in, then the one presence read PSN answered with 429.
    expect(receivedFor(w, linked.accountId).map((r) => r.status)).toEqual([200, 429]);
  });
});
