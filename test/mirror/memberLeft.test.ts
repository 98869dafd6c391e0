/**
 * A member who leaves a server stops being announced there: their live card ends, the
 * presence board drops them, and a leave the bot missed while it was down is caught at
 * the next start. Driven through the Discord simulator's member events and REST.
 */
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { encryptTokens } from "../../src/accounts/tokenCrypto.js";
import { BOARD_FOOTER } from "../../src/bot/embeds/presenceBoard.js";
import { findAllOpenCards } from "../../src/db/cards.js";
import { guildsOfMember, optIn } from "../../src/db/guildMembers.js";
import { updateGuild } from "../../src/db/guilds.js";
import { upsertLinkedUser } from "../../src/db/users.js";
import { MEMBERS_PER_REQUEST } from "../../src/jobs/memberLeft.js";
import { createLogger } from "../../src/log.js";
import { createVault } from "../../src/vault.js";
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

/** A logger whose JSON lines the test reads. */
function capturedLog() {
  const lines: { msg: string; user?: string; guildId?: string }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const l of chunk.toString("utf8").split("\n").filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { log: createLogger({ level: "info", destination }), lines };
}

const departuresIn = (lines: ReturnType<typeof capturedLog>["lines"]) =>
  lines.filter((l) => l.msg.startsWith("a member left the server"));

describe("departures in the log: who is opted out, and where", () => {
  let m: MirrorWorld | undefined;
  afterEach(async () => {
    await m?.stop();
    m = undefined;
  });

  it("a user who leaves a server where they were not announced is not reported as no longer announced", async () => {
    const { log, lines } = capturedLog();
    m = await startMirrorWorld({ log });
    const world = m.world;
    const alice = await m.linkedMember("alice", "alice_ps");
    const bob = await m.linkedMember("bob", "bob_ps");
    const off = await world
      .slash(bob.user, "privacy", { subcommand: "announce", options: { state: "off" } })
      .response();
    expect(off.content).toBe("Your parties will no longer get cards in this server.");
    const carol = m.plainUser("carol");

    // Someone who never linked, a member who turned announcing off here, then one announced here.
    for (const user of [carol, bob.user, alice.user]) world.discord.removeMember(world.guild.id, user.id);
    const departures = () => departuresIn(lines);
    // Leaves are handled in the order Discord sent them: once alice's is, the others' are.
    await eventually(() => departures().some((l) => l.user === alice.user.id), "alice's departure handled");
    expect(departures().map((l) => l.user)).toEqual([alice.user.id]);
    expect(await guildsOfMember(world.app.ctx.db, alice.user.id)).toEqual([]);
  });

  it("at start-up, a server Discord will not answer about is left alone and the other servers are still checked", async () => {
    const { log, lines } = capturedLog();
    m = await startMirrorWorld({ log });
    const world = m.world;
    const alice = await m.linkedMember("alice", "alice_ps");
    const bob = await m.linkedMember("bob", "bob_ps");
    const other = world.discord.createGuild({ name: "Other server" });
    await eventually(() => world.app.client.guilds.cache.has(other.id), "the bot sees the other server");
    for (const member of [alice, bob]) {
      world.discord.addMember(other.id, member.user.id);
      await optIn(world.app.ctx.db, other.id, member.user.id);
    }

    await world.app.stop();
    world.discord.removeMember(other.id, alice.user.id);
    // The world's server, whose opt-ins are older, is checked first; Discord turns its member request away.
    world.discord.limitMemberRequests(world.guild.id);
    await world.restartApp();
    const sweepFailed = () => lines.some((l) => l.msg.startsWith("could not check for members who left"));
    await eventually(() => departuresIn(lines).length > 0 || sweepFailed(), "the start-up check");
    expect(departuresIn(lines).map((l) => [l.guildId, l.user])).toEqual([[other.id, alice.user.id]]);
    expect(sweepFailed()).toBe(false);
    expect(await guildsOfMember(world.app.ctx.db, alice.user.id)).toEqual([world.guild.id]);
    expect((await guildsOfMember(world.app.ctx.db, bob.user.id)).sort()).toEqual(
      [world.guild.id, other.id].sort(),
    );
  });

  it("at start-up, a server with more members announced than one member request may name is checked in full", async () => {
    const { log, lines } = capturedLog();
    m = await startMirrorWorld({ log });
    const world = m.world;
    const db = world.app.ctx.db;
    const at = m.now();
    // Linked straight into the database (a hundred sign-ins would take a while), with tokens
    // under the bot's key, as a sign-in stores them.
    const vault = createVault(world.config.encryption.key);
    // Past Discord's 100 ids per member request (more closes the gateway with 4002).
    const fans = Array.from({ length: MEMBERS_PER_REQUEST + 1 }, (_, i) => m!.plainUser(`fan${i}`));
    for (const [i, fan] of fans.entries()) {
      const accountId = String(7_000_000_000 + i);
      const tokens = encryptTokens(vault, accountId, {
        accessToken: "unused",
        accessTokenExpiresAt: new Date(at.getTime() + 3_600_000),
        refreshToken: "unused",
        refreshTokenExpiresAt: new Date(at.getTime() + 86_400_000),
      });
      await upsertLinkedUser(
        db,
        { discordUserId: fan.id, psnAccountId: accountId, psnOnlineId: `fan${i}_ps`, ...tokens },
        at,
      );
      await optIn(db, world.guild.id, fan.id);
    }

    await world.app.stop();
    const gone = fans[57]!;
    world.discord.removeMember(world.guild.id, gone.id);
    await world.restartApp();
    await eventually(() => departuresIn(lines).length > 0, "the departure found at start-up");
    expect(departuresIn(lines).map((l) => l.user)).toEqual([gone.id]);
    expect(await guildsOfMember(world.app.ctx.db, fans[0]!.id)).toEqual([world.guild.id]);
  });
});
