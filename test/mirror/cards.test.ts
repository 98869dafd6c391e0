import { Routes } from "discord.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SimUser } from "../../sim/discord/server.js";
import { beginPost, findAllOpenCards } from "../../src/db/cards.js";
import { findGuild } from "../../src/db/guilds.js";
import { pollSoon } from "../../src/db/watch.js";
import { newNonce } from "../../src/jobs/messages/nonce.js";
import { eventually, firstEmbed } from "../e2e/world.js";
import { type MirrorWorld, startMirrorWorld } from "./harness.js";

describe("party cards, end to end", () => {
  let m: MirrorWorld;
  beforeEach(async () => {
    m = await startMirrorWorld();
  });
  afterEach(async () => {
    await m.stop();
  });

  const cardsIn = (channelId: string) =>
    m.world.discord.channelMessages(channelId).filter((x) => x.embeds.length > 0);

  it("posts one card with the role mentioned, edits it when a member joins, ends it after the debounce", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const bob = await m.linkedMember("bob", "bob_ps");
    const session = m.psn.startParty(alice.accountId, { joinability: "open", name: "Bug hunt" });

    await m.tick();
    const card = await m.world.discord.waitForMessage(m.world.partyChannel.id);
    expect(card.content).toBe(`<@&${m.roleId}>`);
    expect(firstEmbed(card).title).toBe("Bug hunt");
    expect(JSON.stringify(card.components)).toContain(`invite:${session}`);
    expect(JSON.stringify(card.components)).toContain("party.playstation.com");

    m.psn.joinParty(session, bob.accountId);
    await m.tick();
    const edited = m.world.discord.message(m.world.partyChannel.id, card.id);
    expect(JSON.stringify(edited?.embeds)).toContain(bob.user.id);
    expect(edited?.editedTimestamp).not.toBeNull();
    // Two linked members in one party: still one card.
    await m.tick();
    expect(cardsIn(m.world.partyChannel.id)).toHaveLength(1);

    m.psn.endParty(session);
    await m.tick();
    await m.tick();
    const ended = m.world.discord.message(m.world.partyChannel.id, card.id);
    expect(JSON.stringify(ended?.embeds)).toContain("Ended");
    expect(JSON.stringify(ended?.components)).toContain('"disabled":true');
    expect(cardsIn(m.world.partyChannel.id)).toHaveLength(1);
    expect(await findAllOpenCards(m.world.app.ctx.db)).toHaveLength(0);
  });

  it("keeps one card across a restart, and across a crash between the row write and the Discord call", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const first = m.psn.startParty(alice.accountId, { joinability: "open" });
    await m.tick();
    await m.world.discord.waitForMessage(m.world.partyChannel.id);

    await m.world.restartApp();
    await m.tick();
    await m.tick();
    expect(cardsIn(m.world.partyChannel.id)).toHaveLength(1);

    // A crash after the row was written and the message created, before completion was recorded.
    const db = m.world.app.ctx.db;
    const guildId = m.world.guild.id;
    const second = m.psn.startParty(alice.accountId, { joinability: "open", name: "Second" });
    const nonce = newNonce();
    await beginPost(
      db,
      { guildId, sessionId: second, channelId: m.world.partyChannel.id, nonce, partyJson: "{}" },
      m.now(),
    );
    await m.world.app.client.rest.post(Routes.channelMessages(m.world.partyChannel.id), {
      body: { embeds: [{ title: "Second" }], nonce, enforce_nonce: true },
    });
    await m.world.restartApp();
    await m.tick();
    const open = await findAllOpenCards(m.world.app.ctx.db);
    expect(open.map((c) => c.state).sort()).toEqual(["live", "live"]);
    expect(open.map((c) => c.sessionId).sort()).toEqual([first, second].sort());
    expect(cardsIn(m.world.partyChannel.id)).toHaveLength(2);
  });

  it("ends a card whose party ended while the bot was down with what it showed and how long it lasted", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const session = m.psn.startParty(alice.accountId, { joinability: "open" });
    await m.tick();
    const card = await m.world.discord.waitForMessage(m.world.partyChannel.id);

    await m.world.restartApp();
    m.psn.endParty(session);
    // Two polls of its only member without it, as for a party that ends while the bot runs.
    await m.tick();
    await m.tick();
    expect(await findAllOpenCards(m.world.app.ctx.db)).toHaveLength(0);
    const ended = firstEmbed(m.world.discord.message(m.world.partyChannel.id, card.id)!);
    expect(ended.title).toBe("alice\\_ps's party");
    expect(ended.description).toMatch(/Ended · lasted \d+ s$/);
  });

  it("reposts a card deleted by hand while the party lives", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    m.psn.startParty(alice.accountId, { joinability: "open" });
    await m.tick();
    const card = await m.world.discord.waitForMessage(m.world.partyChannel.id);
    m.world.discord.deleteMessageByHand(m.world.partyChannel.id, card.id);
    // Nothing about the party changes: the deletion itself (a gateway event) brings the card back.
    await eventually(
      async () => (await findAllOpenCards(m.world.app.ctx.db))[0]?.state === "posting",
      "the card to be re-queued",
    );
    await m.tick();
    const again = await m.world.discord.waitForMessage(m.world.partyChannel.id, (x) => x.id !== card.id);
    expect(firstEmbed(again).title).toContain("party");
    expect(cardsIn(m.world.partyChannel.id)).toHaveLength(1);
  });

  it.each([
    ["is gone (10008): the same card row posts it again", 404, 10008],
    ["is too old to edit (30046): the same card row posts a new one and deletes the old one", 400, 30046],
  ])("when an edit finds that the card %s", async (_what, status, code) => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const bob = await m.linkedMember("bob", "bob_ps");
    const session = m.psn.startParty(alice.accountId, { joinability: "open" });
    await m.tick();
    const card = await m.world.discord.waitForMessage(m.world.partyChannel.id);
    const [row] = await findAllOpenCards(m.world.app.ctx.db);
    m.world.discord.fault(
      { method: "PATCH", path: `/channels/${m.world.partyChannel.id}/messages/${card.id}` },
      { status, code, times: 1 },
    );
    m.psn.joinParty(session, bob.accountId);
    await m.tick();
    const again = await m.world.discord.waitForMessage(m.world.partyChannel.id, (x) => x.id !== card.id);
    expect(JSON.stringify(again.embeds)).toContain(bob.user.id);
    const open = await findAllOpenCards(m.world.app.ctx.db);
    expect(open).toEqual([
      expect.objectContaining({ sessionId: session, state: "live", messageId: again.id }),
    ]);
    expect(open[0]?.id).toBe(row?.id);
    // One card left in the channel: a message too old to edit is deleted, not left with working buttons.
    expect(cardsIn(m.world.partyChannel.id).map((x) => x.id)).toEqual([again.id]);
  });

  it("ends a card too old to edit (30046) with an ended copy, and deletes the live one", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const session = m.psn.startParty(alice.accountId, { joinability: "open" });
    await m.tick();
    const card = await m.world.discord.waitForMessage(m.world.partyChannel.id);
    m.world.discord.fault(
      { method: "PATCH", path: `/channels/${m.world.partyChannel.id}/messages/${card.id}` },
      { status: 400, code: 30046 },
    );
    m.psn.endParty(session);
    await m.tick();
    await m.tick();
    expect(await findAllOpenCards(m.world.app.ctx.db)).toHaveLength(0);
    // What the channel holds: one card of the party, ended, its buttons off; the live one gone.
    expect(m.world.discord.message(m.world.partyChannel.id, card.id)?.deleted).toBe(true);
    const [ended, ...others] = cardsIn(m.world.partyChannel.id);
    expect(others).toEqual([]);
    expect(JSON.stringify(ended?.embeds)).toContain("Ended");
    expect(JSON.stringify(ended?.components)).toContain(`invite:${session}`);
    expect(JSON.stringify(ended?.components)).not.toContain('"disabled":false');
  });

  it("edits a card at most once per tick, even when both passes of the tick change it", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const bob = await m.linkedMember("bob", "bob_ps");
    const carol = await m.linkedMember("carol", "carol_ps");
    m.psn.setPresence(carol.accountId, { online: false });
    const session = m.psn.startParty(alice.accountId, { joinability: "open" });
    await m.tick();
    const card = await m.world.discord.waitForMessage(m.world.partyChannel.id);
    const edits = () =>
      m.world.discord
        .requests()
        .filter(
          (r) =>
            r.method === "PATCH" && r.path === `/channels/${m.world.partyChannel.id}/messages/${card.id}`,
        ).length;

    // Tick 2, first pass (members online): bob has joined, the card is edited. Carol, offline,
    // is read in the second pass, and by then she has come online and joined too.
    m.psn.joinParty(session, bob.accountId);
    await pollSoon(m.world.app.ctx.db, carol.user.id, new Date(m.now().getTime() + 30_000));
    const firstEdit = m.world.discord.waitForMessageEdit(m.world.partyChannel.id, card.id).then(() => {
      m.psn.setPresence(carol.accountId, { online: true, platform: "PS5" });
      m.psn.joinParty(session, carol.accountId);
    });
    const before = edits();
    await m.tick();
    await firstEdit;
    expect(edits() - before).toBe(1);
    expect(JSON.stringify(m.world.discord.message(m.world.partyChannel.id, card.id)?.embeds)).toContain(
      bob.user.id,
    );

    // The next tick catches up with carol.
    await m.tick();
    expect(edits() - before).toBe(2);
    expect(JSON.stringify(m.world.discord.message(m.world.partyChannel.id, card.id)?.embeds)).toContain(
      carol.user.id,
    );
  });

  it.each([
    [403, 50001, "Missing Access", "missingAccess"],
    [404, 10003, "Unknown Channel", "channelGone"],
  ])("pauses the server when posting is refused with %i %i", async (status, code, message, reasonCode) => {
    const alice = await m.linkedMember("alice", "alice_ps");
    m.world.discord.fault(
      { method: "POST", path: new RegExp(`^/channels/${m.world.partyChannel.id}/messages$`) },
      { status, code, message },
    );
    m.psn.startParty(alice.accountId, { joinability: "open" });
    await m.tick();
    await m.tick();
    expect((await findGuild(m.world.app.ctx.db, m.world.guild.id))?.pausedReason).toEqual({
      code: reasonCode,
      channelId: m.world.partyChannel.id,
    });
    const posts = m.world.discord
      .requests()
      .filter((r) => r.method === "POST" && r.path === `/channels/${m.world.partyChannel.id}/messages`);
    // Paused: the second tick makes no call.
    expect(posts).toHaveLength(1);
  });

  it("pauses the server on 50013 and /config check reports it", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    m.world.discord.fault(
      { method: "POST", path: new RegExp(`^/channels/${m.world.partyChannel.id}/messages$`) },
      { status: 403, code: 50013, message: "Missing Permissions" },
    );
    m.psn.startParty(alice.accountId, { joinability: "open" });
    await m.tick();
    await m.tick();
    const guild = await findGuild(m.world.app.ctx.db, m.world.guild.id);
    expect(guild?.pausedReason).toEqual({ code: "missingPermissions", channelId: m.world.partyChannel.id });
    const posts = m.world.discord
      .requests()
      .filter((r) => r.method === "POST" && r.path === `/channels/${m.world.partyChannel.id}/messages`);
    // The second tick does not try again: the server is paused.
    expect(posts).toHaveLength(1);

    const check = await m.world.slash(m.world.admin, "config", { subcommand: "check" }).response();
    expect(check.ephemeral).toBe(true);
    expect(firstEmbed(check).title).toBe("Party cards are ready");
    expect(firstEmbed(check).description).toContain(
      `Cards were paused (Missing Permissions (50013): the bot cannot post or edit in <#${m.world.partyChannel.id}>). The channel looks right now, so they are resumed.`,
    );
    expect((await findGuild(m.world.app.ctx.db, m.world.guild.id))?.pausedReason).toBeNull();
    // Resumed: with the permission back, the next tick posts the card.
    m.world.discord.clearFaults();
    await m.tick();
    expect(cardsIn(m.world.partyChannel.id)).toHaveLength(1);
  });

  /** /unlink through the real prompt and its confirm button. */
  async function unlink(user: SimUser): Promise<void> {
    const prompt = await m.world.slash(user, "unlink").response();
    const confirm = JSON.stringify(prompt.components).match(/unlink:confirm:\d+:\d+/)?.[0];
    expect(confirm).toBeDefined();
    await m.world.discord
      .clickButton({
        channelId: prompt.channelId,
        messageId: prompt.messageId,
        customId: confirm as string,
        userId: user.id,
        guildId: m.world.guild.id,
      })
      .response();
  }

  it("ends the card at once when its only announced member unlinks", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    m.psn.startParty(alice.accountId, { joinability: "open" });
    await m.tick();
    const card = await m.world.discord.waitForMessage(m.world.partyChannel.id);

    await unlink(alice.user);
    const ended = m.world.discord.message(m.world.partyChannel.id, card.id);
    expect(JSON.stringify(ended?.embeds)).toContain("Ended");
    expect(await findAllOpenCards(m.world.app.ctx.db)).toHaveLength(0);
  });

  it("leaves the card live when a member unlinks and another announced member is still in the party", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const bob = await m.linkedMember("bob", "bob_ps");
    const session = m.psn.startParty(alice.accountId, { joinability: "open" });
    m.psn.joinParty(session, bob.accountId);
    await m.tick();
    const card = await m.world.discord.waitForMessage(m.world.partyChannel.id);

    await unlink(alice.user);
    const shown = m.world.discord.message(m.world.partyChannel.id, card.id);
    expect(JSON.stringify(shown?.embeds)).not.toContain("Ended");
    expect((await findAllOpenCards(m.world.app.ctx.db)).map((c) => c.state)).toEqual(["live"]);
  });
});
