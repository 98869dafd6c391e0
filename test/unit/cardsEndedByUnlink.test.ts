import { describe, expect, it } from "vitest";
import type { GuildSettings } from "../../src/domain/guild.js";
import type { Party, PartyMember } from "../../src/domain/party.js";
import { cardsEndedByUnlink, type OpenCardShowing } from "../../src/jobs/cardsEndedByUnlink.js";
import type { Card } from "../../src/jobs/reconcile.js";
import { alice, bob, NOW, party, STARTED, stranger } from "../support/parties.js";

function partyOf(members: PartyMember[], joinability: Party["joinability"] = "open"): Party {
  return party("s1", { host: members[0] as PartyMember, members, joinability });
}

let nextId = 1;
const card = (guildId: string, over: Partial<Card> = {}): Card => ({
  id: nextId++,
  guildId,
  sessionId: "s1",
  channelId: `c-${guildId}`,
  messageId: `m-${guildId}`,
  state: "live",
  hash: "shown",
  postedAt: STARTED,
  ...over,
});

const settings = (guildId: string, over: Partial<GuildSettings> = {}): GuildSettings => ({
  guildId,
  channelId: `c-${guildId}`,
  mentionRoleId: "r1",
  show: "joinable",
  enabled: true,
  pausedReason: null,
  template: null,
  endedDeleteAfterMinutes: null,
  ...over,
});

const announced = (entries: Record<string, string[]>) =>
  new Map(Object.entries(entries).map(([g, users]) => [g, new Set(users)]));

interface Row {
  cards: OpenCardShowing[];
  announcedIn: Record<string, string[]>;
  settings?: Partial<GuildSettings>;
  /** Guild ids of the cards ended. */
  ended: string[];
}

const shownBy = (guildId: string, p: Party | null, over: Partial<Card> = {}): OpenCardShowing => ({
  card: card(guildId, over),
  party: p,
});

describe("cardsEndedByUnlink", () => {
  it.each<[string, Row]>([
    [
      "a card shown only by the unlinking member ends",
      { cards: [shownBy("g1", partyOf([alice, stranger]))], announcedIn: { g1: ["d-alice"] }, ended: ["g1"] },
    ],
    [
      "a card another member announced in that server still shows is left alone",
      {
        cards: [shownBy("g1", partyOf([alice, bob]))],
        announcedIn: { g1: ["d-alice", "d-bob"] },
        ended: [],
      },
    ],
    [
      "another member announced only in another server does not keep it here",
      {
        cards: [shownBy("g1", partyOf([alice, bob])), shownBy("g2", partyOf([alice, bob]))],
        announcedIn: { g1: ["d-alice"], g2: ["d-alice", "d-bob"] },
        ended: ["g1"],
      },
    ],
    [
      "a card whose stored party is unreadable is left alone",
      { cards: [shownBy("g1", null)], announcedIn: { g1: ["d-alice"] }, ended: [] },
    ],
    [
      "a card that does not show the member is left alone",
      { cards: [shownBy("g1", partyOf([bob]))], announcedIn: { g1: ["d-bob"] }, ended: [] },
    ],
    [
      "a card whose party, without the member, no longer passes the server's filter ends",
      {
        cards: [shownBy("g1", partyOf([alice, bob], "invite"))],
        announcedIn: { g1: ["d-alice", "d-bob"] },
        ended: ["g1"],
      },
    ],
    [
      "the same party in a server showing all parties is left alone",
      {
        cards: [shownBy("g1", partyOf([alice, bob], "invite"))],
        announcedIn: { g1: ["d-alice", "d-bob"] },
        settings: { show: "all" },
        ended: [],
      },
    ],
    [
      "a server with its cards turned off ends them all, as the next tick would",
      {
        cards: [shownBy("g1", partyOf([alice, bob]))],
        announcedIn: { g1: ["d-alice", "d-bob"] },
        settings: { enabled: false },
        ended: ["g1"],
      },
    ],
    [
      "a paused server gets no calls, as on a tick",
      {
        cards: [shownBy("g1", partyOf([alice]))],
        announcedIn: { g1: ["d-alice"] },
        settings: { pausedReason: { code: "missingAccess", channelId: "c1" } },
        ended: [],
      },
    ],
    [
      "a card still being posted ends like any other",
      {
        cards: [shownBy("g1", partyOf([alice]), { state: "posting", messageId: null, postedAt: null })],
        announcedIn: { g1: ["d-alice"] },
        ended: ["g1"],
      },
    ],
  ])("%s", (_what, row) => {
    const guildIds = new Set(row.cards.map((c) => c.card.guildId));
    const ends = cardsEndedByUnlink({
      discordUserId: "d-alice",
      cards: row.cards,
      announcedIn: announced(row.announcedIn),
      settings: new Map([...guildIds].map((g) => [g, settings(g, row.settings)])),
      now: NOW,
    });
    expect(ends.map((e) => e.card.guildId)).toEqual(row.ended);
    for (const e of ends) expect(e.action.cardId).toBe(e.card.id);
  });

  it("renders the ended card without the member, ended now, others still named as announced", () => {
    const [end] = cardsEndedByUnlink({
      discordUserId: "d-alice",
      cards: [shownBy("g1", partyOf([alice, bob], "invite"))],
      announcedIn: announced({ g1: ["d-alice", "d-bob"] }),
      settings: new Map([["g1", settings("g1")]]),
      now: NOW,
    });
    const shown = JSON.stringify(end?.action.card.embeds);
    expect(shown).toContain("Ended");
    expect(shown).not.toContain("<@d-alice>");
    expect(shown).toContain("alice");
    expect(shown).toContain("<@d-bob>");
    expect(end?.action.card.content).toBeNull();
  });

  it("leaves a card in a server it has no settings for", () => {
    const ends = cardsEndedByUnlink({
      discordUserId: "d-alice",
      cards: [shownBy("g1", partyOf([alice]))],
      announcedIn: announced({ g1: ["d-alice"] }),
      settings: new Map(),
      now: NOW,
    });
    expect(ends).toEqual([]);
  });
});
