/**
 * /config template and /config ended through the real bot and both simulators: what an
 * admin sets changes what the party channel shows, and every refusal says why.
 */

import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SimUser } from "../../sim/discord/server.js";
import { NEED_MANAGE_GUILD } from "../../src/bot/commands/config.js";
import { MINUTES_MISSING, MINUTES_OUT_OF_RANGE } from "../../src/bot/config/ended.js";
import { dbOf } from "../../src/db/client.js";
import { findGuild } from "../../src/db/guilds.js";
import { cards } from "../../src/db/schema.js";
import { embedFields, firstEmbed } from "../e2e/world.js";
import { type LinkedMember, type MirrorWorld, startMirrorWorld } from "./harness.js";

describe("/config template and /config ended, end to end", () => {
  let m: MirrorWorld;
  let alice: LinkedMember;
  beforeEach(async () => {
    m = await startMirrorWorld();
    alice = await m.linkedMember("alice", "alice_ps");
  });
  afterEach(async () => {
    await m.stop();
  });

  const config = (user: SimUser, subcommand: string, options: Record<string, string | number> = {}) =>
    m.world.slash(user, "config", { subcommand, options }).response();
  const admin = () => m.world.admin;
  const liveCards = () =>
    m.world.discord
      .allChannelMessages(m.world.partyChannel.id)
      .filter((x) => x.embeds.length > 0 && !x.deleted);

  /** Starts a party and returns its card, as posted. */
  async function partyCard(joinability: "open" | "request" = "open") {
    const session = m.psn.startParty(alice.accountId, { joinability });
    await m.tick();
    const card = liveCards().at(-1);
    if (!card) throw new Error("no card posted");
    return { session, card };
  }

  /** Ends the party and waits for its card to turn grey (two polls without it). */
  async function endParty(session: string) {
    m.psn.endParty(session);
    await m.tick();
    await m.tick();
  }

  describe("/config template", () => {
    it("posts the filled text above a new card, where only the configured role can ping", async () => {
      const set = await config(admin(), "template", {
        text: "@everyone <@123> {role} {host} started {party}: {game}, {slots} ({members})",
      });
      expect(set.ephemeral).toBe(true);
      expect(firstEmbed(set).description).toContain("New cards will be posted with this text");
      expect(embedFields(await config(admin(), "show"))["Card text"]).toBe(
        "@everyone <@123> {role} {host} started {party}: {game}, {slots} ({members})",
      );

      const { card } = await partyCard();
      expect(card.content).toBe(
        `@everyone <@123> <@&${m.roleId}> alice\\_ps started alice\\_ps's party: Helldivers 2, 1/16 (alice\\_ps)`,
      );
      expect(card.allowedMentions).toEqual({ parse: [], roles: [m.roleId], users: [] });
    });

    it("reset goes back to the bare role mention", async () => {
      await config(admin(), "template", { text: "{host} is up" });
      const reset = await config(admin(), "template", { text: "reset" });
      expect(firstEmbed(reset).description).toContain("default text");
      expect(embedFields(await config(admin(), "show"))["Card text"]).toBe("Default: the mention role");
      const { card } = await partyCard();
      expect(card.content).toBe(`<@&${m.roleId}>`);
    });

    it("refuses unknown placeholders by name, a text too long once filled, and non-admins", async () => {
      const unknown = await config(admin(), "template", { text: "{host} plays {gmae} with {frends}" });
      expect(unknown.ephemeral).toBe(true);
      expect(unknown.content).toContain("Unknown placeholders `{gmae}`, `{frends}`.");

      const long = await config(admin(), "template", { text: `${"x".repeat(1900)} {members}` });
      expect(long.content).toContain("Discord allows 2000");

      const member = await config(m.world.member, "template", { text: "{host}" });
      expect(member.content).toBe(NEED_MANAGE_GUILD);

      expect((await findGuild(m.world.app.ctx.db, m.world.guild.id))?.cardTemplate).toBeNull();
      const { card } = await partyCard();
      expect(card.content).toBe(`<@&${m.roleId}>`);
    });
  });

  describe("/config ended", () => {
    it("keeps ended cards by default", async () => {
      expect(embedFields(await config(admin(), "show"))["Ended cards"]).toBe("Kept (grey, buttons off)");
      const { session, card } = await partyCard();
      await endParty(session);
      m.advance(24 * 60 * 60_000);
      await m.tick();
      expect(m.world.discord.message(m.world.partyChannel.id, card.id)?.deleted).toBe(false);

      // delete-after applies to cards that end after the change, not to the history.
      await config(admin(), "ended", { mode: "delete-after", minutes: 1 });
      m.advance(10 * 60_000);
      await m.tick();
      expect(m.world.discord.message(m.world.partyChannel.id, card.id)?.deleted).toBe(false);
    });

    it("delete-after deletes the ended card that many minutes after it ended, across a restart", async () => {
      const set = await config(admin(), "ended", { mode: "delete-after", minutes: 5 });
      expect(firstEmbed(set).description).toBe(
        "Ended cards will be deleted 5 minutes after their party ends. Cards that ended before stay.",
      );
      expect(embedFields(await config(admin(), "show"))["Ended cards"]).toBe(
        "Deleted 5 minutes after the party ends",
      );

      const { session, card } = await partyCard();
      await endParty(session);
      const ended = m.world.discord.message(m.world.partyChannel.id, card.id);
      expect(ended?.deleted).toBe(false);
      expect(JSON.stringify(ended?.components)).toContain('"disabled":true');

      m.advance(4 * 60_000);
      await m.tick();
      expect(m.world.discord.message(m.world.partyChannel.id, card.id)?.deleted).toBe(false);

      // The deletion is kept with the card, not in a timer: a restart still carries it out.
      await m.world.restartApp();
      m.advance(60_000);
      await m.tick();
      await m.world.discord.waitForMessageDelete(m.world.partyChannel.id, card.id);
      expect(await m.world.app.metrics.scrape()).toContain(
        'ppb_discord_card_actions_total{kind="delete",result="ok"} 1',
      );
    });

    it("a card deleted by hand before its time is no trouble (10008), and nothing is tried again", async () => {
      await config(admin(), "ended", { mode: "delete-after", minutes: 1 });
      const { session, card } = await partyCard();
      await endParty(session);
      const row = findCardByMessage(card.id);
      expect(row?.deleteAt).not.toBeNull();

      m.world.discord.deleteMessageByHand(m.world.partyChannel.id, card.id);
      m.advance(2 * 60_000);
      await m.tick();
      await m.tick();
      const deletes = m.world.discord
        .requests()
        .filter((r) => r.method === "DELETE" && r.path.endsWith(`/messages/${card.id}`));
      expect(deletes.map((r) => r.status)).toEqual([404]);
      expect(findCardByMessage(card.id)?.deleteAt).toBeNull();
    });

    it("keep calls off deletions not done yet", async () => {
      await config(admin(), "ended", { mode: "delete-after", minutes: 10 });
      const { session, card } = await partyCard();
      await endParty(session);
      const keep = await config(admin(), "ended", { mode: "keep" });
      expect(firstEmbed(keep).description).toContain("1 card waiting to be deleted will stay");
      m.advance(60 * 60_000);
      await m.tick();
      expect(m.world.discord.message(m.world.partyChannel.id, card.id)?.deleted).toBe(false);
    });

    it("a party that comes back before its card's time keeps its card", async () => {
      await config(admin(), "ended", { mode: "delete-after", minutes: 1 });
      const { card } = await partyCard();
      // Its last linked member going offline ends the card; coming back revives it.
      m.psn.setPresence(alice.accountId, { online: false });
      for (let i = 0; i < 20 && findCardByMessage(card.id)?.state !== "ended"; i++) await m.tick();
      expect(findCardByMessage(card.id)?.deleteAt).not.toBeNull();
      m.psn.setPresence(alice.accountId, { online: true });
      for (let i = 0; i < 20 && findCardByMessage(card.id)?.state !== "live"; i++) await m.tick();
      expect(findCardByMessage(card.id)?.state).toBe("live");
      m.advance(5 * 60_000);
      await m.tick();
      expect(m.world.discord.message(m.world.partyChannel.id, card.id)?.deleted).toBe(false);
    });

    it("refuses minutes out of range or missing, and non-admins, changing nothing", async () => {
      for (const minutes of [0, -5, 1441]) {
        const answer = await config(admin(), "ended", { mode: "delete-after", minutes });
        expect(answer.ephemeral).toBe(true);
        expect(answer.content).toBe(MINUTES_OUT_OF_RANGE);
      }
      expect((await config(admin(), "ended", { mode: "delete-after" })).content).toBe(MINUTES_MISSING);
      const member = await config(m.world.member, "ended", { mode: "delete-after", minutes: 5 });
      expect(member.content).toBe(NEED_MANAGE_GUILD);
      expect((await findGuild(m.world.app.ctx.db, m.world.guild.id))?.endedDeleteAfterMinutes).toBeNull();
    });
  });

  const findCardByMessage = (messageId: string) =>
    dbOf(m.world.app.ctx.db).select().from(cards).where(eq(cards.messageId, messageId)).get();
});
