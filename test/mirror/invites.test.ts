import { ButtonStyle, ComponentType, Routes } from "discord.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { linkButtonUrl } from "../../sim/botEnv.js";
import type { SimUser } from "../../sim/discord/server.js";
import { beginPost } from "../../src/db/cards.js";
import { ensureGuild } from "../../src/db/guilds.js";
import { invitesOfSession, setInvitesMode } from "../../src/db/invites.js";
import { newNonce } from "../../src/jobs/messages/nonce.js";
import { type LinkedMember, type MirrorWorld, startMirrorWorld } from "./harness.js";

describe("Request invite, end to end", () => {
  let m: MirrorWorld;
  let alice: LinkedMember;
  let session: string;
  let cardId: string;

  beforeEach(async () => {
    m = await startMirrorWorld();
    alice = await m.linkedMember("alice", "alice_ps");
    session = m.psn.startParty(alice.accountId, { joinability: "open" });
    await m.tick();
    cardId = (await m.world.discord.waitForMessage(m.world.partyChannel.id)).id;
  });
  afterEach(async () => {
    await m.stop();
  });

  const click = (user: SimUser, customId = `invite:${session}`, messageId = cardId) =>
    m.world.discord.clickButton({
      channelId: m.world.partyChannel.id,
      messageId,
      customId,
      userId: user.id,
      guildId: m.world.guild.id,
    });

  it("has a linked member's PSN send the invitation, once per five minutes", async () => {
    const carol = await m.linkedMember("carol", "carol_ps");
    const answer = await click(carol.user).response();
    expect(answer.ephemeral).toBe(true);
    // Online IDs are escaped for Markdown: Discord shows "alice_ps".
    expect(answer.content).toContain("Invitation sent by **alice\\_ps**");
    expect(m.psn.invitations(carol.accountId)).toEqual([
      expect.objectContaining({ sessionId: session, from: alice.accountId, to: carol.accountId }),
    ]);

    const again = await click(carol.user).response();
    expect(again.content).toContain("already asked");
    expect(m.psn.invitations(carol.accountId)).toHaveLength(1);
    expect((await invitesOfSession(m.world.app.ctx.db, session)).map((i) => i.outcome)).toEqual(["sent"]);
  });

  it("sends one invitation when Request invite is clicked twice at once", async () => {
    const carol = await m.linkedMember("carol", "carol_ps");
    // A slow PSN keeps the first request in flight while the second click arrives.
    m.psn.fault("invite", { delayMs: 400, times: 2 });
    const [first, second] = await Promise.all([click(carol.user).response(), click(carol.user).response()]);
    expect(m.psn.invitations(carol.accountId)).toHaveLength(1);
    expect([first.content, second.content].filter((c) => c.includes("already asked"))).toHaveLength(1);
    expect((await invitesOfSession(m.world.app.ctx.db, session)).map((i) => i.outcome)).toEqual(["sent"]);
  });

  it("gives an unlinked member a button to the sign-in page, which links them in this server", async () => {
    const dave = m.plainUser("dave");
    const answer = await click(dave).response();
    expect(answer.ephemeral).toBe(true);
    expect(answer.content).toContain("/link");
    const url = linkButtonUrl(answer.components);
    expect(url).toMatch(/\/link\/[\w-]{43}$/);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("dave");
  });

  it("tells a member already in the party so", async () => {
    const answer = await click(alice.user).response();
    expect(answer.content).toContain("already in this party");
  });

  it("asks the member by DM in approve mode, and sends on Approve", async () => {
    await setInvitesMode(m.world.app.ctx.db, alice.user.id, "approve", m.now());
    const carol = await m.linkedMember("carol", "carol_ps");
    const answer = await click(carol.user).response();
    expect(answer.content).toContain("asked them");
    expect(m.psn.invitations(carol.accountId)).toHaveLength(0);

    const dm = await m.world.discord.waitForDm(alice.user.id, (x) =>
      JSON.stringify(x.components).includes("invite-approval"),
    );
    const approveId = JSON.stringify(dm.components).match(/invite-approval:\d+:approve/)?.[0];
    expect(approveId).toBeDefined();
    const channelId = m.world.discord.dmChannelId(alice.user.id) ?? "";
    await m.world.discord
      .clickButton({ channelId, messageId: dm.id, customId: approveId as string, userId: alice.user.id })
      .response();
    expect(m.psn.invitations(carol.accountId)).toHaveLength(1);
    const told = await m.world.discord.waitForDm(carol.user.id, (x) => x.content.includes("approved"));
    expect(told.content).toContain("**alice\\_ps** approved");
    expect((await invitesOfSession(m.world.app.ctx.db, session)).map((i) => i.outcome)).toEqual(["sent"]);
  });

  it("sends one invitation when Approve is clicked twice at once", async () => {
    await setInvitesMode(m.world.app.ctx.db, alice.user.id, "approve", m.now());
    const carol = await m.linkedMember("carol", "carol_ps");
    await click(carol.user).response();
    const dm = await m.world.discord.waitForDm(alice.user.id, (x) =>
      JSON.stringify(x.components).includes("invite-approval"),
    );
    const approveId = JSON.stringify(dm.components).match(/invite-approval:\d+:approve/)?.[0] as string;
    const channelId = m.world.discord.dmChannelId(alice.user.id) ?? "";
    const approve = () =>
      m.world.discord.clickButton({
        channelId,
        messageId: dm.id,
        customId: approveId,
        userId: alice.user.id,
      });
    m.psn.fault("invite", { delayMs: 400, times: 2 });
    await Promise.all([approve().response(), approve().response()]);
    expect(m.psn.invitations(carol.accountId)).toHaveLength(1);
    expect((await invitesOfSession(m.world.app.ctx.db, session)).map((i) => i.outcome)).toEqual(["sent"]);
  });

  it("does not ask again while an approval is still open, past the five-minute window", async () => {
    await setInvitesMode(m.world.app.ctx.db, alice.user.id, "approve", m.now());
    const carol = await m.linkedMember("carol", "carol_ps");
    expect((await click(carol.user).response()).content).toContain("asked them");
    for (let i = 0; i < 12; i++) await m.tick(); // 6 minutes: the first DM's buttons still work
    const again = await click(carol.user).response();
    expect(again.content).toContain("a member is deciding");
    expect((await invitesOfSession(m.world.app.ctx.db, session)).map((i) => i.outcome)).toEqual(["pending"]);
  });

  it("says so when nobody in the party accepts requests (off)", async () => {
    await setInvitesMode(m.world.app.ctx.db, alice.user.id, "off", m.now());
    const carol = await m.linkedMember("carol", "carol_ps");
    const answer = await click(carol.user).response();
    expect(answer.content).toContain("Nobody in this party accepts invite requests");
    expect(m.psn.invitations()).toHaveLength(0);
    expect((await invitesOfSession(m.world.app.ctx.db, session)).map((i) => i.outcome)).toEqual(["refused"]);
  });

  let asked = "";
  /** In approve mode: carol asks, alice gets the approval DM; returns a click on one of its buttons. */
  async function askAlice(carol: LinkedMember) {
    await setInvitesMode(m.world.app.ctx.db, alice.user.id, "approve", m.now());
    expect((await click(carol.user).response()).content).toContain("asked them");
    const dm = await m.world.discord.waitForDm(alice.user.id, (x) =>
      JSON.stringify(x.components).includes("invite-approval"),
    );
    const channelId = m.world.discord.dmChannelId(alice.user.id) ?? "";
    // Who asked for which party: the line a decided DM keeps above its outcome.
    asked = dm.content.split("\n")[0] ?? "";
    expect(asked).toBe("**carol** (PSN **carol\\_ps**) asks for an invitation to **alice\\_ps's party**.");
    return (decision: "approve" | "deny") => {
      const customId = JSON.stringify(dm.components).match(
        new RegExp(`invite-approval:\\d+:${decision}`),
      )?.[0];
      expect(customId).toBeDefined();
      return m.world.discord
        .clickButton({ channelId, messageId: dm.id, customId: customId as string, userId: alice.user.id })
        .response();
    };
  }

  it("keeps who asked and for which party in the DM after Approve, its buttons greyed", async () => {
    const carol = await m.linkedMember("carol", "carol_ps");
    const decide = await askAlice(carol);
    const answer = await decide("approve");
    expect(answer.content).toBe(`${asked}\nApproved: the invitation was sent.`);
    expect(JSON.stringify(answer.components)).toContain('"disabled":true');
    expect(m.psn.invitations(carol.accountId)).toHaveLength(1);
  });

  it("sends nothing on Deny, and tells the requester", async () => {
    const carol = await m.linkedMember("carol", "carol_ps");
    const decide = await askAlice(carol);
    const answer = await decide("deny");
    expect(answer.content).toBe(`${asked}\nDeclined; nothing was sent.`);
    const told = await m.world.discord.waitForDm(carol.user.id, (x) => x.content.includes("declined"));
    expect(told.content).toBe("Your invite request was declined.");
    expect(m.psn.invitations(carol.accountId)).toHaveLength(0);
    expect((await invitesOfSession(m.world.app.ctx.db, session)).map((i) => i.outcome)).toEqual(["denied"]);
  });

  it("sends nothing when Approve is clicked after the request expired", async () => {
    const carol = await m.linkedMember("carol", "carol_ps");
    const decide = await askAlice(carol);
    m.advance(10 * 60_000); // the ten minutes the DM promises
    const answer = await decide("approve");
    expect(answer.content).toBe(`${asked}\nThis request expired; nothing was sent.`);
    const told = await m.world.discord.waitForDm(carol.user.id, (x) => x.content.includes("expired"));
    expect(told.content).toBe("Your invite request expired before it was answered.");
    expect(m.psn.invitations(carol.accountId)).toHaveLength(0);
    expect((await invitesOfSession(m.world.app.ctx.db, session)).map((i) => i.outcome)).toEqual(["expired"]);
  });

  it("tells the requester when PSN fails after Approve", async () => {
    const carol = await m.linkedMember("carol", "carol_ps");
    const decide = await askAlice(carol);
    m.psn.fault("invite", { status: 403 });
    const answer = await decide("approve");
    expect(answer.content).toBe(
      `${asked}\nApproved, but PSN did not send the invitation (PSN refused (not in the party any more?)).`,
    );
    const told = await m.world.discord.waitForDm(carol.user.id, (x) => x.content.includes("approved"));
    expect(told.content).toBe("Your invite request was approved, but PSN did not send it. Try again later.");
    expect(m.psn.invitations(carol.accountId)).toHaveLength(0);
    expect((await invitesOfSession(m.world.app.ctx.db, session)).map((i) => i.outcome)).toEqual(["failed"]);
  });

  it("tells the requester when the approval DM cannot be delivered", async () => {
    await setInvitesMode(m.world.app.ctx.db, alice.user.id, "approve", m.now());
    m.world.discord.setDmsClosed(alice.user.id, true);
    const carol = await m.linkedMember("carol", "carol_ps");
    const answer = await click(carol.user).response();
    expect(answer.content).toBe(
      "Sorry, the invitation could not be sent (could not reach the member by DM). Try again in a few minutes.",
    );
    expect(m.psn.invitations(carol.accountId)).toHaveLength(0);
    expect((await invitesOfSession(m.world.app.ctx.db, session)).map((i) => i.outcome)).toEqual(["failed"]);
  });

  it("tells the requester when PSN refuses the automatic invitation", async () => {
    const carol = await m.linkedMember("carol", "carol_ps");
    m.psn.fault("invite", { status: 403 });
    const answer = await click(carol.user).response();
    expect(answer.content).toBe(
      "Sorry, the invitation could not be sent (PSN refused (not in the party any more?)). Try again in a few minutes.",
    );
    expect(m.psn.invitations(carol.accountId)).toHaveLength(0);
    expect((await invitesOfSession(m.world.app.ctx.db, session)).map((i) => i.outcome)).toEqual(["failed"]);
  });

  it.each([
    ["an unknown session", () => "not-a-real-session"],
    ["another server's party", () => "other-server-session"],
  ])("refuses a tampered custom_id: %s", async (_what, sessionOf) => {
    const db = m.world.app.ctx.db;
    await ensureGuild(db, "111111111111111111");
    await beginPost(
      db,
      {
        guildId: "111111111111111111",
        sessionId: "other-server-session",
        channelId: "222222222222222222",
        nonce: newNonce(),
        partyJson: "{}",
      },
      m.now(),
    );
    const carol = await m.linkedMember("carol", "carol_ps");
    const forged = (await m.world.app.client.rest.post(Routes.channelMessages(m.world.partyChannel.id), {
      body: {
        content: "forged",
        components: [
          {
            type: ComponentType.ActionRow,
            components: [
              {
                type: ComponentType.Button,
                style: ButtonStyle.Primary,
                label: "x",
                custom_id: `invite:${sessionOf()}`,
              },
            ],
          },
        ],
      },
    })) as { id: string };
    const answer = await click(carol.user, `invite:${sessionOf()}`, forged.id).response();
    expect(answer.content).toBe("This party card is no longer valid.");
    expect(m.psn.invitations()).toHaveLength(0);
  });
});
