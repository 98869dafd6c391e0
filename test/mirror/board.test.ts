/**
 * The presence board, end to end: `/config board` through the Discord simulator's
 * interaction path, members online through the PSN simulator, the board read back
 * from what Discord holds (messages and the edits the bot made).
 */
import { PermissionFlagsBits, Routes } from "discord.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NONCE_WINDOW_MS, type SimChannel, type SimUser } from "../../sim/discord/server.js";
import { BOARD_FOOTER } from "../../src/bot/embeds/presenceBoard.js";
import { beginBoard, findBoard } from "../../src/db/boards.js";
import { newNonce } from "../../src/jobs/messages/nonce.js";
import { embedFields, firstEmbed } from "../e2e/world.js";
import { type MirrorWorld, startMirrorWorld } from "./harness.js";

describe("the presence board", () => {
  let m: MirrorWorld;
  let boardChannel: SimChannel;
  beforeEach(async () => {
    m = await startMirrorWorld();
    boardChannel = m.world.discord.createChannel(m.world.guild.id, { name: "online" });
  });
  afterEach(async () => {
    await m.stop();
  });

  const configBoard = (user: SimUser, subcommand: "channel" | "off", channelId?: string) =>
    m.world.discord
      .runSlashCommand({
        guildId: m.world.guild.id,
        userId: user.id,
        name: "config",
        subcommandGroup: "board",
        subcommand,
        ...(channelId ? { options: { channel: channelId } } : {}),
      })
      .response();
  /** Every board the bot keeps in the channel, as Discord holds them. */
  const boards = () =>
    m.world.discord
      .channelMessages(boardChannel.id)
      .filter((x) => JSON.stringify(x.embeds).includes(BOARD_FOOTER));
  const theBoard = () => {
    const all = boards();
    expect(all).toHaveLength(1);
    return firstEmbed(all[0]!);
  };
  /** The bot's edits of messages in the board channel so far. */
  const boardEdits = () =>
    m.world.discord
      .requests()
      .filter((r) => r.method === "PATCH" && r.path.startsWith(`/channels/${boardChannel.id}/messages/`));

  it("lists who is online by game, with platform and since when; edits only when that changes", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const answer = await configBoard(m.world.admin, "channel", boardChannel.id);
    expect(answer.content).toContain(`<#${boardChannel.id}>`);
    const shown = await m.world.slash(m.world.admin, "config", { subcommand: "show" }).response();
    expect(embedFields(shown)["Presence board"]).toBe(`<#${boardChannel.id}>`);
    await m.tick();
    const board = theBoard();
    expect(board.title).toBe("Online now");
    expect(board.description).toContain("**Helldivers 2** (1)");
    expect(board.description).toMatch(
      new RegExp(`<@${alice.user.id}> · alice\\\\_ps · PS5 · since <t:\\d+:R>`),
    );

    // Nothing changes: no edit, however many polls.
    await m.tick();
    await m.tick();
    expect(boardEdits()).toHaveLength(0);

    const bob = await m.linkedMember("bob", "bob_ps");
    m.psn.setPresence(bob.accountId, { online: true, platform: "PS4", game: { name: "Astro Bot" } });
    await m.tick();
    expect(boardEdits()).toHaveLength(1);
    expect(theBoard().description).toContain("**Astro Bot** (1)");
    expect(theBoard().description).toContain("bob\\_ps · PS4");

    m.psn.setPresence(alice.accountId, { online: false });
    m.psn.setPresence(bob.accountId, { online: false });
    // Online members' presence is read again every 5 minutes (between, only their parties).
    m.advance(5 * 60_000);
    await m.tick();
    expect(theBoard().description).toBe("Nobody is online.");
    await m.tick();
    expect(boardEdits()).toHaveLength(2);
  });

  it("counts since when from coming online or changing game, not from each presence read", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    await configBoard(m.world.admin, "channel", boardChannel.id);
    await m.tick();
    const since = () => /since <t:(\d+):R>/.exec(theBoard().description ?? "")?.[1];
    const first = since();
    expect(first).toBeDefined();

    // Presence read again, same game: same board, no edit.
    m.advance(5 * 60_000);
    await m.tick();
    expect(since()).toBe(first);
    expect(boardEdits()).toHaveLength(0);

    m.psn.setPresence(alice.accountId, { online: true, game: { name: "Gran Turismo 7" } });
    m.advance(5 * 60_000);
    await m.tick();
    expect(theBoard().description).toContain("**Gran Turismo 7** (1)");
    expect(Number(since())).toBeGreaterThan(Number(first));
  });

  it("is edited at most once per poll, however many of the poll's passes change it", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    await configBoard(m.world.admin, "channel", boardChannel.id);
    await m.tick();
    // One poll, two passes: alice (known online) changes game, then bob (new) comes online.
    const bob = await m.linkedMember("bob", "bob_ps");
    m.psn.setPresence(alice.accountId, { online: true, game: { name: "Gran Turismo 7" } });
    m.advance(5 * 60_000);
    await m.tick();
    expect(boardEdits()).toHaveLength(1);
    expect(theBoard().description).toContain("Gran Turismo 7");
    expect(theBoard().description).not.toContain(bob.user.id);
    await m.tick();
    expect(boardEdits()).toHaveLength(2);
    expect(theBoard().description).toContain(bob.user.id);
  });

  it("stays within Discord's limits with a long list, saying how many it leaves out", async () => {
    const count = 45;
    for (let i = 0; i < count; i++) {
      // PSN online ids are short; these are as long as the board lets any name be.
      await m.linkedMember(`member${i}`, `${String(i).padStart(2, "0")}${"x".repeat(62)}`);
    }
    await configBoard(m.world.admin, "channel", boardChannel.id);
    await m.tick();
    // The simulator refuses a post past Discord's limits (400 50035): the board exists, so it fitted.
    const description = theBoard().description ?? "";
    const listed = description.split("\n").filter((l) => l.startsWith("• ")).length;
    expect(listed).toBeGreaterThan(0);
    expect(listed).toBeLessThan(count);
    expect(description).toContain(`**Helldivers 2** (${count})`);
    expect(description).toContain(`…and ${count - listed} more online`);
    expect(m.world.discord.requests().filter((r) => r.status === 400)).toEqual([]);
  });

  it("says nobody is online when nobody is", async () => {
    await configBoard(m.world.admin, "channel", boardChannel.id);
    await m.tick();
    expect(theBoard().description).toBe("Nobody is online.");
  });

  it("leaves out a member who chose /privacy board off, and lists them again after on", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const bob = await m.linkedMember("bob", "bob_ps");
    await configBoard(m.world.admin, "channel", boardChannel.id);
    const off = await m.world
      .slash(alice.user, "privacy", { subcommand: "board", options: { state: "off" } })
      .response();
    expect(off.content).toContain("no longer list you");
    await m.tick();
    expect(theBoard().description).toContain(bob.user.id);
    expect(theBoard().description).not.toContain(alice.user.id);

    await m.world.slash(alice.user, "privacy", { subcommand: "board", options: { state: "on" } }).response();
    await m.tick();
    expect(theBoard().description).toContain(alice.user.id);
  });

  it("posts the board again when someone deletes it", async () => {
    await m.linkedMember("alice", "alice_ps");
    await configBoard(m.world.admin, "channel", boardChannel.id);
    await m.tick();
    const [first] = boards();
    m.world.discord.deleteMessageByHand(boardChannel.id, first!.id);
    await m.tick();
    expect(boards()).toHaveLength(1);
    expect(boards()[0]?.id).not.toBe(first?.id);
    expect(theBoard().description).toContain("alice\\_ps");
  });

  it("posts the board again when it was deleted while the bot was down", async () => {
    await m.linkedMember("alice", "alice_ps");
    await configBoard(m.world.admin, "channel", boardChannel.id);
    await m.tick();
    const [first] = boards();
    await m.world.app.stop();
    m.world.discord.deleteMessageByHand(boardChannel.id, first!.id);
    await m.world.restartApp();
    await m.tick();
    expect(boards()).toHaveLength(1);
    expect(boards()[0]?.id).not.toBe(first?.id);
    // Looked at once per start: later polls make no further reads of it.
    const reads = () =>
      m.world.discord
        .requests()
        .filter((r) => r.method === "GET" && r.path.startsWith(`/channels/${boardChannel.id}/messages/`))
        .length;
    const before = reads();
    await m.tick();
    await m.tick();
    expect(reads()).toBe(before);
  });

  it("replaces a board too old to edit (30046): one board left, the new one tracked", async () => {
    await m.linkedMember("alice", "alice_ps");
    await configBoard(m.world.admin, "channel", boardChannel.id);
    await m.tick();
    const [old] = boards();
    m.world.discord.fault(
      { method: "PATCH", path: `/channels/${boardChannel.id}/messages/${old!.id}` },
      { status: 400, code: 30046, times: 1 },
    );
    const bob = await m.linkedMember("bob", "bob_ps");
    await m.tick();
    expect(boards()).toHaveLength(1);
    const [now] = boards();
    expect(now?.id).not.toBe(old?.id);
    expect(theBoard().description).toContain(bob.user.id);
    expect(await findBoard(m.world.app.ctx.db, m.world.guild.id)).toMatchObject({
      state: "live",
      messageId: now?.id,
    });
  });

  it("a board too old to edit whose delete fails too: never two boards; replaced once Discord lets the old one go", async () => {
    await m.linkedMember("alice", "alice_ps");
    await configBoard(m.world.admin, "channel", boardChannel.id);
    await m.tick();
    const [old] = boards();
    m.world.discord.refuseEdits(old!.id);
    m.world.discord.fault(
      { method: "DELETE", path: `/channels/${boardChannel.id}/messages/${old!.id}` },
      { status: 503, message: "Service Unavailable" },
    );
    const bob = await m.linkedMember("bob", "bob_ps");
    await m.tick();
    await m.tick();
    expect(boards().map((x) => x.id)).toEqual([old?.id]);

    m.world.discord.clearFaults();
    m.world.discord.refuseEdits(old!.id);
    await m.tick();
    expect(boards()).toHaveLength(1);
    const [now] = boards();
    expect(now?.id).not.toBe(old?.id);
    expect(theBoard().description).toContain(bob.user.id);
    expect(await findBoard(m.world.app.ctx.db, m.world.guild.id)).toMatchObject({
      state: "live",
      messageId: now?.id,
      retiringMessageId: null,
    });
  });

  it("moves to a new channel when the old one was closed to the bot", async () => {
    await m.linkedMember("alice", "alice_ps");
    await configBoard(m.world.admin, "channel", boardChannel.id);
    await m.tick();
    m.world.discord.setChannelOverwrite(boardChannel.id, {
      id: m.world.guild.botRoleId as string,
      type: "role",
      deny: PermissionFlagsBits.ViewChannel,
    });
    const elsewhere = m.world.discord.createChannel(m.world.guild.id, { name: "online-now" });
    await configBoard(m.world.admin, "channel", elsewhere.id);
    await m.tick();
    const moved = m.world.discord
      .channelMessages(elsewhere.id)
      .filter((x) => JSON.stringify(x.embeds).includes(BOARD_FOOTER));
    expect(moved).toHaveLength(1);
    expect(firstEmbed(moved[0]!).description).toContain("alice\\_ps");
    expect(await findBoard(m.world.app.ctx.db, m.world.guild.id)).toMatchObject({
      channelId: elsewhere.id,
      messageId: moved[0]?.id,
      pausedReason: null,
    });
  });

  it("takes the board down with /config board off", async () => {
    await configBoard(m.world.admin, "channel", boardChannel.id);
    await m.tick();
    expect(boards()).toHaveLength(1);
    const answer = await configBoard(m.world.admin, "off");
    expect(answer.content).toContain("taken down");
    await m.tick();
    expect(boards()).toHaveLength(0);
    expect(await findBoard(m.world.app.ctx.db, m.world.guild.id)).toBeUndefined();
  });

  it("keeps one board across restarts, and across a crash between the create and its record", async () => {
    await m.linkedMember("alice", "alice_ps");
    await configBoard(m.world.admin, "channel", boardChannel.id);
    await m.tick();
    await m.world.restartApp();
    await m.tick();
    await m.tick();
    expect(boards()).toHaveLength(1);

    // A crash after the row was written and Discord created the message, before the bot recorded it.
    m.world.discord.deleteMessageByHand(boardChannel.id, boards()[0]!.id);
    const db = m.world.app.ctx.db;
    const nonce = newNonce();
    await beginBoard(db, { guildId: m.world.guild.id, channelId: boardChannel.id, nonce }, m.now());
    await m.world.app.client.rest.post(Routes.channelMessages(boardChannel.id), {
      body: { embeds: [{ title: "Online now", footer: { text: BOARD_FOOTER } }], nonce, enforce_nonce: true },
    });
    await m.world.restartApp();
    await m.tick();
    expect(boards()).toHaveLength(1);
    expect(await findBoard(m.world.app.ctx.db, m.world.guild.id)).toMatchObject({
      state: "live",
      messageId: boards()[0]?.id,
    });
    // The message Discord returned for the nonce shows the old board: brought up to date next.
    await m.tick();
    expect(boards()).toHaveLength(1);
    expect(theBoard().description).toContain("alice\\_ps");
  });

  it("the same crash found after Discord forgot the nonce: the board is adopted, not posted twice", async () => {
    await m.linkedMember("alice", "alice_ps");
    await m.tick();
    await configBoard(m.world.admin, "channel", boardChannel.id);
    const nonce = newNonce();
    await beginBoard(
      m.world.app.ctx.db,
      { guildId: m.world.guild.id, channelId: boardChannel.id, nonce },
      m.now(),
    );
    await m.world.app.client.rest.post(Routes.channelMessages(boardChannel.id), {
      body: { embeds: [{ title: "Online now", footer: { text: BOARD_FOOTER } }], nonce, enforce_nonce: true },
    });
    await m.world.restartApp();
    m.advance(NONCE_WINDOW_MS + 60_000);
    await m.tick();
    expect(boards()).toHaveLength(1);
    expect(await findBoard(m.world.app.ctx.db, m.world.guild.id)).toMatchObject({ state: "live" });
    expect(theBoard().description).toContain("alice\\_ps");
  });

  it("stops writing when Discord refuses the channel, and starts again when /config board is run after the fix", async () => {
    await m.linkedMember("alice", "alice_ps");
    await configBoard(m.world.admin, "channel", boardChannel.id);
    await m.tick();
    const [first] = boards();
    const botRole = m.world.guild.botRoleId as string;
    m.world.discord.setChannelOverwrite(boardChannel.id, {
      id: botRole,
      type: "role",
      deny: PermissionFlagsBits.ViewChannel,
    });
    m.world.discord.deleteMessageByHand(boardChannel.id, first!.id);
    await m.tick();
    const refusedSoFar = () => m.world.discord.requests().filter((r) => r.status === 403).length;
    const refused = refusedSoFar();
    expect(refused).toBeGreaterThan(0);
    expect((await findBoard(m.world.app.ctx.db, m.world.guild.id))?.pausedReason).toEqual({
      code: "missingAccess",
      channelId: boardChannel.id,
    });
    // Paused: no call per poll against a channel that refuses.
    await m.tick();
    await m.tick();
    expect(refusedSoFar()).toBe(refused);

    m.world.discord.setChannelOverwrite(boardChannel.id, { id: botRole, type: "role" });
    await configBoard(m.world.admin, "channel", boardChannel.id);
    await m.tick();
    expect(theBoard().description).toContain("alice\\_ps");
  });

  it("/config check says the board is paused and why, and resumes it once the channel is fixed", async () => {
    await m.linkedMember("alice", "alice_ps");
    await configBoard(m.world.admin, "channel", boardChannel.id);
    await m.tick();
    const botRole = m.world.guild.botRoleId as string;
    m.world.discord.setChannelOverwrite(boardChannel.id, {
      id: botRole,
      type: "role",
      deny: PermissionFlagsBits.ViewChannel,
    });
    m.world.discord.deleteMessageByHand(boardChannel.id, boards()[0]!.id);
    await m.tick();
    const check = () =>
      m.world.discord
        .runSlashCommand({
          guildId: m.world.guild.id,
          userId: m.world.admin.id,
          name: "config",
          subcommand: "check",
        })
        .response();
    const broken = firstEmbed(await check());
    expect(broken.description).toContain("The presence board is paused: ");
    expect(broken.description).toContain("Missing Access");
    expect(broken.description).toContain(`**View Channel** in <#${boardChannel.id}>`);
    // Paused: the next poll posts nothing.
    await m.tick();
    expect(boards()).toHaveLength(0);

    m.world.discord.setChannelOverwrite(boardChannel.id, { id: botRole, type: "role" });
    const fixed = firstEmbed(await check());
    expect(fixed.description).toContain("The presence board was paused");
    expect((await findBoard(m.world.app.ctx.db, m.world.guild.id))?.pausedReason).toBeNull();
    await m.tick();
    expect(theBoard().description).toContain("alice\\_ps");
  });

  it("refuses a channel the bot cannot post in, and members without Manage Server", async () => {
    m.world.discord.setChannelOverwrite(boardChannel.id, {
      id: m.world.guild.botRoleId as string,
      type: "role",
      deny: PermissionFlagsBits.SendMessages,
    });
    const refused = await configBoard(m.world.admin, "channel", boardChannel.id);
    expect(refused.content).toContain("cannot post the presence board");
    expect(refused.content).toContain("Send Messages");

    const notAdmin = await configBoard(m.world.member, "channel", boardChannel.id);
    expect(notAdmin.content).toContain("Manage Server");
    await m.tick();
    expect(m.world.discord.channelMessages(boardChannel.id)).toHaveLength(0);
    expect(await findBoard(m.world.app.ctx.db, m.world.guild.id)).toBeUndefined();
  });
});
