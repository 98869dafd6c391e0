/**
 * Discord's edit limit (30046): once a message older than an hour has used up its edits,
 * Discord refuses every further edit of it for a while, but still lets it be deleted.
 * Promise: one card per party, ended when the party ends; no message left with a working
 * Request-invite button that the bot no longer keeps. Counted from what the Discord
 * simulator holds, not from the bot's rows.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findAllOpenCards, findCard } from "../../src/db/cards.js";
import { type MirrorWorld, startMirrorWorld } from "./harness.js";

describe("a card Discord will not edit any more (30046)", () => {
  let m: MirrorWorld;
  beforeEach(async () => {
    m = await startMirrorWorld();
  });
  afterEach(async () => {
    await m.stop();
  });

  const channelId = () => m.world.partyChannel.id;
  const db = () => m.world.app.ctx.db;
  /** The messages in the channel whose Request-invite button for this party still works. */
  const liveCardsOf = (session: string) =>
    m.world.discord
      .channelMessages(channelId())
      .filter((x) =>
        x.components.some((row) =>
          ((row as { components?: { custom_id?: string; disabled?: boolean }[] }).components ?? []).some(
            (c) => c.custom_id === `invite:${session}` && c.disabled !== true,
          ),
        ),
      );
  const cardsOf = (session: string) =>
    m.world.discord
      .channelMessages(channelId())
      .filter((x) => JSON.stringify(x.components).includes(`"invite:${session}"`));

  /** A party of `host`'s with its live card, which Discord then refuses to edit. */
  const liveCardRefusingEdits = async (host: string) => {
    const session = m.psn.startParty(host, { joinability: "open" });
    await m.tick();
    const old = await m.world.discord.waitForMessage(channelId());
    const [row] = await findAllOpenCards(db());
    m.world.discord.refuseEdits(old.id);
    return { session, old, row };
  };

  it("a live card: the replacement is the one live card and tracked; the old one is gone; the end ends it", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const bob = await m.linkedMember("bob", "bob_ps");
    const { session, old } = await liveCardRefusingEdits(alice.accountId);

    m.psn.joinParty(session, bob.accountId);
    await m.tick();
    const live = liveCardsOf(session);
    expect(live.map((x) => x.id)).toHaveLength(1);
    expect(live[0]?.id).not.toBe(old.id);
    expect(JSON.stringify(live[0]?.embeds)).toContain(bob.user.id);
    expect(m.world.discord.message(channelId(), old.id)?.deleted).toBe(true);
    expect(await findAllOpenCards(db())).toEqual([
      expect.objectContaining({ sessionId: session, state: "live", messageId: live[0]?.id }),
    ]);

    m.psn.endParty(session);
    await m.tick();
    await m.tick();
    expect(liveCardsOf(session)).toEqual([]);
    expect(cardsOf(session)).toHaveLength(1);
    expect(JSON.stringify(cardsOf(session)[0]?.embeds)).toContain("Ended");
    expect(await findAllOpenCards(db())).toEqual([]);
  });

  it("a live card whose delete fails too: never two live cards; the old one is deleted once Discord lets it", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const bob = await m.linkedMember("bob", "bob_ps");
    const { session, old } = await liveCardRefusingEdits(alice.accountId);
    m.world.discord.fault(
      { method: "DELETE", path: `/channels/${channelId()}/messages/${old.id}` },
      { status: 503, message: "Service Unavailable" },
    );

    m.psn.joinParty(session, bob.accountId);
    await m.tick();
    await m.tick();
    const trackedIds = async () =>
      (await findAllOpenCards(db())).map((c) => c.messageId).filter((id) => id !== null);
    expect(liveCardsOf(session).length).toBeLessThanOrEqual(1);
    expect(liveCardsOf(session).every((x) => x.id === old.id)).toBe(true);

    m.world.discord.clearFaults();
    m.world.discord.refuseEdits(old.id);
    await m.tick();
    const live = liveCardsOf(session);
    expect(live).toHaveLength(1);
    expect(live[0]?.id).not.toBe(old.id);
    expect(JSON.stringify(live[0]?.embeds)).toContain(bob.user.id);
    expect(await trackedIds()).toEqual([live[0]?.id]);
    expect(m.world.discord.message(channelId(), old.id)?.deleted).toBe(true);
  });

  it("ending: not done while the old card is live; once Discord accepts edits again, no live card is left", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const { session, old, row } = await liveCardRefusingEdits(alice.accountId);
    m.world.discord.fault(
      { method: "DELETE", path: `/channels/${channelId()}/messages/${old.id}` },
      { status: 503, message: "Service Unavailable" },
    );

    m.psn.endParty(session);
    await m.tick();
    await m.tick();
    await m.tick();
    // Still live on Discord: the end is not counted as done.
    expect(liveCardsOf(session).map((x) => x.id)).toEqual([old.id]);
    expect((await findCard(db(), row?.id ?? 0))?.state).not.toBe("ended");

    m.world.discord.clearFaults();
    await m.tick();
    expect(liveCardsOf(session)).toEqual([]);
    expect(cardsOf(session)).toHaveLength(1);
    expect(JSON.stringify(cardsOf(session)[0]?.embeds)).toContain("Ended");
    expect(await findAllOpenCards(db())).toEqual([]);
  });

  it("ending: the live card is deleted and an ended copy posted once, the end recorded on it", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const { session, old, row } = await liveCardRefusingEdits(alice.accountId);

    m.psn.endParty(session);
    await m.tick();
    await m.tick();
    await m.tick();
    expect(liveCardsOf(session)).toEqual([]);
    expect(m.world.discord.message(channelId(), old.id)?.deleted).toBe(true);
    const [ended, ...others] = cardsOf(session);
    expect(others).toEqual([]);
    expect(JSON.stringify(ended?.embeds)).toContain("Ended");
    expect(await findCard(db(), row?.id ?? 0)).toMatchObject({ state: "ended", messageId: ended?.id });
  });

  /**
   * The bot dies the moment Discord has deleted `messageId` during the next tick: Discord
   * carries the delete out, and nothing the bot does after it reaches the database (its
   * store is closed under it, as a killed process's would be). Then the bot starts again
   * on the same database file.
   */
  async function crashOnceDeleted(messageId: string): Promise<void> {
    const held = m.world.discord.hold({
      method: "DELETE",
      path: `/channels/${channelId()}/messages/${messageId}`,
    });
    const tick = m.tick().catch(() => undefined);
    await held.arrived;
    await db().close();
    held.release("handle");
    await tick;
    await m.world.restartApp();
  }

  it("a crash right after the old card was deleted: the party still gets its one live card after the restart", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const bob = await m.linkedMember("bob", "bob_ps");
    const { session, old } = await liveCardRefusingEdits(alice.accountId);

    m.psn.joinParty(session, bob.accountId);
    await crashOnceDeleted(old.id);
    expect(m.world.discord.message(channelId(), old.id)?.deleted).toBe(true);

    await m.tick();
    const live = liveCardsOf(session);
    expect(live).toHaveLength(1);
    expect(JSON.stringify(live[0]?.embeds)).toContain(bob.user.id);
    expect(await findAllOpenCards(db())).toEqual([
      expect.objectContaining({ sessionId: session, state: "live", messageId: live[0]?.id }),
    ]);
  });

  it("a crash right after the old card was deleted while ending: the ended copy is posted once after the restart", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const { session, old, row } = await liveCardRefusingEdits(alice.accountId);

    m.psn.endParty(session);
    // The first tick after the end only misses the party (the tracker's debounce); the second ends it.
    await m.tick();
    await crashOnceDeleted(old.id);

    await m.tick();
    await m.tick();
    expect(liveCardsOf(session)).toEqual([]);
    const [ended, ...others] = cardsOf(session);
    expect(others).toEqual([]);
    expect(JSON.stringify(ended?.embeds)).toContain("Ended");
    expect(await findCard(db(), row?.id ?? 0)).toMatchObject({ state: "ended", messageId: ended?.id });
  });
});
