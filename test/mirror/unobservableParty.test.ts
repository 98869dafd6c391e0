/**
 * A party none of whose linked members the bot can still read (each must sign in to
 * PlayStation again) cannot be observed: its card says so at once, on the same message,
 * with no Request invite to click, instead of staying live until the tracker's staleness
 * ends it about ten minutes later. A new sign-in while the party runs brings the card back.
 */
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { linkButtonUrl } from "../../sim/botEnv.js";
import type { MessageView } from "../../sim/discord/server.js";
import { findAllOpenCards } from "../../src/db/cards.js";
import { findUser } from "../../src/db/users.js";
import { partyFromJson } from "../../src/domain/storedParty.js";
import { firstEmbed } from "../e2e/world.js";
import { type LinkedMember, type MirrorWorld, startMirrorWorld } from "./harness.js";

/** The card's Request-invite button, if it can still be clicked. */
function enabledInvite(card: MessageView | undefined): boolean {
  const buttons = (card?.components ?? []).flatMap(
    (row) => (row as { components?: { custom_id?: string; disabled?: boolean }[] }).components ?? [],
  );
  return buttons.some((b) => b.custom_id?.startsWith("invite:") && b.disabled !== true);
}

describe("a party the bot can no longer see", () => {
  let m: MirrorWorld;
  beforeEach(async () => {
    m = await startMirrorWorld();
  });
  afterEach(async () => {
    await m.stop();
  });

  const channel = () => m.world.partyChannel.id;
  const cardsIn = () => m.world.discord.channelMessages(channel()).filter((x) => x.embeds.length > 0);
  const card = (id: string) => m.world.discord.message(channel(), id);

  async function liveCard(host: LinkedMember): Promise<{ session: string; messageId: string }> {
    const session = m.psn.startParty(host.accountId, { joinability: "open", name: "Bug hunt" });
    await m.tick();
    const posted = await m.world.discord.waitForMessage(channel());
    expect(enabledInvite(posted)).toBe(true);
    return { session, messageId: posted.id };
  }

  function refuseSignIn(member: LinkedMember): void {
    m.psn.revokeRefreshToken(member.accountId);
    m.psn.expireAccessTokens();
  }

  it("its only linked member's sign-in is refused: the card says so at the next poll, with no Request invite", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const bob = await m.linkedMember("bob", "bob_ps");
    const { session, messageId } = await liveCard(alice);

    refuseSignIn(alice);
    // The card's edit is held at Discord: members still see it live, and one clicks.
    const edit = m.world.discord.hold({ method: "PATCH", path: new RegExp(`/messages/${messageId}$`) });
    const tick = m.tick();
    await edit.arrived;
    const answer = await m.world.discord
      .clickButton({
        channelId: channel(),
        messageId,
        customId: `invite:${session}`,
        userId: bob.user.id,
        guildId: m.world.guild.id,
      })
      .response();
    expect(answer.ephemeral).toBe(true);
    expect(answer.content).toContain("can't see this party any more");
    expect(m.psn.invitations(bob.accountId)).toHaveLength(0);
    edit.release("handle");
    await tick;

    expect((await findUser(m.world.app.ctx.db, alice.user.id))?.linkState).toBe("needs_relink");
    const shown = card(messageId);
    expect(enabledInvite(shown)).toBe(false);
    const text = JSON.stringify(firstEmbed(shown as MessageView));
    expect(text).toContain("can't see this party any more");
    expect(text).toContain(`<@${alice.user.id}>`);
    expect(text).toContain("sign in to PlayStation again");
    expect(text).not.toContain("Ended");
    expect(cardsIn()).toHaveLength(1);
  });

  it("comes back to life on the same card when the member signs in again while the party runs", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const { messageId } = await liveCard(alice);
    refuseSignIn(alice);
    await m.tick();
    expect(enabledInvite(card(messageId))).toBe(false);

    const notice = await m.world.discord.waitForDm(alice.user.id, (d) =>
      d.content.includes("no longer accepts"),
    );
    const page = await fetch(linkButtonUrl(notice.components), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ npsso: alice.npsso }),
    });
    expect(await page.text()).toContain("Linked as alice_ps");
    await m.tick();

    const back = card(messageId);
    expect(enabledInvite(back)).toBe(true);
    expect(JSON.stringify(back?.embeds)).not.toContain("can't see");
    expect(cardsIn()).toHaveLength(1);
  });

  it("stays in that state across a restart (stored as a code on the card's row), and ends by staleness", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const { messageId } = await liveCard(alice);
    refuseSignIn(alice);
    await m.tick();

    const [row] = await findAllOpenCards(m.world.app.ctx.db);
    expect(partyFromJson(row?.partyJson ?? "")?.unseenReason).toBe("relinkNeeded");

    await m.world.restartApp();
    await m.tick();
    expect(enabledInvite(card(messageId))).toBe(false);
    expect(JSON.stringify(card(messageId)?.embeds)).toContain("can't see this party any more");

    // Nobody sees the party again: it ends as any party nobody reports on.
    for (let i = 0; i < 25 && (await findAllOpenCards(m.world.app.ctx.db)).length > 0; i++) await m.tick();
    expect(await findAllOpenCards(m.world.app.ctx.db)).toHaveLength(0);
    expect(JSON.stringify(card(messageId)?.components)).toContain('"disabled":true');
    expect(cardsIn()).toHaveLength(1);
  });

  it("with another linked member still readable in it, the card stays live", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const bob = await m.linkedMember("bob", "bob_ps");
    const { session, messageId } = await liveCard(alice);
    m.psn.joinParty(session, bob.accountId);
    await m.tick();

    m.psn.revokeRefreshToken(alice.accountId);
    m.psn.expireAccessTokens();
    await m.tick();
    await m.tick();
    expect((await findUser(m.world.app.ctx.db, alice.user.id))?.linkState).toBe("needs_relink");
    expect(enabledInvite(card(messageId))).toBe(true);
    expect(JSON.stringify(card(messageId)?.embeds)).not.toContain("can't see");
  });

  it("its only linked member's stored token no longer decrypts: the card says so at the next poll", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    const { messageId } = await liveCard(alice);

    const file = new Database(m.world.config.databasePath);
    try {
      file
        .prepare(
          "update users set access_token_enc = substr(access_token_enc, 1, 40) where discord_user_id = ?",
        )
        .run(alice.user.id);
    } finally {
      file.close();
    }
    await m.tick();
    expect(enabledInvite(card(messageId))).toBe(false);
    expect(JSON.stringify(card(messageId)?.embeds)).toContain("can't see this party any more");
  });
});
