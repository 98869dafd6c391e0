import { describe, expect, it } from "vitest";
import { messageUrl, NO_PARTIES, partiesDescription } from "../../src/bot/embeds/partiesList.js";
import { type MemberFacts, partyStatus } from "../../src/bot/party/status.js";
import type { Party } from "../../src/domain/party.js";
import { deletionOutcome, deletionTime } from "../../src/jobs/cards/endedDeletion.js";

function party(sessionId: string, over: Partial<Party> = {}): Party {
  const host = { accountId: "a1", onlineId: "alice_ps", platform: "PS5", discordUserId: "d1" };
  return {
    sessionId,
    name: null,
    host,
    members: [host],
    maxMembers: 16,
    joinability: "open",
    game: { titleId: null, name: "Helldivers 2", iconUrl: null, status: null },
    platform: "PS5",
    firstSeenAt: new Date(0),
    shareUrl: null,
    joinableFrom: null,
    startedAt: null,
    imageUrl: null,
    unseenReason: null,
    ...over,
  };
}

const settings = {
  guildId: "g",
  channelId: "c",
  mentionRoleId: null,
  show: "joinable" as const,
  enabled: true,
  pausedReason: null,
  template: null,
  endedDeleteAfterMinutes: null,
};
const online = { state: "active" as const, online: true, inParty: true };
const facts = (over: Partial<MemberFacts> = {}): MemberFacts => ({
  link: online,
  announcedHere: true,
  cardHere: null,
  partyElsewhere: null,
  settings,
  ...over,
});

describe("partyStatus", () => {
  const card = { party: party("s"), channelId: "c", messageId: "m" };
  it.each<[string, MemberFacts, string]>([
    ["not linked", facts({ link: null }), "notLinked"],
    ["not announced here (privacy)", facts({ announcedHere: false, cardHere: card }), "private"],
    ["a card here", facts({ cardHere: card }), "card"],
    [
      "a card here, even with a stale link",
      facts({ cardHere: card, link: { ...online, state: "needs_relink" } }),
      "card",
    ],
    ["needs a new sign-in", facts({ link: { ...online, state: "needs_relink" } }), "relink"],
    ["never polled", facts({ link: { ...online, online: null } }), "notSeen"],
    ["offline", facts({ link: { ...online, online: false } }), "offline"],
    ["online, no party", facts({ link: { ...online, inParty: false } }), "noParty"],
  ])("%s", (_, f, kind) => {
    expect(partyStatus(f).kind).toBe(kind);
  });

  it.each<[string, MemberFacts, Record<string, unknown>]>([
    ["cards off here", facts({ settings: { ...settings, enabled: false } }), { why: "cardsOff" }],
    // Announced nowhere else, the member is not read at all: the bot never saw them.
    [
      "cards off here, never polled",
      facts({ link: { ...online, online: null }, settings: { ...settings, enabled: false } }),
      { why: "cardsOff" },
    ],
    [
      "no party channel here, never polled",
      facts({ link: { ...online, online: null }, settings: { ...settings, channelId: null } }),
      { why: "cardsOff" },
    ],
    [
      "cards paused here",
      facts({ settings: { ...settings, pausedReason: { code: "unknown" } } }),
      { why: "cardsOff" },
    ],
    [
      "invite-only, joinable shown",
      facts({ partyElsewhere: party("s", { joinability: "invite" }) }),
      { why: "inviteOnly" },
    ],
    [
      "invite-only, all shown",
      facts({
        partyElsewhere: party("s", { joinability: "invite" }),
        settings: { ...settings, show: "all" },
      }),
      { why: "notYet", joinableOnly: false },
    ],
    ["not carded anywhere", facts(), { why: "notYet", joinableOnly: true }],
  ])("in a party without a card here: %s", (_, f, expected) => {
    expect(partyStatus(f)).toEqual({ kind: "notShown", ...expected });
  });
});

describe("partiesDescription", () => {
  const listed = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      party: party(`s${i}`),
      guildId: "g",
      channelId: "c",
      messageId: `m${i}`,
    }));

  it("has a friendly line when there are none", () => {
    expect(partiesDescription([])).toBe(NO_PARTIES);
  });

  it("one line per party, linking to its card", () => {
    expect(partiesDescription(listed(2)).split("\n")).toEqual([
      `[alice\\_ps's party](${messageUrl("g", "c", "m0")}) · 🎮 Helldivers 2 · 1/16`,
      `[alice\\_ps's party](${messageUrl("g", "c", "m1")}) · 🎮 Helldivers 2 · 1/16`,
    ]);
  });

  it("stays within the embed description limit, counting the ones left out", () => {
    const text = partiesDescription(listed(500));
    expect(text.length).toBeLessThanOrEqual(4096);
    const lines = text.split("\n");
    const shown = lines.length - 1;
    expect(lines.at(-1)).toBe(`…and ${500 - shown} more`);
  });
});

describe("ended card deletion", () => {
  it("is due the chosen minutes after the end, or never", () => {
    expect(deletionTime(new Date(0), 30)).toEqual(new Date(30 * 60_000));
    expect(deletionTime(new Date(0), null)).toBeNull();
  });

  it.each([
    [10008, "done"],
    [10003, "done"],
    [50001, "done"],
    [50013, "done"],
    [500, "retry"],
    [null, "retry"],
  ] as const)("a refusal with code %s: %s", (code, outcome) => {
    expect(deletionOutcome(code)).toBe(outcome);
  });
});
