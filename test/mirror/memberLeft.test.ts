/**
 * A member who leaves a server stops being announced there: their live card ends, the
 * presence board drops them, and a leave the bot missed while it was down is caught at
 * the next start. Driven through the Discord simulator's member events and REST.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BOARD_FOOTER } from "../../src/bot/embeds/presenceBoard.js";
import { findAllOpenCards } from "../../src/db/cards.js";
import { guildsOfMember, optIn } from "../../src/db/guildMembers.js";
import { updateGuild } from "../../src/db/guilds.js";
import { eventually, firstEmbed } from "../e2e/world.js";
import { type MirrorWorld, startMirrorWorld } from "./harness.js";

describe("a member who leaves the server", () => {
  let m: MirrorWorld;
  beforeEach(async () => {
    m = await startMirrorWorld();
  });
  afterEach(async () => {
    await m.stop();
  });

  const channelId = () => m.world.partyChannel.id;
  const cardEnded = (messageId: string) =>
    JSON.stringify(m.world.discord.message(channelId(), messageId)?.components).includes('"disabled":true');

  it("has their live card ended at once and leaves the presence board", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const bob = await m.linkedMember("bob", "bob_ps");
    const board = m.world.discord.createChannel(m.world.guild.id, { name: "online" });
    await m.world.discord
      .runSlashCommand({
        guildId: m.world.guild.id,
        userId: m.world.admin.id,
        name: "config",
        subcommandGroup: "board",
        subcommand: "channel",
        options: { channel: board.id },
      })
      .response();
    m.psn.startParty(alice.accountId, { joinability: "open", name: "Alice's raid" });
    await m.tick();
    const card = await m.world.discord.waitForMessage(channelId());
    const boardText = () =>
      firstEmbed(
        m.world.discord
          .channelMessages(board.id)
          .find((x) => JSON.stringify(x.embeds).includes(BOARD_FOOTER))!,
      ).description;
    expect(boardText()).toContain(alice.user.id);

    m.world.discord.removeMember(m.world.guild.id, alice.user.id);
    // No poll runs: the leave itself ends the card.
    await m.world.discord.waitForMessageEdit(channelId(), card.id, () => cardEnded(card.id));
    expect(await guildsOfMember(m.world.app.ctx.db, alice.user.id)).toEqual([]);
    await eventually(
      async () => (await findAllOpenCards(m.world.app.ctx.db)).length === 0,
      "the card row ended",
    );

    await m.tick();
    expect(boardText()).not.toContain(alice.user.id);
    expect(boardText()).toContain(bob.user.id);
    // Her party goes on, but it is not announced here any more: no new card.
    await m.tick();
    expect(m.world.discord.channelMessages(channelId()).filter((x) => x.embeds.length > 0)).toHaveLength(1);
  });

  it("is heard in a large server, where Discord did not send the bot its member list", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    m.psn.startParty(alice.accountId, { joinability: "open" });
    await m.tick();
    const card = await m.world.discord.waitForMessage(channelId());
    for (let i = 0; i < 50; i++) m.plainUser(`crowd${i}`);
    // Reconnected to a server past 50 members: alice is not among the members the bot was sent.
    await m.world.restartApp();
    const members = () => m.world.app.client.guilds.cache.get(m.world.guild.id)?.members.cache;
    // The start-up check asked about her, which cached her; a member the bot never asked
    // about (or no longer holds) arrives as a partial member, which must still count.
    await eventually(() => members()?.has(alice.user.id), "the start-up check's answer");
    members()?.delete(alice.user.id);

    m.world.discord.removeMember(m.world.guild.id, alice.user.id);
    await m.world.discord.waitForMessageEdit(channelId(), card.id, () => cardEnded(card.id));
    expect(await guildsOfMember(m.world.app.ctx.db, alice.user.id)).toEqual([]);
  });

  it("is still announced in the other servers they are in", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const other = m.world.discord.createGuild({ name: "Other server" });
    const otherChannel = m.world.discord.createChannel(other.id, { name: "parties" });
    m.world.discord.addMember(other.id, alice.user.id);
    await eventually(() => m.world.app.client.guilds.cache.has(other.id), "the bot sees the other server");
    await updateGuild(m.world.app.ctx.db, other.id, { channelId: otherChannel.id });
    await optIn(m.world.app.ctx.db, other.id, alice.user.id);
    m.psn.startParty(alice.accountId, { joinability: "open" });
    await m.tick();
    const card = await m.world.discord.waitForMessage(channelId());
    const otherCard = await m.world.discord.waitForMessage(otherChannel.id);

    m.world.discord.removeMember(m.world.guild.id, alice.user.id);
    await m.world.discord.waitForMessageEdit(channelId(), card.id, () => cardEnded(card.id));
    expect(await guildsOfMember(m.world.app.ctx.db, alice.user.id)).toEqual([other.id]);
    // Queued behind the leave's work in the card writer: when it returns, that work is done.
    await m.world.app.ctx.cards.endCardsOfUser("0");
    expect((await findAllOpenCards(m.world.app.ctx.db)).map((c) => c.guildId)).toEqual([other.id]);
    const editsThere = m.world.discord
      .requests()
      .filter((r) => r.method === "PATCH" && r.path.includes(`/channels/${otherChannel.id}/`));
    expect(editsThere).toEqual([]);
    expect(m.world.discord.message(otherChannel.id, otherCard.id)?.editedTimestamp).toBeNull();
  });

  it("leaves a card up while another member announced there is in the party", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const bob = await m.linkedMember("bob", "bob_ps");
    const session = m.psn.startParty(alice.accountId, { joinability: "open" });
    m.psn.joinParty(session, bob.accountId);
    await m.tick();
    const card = await m.world.discord.waitForMessage(channelId());

    m.world.discord.removeMember(m.world.guild.id, alice.user.id);
    await eventually(
      async () => (await guildsOfMember(m.world.app.ctx.db, alice.user.id)).length === 0,
      "alice's opt-in gone",
    );
    await m.tick();
    expect(cardEnded(card.id)).toBe(false);
    expect(await findAllOpenCards(m.world.app.ctx.db)).toHaveLength(1);
  });

  it("is caught at the next start when they left while the bot was down", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const bob = await m.linkedMember("bob", "bob_ps");
    m.psn.startParty(alice.accountId, { joinability: "open" });
    await m.tick();
    const card = await m.world.discord.waitForMessage(channelId());

    await m.world.app.stop();
    m.world.discord.removeMember(m.world.guild.id, alice.user.id);
    await m.world.restartApp();
    await m.world.discord.waitForMessageEdit(channelId(), card.id, () => cardEnded(card.id));
    expect(await guildsOfMember(m.world.app.ctx.db, alice.user.id)).toEqual([]);
    // Members still in the server keep being announced.
    expect(await guildsOfMember(m.world.app.ctx.db, bob.user.id)).toEqual([m.world.guild.id]);
    await eventually(
      async () => (await findAllOpenCards(m.world.app.ctx.db)).length === 0,
      "the card row ended",
    );
  });
});
