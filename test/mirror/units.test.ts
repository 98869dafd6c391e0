import { describe, expect, it } from "vitest";
import { parseApprovalId } from "../../src/bot/components/inviteApproval.js";
import { blocksRepeat, inviteCandidates, isExpired, onlineIdIn } from "../../src/bot/invites/policy.js";
import type { UserRow } from "../../src/db/users.js";
import type { Party, PartyMember } from "../../src/domain/party.js";
import { gameFromJson, gameToJson, partyFromJson, partyToJson } from "../../src/domain/storedParty.js";
import { pauseReasonOf } from "../../src/jobs/messages/discordPolicy.js";
import { observationOfError } from "../../src/jobs/observe.js";
import { cronPlanFor } from "../../src/jobs/pollCron.js";
import {
  PsnAuthError,
  PsnMalformedError,
  PsnRateLimitedError,
  PsnUnavailableError,
} from "../../src/psn/errors.js";

describe("cronPlanFor", () => {
  it.each([
    [30, "*/30 * * * * *", 0],
    [5, "*/5 * * * * *", 0],
    [60, "0 */1 * * * *", 0],
    [120, "0 */2 * * * *", 0],
    [45, "* * * * * *", 45_000],
    [90, "* * * * * *", 90_000],
    [3600, "* * * * * *", 3_600_000],
  ])("%i s → %s (gate %i ms)", (seconds, pattern, gateMs) => {
    expect(cronPlanFor(seconds)).toEqual({ pattern, gateMs });
  });
});

describe("observationOfError", () => {
  const retryAt = new Date("2026-01-01T00:10:00Z");
  it.each([
    ["a 429", new PsnRateLimitedError("x", retryAt, "server"), { kind: "rateLimited", until: retryAt }],
    ["the budget", new PsnRateLimitedError("x", retryAt, "budget"), { kind: "rateLimited", until: retryAt }],
    ["a refused refresh token", new PsnAuthError("invalid_refresh_token"), { kind: "needsRelink" }],
    ["a refused access token", new PsnAuthError("invalid_token"), { kind: "unavailable" }],
    ["a 5xx", new PsnUnavailableError("x"), { kind: "unavailable" }],
    ["a strange answer", new PsnMalformedError("x"), { kind: "unavailable" }],
    ["a bug", new TypeError("x"), { kind: "unavailable" }],
  ])("%s", (_what, err, expected) => {
    expect(observationOfError(err)).toEqual(expected);
  });
});

describe("approval ids", () => {
  it.each([
    ["12:approve", { inviteId: 12, decision: "approve" }],
    ["7:deny", { inviteId: 7, decision: "deny" }],
    ["7:maybe", null],
    ["x:approve", null],
    ["12", null],
    ["12:approve:extra", null],
  ])("%s", (id, expected) => {
    expect(parseApprovalId(id)).toEqual(expected);
  });

  it.each([
    [9 * 60_000, false],
    [10 * 60_000, true],
    [11 * 60_000, true],
  ])("%i ms after the request: expired %s", (after, expired) => {
    const createdAt = new Date("2026-01-01T00:00:00Z");
    expect(isExpired({ createdAt }, new Date(createdAt.getTime() + after))).toBe(expired);
  });
});

const member = (accountId: string, discordUserId: string | null): PartyMember => ({
  accountId,
  onlineId: `${accountId}_ps`,
  platform: "PS5",
  discordUserId,
});

const party: Party = {
  sessionId: "s1",
  name: null,
  host: member("a1", "u1"),
  members: [member("a1", "u1"), member("a2", "u2"), member("a3", "u3"), member("a4", null)],
  maxMembers: 16,
  joinability: "open",
  game: null,
  platform: "PS5",
  firstSeenAt: new Date("2026-01-01T00:00:00Z"),
  shareUrl: null,
  joinableFrom: null,
  startedAt: null,
  imageUrl: null,
  unseenReason: null,
};

const user = (
  id: string,
  accountId: string,
  mode: UserRow["invitesMode"],
  linkState: UserRow["linkState"] = "active",
) => ({ discordUserId: id, psnAccountId: accountId, invitesMode: mode, linkState }) as UserRow;

describe("blocksRepeat", () => {
  const now = new Date("2026-01-01T12:00:00Z");
  const ago = (ms: number) => new Date(now.getTime() - ms);
  it.each([
    ["sent", 4 * 60_000 + 59_999, true],
    ["sent", 5 * 60_000, false],
    ["denied", 60_000, true],
    ["pending", 6 * 60_000, true],
    ["pending", 10 * 60_000 - 1, true],
    ["pending", 10 * 60_000, false],
    ["expired", 6 * 60_000, false],
  ] as const)("%s %i ms ago → %s", (outcome, age, blocks) => {
    expect(blocksRepeat({ outcome, createdAt: ago(age) }, now)).toBe(blocks);
  });
});

describe("inviteCandidates", () => {
  it.each([
    ["host auto first", { u1: ["auto", true], u2: ["auto", true] }, ["u1", "u2"]],
    ["auto before approve", { u1: ["approve", true], u2: ["auto", true] }, ["u2", "u1"]],
    ["off is skipped", { u1: ["off", true], u2: ["approve", true] }, ["u2"]],
    ["not announced here is skipped", { u1: ["auto", false], u2: ["auto", true] }, ["u2"]],
    ["nobody", { u1: ["off", true], u2: ["off", true] }, []],
  ] as const)("%s", (_what, setup, expected) => {
    const members = new Map(
      Object.entries(setup).map(([id, [mode, here]]) => [
        id,
        { user: user(id, id.replace("u", "a"), mode), announcedHere: here },
      ]),
    );
    expect(inviteCandidates(party, members, "u3").map((s) => s.user.discordUserId)).toEqual(expected);
  });

  it("never picks the requester or a member whose link needs renewing", () => {
    const members = new Map([
      ["u1", { user: user("u1", "a1", "auto", "needs_relink"), announcedHere: true }],
      ["u2", { user: user("u2", "a2", "auto"), announcedHere: true }],
    ]);
    expect(inviteCandidates(party, members, "u2")).toEqual([]);
  });

  it("never picks a member whose Discord account is now linked to another PSN account", () => {
    const members = new Map([
      ["u1", { user: user("u1", "a-other", "auto"), announcedHere: true }],
      ["u2", { user: user("u2", "a2", "auto"), announcedHere: true }],
    ]);
    expect(inviteCandidates(party, members, "u3").map((s) => s.user.discordUserId)).toEqual(["u2"]);
  });
});

describe("onlineIdIn", () => {
  it("names the member as the party shows them, else as stored at link time", () => {
    expect(onlineIdIn(party, "a2", "stored")).toBe("a2_ps");
    expect(onlineIdIn(party, "not-in-the-party", "stored")).toBe("stored");
  });
});

describe("party snapshots and pause reasons", () => {
  it("round-trips a party through its stored JSON, dates included", () => {
    expect(partyFromJson(partyToJson(party))).toEqual(party);
    expect(partyFromJson("{}")).toBeNull();
    expect(partyFromJson("not json")).toBeNull();
  });

  it("keeps a card's 'can't see this party' code, and reads a row written before the code existed as seen", () => {
    const unseen = { ...party, unseenReason: "relinkNeeded" as const };
    expect(partyFromJson(partyToJson(unseen))?.unseenReason).toBe("relinkNeeded");
    const { unseenReason: _, ...older } = party;
    expect(partyFromJson(JSON.stringify(older))).toEqual(party);
    expect(partyFromJson(JSON.stringify({ ...party, unseenReason: "a sentence" }))).toBeNull();
  });

  const game = { titleId: "PPSA01", name: "Helldivers 2", iconUrl: null, status: "On a dive" };
  it.each([
    ["a stored game", gameToJson(game), game],
    ["no game", null, null],
    ["an empty column", "", null],
    ["an older shape", JSON.stringify({ name: "Helldivers 2" }), null],
    ["damage", "{not json", null],
  ])("reads %s back", (_what, json, expected) => {
    expect(gameFromJson(json)).toEqual(expected);
  });

  it.each([
    [50001, { code: "missingAccess", channelId: "123" }],
    [50013, { code: "missingPermissions", channelId: "123" }],
    [10003, { code: "channelGone", channelId: "123" }],
    [50035, { code: "unknown" }],
  ])("a refusal with %i is stored as %o", (code, reason) => {
    expect(pauseReasonOf(code, "123")).toEqual(reason);
  });
  it("stores that the bot cannot read the channel back when it cannot look for its messages", () => {
    expect(pauseReasonOf(50013, "123", "readHistory")).toEqual({
      code: "cannotReadHistory",
      channelId: "123",
    });
  });
});
