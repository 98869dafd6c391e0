import { describe, expect, it } from "vitest";
import { accountIdFromJwt, codeFromRedirect } from "../../src/psn/auth.js";
import { PsnAuthError, PsnMalformedError } from "../../src/psn/errors.js";
import { retryAtFrom } from "../../src/psn/http.js";
import { joinabilityOf, toParty } from "../../src/psn/parties.js";
import { toPresence } from "../../src/psn/presence.js";
import { toProfile } from "../../src/psn/profile.js";
import { shareIdOf } from "../../src/psn/share.js";

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe("retryAtFrom", () => {
  it.each([
    ["Retry-After seconds", { "retry-after": "30" }, NOW + 30_000],
    ["Retry-After HTTP date", { "retry-after": new Date(NOW + 90_000).toUTCString() }, NOW + 90_000],
    ["X-RateLimit-Next-Available", { "x-ratelimit-next-available": String(NOW / 1000 + 600) }, NOW + 600_000],
    [
      "the later of both",
      { "retry-after": "30", "x-ratelimit-next-available": String(NOW / 1000 + 600) },
      NOW + 600_000,
    ],
    ["nothing: a minute", {}, NOW + 60_000],
    ["garbage: a minute", { "retry-after": "soon" }, NOW + 60_000],
    ["Retry-After of a day: capped at 15 minutes", { "retry-after": "86400" }, NOW + 900_000],
    [
      "Retry-After a year away: capped at 15 minutes",
      { "retry-after": new Date(NOW + 365 * 86_400_000).toUTCString() },
      NOW + 900_000,
    ],
    [
      "X-RateLimit-Next-Available in 2100: capped at 15 minutes",
      { "x-ratelimit-next-available": String(Date.UTC(2100, 0, 1) / 1000) },
      NOW + 900_000,
    ],
  ])("%s", (_name, headers: Record<string, string>, expected) => {
    expect(retryAtFrom(headers, NOW).getTime()).toBe(expected);
  });
});

describe("joinabilityOf", () => {
  it.each([
    [{ partyJoinable: true, partyRequestToJoinable: true }, "open"],
    [{ partyJoinable: true }, "open"],
    [{ partyJoinable: false, partyRequestToJoinable: true }, "request"],
    [{ partyJoinable: false, partyRequestToJoinable: false }, "invite"],
    [{}, "invite"],
  ])("%j → %s", (wire, expected) => {
    expect(joinabilityOf(wire)).toBe(expected);
  });
});

describe("codeFromRedirect", () => {
  const answer = (location?: string) => ({ status: 302, requestId: "r", headers: { location } });
  it("reads the code from the app's custom-scheme redirect", () => {
    expect(codeFromRedirect(answer("com.scee.psxandroid.scecompcall://redirect?code=v3.AbC123&cid=x"))).toBe(
      "v3.AbC123",
    );
  });
  it.each([
    "https://my.account.sony.com/sonyacct/signin/?error=login_required&error_code=4165&error_description=User+is+not+authenticated",
    "https://my.account.sony.com/sonyacct/signin/?error_code=4165",
  ])("login required → invalid_npsso (%s)", (location) => {
    const err = (() => {
      try {
        codeFromRedirect(answer(location));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(PsnAuthError);
    expect((err as PsnAuthError).reason).toBe("invalid_npsso");
  });
  it.each([undefined, "not a url", "https://example.com/?error=server_error"])(
    "%s → malformed",
    (location) => {
      expect(() => codeFromRedirect(answer(location))).toThrow(PsnMalformedError);
    },
  );
});

describe("accountIdFromJwt", () => {
  const jwt = (claims: unknown) => `e30.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.sig`;
  it.each([
    [jwt({ account_id: "2721516955383551246" }), "2721516955383551246"],
    [jwt({ account_id: 12345 }), "12345"],
    [jwt({ sub: "x" }), null],
    [jwt({ account_id: "abc" }), null],
    ["not-a-jwt", null],
    ["a.!!!.c", null],
  ])("%s → %s", (token, expected) => {
    expect(accountIdFromJwt(token)).toBe(expected);
  });
});

describe("shareIdOf", () => {
  it.each([
    ["https://party.playstation.com/js_DEjjRwWk-4JY_BwF7Fo", "js_DEjjRwWk-4JY_BwF7Fo"],
    ["https://party.playstation.com/js_DEjjRwWk-4JY_BwF7Fo/device-selector", "js_DEjjRwWk-4JY_BwF7Fo"],
    ["https://evil.example/js_DEjjRwWk", null],
    ["nonsense", null],
  ])("%s → %s", (link, expected) => {
    expect(shareIdOf(link)).toBe(expected);
  });
});

describe("toPresence", () => {
  it("maps a full answer", () => {
    const p = toPresence(
      {
        availability: "availableToPlay",
        primaryPlatformInfo: {
          onlineStatus: "online",
          platform: "PS5",
          lastOnlineDate: "2026-01-01T10:00:00.000Z",
        },
        gameTitleInfoList: [
          { npTitleId: "PPSA1", titleName: "Astro Bot", conceptIconUrl: "https://i", gameStatus: "W1" },
        ],
      },
      "42",
    );
    expect(p).toEqual({
      accountId: "42",
      online: true,
      availability: "availableToPlay",
      platform: "PS5",
      lastOnlineAt: new Date("2026-01-01T10:00:00.000Z"),
      game: { titleId: "PPSA1", name: "Astro Bot", iconUrl: "https://i", status: "W1" },
    });
  });
  it.each([
    [{}, false],
    [{ availability: "availableToPlay" }, true],
    [{ availability: "busy", primaryPlatformInfo: { onlineStatus: "online" } }, true],
    [{ primaryPlatformInfo: { onlineStatus: "offline", lastOnlineDate: "garbage" } }, false],
  ])("%j → online %s", (wire, online) => {
    const p = toPresence(wire, "1");
    expect(p.online).toBe(online);
    expect(p.game).toBeNull();
  });
});

describe("toParty and toProfile", () => {
  it("takes the owner from the members when owner is missing", () => {
    const party = toParty({
      sessionId: "s",
      members: [{ accountId: "1", onlineId: "a" }],
      partyJoinable: true,
    });
    expect(party).toMatchObject({
      owner: { accountId: "1", onlineId: "a", platform: null },
      joinability: "open",
    });
  });
  it("drops a party with no one in it", () => {
    expect(toParty({ sessionId: "s" })).toBeNull();
  });
  it("prefers the large avatar", () => {
    const profile = toProfile(
      {
        onlineId: "x",
        avatars: [
          { size: "s", url: "S" },
          { size: "xl", url: "XL" },
          { size: "l", url: "L" },
        ],
      },
      "1",
    );
    expect(profile.avatarUrl).toBe("L");
    expect(toProfile({ onlineId: "x" }, "1").avatarUrl).toBeNull();
  });
});
