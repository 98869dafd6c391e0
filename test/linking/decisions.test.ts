import { describe, expect, it } from "vitest";
import { parseNpssoInput } from "../../src/accounts/npsso.js";
import {
  generateLinkToken,
  hashLinkToken,
  linkTokenState,
  linkUrl,
  looksLikeLinkToken,
} from "../../src/accounts/oneTimeLink.js";
import { reminderStageDue } from "../../src/accounts/relinkReminders.js";

const NPSSO = `${"a".repeat(32)}${"B".repeat(31)}9`;

describe("parseNpssoInput", () => {
  it.each([
    ["the bare value", NPSSO],
    ["with spaces and a newline around it", `  ${NPSSO}\n`],
    ["the whole ssocookie answer", `{"npsso":"${NPSSO}"}`],
    ["the answer pretty-printed", `{\n  "npsso": "${NPSSO}"\n}`],
    ["a partly copied answer", `"npsso":"${NPSSO}"`],
    ["in quotes", `"${NPSSO}"`],
    ["as npsso=...", `npsso=${NPSSO}`],
  ])("accepts %s", (_what, input) => {
    expect(parseNpssoInput(input)).toEqual({ ok: true, npsso: NPSSO });
  });

  it.each([
    ["nothing", "", "empty"],
    ["blanks", "   ", "empty"],
    ["not a string", 42, "empty"],
    ["too short", NPSSO.slice(1), "wrong_length"],
    ["too long", `${NPSSO}x`, "wrong_length"],
    [
      "the not-signed-in answer",
      '{"error":"invalid_grant","error_description":"Invalid login","error_code":20}',
      "not_signed_in",
    ],
    ["a space inside", `${NPSSO.slice(0, 30)} ${NPSSO.slice(31)}`, "bad_characters"],
    ["markup", `<script>${"x".repeat(47)}</script>`, "bad_characters"],
  ])("refuses %s", (_what, input, problem) => {
    expect(parseNpssoInput(input)).toEqual({ ok: false, problem });
  });
});

describe("link tokens", () => {
  it("are 32 random bytes in base64url, hashed with SHA-256", () => {
    const token = generateLinkToken();
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    expect(looksLikeLinkToken(token)).toBe(true);
    expect(hashLinkToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashLinkToken(token)).not.toContain(token);
    expect(generateLinkToken()).not.toBe(token);
  });

  it.each(["", "short", `${"a".repeat(42)}=`, "../../etc/passwd", "a".repeat(44)])(
    "rejects %j as a token",
    (v) => {
      expect(looksLikeLinkToken(v)).toBe(false);
    },
  );

  it("builds the page URL under the public base URL", () => {
    expect(linkUrl("https://psn.example.com/", "abc")).toBe("https://psn.example.com/link/abc");
  });

  const now = new Date("2026-01-01T12:00:00Z");
  const later = new Date(now.getTime() + 60_000);
  const earlier = new Date(now.getTime() - 1);
  it.each([
    ["no row", undefined, "unknown"],
    ["fresh", { expiresAt: later, usedAt: null, attempts: 0 }, "usable"],
    ["4 attempts", { expiresAt: later, usedAt: null, attempts: 4 }, "usable"],
    ["5 attempts", { expiresAt: later, usedAt: null, attempts: 5 }, "spent"],
    ["expired", { expiresAt: earlier, usedAt: null, attempts: 0 }, "expired"],
    ["expiring this instant", { expiresAt: now, usedAt: null, attempts: 0 }, "expired"],
    ["used", { expiresAt: later, usedAt: earlier, attempts: 1 }, "used"],
    ["used and expired", { expiresAt: earlier, usedAt: earlier, attempts: 1 }, "used"],
  ] as const)("%s → %s", (_what, row, state) => {
    expect(linkTokenState(row, now)).toBe(state);
  });
});

describe("reminderStageDue", () => {
  const now = new Date("2026-03-01T00:00:00Z");
  const inDays = (d: number) => new Date(now.getTime() + d * 86_400_000);
  it.each([
    ["30 days left", inDays(30), 0, null],
    ["exactly 7 days left", inDays(7), 0, 1],
    ["6 days left, none sent", inDays(6), 0, 1],
    ["6 days left, first sent", inDays(6), 1, null],
    ["12 hours left, none sent (only the last)", inDays(0.5), 0, 2],
    ["12 hours left, first sent", inDays(0.5), 1, 2],
    ["12 hours left, both sent", inDays(0.5), 2, null],
    ["already expired", inDays(-1), 0, null],
  ])("%s", (_what, expiry, sent, stage) => {
    expect(reminderStageDue(expiry, sent, now)).toBe(stage);
  });
});
