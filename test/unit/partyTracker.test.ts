import { describe, expect, it } from "vitest";
import type { Party, PartyDetails } from "../../src/domain/party.js";
import {
  emptyTrackerState,
  type MemberObservation,
  seedSessionsOf,
  seedTracker,
  type TrackerState,
  type TrackResult,
  trackParties,
  unobservable,
} from "../../src/jobs/partyTracker.js";
import type { GameTitle, PsnParty, PsnPartyMember } from "../../src/psn/types.js";

const T0 = Date.parse("2026-03-01T20:00:00Z");
const tick = (n: number) => new Date(T0 + n * 30_000);

const alice: PsnPartyMember = { accountId: "100", onlineId: "alice", platform: "PS5" };
const bob: PsnPartyMember = { accountId: "200", onlineId: "bob", platform: "PS4" };
const carol: PsnPartyMember = { accountId: "300", onlineId: "carol", platform: "PS5" };
const linked = new Map([
  ["100", "d-alice"],
  ["200", "d-bob"],
]);
const helldivers: GameTitle = {
  titleId: "PPSA1",
  name: "Helldivers 2",
  iconUrl: "https://img/h2.png",
  status: null,
};

function party(
  sessionId: string,
  owner: PsnPartyMember,
  members: PsnPartyMember[],
  over: Partial<PsnParty> = {},
) {
  return {
    sessionId,
    name: null,
    owner,
    members,
    maxMembers: 16,
    joinability: "open",
    visibility: null,
    ...over,
  } satisfies PsnParty;
}

type Obs = Omit<MemberObservation, "at" | "game"> & { game?: GameTitle | null };
/** One observation of a member; `-` = not observed this tick. */
const saw = (who: PsnPartyMember, parties: PsnParty[] | null, online: boolean | null = null): Obs => ({
  accountId: who.accountId,
  online,
  parties,
});
const offline = (who: PsnPartyMember): Obs => ({ accountId: who.accountId, online: false, parties: null });

/** Runs the tracker over ticks of observations; returns every tick's result. */
function run(ticks: Obs[][], start: TrackerState = emptyTrackerState(), details?: Map<string, PartyDetails>) {
  let state = start;
  const results: TrackResult[] = [];
  ticks.forEach((observations, i) => {
    const at = tick(i);
    const r = trackParties(state, {
      observations: observations.map((o) => ({ game: null, ...o, at })),
      linked,
      now: at,
      ...(details ? { details } : {}),
    });
    state = r.state;
    results.push(r);
  });
  return results;
}

const P = party("sess-aaaaaaaa-1", alice, [alice, carol]);

describe("trackParties", () => {
  it.each([
    ["one miss: still live", [[saw(alice, [P])], [saw(alice, [])]], true],
    ["two misses in a row: ended", [[saw(alice, [P])], [saw(alice, [])], [saw(alice, [])]], false],
    [
      "a miss, a sighting, a miss: live",
      [[saw(alice, [P])], [saw(alice, [])], [saw(alice, [P])], [saw(alice, [])]],
      true,
    ],
    ["not observed is not a miss", [[saw(alice, [P])], [saw(alice, [])], [], [], []], true],
    ["presence only is not a miss", [[saw(alice, [P])], [saw(alice, [])], [saw(alice, null, true)]], true],
    ["offline ends at once", [[saw(alice, [P])], [offline(alice)]], false],
    [
      "two observers: one missing twice is not enough",
      [
        [saw(alice, [P]), saw(bob, [P])],
        [saw(alice, []), saw(bob, [P])],
        [saw(alice, []), saw(bob, [P])],
      ],
      true,
    ],
    [
      "two observers: ends when both missed twice",
      [
        [saw(alice, [P]), saw(bob, [P])],
        [saw(alice, []), saw(bob, [])],
        [saw(alice, []), saw(bob, [])],
      ],
      false,
    ],
    [
      "two observers: one offline, the other still missing once",
      [
        [saw(alice, [P]), saw(bob, [P])],
        [offline(alice), saw(bob, [])],
      ],
      true,
    ],
    [
      "last linked member seen offline ends at once",
      [[saw(alice, [P]), saw(bob, [P])], [saw(alice, []), saw(bob, [])], [saw(alice, [])], [offline(bob)]],
      false,
    ],
    [
      "one observer goes offline, the other still sees it",
      [[saw(alice, [P]), saw(bob, [P])], [offline(alice), saw(bob, [P])], [saw(bob, [P])]],
      true,
    ],
  ])("%s", (_name, ticks, live) => {
    const results = run(ticks);
    const last = results.at(-1)!;
    expect(last.live.map((p) => p.sessionId)).toEqual(live ? [P.sessionId] : []);
    const endedOn = results.findIndex((r) => r.justEnded.length > 0);
    expect(endedOn === -1).toBe(live);
    if (!live) {
      expect(endedOn).toBe(results.length - 1);
      expect(last.justEnded[0]!.party?.sessionId).toBe(P.sessionId);
      expect(last.ended.map((e) => e.sessionId)).toEqual([P.sessionId]);
    }
  });

  it.each([
    ["two misses: the first miss", [[saw(alice, [P])], [saw(alice, [])], [saw(alice, [])]], 1],
    ["offline", [[saw(alice, [P])], [], [offline(alice)]], 2],
    ["miss, then offline", [[saw(alice, [P])], [saw(alice, [])], [offline(alice)]], 1],
  ])("end time: %s", (_name, ticks, tickIndex) => {
    const results = run(ticks);
    expect(results.at(-1)!.justEnded[0]!.endedAt).toEqual(tick(tickIndex));
  });

  it("one party seen by two linked members is one entry with merged members", () => {
    const fromAlice = party("s1", alice, [alice, carol]);
    const fromBob = party("s1", alice, [alice, bob]);
    const [r] = run([[saw(alice, [fromAlice]), saw(bob, [fromBob])]]);
    expect(r!.live).toHaveLength(1);
    const p = r!.live[0]!;
    expect(p.members.map((m) => m.onlineId)).toEqual(["alice", "carol", "bob"]);
    expect(p.members.map((m) => m.discordUserId)).toEqual(["d-alice", null, "d-bob"]);
    expect(p.host.onlineId).toBe("alice");
  });

  it("two different parties stay two entries, oldest first", () => {
    const other = party("s2", bob, [bob]);
    const results = run([[saw(alice, [P])], [saw(alice, [P]), saw(bob, [other])]]);
    expect(results[1]!.live.map((p) => p.sessionId)).toEqual([P.sessionId, "s2"]);
  });

  it("keeps firstSeenAt stable across ticks, misses and member changes", () => {
    const grown = party(P.sessionId, alice, [alice, carol, bob]);
    const results = run([[saw(alice, [P])], [saw(alice, [])], [saw(alice, [grown]), saw(bob, [grown])], []]);
    for (const r of results) expect(r.live[0]!.firstSeenAt).toEqual(tick(0));
    expect(results[2]!.live[0]!.members).toHaveLength(3);
  });

  it("follows the latest snapshot (joinability, members leaving)", () => {
    const shrunk = party(P.sessionId, alice, [alice], { joinability: "invite" });
    const results = run([[saw(alice, [P])], [saw(alice, [shrunk])]]);
    expect(results[1]!.live[0]!.joinability).toBe("invite");
    expect(results[1]!.live[0]!.members.map((m) => m.onlineId)).toEqual(["alice"]);
  });

  it.each([
    ["the host's presence game", [[{ ...saw(alice, [P], true), game: helldivers }]], helldivers],
    [
      "kept when the host's presence is not read",
      [[{ ...saw(alice, [P], true), game: helldivers }], [saw(alice, [P])]],
      helldivers,
    ],
    [
      "cleared when the host stops playing",
      [[{ ...saw(alice, [P], true), game: helldivers }], [saw(alice, [P], true)]],
      null,
    ],
    [
      "not another member's game",
      [[{ ...saw(bob, [party("x", carol, [carol, bob])], true), game: helldivers }]],
      null,
    ],
  ])("game: %s", (_name, ticks, game) => {
    const results = run(ticks as Obs[][]);
    expect(results.at(-1)!.live[0]!.game).toEqual(game);
  });

  it("a party back after ending is live again with its first-seen time", () => {
    const results = run([[saw(alice, [P])], [saw(alice, [])], [saw(alice, [])], [saw(alice, [P])]]);
    expect(results[2]!.live).toEqual([]);
    expect(results[3]!.live[0]!.firstSeenAt).toEqual(tick(0));
    expect(results[3]!.ended).toEqual([]);
  });

  it("keeps details once known", () => {
    const details = new Map<string, PartyDetails>([
      [
        P.sessionId,
        {
          shareUrl: "https://party.playstation.com/js_x",
          info: {
            sessionId: P.sessionId,
            sessionName: null,
            isJoinable: true,
            joinableFrom: ["PS5"],
            maxMembers: 16,
            timeStarted: new Date(T0 - 60_000),
            shareImageUrl: "https://img/share.png",
          },
        },
      ],
    ]);
    const [first] = run([[saw(alice, [P])]], emptyTrackerState(), details);
    const r = trackParties(first!.state, {
      observations: [{ ...saw(alice, [P]), game: null, at: tick(1) }],
      linked,
      now: tick(1),
    });
    expect(r.live[0]).toMatchObject({
      shareUrl: "https://party.playstation.com/js_x",
      joinableFrom: ["PS5"],
      startedAt: new Date(T0 - 60_000),
      imageUrl: "https://img/share.png",
    });
  });

  it("a party nobody reports on any more goes stale", () => {
    const start = run([[saw(alice, [P])]])[0]!.state;
    const still = trackParties(start, { observations: [], linked, now: new Date(T0 + 9 * 60_000) });
    expect(still.live).toHaveLength(1);
    const stale = trackParties(still.state, { observations: [], linked, now: new Date(T0 + 10 * 60_000) });
    expect(stale.live).toEqual([]);
    expect(stale.justEnded[0]!.sessionId).toBe(P.sessionId);
  });

  it("forgets ended parties after a day", () => {
    const results = run([[saw(alice, [P])], [offline(alice)]]);
    const later = trackParties(results[1]!.state, {
      observations: [],
      linked,
      now: new Date(T0 + 25 * 3600_000),
    });
    expect(later.ended).toEqual([]);
  });

  describe("seeded from open cards after a restart", () => {
    const seeded = seedTracker(emptyTrackerState(), [{ sessionId: P.sessionId, since: tick(-100) }], tick(0));

    it("is not live until seen, then keeps the card's time", () => {
      const r0 = trackParties(seeded, { observations: [], linked, now: tick(0) });
      expect(r0.live).toEqual([]);
      expect(r0.justEnded).toEqual([]);
      const r1 = trackParties(r0.state, {
        observations: [{ ...saw(alice, [P]), game: null, at: tick(1) }],
        linked,
        now: tick(1),
      });
      expect(r1.live[0]!.firstSeenAt).toEqual(tick(-100));
    });

    it("ends with no party when nobody sees it", () => {
      const r = trackParties(seeded, {
        observations: [{ ...saw(alice, []), game: null, at: tick(20) }],
        linked,
        now: tick(20),
      });
      expect(r.justEnded).toEqual([{ sessionId: P.sessionId, endedAt: tick(20), party: null }]);
    });

    it("ends after two misses by the members the card showed, dated at the first miss", () => {
      const withAlice = seedTracker(
        emptyTrackerState(),
        [{ sessionId: P.sessionId, since: tick(-100), observers: [alice.accountId] }],
        tick(0),
      );
      const r1 = trackParties(withAlice, {
        observations: [{ ...saw(alice, []), game: null, at: tick(1) }],
        linked,
        now: tick(1),
      });
      expect(r1.justEnded).toEqual([]);
      const r2 = trackParties(r1.state, {
        observations: [{ ...saw(alice, []), game: null, at: tick(2) }],
        linked,
        now: tick(2),
      });
      expect(r2.justEnded).toEqual([{ sessionId: P.sessionId, endedAt: tick(1), party: null }]);
    });
  });
});

describe("seedSessionsOf", () => {
  const posted = tick(-20);
  const created = tick(-21);
  const shown = (firstSeenAt: Date, ...members: [string, string | null][]): Party => ({
    sessionId: "s1",
    name: null,
    host: { accountId: members[0]![0], onlineId: "x", platform: null, discordUserId: members[0]![1] },
    members: members.map(([accountId, discordUserId]) => ({
      accountId,
      onlineId: "x",
      platform: null,
      discordUserId,
    })),
    maxMembers: null,
    joinability: "open",
    game: null,
    platform: null,
    firstSeenAt,
    shareUrl: null,
    joinableFrom: null,
    startedAt: null,
    imageUrl: null,
    unseenReason: null,
  });
  const card = (sessionId: string, party: Party | null, postedAt: Date | null = posted) => ({
    sessionId,
    party,
    postedAt,
    createdAt: created,
  });

  it.each([
    [
      "the stored party's first sighting and linked members",
      [card("s1", shown(tick(-40), ["100", "d-alice"], ["300", null]))],
      [{ sessionId: "s1", since: tick(-40), observers: ["100"] }],
    ],
    [
      "an unreadable party: when it was posted",
      [card("s1", null)],
      [{ sessionId: "s1", since: posted, observers: [] }],
    ],
    [
      "never posted, unreadable: when its row was written",
      [card("s1", null, null)],
      [{ sessionId: "s1", since: created, observers: [] }],
    ],
    [
      "one party carded in two servers: the earliest time, every observer once",
      [
        card("s1", shown(tick(-30), ["100", "d-alice"])),
        card("s1", shown(tick(-50), ["100", "d-alice"], ["200", "d-bob"])),
      ],
      [{ sessionId: "s1", since: tick(-50), observers: ["100", "200"] }],
    ],
    [
      "two parties",
      [card("s1", null), card("s2", shown(tick(-5), ["200", "d-bob"]))],
      [
        { sessionId: "s1", since: posted, observers: [] },
        { sessionId: "s2", since: tick(-5), observers: ["200"] },
      ],
    ],
  ])("%s", (_what, cards, expected) => {
    expect(seedSessionsOf(cards)).toEqual(expected);
  });
});

describe("unobservable", () => {
  const both = party("s1", alice, [alice, bob, carol]);
  it.each([
    ["a linked member still readable", both, new Set(["200"]), false],
    ["every linked member must re-link", both, new Set<string>(), true],
    ["only an unlinked member readable", both, new Set(["300"]), true],
    ["no linked member at all (shown nowhere)", party("s2", carol, [carol]), new Set<string>(), false],
  ])("%s", (_name, p, readable, expected) => {
    expect(unobservable(p, linked, readable)).toBe(expected);
  });

  it("a live party whose linked members are all unreadable carries the code, and loses it once one is readable", () => {
    const seenBy = trackParties(emptyTrackerState(), {
      observations: [{ accountId: "100", online: true, parties: [both], game: null, at: tick(0) }],
      linked,
      readable: new Set(["100"]),
      now: tick(0),
    });
    expect(seenBy.live[0]?.unseenReason).toBeNull();
    const unseen = trackParties(seenBy.state, {
      observations: [],
      linked,
      readable: new Set(),
      now: tick(1),
    });
    expect(unseen.live[0]?.unseenReason).toBe("relinkNeeded");
    const back = trackParties(unseen.state, {
      observations: [],
      linked,
      readable: new Set(["200"]),
      now: tick(2),
    });
    expect(back.live[0]?.unseenReason).toBeNull();
  });
});
