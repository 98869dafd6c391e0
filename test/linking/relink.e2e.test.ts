/**
 * The "Get a new sign-in link" button (`relink:new`) on the notice a member gets when PSN
 * stops accepting their sign-in: it gives a fresh link, and signing in there makes the
 * member active again.
 */
import { afterEach, expect, it } from "vitest";
import { linkButtonUrl } from "../../sim/botEnv.js";
import { findUser } from "../../src/db/users.js";
import { startWorld, type World } from "../e2e/world.js";

let world: World | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

it("the relink notice's button gives a fresh sign-in link that makes the member active again", async () => {
  world = await startWorld({ app: { schedulePolls: false }, showParties: true });
  const w = world;
  const linked = await w.linkMember(w.member, "Lapsed_Link");
  w.psn.revokeRefreshToken(linked.accountId);
  w.psn.expireAccessTokens();
  await w.app.poller.tick();
  expect((await findUser(w.app.ctx.db, w.member.id))?.linkState).toBe("needs_relink");

  const notice = await w.discord.waitForDm(w.member.id, (m) => m.content.includes("no longer accepts"));
  const button = JSON.stringify(notice.components).match(/"custom_id":"(relink:new[^"]*)"/)?.[1];
  expect(button).toBeDefined();
  const answer = await w.discord
    .clickButton({
      channelId: w.discord.dmChannelId(w.member.id) ?? "",
      messageId: notice.id,
      customId: button as string,
      userId: w.member.id,
    })
    .response();
  expect(answer.ephemeral).toBe(true);
  expect(answer.content).toContain("You are linked as **Lapsed_Link**");

  const page = await fetch(linkButtonUrl(answer.components), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ npsso: linked.npsso }),
  });
  expect(await page.text()).toContain("Linked as Lapsed_Link");
  expect((await findUser(w.app.ctx.db, w.member.id))?.linkState).toBe("active");
});
