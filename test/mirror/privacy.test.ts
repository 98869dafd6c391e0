/**
 * /privacy through the real bot: what a member chooses changes what others see and can do.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SimUser } from "../../sim/discord/server.js";
import { invitesOfSession } from "../../src/db/invites.js";
import { type LinkedMember, type MirrorWorld, startMirrorWorld } from "./harness.js";

describe("/privacy, end to end", () => {
  let m: MirrorWorld;
  let alice: LinkedMember;
  beforeEach(async () => {
    m = await startMirrorWorld();
    alice = await m.linkedMember("alice", "alice_ps");
  });
  afterEach(async () => {
    await m.stop();
  });

  const privacy = (user: SimUser, subcommand: string, options: Record<string, string>) =>
    m.world.slash(user, "privacy", { subcommand, options }).response();
  const cards = () =>
    m.world.discord.channelMessages(m.world.partyChannel.id).filter((x) => x.embeds.length > 0);

  it("invites off: nobody can have an invitation sent from the member's account", async () => {
    const answer = await privacy(alice.user, "invites", { mode: "off" });
    expect(answer.ephemeral).toBe(true);
    expect(answer.content).toBe(
      "Invite requests: **off**. Nobody can request an invitation from your account.",
    );

    const session = m.psn.startParty(alice.accountId, { joinability: "open" });
    await m.tick();
    const card = await m.world.discord.waitForMessage(m.world.partyChannel.id);
    const carol = await m.linkedMember("carol", "carol_ps");
    const refused = await m.world.discord
      .clickButton({
        channelId: m.world.partyChannel.id,
        messageId: card.id,
        customId: `invite:${session}`,
        userId: carol.user.id,
        guildId: m.world.guild.id,
      })
      .response();
    expect(refused.content).toContain("Nobody in this party accepts invite requests");
    expect(m.psn.invitations()).toHaveLength(0);
    expect((await invitesOfSession(m.world.app.ctx.db, session)).map((i) => i.outcome)).toEqual(["refused"]);
  });

  it("announce off: the member's parties get no card here; on again: the next poll posts it", async () => {
    const off = await privacy(alice.user, "announce", { state: "off" });
    expect(off.content).toBe("Your parties will no longer get cards in this server.");
    m.psn.startParty(alice.accountId, { joinability: "open" });
    await m.tick();
    expect(cards()).toHaveLength(0);

    const on = await privacy(alice.user, "announce", { state: "on" });
    expect(on.content).toBe("Your parties will get cards in this server's party channel.");
    await m.tick();
    expect(cards()).toHaveLength(1);
  });

  it("tells a member who is not linked to link first", async () => {
    const dave = m.plainUser("dave");
    const answer = await m.world
      .slash(dave, "privacy", { subcommand: "invites", options: { mode: "off" } })
      .response();
    expect(answer.ephemeral).toBe(true);
    expect(answer.content).toBe("Link your PlayStation account first with `/link`.");
  });
});
