/**
 * /party [member] and /parties through the real bot, the Discord simulator and the PSN
 * simulator: what members see, and every refusal, all read from what the poller stored.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SimUser } from "../../sim/discord/server.js";
import { NO_PARTIES } from "../../src/bot/embeds/partiesList.js";
import { findUser } from "../../src/db/users.js";
import { type EmbedJson, firstEmbed } from "../e2e/world.js";
import { type LinkedMember, type MirrorWorld, startMirrorWorld } from "./harness.js";

type Buttons = { components?: { custom_id?: string; url?: string; label?: string }[] }[];

describe("/party and /parties, end to end", () => {
  let m: MirrorWorld;
  let alice: LinkedMember;
  beforeEach(async () => {
    m = await startMirrorWorld();
    alice = await m.linkedMember("alice", "alice_ps");
  });
  afterEach(async () => {
    await m.stop();
  });

  const party = (user: SimUser, member?: SimUser) =>
    m.world.slash(user, "party", member ? { options: { member: member.id } } : {}).response();
  const parties = (user: SimUser) => m.world.slash(user, "parties").response();
  const cardsInChannel = () =>
    m.world.discord.channelMessages(m.world.partyChannel.id).filter((x) => x.embeds.length > 0);
  const cardUrl = (messageId: string) =>
    `https://discord.com/channels/${m.world.guild.id}/${m.world.partyChannel.id}/${messageId}`;

  it("/party shows a member's party as its card, privately, with the same buttons, without asking PSN", async () => {
    const session = m.psn.startParty(alice.accountId, { joinability: "open" });
    await m.tick();
    const [posted] = cardsInChannel();
    if (!posted) throw new Error("no card posted");

    m.psn.resetRequests();
    const bob = m.plainUser("bob");
    for (const answer of [await party(alice.user), await party(bob, alice.user)]) {
      expect(answer.ephemeral).toBe(true);
      expect(firstEmbed(answer).title).toBe((posted.embeds[0] as EmbedJson).title);
      expect(answer.components).toEqual(posted.components);
      expect(answer.content).toContain(cardUrl(posted.id));
    }
    // Read from what the poller stored: nobody's PSN budget is spent by a command.
    expect(m.psn.requests()).toHaveLength(0);

    // The answer's Request invite works as the card's does.
    const carol = await m.linkedMember("carol", "carol_ps");
    const shown = await party(carol.user, alice.user);
    const buttons = (shown.components as Buttons).flatMap((r) => r.components ?? []);
    expect(buttons.map((b) => b.custom_id ?? b.url)).toEqual([m.psn.shareUrl(session), `invite:${session}`]);
    const asked = await m.world.discord
      .clickButton({
        channelId: shown.channelId,
        messageId: shown.messageId,
        customId: `invite:${session}`,
        userId: carol.user.id,
        guildId: m.world.guild.id,
      })
      .response();
    expect(asked.ephemeral).toBe(true);
    expect(m.psn.invitations(carol.accountId)).toHaveLength(1);
  });

  it("/party says clearly why there is no card: not linked, hidden, not checked yet, offline, no party", async () => {
    const dave = m.plainUser("dave");
    expect((await party(dave)).content).toBe(
      "You have no PlayStation account linked. Run `/link` to link one.",
    );
    expect((await party(alice.user, dave)).content).toBe(
      `<@${dave.id}> has not linked a PlayStation account.`,
    );

    // Linked, never polled yet.
    expect((await party(dave, alice.user)).content).toContain("has not checked");

    await m.tick();
    expect((await party(dave, alice.user)).content).toBe(`<@${alice.user.id}> is online but not in a party.`);
    expect((await party(alice.user)).content).toBe("You are online but not in a party.");

    m.psn.setPresence(alice.accountId, { online: false });
    // An online member's presence is read every few polls (docs/architecture.md: How polling spends the PSN budget).
    for (let i = 0; i < 20 && (await findUser(m.world.app.ctx.db, alice.user.id))?.online !== false; i++)
      await m.tick();
    const offline = await party(dave, alice.user);
    expect(offline.ephemeral).toBe(true);
    expect(offline.content).toBe(`<@${alice.user.id}> is offline on PlayStation.`);
    expect(offline.allowedMentions).toEqual({ parse: [] });

    await m.world
      .slash(alice.user, "privacy", { subcommand: "announce", options: { state: "off" } })
      .response();
    expect((await party(dave, alice.user)).content).toBe(
      `<@${alice.user.id}> does not share their parties in this server.`,
    );
    expect((await party(alice.user)).content).toContain("`/privacy announce on`");
  });

  it("/party: with party cards turned off here, a party has no card and the answer says why", async () => {
    await m.world.slash(m.world.admin, "config", { subcommand: "disable" }).response();
    m.psn.startParty(alice.accountId, { joinability: "open" });
    await m.tick();
    await m.tick();
    expect(cardsInChannel()).toHaveLength(0);
    expect((await party(alice.user)).content).toBe(
      "Party cards are off in this server, so your party is not shown here.",
    );
  });

  it("/party: an invite-only party is not announced here, and says so", async () => {
    m.psn.startParty(alice.accountId, { joinability: "invite" });
    await m.tick();
    await m.tick();
    expect(cardsInChannel()).toHaveLength(0);
    const answer = await party(m.plainUser("erin"), alice.user);
    expect(answer.embeds).toHaveLength(0);
    expect(answer.content).toBe(
      `<@${alice.user.id}> is in a party that has no card here: it is invite-only (this server shows joinable parties only), or it started moments ago and gets its card within a minute.`,
    );
  });

  it("/parties lists each live card with a link to it, and a friendly line when there are none", async () => {
    const viewer = m.plainUser("viewer");
    const none = await parties(viewer);
    expect(none.ephemeral).toBe(true);
    expect(firstEmbed(none).description).toBe(NO_PARTIES);

    const bob = await m.linkedMember("bob", "bob_ps");
    m.psn.startParty(alice.accountId, { joinability: "open", name: "Late night drops" });
    const bobs = m.psn.startParty(bob.accountId, { joinability: "request" });
    await m.tick();
    // Both cards go out in the same tick, in no set order: each is found by its title.
    const cardTitled = (title: string) => {
      const card = cardsInChannel().find((c) => firstEmbed(c).title === title);
      if (!card) throw new Error(`no card titled ${title}`);
      return card;
    };
    const alices = cardTitled("Late night drops");
    const bobsCard = cardTitled("bob\\_ps's party");

    const listed = firstEmbed(await parties(viewer));
    expect(listed.title).toBe("Live parties (2)");
    expect(listed.description?.split("\n").sort()).toEqual(
      [
        `[Late night drops](${cardUrl(alices.id)}) · 🎮 Helldivers 2 · 1/16`,
        `[bob\\_ps's party](${cardUrl(bobsCard.id)}) · 🎮 Helldivers 2 · 1/16`,
      ].sort(),
    );

    m.psn.endParty(bobs);
    await m.tick();
    await m.tick();
    const after = firstEmbed(await parties(viewer));
    expect(after.title).toBe("Live parties (1)");
    expect(after.description).not.toContain(bobsCard.id);
  });

  it("/parties stays within what one message holds when there are many, and counts the rest", async () => {
    for (let i = 0; i < 15; i++) {
      const member = await m.linkedMember(`host${i}`, `host${i}_ps`);
      m.psn.startParty(member.accountId, {
        joinability: "open",
        name: `${i} ${"Long party name ".repeat(15)}`,
      });
    }
    await m.tick();
    expect(cardsInChannel()).toHaveLength(15);
    const answer = await parties(m.plainUser("viewer"));
    const listed = firstEmbed(answer);
    expect(listed.title).toBe("Live parties (15)");
    const lines = listed.description?.split("\n") ?? [];
    const shown = lines.length - 1;
    expect(shown).toBeGreaterThan(0);
    expect(lines.at(-1)).toBe(`…and ${15 - shown} more`);
  });
});
