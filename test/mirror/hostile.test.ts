/**
 * A party full of what PSN lets people type (Markdown, mentions, zero-width characters,
 * 1000-character names, 100 members) through the real poller, card writer and discord.js,
 * to a Discord simulator that refuses what Discord refuses.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { messageLimitErrors } from "../../sim/discord/limits.js";
import type { MessageView } from "../../sim/discord/server.js";
import { type EmbedJson, firstEmbed } from "../e2e/world.js";
import { type MirrorWorld, startMirrorWorld } from "./harness.js";

const HOSTILE = [
  "@everyone",
  "@here",
  "<@&123456789012345678>",
  "<@123456789012345678>",
  "**bold** __under__ ~~strike~~ ||spoiler|| `code`",
  "# heading",
  "[click me](https://evil.example)",
  "ad\u200Bmi\u200Dn\uFEFF",
  "\u202Eecila",
];
/** `seed` padded to 1000 characters. */
const long = (seed: string) => `${seed} ${"w".repeat(1000)}`.slice(0, 1000);

function texts(embed: EmbedJson & { footer?: { text: string } }): string[] {
  return [
    embed.title ?? "",
    embed.description ?? "",
    embed.footer?.text ?? "",
    ...(embed.fields ?? []).flatMap((f) => [f.name, f.value]),
  ];
}

describe("a party full of hostile strings from PSN", () => {
  let m: MirrorWorld;
  beforeEach(async () => {
    m = await startMirrorWorld();
  });
  afterEach(async () => {
    await m.stop();
  });

  it("gets a card within every Discord limit that pings no one, posted, edited and ended", async () => {
    const alice = await m.linkedMember("alice", "alice_ps");
    m.psn.setPresence(alice.accountId, {
      online: true,
      platform: long("@everyone PS5"),
      game: { name: long("@here **Helldivers** ||2||") },
      status: long("<@&123456789012345678> # Difficulty \u200B10"),
    });
    const session = m.psn.startParty(alice.accountId, {
      joinability: "open",
      maxMembers: 100,
      name: long("@everyone <@&123456789012345678> **FREE NITRO** [here](https://evil.example) \u200B"),
    });
    const strangers = Array.from({ length: 99 }, (_, i) =>
      m.psn.createAccount({ onlineId: long(`${HOSTILE[i % HOSTILE.length]} ${i}`) }),
    );
    for (const s of strangers.slice(0, 98)) m.psn.joinParty(session, s.accountId);

    await m.tick();
    const channel = m.world.partyChannel.id;
    const card = await m.world.discord.waitForMessage(channel, (x) => x.embeds.length > 0);
    checkCard(card);

    // An edit (one more member) and the end go through the same limits.
    m.psn.joinParty(session, strangers[98]!.accountId);
    await m.tick();
    expect(current().editedTimestamp).not.toBeNull();
    checkCard(current());
    m.psn.endParty(session);
    await m.tick();
    await m.tick();
    checkCard(current());
    expect(firstEmbed(current()).description).toMatch(/Ended · lasted/);

    const cardCalls = m.world.discord
      .requests()
      .filter((r) => r.path.startsWith(`/channels/${channel}/messages`));
    expect(cardCalls.map((r) => [r.method, r.status])).toEqual([
      ["POST", 200],
      ["PATCH", 200],
      ["PATCH", 200],
    ]);
    for (const call of cardCalls) {
      // Discord's own checks, as the simulator ran them on what it received.
      expect(messageLimitErrors(call.body)).toBeNull();
      const mentions = (call.body as { allowed_mentions?: unknown }).allowed_mentions;
      expect(mentions).toEqual({
        parse: [],
        roles: call.method === "POST" ? [m.roleId] : [],
        users: [],
      });
    }
    expect(m.world.discord.channelMessages(channel)).toHaveLength(1);

    function current(): MessageView {
      const view = m.world.discord.message(channel, card.id);
      if (!view) throw new Error("the card is gone");
      return view;
    }

    function checkCard(view: MessageView): void {
      // Only the configured role, on the first post; nothing PSN typed.
      expect(view.content === "" || view.content === `<@&${m.roleId}>`).toBe(true);
      const all = texts(firstEmbed(view)).join("\n");
      expect(all).not.toMatch(/(?<!\\)@(everyone|here)/);
      const mentions = all.match(/(?<!\\)<[@#][!&]?\d*>/g) ?? [];
      expect(mentions).toEqual([`<@${alice.user.id}>`]);
      expect(all).not.toMatch(/[\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/);
      expect(all).not.toMatch(/(?<!\\)\[[^\]]*\]\(https:\/\/evil/);
      expect(all).toMatch(/…and \d+ more/);
    }
  });
});
