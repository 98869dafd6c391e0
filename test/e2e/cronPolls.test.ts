/**
 * Polls driven by the real node-cron schedule and the real clock: with nothing calling
 * tick(), a party started by a linked member gets its card within a poll interval or two.
 */
import { afterEach, expect, it } from "vitest";
import { optIn } from "../../src/db/guildMembers.js";
import { updateGuild } from "../../src/db/guilds.js";
import { startWorld, type World } from "./world.js";

let world: World | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

it("posts a party's card from a scheduled poll, with no test driving the ticks", async () => {
  // The shortest interval the config allows: the cron fires every 5 s of the real clock.
  world = await startWorld({ env: { POLL_INTERVAL: "5" }, app: { schedulePolls: true } });
  const w = world;
  await updateGuild(w.app.ctx.db, w.guild.id, { channelId: w.partyChannel.id });
  const linked = await w.linkMember(w.member, "Cron_Host");
  await optIn(w.app.ctx.db, w.guild.id, w.member.id);
  w.psn.setPresence(linked.accountId, { online: true, platform: "PS5" });
  w.psn.startParty(linked.accountId, { joinability: "open" });

  // One or two cron ticks (a first one may read the member before the party starts).
  const card = await w.discord.waitForMessage(w.partyChannel.id, (m) => m.embeds.length > 0, 25_000);
  expect(JSON.stringify(card.components)).toContain("invite:");
});
