/**
 * A card whose create answer was lost, retried after Discord stopped honouring its
 * nonce: the bot must find the message it already made instead of posting a second
 * card, and a party that ends meanwhile must end that message. Counted from what the
 * Discord simulator holds, not from the bot's rows.
 */
import { PermissionFlagsBits } from "discord.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NONCE_WINDOW_MS } from "../../sim/discord/server.js";
import { findAllOpenCards } from "../../src/db/cards.js";
import { findGuild } from "../../src/db/guilds.js";
import { eventually } from "../e2e/world.js";
import { type MirrorWorld, startMirrorWorld } from "./harness.js";

describe("a card whose create answer was lost, past the nonce window", () => {
  let m: MirrorWorld;
  beforeEach(async () => {
    m = await startMirrorWorld();
  });
  afterEach(async () => {
    await m.stop();
  });

  const channelId = () => m.world.partyChannel.id;
  /** Every message in the party channel that is a card of this party, live or ended. */
  const cardsOf = (session: string) =>
    m.world.discord
      .channelMessages(channelId())
      .filter((x) => JSON.stringify(x.components).includes(`"invite:${session}"`));
  const liveButtons = (components: unknown) => JSON.stringify(components).includes('"disabled":false');

  /** Discord creates the card, then its answer is lost (a 502 on the way back), `times` times over. */
  function loseCreateAnswers(times: number): void {
    m.world.discord.fault(
      { method: "POST", path: `/channels/${channelId()}/messages` },
      { status: 502, afterHandling: true, times },
    );
  }

  it("answers lost for longer than the window, no crash: one card, found and tracked", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const bob = await m.linkedMember("bob", "bob_ps");
    const session = m.psn.startParty(alice.accountId, { joinability: "open", name: "Lost answers" });
    loseCreateAnswers(2);
    await m.tick();
    // Within the window the retry repeats the nonce: Discord returns the same message (answer lost again).
    await m.tick();
    expect(cardsOf(session)).toHaveLength(1);
    expect(await findAllOpenCards(m.world.app.ctx.db)).toEqual([
      expect.objectContaining({ state: "posting" }),
    ]);

    m.advance(NONCE_WINDOW_MS + 60_000);
    await m.tick();
    const [card] = cardsOf(session);
    expect(cardsOf(session)).toHaveLength(1);
    expect(await findAllOpenCards(m.world.app.ctx.db)).toEqual([
      expect.objectContaining({ state: "live", messageId: card?.id }),
    ]);

    // Tracked: what changes on the party shows on that message.
    m.psn.joinParty(session, bob.accountId);
    await m.tick();
    expect(cardsOf(session)).toHaveLength(1);
    expect(JSON.stringify(m.world.discord.message(channelId(), card?.id ?? "")?.embeds)).toContain(
      bob.user.id,
    );
  });

  it("copies already made are cleaned up: the first card stays, the repeats are deleted", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const session = m.psn.startParty(alice.accountId, { joinability: "open" });
    loseCreateAnswers(1);
    await m.tick();
    const [first] = cardsOf(session);
    // A repeat after the window, as the bot made them before it looked first: Discord posted it again.
    m.advance(NONCE_WINDOW_MS + 60_000);
    const row = (await findAllOpenCards(m.world.app.ctx.db))[0];
    await m.world.app.client.rest
      .post(`/channels/${channelId()}/messages`, {
        body: {
          components: first?.components,
          embeds: first?.embeds,
          nonce: row?.nonce,
          enforce_nonce: true,
        },
      })
      .catch(() => undefined);
    expect(cardsOf(session)).toHaveLength(2);

    await m.tick();
    expect(cardsOf(session).map((c) => c.id)).toEqual([first?.id]);
    expect(await findAllOpenCards(m.world.app.ctx.db)).toEqual([
      expect.objectContaining({ state: "live", messageId: first?.id }),
    ]);
  });

  it.each([
    ["within the nonce window", 0],
    ["after the nonce window", NONCE_WINDOW_MS + 60_000],
  ])("a party that ends before the retry ends its one card (%s)", async (_when, later) => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const session = m.psn.startParty(alice.accountId, { joinability: "open", name: "Short party" });
    // The retry on the first poll that misses the party is answered into the void too, so the
    // row is still `posting` when the second poll ends the party.
    loseCreateAnswers(2);
    await m.tick();
    expect(cardsOf(session)).toHaveLength(1);

    m.advance(later);
    m.psn.endParty(session);
    await m.tick();
    await m.tick();
    expect(await findAllOpenCards(m.world.app.ctx.db)).toHaveLength(0);
    const cards = cardsOf(session);
    expect(cards).toHaveLength(1);
    expect(JSON.stringify(cards[0]?.embeds)).toContain("Ended");
    expect(liveButtons(cards[0]?.components)).toBe(false);
  });

  it("across a restart on the same database file: the new instance finds the card", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const bob = await m.linkedMember("bob", "bob_ps");
    const session = m.psn.startParty(alice.accountId, { joinability: "open" });
    loseCreateAnswers(1);
    await m.tick();
    expect(cardsOf(session)).toHaveLength(1);

    // The first instance stops with the row still `posting`; the second comes back after the window.
    const firstApp = m.world.app;
    await m.world.restartApp();
    expect(m.world.app).not.toBe(firstApp);
    m.advance(NONCE_WINDOW_MS + 60_000);
    await m.tick();
    const [card] = cardsOf(session);
    expect(cardsOf(session)).toHaveLength(1);
    expect(await findAllOpenCards(m.world.app.ctx.db)).toEqual([
      expect.objectContaining({ state: "live", messageId: card?.id }),
    ]);

    m.psn.joinParty(session, bob.accountId);
    await m.tick();
    expect(JSON.stringify(m.world.discord.message(channelId(), card?.id ?? "")?.embeds)).toContain(
      bob.user.id,
    );
    m.psn.endParty(session);
    await m.tick();
    await m.tick();
    expect(cardsOf(session)).toHaveLength(1);
    expect(liveButtons(m.world.discord.message(channelId(), card?.id ?? "")?.components)).toBe(false);
  });

  it("a channel it cannot read back pauses the server instead of posting blind", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const session = m.psn.startParty(alice.accountId, { joinability: "open" });
    loseCreateAnswers(1);
    await m.tick();
    m.world.discord.setChannelOverwrite(channelId(), {
      id: m.world.discord.botUser.id,
      type: "member",
      deny: PermissionFlagsBits.ReadMessageHistory,
    });
    // The bot learns it from the gateway (CHANNEL_UPDATE), as it would on Discord.
    const client = m.world.app.client;
    await eventually(() => {
      const channel = client.channels.cache.get(channelId());
      const perms =
        channel && "permissionsFor" in channel && client.user ? channel.permissionsFor(client.user) : null;
      return perms !== null && !perms.has(PermissionFlagsBits.ReadMessageHistory);
    }, "the bot to see its permission change");
    m.advance(NONCE_WINDOW_MS + 60_000);
    await m.tick();
    expect(cardsOf(session)).toHaveLength(1);
    expect((await findGuild(m.world.app.ctx.db, m.world.guild.id))?.pausedReason).toEqual({
      code: "cannotReadHistory",
      channelId: channelId(),
    });

    const check = await m.world.slash(m.world.admin, "config", { subcommand: "check" }).response();
    expect(JSON.stringify(check)).toContain("Read Message History");
  });
});
