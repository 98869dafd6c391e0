import { ButtonStyle, ComponentType } from "discord.js";
import { describe, expect, it } from "vitest";
import {
  CARD_COLOURS,
  type CardView,
  formatDuration,
  renderPartyCard,
  renderUnknownEndedCard,
} from "../../src/bot/embeds/partyCard.js";
import type { Party, PartyMember } from "../../src/domain/party.js";

const T0 = new Date("2026-03-01T20:00:00Z");

const member = (
  onlineId: string,
  discordUserId: string | null = null,
  accountId = `acc-${onlineId}`,
): PartyMember => ({
  accountId,
  onlineId,
  platform: "PS5",
  discordUserId,
});
const alice = member("alice", "d-alice");

function party(over: Partial<Party> = {}): Party {
  const host = over.host ?? alice;
  return {
    sessionId: "0123456789abcdef-session",
    name: null,
    host,
    members: [host, member("bob", "d-bob"), member("carol")],
    maxMembers: 16,
    joinability: "open",
    game: { titleId: "PPSA01", name: "Helldivers 2", iconUrl: "https://img/h2.png", status: null },
    platform: "PS5",
    firstSeenAt: T0,
    shareUrl: "https://party.playstation.com/js_abc",
    joinableFrom: null,
    startedAt: null,
    imageUrl: null,
    unseenReason: null,
    ...over,
  };
}

const view = (over: Partial<CardView> = {}): CardView => ({
  announced: new Set(["d-alice", "d-bob"]),
  mentionRoleId: null,
  firstPost: false,
  ...over,
});

const embedOf = (p: Party, v: CardView = view()) => renderPartyCard(p, v).embeds[0]!;
const membersField = (p: Party, v: CardView = view()) =>
  embedOf(p, v).fields!.find((f) => f.name.startsWith("Members"))!;

describe("formatDuration", () => {
  it.each([
    [-5, "0 s"],
    [0, "0 s"],
    [999, "0 s"],
    [45_000, "45 s"],
    [59_999, "59 s"],
    [60_000, "1 min"],
    [12 * 60_000 + 30_000, "12 min"],
    [3600_000, "1 h"],
    [72 * 60_000, "1 h 12 min"],
    [23 * 3600_000 + 59 * 60_000, "23 h 59 min"],
    [24 * 3600_000, "1 d"],
    [51 * 3600_000 + 20 * 60_000, "2 d 3 h"],
    [Number.NaN, "0 s"],
  ])("%d ms → %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe("renderPartyCard", () => {
  it.each([
    ["host's name when the party has none", party(), "alice's party"],
    ["the party's name", party({ name: "Friday raid" }), "Friday raid"],
    ["blank name falls back", party({ name: "   " }), "alice's party"],
    ["escaped online id", party({ host: member("x_dark_x") }), "x\\_dark\\_x's party"],
    ["escaped name", party({ name: "**loud**" }), "\\*\\*loud\\*\\*"],
    ["long name cut to 256", party({ name: "a".repeat(400) }), `${"a".repeat(255)}…`],
  ])("title: %s", (_name, p, title) => {
    expect(embedOf(p).title).toBe(title);
  });

  it.each([
    ["announced users as mentions, others as online ids", view(), "<@d-alice> (host)\n<@d-bob>\ncarol"],
    [
      "a linked user not announced here is an online id",
      view({ announced: new Set(["d-bob"]) }),
      "alice (host)\n<@d-bob>\ncarol",
    ],
    ["nobody announced", view({ announced: new Set() }), "alice (host)\nbob\ncarol"],
  ])("members: %s", (_name, v, value) => {
    expect(membersField(party(), v).value).toBe(value);
  });

  it("escapes markdown in online ids", () => {
    const p = party({ members: [alice, member("__under__"), member("*star*"), member("`tick`")] });
    expect(membersField(p).value).toBe("<@d-alice> (host)\n\\_\\_under\\_\\_\n\\*star\\*\n\\`tick\\`");
  });

  it("cuts a very long member list with a count", () => {
    const many = Array.from({ length: 100 }, (_, i) => member(`player_number_${i}_with_a_long_name`));
    const value = membersField(party({ members: [alice, ...many] })).value;
    expect(value.length).toBeLessThanOrEqual(1024);
    expect(value).toMatch(/…and \d+ more$/);
  });

  describe("hostile strings from PSN", () => {
    const long = (seed: string) => `${seed}${"w".repeat(1000)}`.slice(0, 1000);
    const HOSTILE = [
      "@everyone",
      "@here",
      "<@&123456789012345678>",
      "<@123456789012345678>",
      "**bold** __under__ ~~s~~ ||spoiler|| `code`",
      "# heading",
      "[click me](https://evil.example)",
      "ali\u200Bce\u200D\uFEFF",
      "\u202Eecila",
    ];
    const hostileMember = (i: number) =>
      member(long(`${HOSTILE[i % HOSTILE.length]} ${i} `), i % 3 === 0 ? `d-${i}` : null, `acc-${i}`);
    const hostile = party({
      name: long("@everyone <@&123456789012345678> **JOIN NOW** \u200B"),
      host: hostileMember(0),
      members: Array.from({ length: 100 }, (_, i) => hostileMember(i)),
      maxMembers: 100,
      game: {
        titleId: "PPSA01",
        name: long("@here ||spoiler|| "),
        iconUrl: null,
        status: long("<@123456789012345678> # status "),
      },
      platform: long("@everyone "),
      joinableFrom: Array.from({ length: 100 }, (_, i) => long(`<@&${i}> `)),
    });
    const announced = new Set(Array.from({ length: 100 }, (_, i) => `d-${i}`));
    const card = renderPartyCard(hostile, view({ announced, mentionRoleId: "role-1", firstPost: true }));
    const embed = card.embeds[0]!;
    const texts = [
      embed.title ?? "",
      embed.description ?? "",
      embed.footer?.text ?? "",
      ...(embed.fields ?? []).flatMap((f) => [f.name, f.value]),
    ];
    const points = (t: string) => Array.from(t).length;

    it("stays within every Discord limit", () => {
      expect(points(embed.title ?? "")).toBeLessThanOrEqual(256);
      expect(points(embed.description ?? "")).toBeLessThanOrEqual(4096);
      expect(embed.fields!.length).toBeLessThanOrEqual(25);
      for (const f of embed.fields!) {
        expect(points(f.name)).toBeLessThanOrEqual(256);
        expect(points(f.value)).toBeLessThanOrEqual(1024);
      }
      expect(texts.reduce((n, t) => n + points(t), 0)).toBeLessThanOrEqual(6000);
    });

    it("shows several members and counts the rest, instead of one name filling the field", () => {
      const value = membersField(hostile, view({ announced })).value;
      expect(value.split("\n").length).toBeGreaterThan(5);
      expect(value).toMatch(/…and \d+ more$/);
    });

    it("no PSN text can mention, ping or spoof: only announced members are mentions", () => {
      const all = texts.join("\n");
      expect(all).not.toMatch(/(?<!\\)@(everyone|here)/);
      const mentions = all.match(/(?<!\\)<[@#][!&]?[^>]*>/g) ?? [];
      expect(mentions.every((m) => /^<@d-\d+>$/.test(m))).toBe(true);
      expect(all).not.toMatch(/[\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/);
      expect(all).not.toMatch(/(?<!\\)\[[^\]]*\]\(https:\/\/evil/);
      expect(card.allowedMentions).toEqual({ parse: [], roles: ["role-1"], users: [] });
      expect(card.content).toBe("<@&role-1>");
    });
  });

  it.each([
    [16, "Members (3/16)"],
    [null, "Members (3)"],
  ])("slots with max %s", (maxMembers, name) => {
    expect(membersField(party({ maxMembers })).name).toBe(name);
  });

  it.each([
    ["first seen when the start is unknown", party(), `<t:${T0.getTime() / 1000}:R>`],
    [
      "PSN's start time when known",
      party({ startedAt: new Date(T0.getTime() - 600_000) }),
      `<t:${T0.getTime() / 1000 - 600}:R>`,
    ],
  ])("started: %s", (_name, p, stamp) => {
    expect(embedOf(p).description).toContain(`Started ${stamp}`);
  });

  it("shows the game with its icon, platform, access, joinable-from, image and footer", () => {
    const e = embedOf(
      party({
        joinableFrom: ["PS4", "PS5", "MOBILE_APP"],
        imageUrl: "https://img/share.png",
        game: { titleId: "x", name: "Helldivers 2", iconUrl: "https://img/h2.png", status: "Wave 3" },
      }),
    );
    expect(e.description).toContain("🎮 **Helldivers 2** · Wave 3");
    expect(e.thumbnail).toEqual({ url: "https://img/h2.png" });
    expect(e.image).toEqual({ url: "https://img/share.png" });
    expect(e.url).toBe("https://party.playstation.com/js_abc");
    expect(e.fields).toContainEqual({ name: "Platform", value: "PS5", inline: true });
    expect(e.fields).toContainEqual({ name: "Joinable from", value: "PS4, PS5, PS App", inline: true });
    expect(e.fields).toContainEqual({ name: "Access", value: "Open to friends", inline: true });
    expect(e.footer).toEqual({ text: "Party 01234567" });
  });

  it("leaves out what is unknown", () => {
    const e = embedOf(party({ game: null, platform: null, shareUrl: null }));
    expect(e.thumbnail).toBeUndefined();
    expect(e.image).toBeUndefined();
    expect(e.url).toBeUndefined();
    expect(e.description).not.toContain("🎮");
    expect(e.fields!.map((f) => f.name)).toEqual(["Members (3/16)", "Access"]);
  });

  it.each([
    ["open", CARD_COLOURS.open],
    ["request", CARD_COLOURS.request],
    ["invite", CARD_COLOURS.invite],
  ] as const)("colour for %s", (joinability, colour) => {
    expect(embedOf(party({ joinability })).color).toBe(colour);
  });

  it.each([
    ["first post with a role", view({ firstPost: true, mentionRoleId: "r1" }), "<@&r1>", ["r1"]],
    ["edit with a role", view({ firstPost: false, mentionRoleId: "r1" }), null, []],
    ["first post without a role", view({ firstPost: true }), null, []],
    ["ended first post", view({ firstPost: true, mentionRoleId: "r1", ended: { at: T0 } }), null, []],
  ])("mentions: %s", (_name, v, content, roles) => {
    const card = renderPartyCard(party(), v);
    expect(card.content).toBe(content);
    expect(card.allowedMentions).toEqual({ parse: [], roles, users: [] });
  });

  it("has both buttons, the link to the share URL", () => {
    const [row] = renderPartyCard(party(), view()).components;
    expect(row).toEqual({
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.Button,
          style: ButtonStyle.Link,
          label: "Join on PlayStation",
          url: "https://party.playstation.com/js_abc",
          disabled: false,
        },
        {
          type: ComponentType.Button,
          style: ButtonStyle.Primary,
          label: "Request invite",
          custom_id: "invite:0123456789abcdef-session",
          disabled: false,
        },
      ],
    });
  });

  it("has no link button without a share URL", () => {
    const [row] = renderPartyCard(party({ shareUrl: null }), view()).components;
    expect(row!.components.map((c) => c.style)).toEqual([ButtonStyle.Primary]);
  });

  it("ended: grey, same title, duration, buttons disabled", () => {
    const p = party({ name: "Friday raid" });
    const card = renderPartyCard(p, view({ ended: { at: new Date(T0.getTime() + 72 * 60_000) } }));
    const e = card.embeds[0]!;
    expect(e.color).toBe(CARD_COLOURS.ended);
    expect(e.title).toBe("Friday raid");
    expect(e.description).toContain("Ended · lasted 1 h 12 min");
    expect(card.components[0]!.components.every((c) => c.disabled === true)).toBe(true);
    expect(card.hash).not.toBe(renderPartyCard(p, view()).hash);
  });

  it("an unknown ended party still renders grey and disabled", () => {
    const card = renderUnknownEndedCard("0123456789abcdef-session", T0);
    expect(card.embeds[0]!.color).toBe(CARD_COLOURS.ended);
    expect(card.components[0]!.components).toEqual([
      expect.objectContaining({ disabled: true, custom_id: "invite:0123456789abcdef-session" }),
    ]);
    expect(card.content).toBeNull();
  });

  describe("hash", () => {
    const base = renderPartyCard(party(), view()).hash;

    it("is a sha256 hex digest, stable across renders and first post / edit", () => {
      expect(base).toMatch(/^[0-9a-f]{64}$/);
      expect(renderPartyCard(party(), view()).hash).toBe(base);
      expect(renderPartyCard(party(), view({ firstPost: true, mentionRoleId: "r1" })).hash).toBe(base);
    });

    it.each([
      ["a new member", party({ members: [...party().members, member("dave")] })],
      ["joinability", party({ joinability: "request" })],
      ["the game", party({ game: null })],
      ["the name", party({ name: "x" })],
      ["the share URL", party({ shareUrl: null })],
      ["the start time", party({ startedAt: new Date(0) })],
    ])("changes with %s", (_name, p) => {
      expect(renderPartyCard(p, view()).hash).not.toBe(base);
    });

    it("changes when a member becomes announced", () => {
      expect(
        renderPartyCard(party(), view({ announced: new Set(["d-alice", "d-bob", "d-carol"]) })).hash,
      ).toBe(base);
      expect(renderPartyCard(party(), view({ announced: new Set(["d-alice"]) })).hash).not.toBe(base);
    });
  });
});

describe("a party the bot can no longer see", () => {
  const unseen = party({ unseenReason: "relinkNeeded", members: [alice, member("carol")] });
  const inviteButton = (p: Party, v: CardView = view()) =>
    renderPartyCard(p, v).components[0]!.components.find((b) => "custom_id" in b);

  it("says so, names who must sign in again (a mention where announced), and disables Request invite", () => {
    const embed = embedOf(unseen);
    expect(embed.description).toContain(
      "can't see this party any more: <@d-alice> must sign in to PlayStation again",
    );
    expect(embed.color).toBe(CARD_COLOURS.unseen);
    expect(inviteButton(unseen)).toMatchObject({ custom_id: `invite:${unseen.sessionId}`, disabled: true });
    expect(embedOf(unseen, view({ announced: new Set() })).description).toContain("alice must sign in");
    expect(renderPartyCard(unseen, view()).hash).not.toBe(
      renderPartyCard(party({ members: unseen.members }), view()).hash,
    );
  });

  it("once ended, says only that it ended", () => {
    const ended = embedOf(unseen, view({ ended: { at: new Date(T0.getTime() + 60_000) } }));
    expect(ended.description).not.toContain("can't see");
    expect(ended.color).toBe(CARD_COLOURS.ended);
  });

  it("a seen party's Request invite stays enabled", () => {
    expect(inviteButton(party())).toMatchObject({ disabled: false });
  });
});
