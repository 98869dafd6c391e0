import { describe, expect, it } from "vitest";
import { createMemoryInviteClaims } from "../../src/bot/invites/claims.js";
import { approvalRequest, repeatMessage } from "../../src/bot/invites/messages.js";
import { explainFailure, inviteFailureOf, repeatHorizon } from "../../src/bot/invites/policy.js";
import type { Party } from "../../src/domain/party.js";
import { discordTimestamp } from "../../src/domain/timestamps.js";
import { PsnForbiddenError, PsnRateLimitedError, PsnUnavailableError } from "../../src/psn/errors.js";

describe("invite claims", () => {
  it("lets one handler at a time work on the same request, and others meanwhile", () => {
    const claims = createMemoryInviteClaims();
    expect(claims.claim("s1", "u1")).toBe(true);
    expect(claims.claim("s1", "u1")).toBe(false);
    expect(claims.claim("s1", "u2")).toBe(true);
    expect(claims.claim("s2", "u1")).toBe(true);
    claims.release("s1", "u1");
    expect(claims.claim("s1", "u1")).toBe(true);
  });

  it("keeps two services apart (no state shared between instances)", () => {
    expect(createMemoryInviteClaims().claim("s", "u")).toBe(true);
    expect(createMemoryInviteClaims().claim("s", "u")).toBe(true);
  });
});

describe("explainFailure", () => {
  it.each([
    [new PsnRateLimitedError("slow down", new Date(0), "server"), "rate limited by PSN"],
    [new PsnForbiddenError("no"), "PSN refused (not in the party any more?)"],
    [new PsnUnavailableError("down"), "PSN unavailable"],
    [new Error("boom"), "unexpected failure"],
  ])("%s → %s", (err, text) => {
    expect(explainFailure(inviteFailureOf(err))).toBe(text);
  });
});

describe("repeat window", () => {
  it("looks back over an approval's lifetime (10 minutes), not only the 5-minute dedupe", () => {
    const now = new Date("2026-01-01T12:00:00Z");
    expect(repeatHorizon(now).toISOString()).toBe("2026-01-01T11:50:00.000Z");
  });

  it.each([
    ["pending", "a member is deciding"],
    ["denied", "declined"],
    ["sent", "in the last 5 minutes"],
  ] as const)("a repeat after a %s request says so", (outcome, text) => {
    expect(repeatMessage({ outcome })).toContain(text);
  });
});

describe("approval DM", () => {
  const party = (name: string | null): Pick<Party, "name" | "host"> => ({
    name,
    host: { accountId: "1", onlineId: "host_ps", platform: "PS5", discordUserId: null },
  });

  it.each([
    [null, "**host\\_ps's party**"],
    ["  ", "**host\\_ps's party**"],
    ["*Raid* night", "**\\*Raid\\* night**"],
  ])("names the party %j as the card does, escaped: %s", (name, shown) => {
    const expiresAt = new Date("2026-01-01T12:10:00Z");
    const dm = approvalRequest({
      inviteId: 7,
      requesterName: "carol",
      requesterOnlineId: "carol_ps",
      party: party(name),
      expiresAt,
    });
    expect(dm.content).toContain(shown);
    expect(dm.content).toContain(`expires ${discordTimestamp(expiresAt, "R")}`);
    const ids = dm.components[0]?.toJSON().components.map((c) => ("custom_id" in c ? c.custom_id : null));
    expect(ids).toEqual(["invite-approval:7:approve", "invite-approval:7:deny"]);
  });
});

describe("discordTimestamp", () => {
  it.each([
    ["R", "<t:1767225600:R>"],
    ["F", "<t:1767225600:F>"],
    ["D", "<t:1767225600:D>"],
  ] as const)("style %s", (style, text) => {
    expect(discordTimestamp(new Date("2026-01-01T00:00:00.999Z"), style)).toBe(text);
  });
});
