import { describe, expect, it } from "vitest";
import {
  type CountInput,
  countSoak,
  type Interval,
  maxInWindow,
  type PartyLife,
  pausesFrom,
  ratePerAccount,
  type SeenMessage,
} from "../../bench/soakCount.js";

const BOT = "1";
const card = (
  id: string,
  channelId: string,
  sessionId: string,
  extra: Partial<SeenMessage> = {},
  disabled = false,
): SeenMessage => ({
  id,
  channelId,
  authorId: BOT,
  deleted: false,
  components: [{ components: [{ custom_id: `invite:${sessionId}`, disabled }] }],
  ...extra,
});
const party = (
  sessionId: string,
  startedAt: number,
  endedAt: number | null,
  accountIds = ["a"],
): PartyLife => ({
  sessionId,
  accountIds,
  startedAt,
  endedAt,
});
const input = (over: Partial<CountInput>): CountInput => ({
  messages: [],
  botUserId: BOT,
  deletedByHand: new Set(),
  parties: [],
  ticks: [0, 30, 60, 90, 120],
  unreadable: new Map(),
  ...over,
});

describe("countSoak", () => {
  it("counts a second card for one party in one channel as a duplicate, not one in another channel", () => {
    const c = countSoak(
      input({
        parties: [party("s1", 0, null)],
        messages: [card("m1", "c1", "s1"), card("m2", "c1", "s1"), card("m3", "c2", "s1")],
      }),
    );
    expect(c).toMatchObject({ started: 1, announced: 1, duplicated: 1, missed: 0 });
  });

  it("does not count the repost of a card deleted by hand, and counts deleted duplicates too", () => {
    const repost = countSoak(
      input({
        parties: [party("s1", 0, null)],
        messages: [card("m1", "c1", "s1", { deleted: true }), card("m2", "c1", "s1")],
        deletedByHand: new Set(["m1"]),
      }),
    );
    expect(repost.duplicated).toBe(0);
    const cleanedUp = countSoak(
      input({
        parties: [party("s1", 0, null)],
        messages: [card("m1", "c1", "s1"), card("m2", "c1", "s1", { deleted: true })],
      }),
    );
    expect(cleanedUp.duplicated).toBe(1);
  });

  it("does not count the replacement of a card Discord refused to edit once it was deleted, and counts it beside the old one", () => {
    const parties = [party("s1", 0, null)];
    const editRefused = new Set(["m1"]);
    const replaced = [card("m1", "c1", "s1", { deleted: true }), card("m2", "c1", "s1")];
    expect(countSoak(input({ parties, messages: replaced, editRefused })).duplicated).toBe(0);
    const both = [card("m1", "c1", "s1"), card("m2", "c1", "s1")];
    expect(countSoak(input({ parties, messages: both, editRefused })).duplicated).toBe(1);
    expect(countSoak(input({ parties, messages: replaced })).duplicated).toBe(1);
  });

  it("misses a party that lived two readable ticks without a card, not one that lived one", () => {
    expect(countSoak(input({ parties: [party("s1", 10, 80)] })).missed).toBe(1);
    expect(countSoak(input({ parties: [party("s1", 10, 50)] })).missed).toBe(0);
  });

  it("does not miss a party whose members were all paused by a rate limit", () => {
    const parties = [party("s1", 0, 120, ["a", "b"])];
    expect(countSoak(input({ parties, unreadable: new Map([["a", [[0, 200]]]]) })).missed).toBe(1);
    expect(
      countSoak(
        input({
          parties,
          unreadable: new Map([
            ["a", [[0, 200]]],
            ["b", [[0, 200]]],
          ]),
        }),
      ).missed,
    ).toBe(0);
  });

  it("counts live cards of ended parties, not ended or deleted cards", () => {
    const c = countSoak(
      input({
        parties: [party("s1", 0, 60), party("s2", 0, 60), party("s3", 0, null)],
        messages: [
          card("m1", "c1", "s1"),
          card("m2", "c1", "s2", {}, true),
          card("m3", "c2", "s2", { deleted: true }),
          card("m4", "c1", "s3"),
        ],
      }),
    );
    expect(c.liveForEnded).toBe(1);
  });

  it("counts a card of an ended party live while its Request-invite button is enabled, not once it cannot see the party", () => {
    const ended = [party("s1", 0, 60), party("s2", 0, 60), party("s3", 0, 60)];
    // "Can't see this party any more": the button disabled, or gone (the tool saw the card before).
    const cantSee = { ...card("m3", "c1", "s3"), components: [] };
    const c = countSoak(
      input({
        parties: ended,
        messages: [card("m1", "c1", "s1"), card("m2", "c1", "s2", {}, true), cantSee],
        knownCards: new Map([["m3", "s3"]]),
      }),
    );
    expect(c).toMatchObject({ liveForEnded: 1, announced: 3, missed: 0 });
  });

  it("keeps a card that lost its button as its party's card: announced, not missed, its repost a duplicate", () => {
    const parties = [party("s1", 0, null)];
    const gone = { ...card("m1", "c1", "s1"), components: [] };
    expect(countSoak(input({ parties, messages: [gone] }))).toMatchObject({ announced: 0, missed: 1 });
    const known = new Map([["m1", "s1"]]);
    expect(countSoak(input({ parties, messages: [gone], knownCards: known }))).toMatchObject({
      announced: 1,
      missed: 0,
      liveForEnded: 0,
    });
    expect(
      countSoak(input({ parties, messages: [gone, card("m2", "c1", "s1")], knownCards: known })).duplicated,
    ).toBe(1);
  });

  it("does not miss a party whose every member had to sign in again, and misses it if one could be read", () => {
    const parties = [party("s1", 0, 120, ["a", "b"])];
    const relinking = (b: Interval[]) =>
      new Map<string, Interval[]>([
        ["a", [[0, 200]]],
        ["b", b],
      ]);
    expect(countSoak(input({ parties, unreadable: relinking([[0, 200]]) })).missed).toBe(0);
    expect(countSoak(input({ parties, unreadable: relinking([[0, 40]]) })).missed).toBe(1);
  });

  it("ignores messages that are not the bot's cards", () => {
    const c = countSoak(
      input({
        parties: [party("s1", 0, 60)],
        messages: [card("m1", "c1", "s1", { authorId: "2" }), { ...card("m2", "c1", "s1"), components: [] }],
      }),
    );
    expect(c.announced).toBe(0);
  });
});

describe("maxInWindow", () => {
  it("finds the busiest sliding window per account", () => {
    const at = (accountId: string, t: number) => ({ accountId, at: t });
    expect(maxInWindow([at("a", 0), at("a", 5), at("a", 9), at("a", 10), at("b", 1), at("a", 19)], 10)).toBe(
      3,
    );
    expect(maxInWindow([{ at: 0 }, { at: 1 }], 10)).toBe(0);
  });
});

describe("pausesFrom", () => {
  it("pauses an account from each 429 for the injected time", () => {
    const p = pausesFrom(
      [
        { accountId: "a", at: 1000, status: 429 },
        { accountId: "a", at: 2000, status: 200 },
        { at: 3000, status: 429 },
      ],
      5000,
    );
    expect([...p]).toEqual([["a", [[1000, 6000]]]]);
  });

  it("ends a pause on the whole second PSN's header names, rounded up", () => {
    const p = pausesFrom([{ accountId: "a", at: 10_202, status: 429 }], 5000);
    expect([...p]).toEqual([["a", [[10_202, 16_000]]]]);
  });
});

describe("ratePerAccount", () => {
  it("gives the most and the mean requests per account per minute in the window, idle accounts as zero", () => {
    const at = (accountId: string, t: number) => ({ accountId, at: t });
    const log = [
      at("a", 0),
      at("a", 30_000),
      at("a", 60_000),
      at("a", 90_000),
      at("b", 60_000),
      at("a", 120_000), // at the window's end: outside
      at("z", 1_000), // not one of the accounts asked about
      { at: 2_000 },
    ];
    expect(ratePerAccount(log, ["a", "b", "c"], 0, 120_000)).toEqual({ max: 2, mean: 0.83 });
    expect(ratePerAccount(log, [], 0, 120_000)).toEqual({ max: 0, mean: 0 });
  });
});
