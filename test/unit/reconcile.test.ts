import { describe, expect, it } from "vitest";
import type { GuildSettings } from "../../src/domain/guild.js";
import type { Party } from "../../src/domain/party.js";
import type { EndedParty } from "../../src/domain/partyUpdate.js";
import { type Action, type Card, reconcile } from "../../src/jobs/reconcile.js";
import { alice, bob, member, NOW, party, STARTED, stranger } from "../support/parties.js";

const settings = (over: Partial<GuildSettings> = {}): GuildSettings => ({
  guildId: "g1",
  channelId: "c1",
  mentionRoleId: "r1",
  show: "joinable",
  enabled: true,
  pausedReason: null,
  template: null,
  endedDeleteAfterMinutes: null,
  ...over,
});

const announced = new Set(["d-alice", "d-bob"]);

let nextId = 1;
function card(sessionId: string, over: Partial<Card> = {}): Card {
  return {
    id: nextId++,
    guildId: "g1",
    sessionId,
    channelId: "c1",
    messageId: "m1",
    state: "live",
    hash: null,
    postedAt: STARTED,
    ...over,
  };
}

/**
 * A live card showing exactly `p`: the hash the card writer stored when reconcile posted it
 * (the round trip a tick makes), not one recomputed here with the renderer under test.
 */
const upToDate = (p: Party, over: Partial<Card> = {}) => {
  const [posted] = reconcile([], [p], [], settings(), announced, NOW);
  if (posted?.kind !== "post") throw new Error("expected reconcile to post a card for a new party");
  return card(p.sessionId, { hash: posted.card.hash, ...over });
};

const summary = (actions: Action[]) =>
  actions.map((a) =>
    a.kind === "post" ? `post:${a.party.sessionId}:${a.cardId ?? "new"}` : `${a.kind}:${a.cardId}`,
  );

describe("reconcile", () => {
  const p1 = party("s1");

  it("posts a new card with the role mention", () => {
    const actions = reconcile([], [p1], [], settings(), announced, NOW);
    expect(actions).toHaveLength(1);
    const [a] = actions;
    expect(a).toMatchObject({ kind: "post", cardId: null, channelId: "c1", party: p1 });
    if (a?.kind !== "post") throw new Error("expected a post");
    expect(a.card.content).toBe("<@&r1>");
    expect(a.card.allowedMentions).toEqual({ parse: [], roles: ["r1"], users: [] });
  });

  it("does nothing when the card shows the same thing", () => {
    expect(reconcile([upToDate(p1)], [p1], [], settings(), announced, NOW)).toEqual([]);
  });

  it.each([
    ["a new member", party("s1", { members: [alice, stranger, bob] })],
    ["a new game", party("s1", { game: { titleId: null, name: "Astro Bot", iconUrl: null, status: null } })],
    ["request to join", party("s1", { joinability: "request" })],
  ])("edits, without a role mention, when it changed: %s", (_name, changed) => {
    const c = upToDate(p1);
    const actions = reconcile([c], [changed], [], settings(), announced, NOW);
    expect(actions).toHaveLength(1);
    const [a] = actions;
    if (a?.kind !== "edit") throw new Error("expected an edit");
    expect(a.cardId).toBe(c.id);
    expect(a.card.content).toBeNull();
    expect(a.card.allowedMentions.roles).toEqual([]);
    expect(a.card.hash).not.toBe(c.hash);
  });

  it("edits a card that has no hash yet", () => {
    expect(summary(reconcile([card("s1")], [p1], [], settings(), announced, NOW))).toEqual([
      expect.stringMatching(/^edit:/),
    ]);
  });

  it("ends a card whose party ended, with the ended rendering", () => {
    const c = upToDate(p1);
    const end: EndedParty = {
      sessionId: "s1",
      endedAt: new Date(STARTED.getTime() + 72 * 60_000),
      party: p1,
    };
    const actions = reconcile([c], [], [end], settings(), announced, NOW);
    expect(actions).toHaveLength(1);
    const [a] = actions;
    if (a?.kind !== "end") throw new Error("expected an end");
    expect(a.cardId).toBe(c.id);
    expect(a.party).toBe(p1);
    expect(a.card.embeds[0]!.description).toContain("Ended · lasted 1 h 12 min");
  });

  it("ends a card of a party that ended unseen, with a generic rendering", () => {
    const c = upToDate(p1);
    const actions = reconcile(
      [c],
      [],
      [{ sessionId: "s1", endedAt: NOW, party: null }],
      settings(),
      announced,
      NOW,
    );
    expect(actions).toMatchObject([{ kind: "end", cardId: c.id, party: null }]);
  });

  it.each([
    ["already ended", { state: "ended" as const }],
    ["of another server", { guildId: "g2" }],
  ])("leaves a card alone when %s", (_name, over) => {
    const end: EndedParty = { sessionId: "s1", endedAt: NOW, party: p1 };
    expect(reconcile([upToDate(p1, over)], [], [end], settings(), announced, NOW)).toEqual([]);
  });

  it("leaves a card alone while the tracker has not decided (neither live nor ended)", () => {
    expect(reconcile([upToDate(p1)], [], [], settings(), announced, NOW)).toEqual([]);
  });

  it("re-posts a card stuck in posting, in its own channel, with the role mention", () => {
    const c = card("s1", { state: "posting", messageId: null, channelId: "c-old" });
    const actions = reconcile([c], [p1], [], settings(), announced, NOW);
    expect(actions).toMatchObject([
      { kind: "post", cardId: c.id, channelId: "c-old", card: { content: "<@&r1>" } },
    ]);
  });

  it("revives an ended card when its party comes back", () => {
    const c = upToDate(p1, { state: "ended" });
    expect(summary(reconcile([c], [p1], [], settings(), announced, NOW))).toEqual([`edit:${c.id}`]);
  });

  it("re-posts an ended card that never got a message", () => {
    const c = card("s1", { state: "ended", messageId: null });
    expect(summary(reconcile([c], [p1], [], settings(), announced, NOW))).toEqual([`post:s1:${c.id}`]);
  });

  const invite = party("s2", { joinability: "invite" });
  const request = party("s3", { joinability: "request" });
  const noAnnounced = party("s4", {
    host: stranger,
    members: [stranger, member("linked-elsewhere", "d-zed")],
  });

  it.each([
    ["joinable only", settings(), ["s1", "s3"]],
    ["all", settings({ show: "all" }), ["s1", "s2", "s3"]],
    ["disabled", settings({ enabled: false }), []],
    ["no channel", settings({ channelId: null }), []],
    ["paused", settings({ pausedReason: { code: "missingPermissions", channelId: "c1" } }), []],
  ])("posts which parties: %s", (_name, s, sessions) => {
    const actions = reconcile([], [p1, invite, request, noAnnounced], [], s, announced, NOW);
    expect(actions.map((a) => a.party?.sessionId)).toEqual(sessions);
    expect(actions.every((a) => a.kind === "post")).toBe(true);
  });

  it("posts one card for a party with two announced members", () => {
    const both = party("s5", { members: [alice, bob] });
    expect(summary(reconcile([], [both, both], [], settings(), announced, NOW))).toEqual(["post:s5:new"]);
  });

  it.each([
    ["turned invite-only", party("s1", { joinability: "invite" }), announced],
    ["its only announced member left", party("s1", { members: [stranger], host: stranger }), announced],
    ["its member is no longer announced here", p1, new Set(["d-bob"])],
  ])("ends the card of a party that %s", (_name, changed, who) => {
    const c = upToDate(p1);
    const actions = reconcile([c], [changed], [], settings(), who, NOW);
    expect(summary(actions)).toEqual([`end:${c.id}`]);
    expect(actions[0]!.card.embeds[0]!.description).toContain("Ended · lasted 1 h");
  });

  it.each([
    ["disabled", settings({ enabled: false })],
    ["no channel", settings({ channelId: null })],
  ])("%s: ends every open card, live or ended or unknown", (_name, s) => {
    const live = upToDate(p1);
    const gone = upToDate(party("s6"));
    const unknown = upToDate(party("s7"));
    const already = upToDate(party("s8"), { state: "ended" });
    const actions = reconcile(
      [live, gone, unknown, already],
      [p1],
      [{ sessionId: "s6", endedAt: NOW, party: party("s6") }],
      s,
      announced,
      NOW,
    );
    expect(summary(actions).sort()).toEqual([`end:${live.id}`, `end:${gone.id}`, `end:${unknown.id}`].sort());
  });

  it("paused: no actions at all, ends included", () => {
    const actions = reconcile(
      [upToDate(p1), upToDate(party("s6"))],
      [party("s1", { joinability: "invite" })],
      [{ sessionId: "s6", endedAt: NOW, party: party("s6") }],
      settings({ pausedReason: { code: "missingAccess", channelId: "c1" } }),
      announced,
      NOW,
    );
    expect(actions).toEqual([]);
  });

  it("ends a duplicate open card and keeps the oldest", () => {
    const first = upToDate(p1);
    const dup = upToDate(p1);
    expect(summary(reconcile([dup, first], [p1], [], settings(), announced, NOW))).toEqual([`end:${dup.id}`]);
  });

  it("never gives a card two actions", () => {
    const cards = [
      upToDate(p1),
      card("s2"),
      card("s3", { state: "posting" }),
      upToDate(party("s6")),
      card("s6"),
    ];
    const actions = reconcile(
      cards,
      [party("s1", { members: [alice] }), invite, request],
      [{ sessionId: "s6", endedAt: NOW, party: null }],
      settings(),
      announced,
      NOW,
    );
    const ids = actions.flatMap((a) =>
      a.kind === "post" ? (a.cardId === null ? [] : [a.cardId]) : [a.cardId],
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(actions.length).toBe(5);
  });

  describe("a party the bot can no longer see", () => {
    const unseen = party("s9", { unseenReason: "relinkNeeded" });
    it("edits its live card into the unseen card, with Request invite disabled", () => {
      const live = upToDate(party("s9"));
      const actions = reconcile([live], [unseen], [], settings(), announced, NOW);
      expect(summary(actions)).toEqual([`edit:${live.id}`]);
      const edit = actions[0];
      if (edit?.kind !== "edit") throw new Error("expected an edit");
      expect(JSON.stringify(edit.card.components)).toContain('"custom_id":"invite:s9","disabled":true');
    });
    it.each([
      ["no card", () => []],
      ["a card still posting", () => [card("s9", { state: "posting", messageId: null })]],
      ["an ended card", () => [card("s9", { state: "ended" })]],
    ])("posts nothing and revives nothing with %s", (_name, cards) => {
      expect(reconcile(cards(), [unseen], [], settings(), announced, NOW)).toEqual([]);
    });
  });
});
