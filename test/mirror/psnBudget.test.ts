/**
 * docs/architecture.md promises the PSN budget is never exceeded. The PSN simulator keeps a budget
 * of its own (as PSN does), so a bot that overspends meets a 429 here, not only when a
 * test injects one.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type MirrorWorld, startMirrorWorld } from "./harness.js";

/** PSN's limit in this world, and the bot's configured budget a little below it. */
const PSN_LIMIT = { requests: 6, windowMs: 2_000 };
const BOT_BUDGET = { PSN_BUDGET_REQUESTS: "4", PSN_BUDGET_WINDOW_SECONDS: "2" };

describe("the poller under its configured PSN budget", () => {
  let m: MirrorWorld;
  beforeEach(async () => {
    m = await startMirrorWorld({ env: BOT_BUDGET, psn: { budget: PSN_LIMIT } });
  });
  afterEach(async () => {
    await m.stop();
  });

  it("never gets a 429 from PSN's own budget, however fast the ticks come", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const bob = await m.linkedMember("bob", "bob_ps");
    const session = m.psn.startParty(alice.accountId, { joinability: "open" });
    // Polls back to back: far more calls per account than PSN's window allows at once.
    for (let i = 0; i < 8; i++) {
      if (i === 2) m.psn.joinParty(session, bob.accountId);
      await m.tick();
    }
    const card = await m.world.discord.waitForMessage(m.world.partyChannel.id);
    expect(JSON.stringify(card.embeds)).toContain(bob.user.id);

    expect(m.psn.requests().filter((r) => r.status === 429)).toEqual([]);
    // And the budget was put to work: more calls than two of PSN's windows hold at once.
    const calls = m.psn.requests().filter((r) => r.accountId === alice.accountId);
    expect(calls.length).toBeGreaterThan(2 * PSN_LIMIT.requests);
  });
});
