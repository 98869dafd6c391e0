import { PermissionFlagsBits as P } from "discord.js";
import { describe, expect, it } from "vitest";
import {
  type BoardCheckInput,
  type CheckInput,
  canManageGuild,
  evaluateBoardCheck,
  evaluateCheck,
  missingPermissions,
} from "../../src/bot/permissions.js";

const ALL_NEEDED = P.ViewChannel | P.SendMessages | P.EmbedLinks | P.ReadMessageHistory;

describe("canManageGuild", () => {
  it.each([
    ["Manage Server", P.ManageGuild, true],
    ["Administrator", P.Administrator, true],
    ["Manage Server among others", P.ManageGuild | P.SendMessages, true],
    ["Manage Channels only", P.ManageChannels, false],
    ["nothing", 0n, false],
    ["unknown (null)", null, false],
    ["unknown (undefined)", undefined, false],
  ])("%s → %s", (_name, granted, expected) => {
    expect(canManageGuild(granted)).toBe(expected);
  });
});

describe("missingPermissions", () => {
  it.each([
    ["everything", ALL_NEEDED, []],
    ["Administrator covers all", P.Administrator, []],
    ["no Embed Links", ALL_NEEDED & ~P.EmbedLinks, ["Embed Links"]],
    [
      "no Embed Links nor history",
      ALL_NEEDED & ~P.EmbedLinks & ~P.ReadMessageHistory,
      ["Embed Links", "Read Message History"],
    ],
    ["nothing", 0n, ["View Channel", "Send Messages", "Embed Links", "Read Message History"]],
  ])("%s", (_name, granted, expected) => {
    expect(missingPermissions(granted).map((p) => p.name)).toEqual(expected);
  });
});

interface Expected {
  problems: RegExp[];
  notes?: RegExp[];
  clearPause?: boolean;
}

/** The report's lines match, in order, and it lifts a pause only when expected. */
function expectReport(
  report: { problems: string[]; notes: string[]; clearPause: boolean },
  expected: Expected,
) {
  expect(report.problems).toHaveLength(expected.problems.length);
  expected.problems.forEach((re, i) => {
    expect(report.problems[i]).toMatch(re);
  });
  expect(report.notes).toHaveLength(expected.notes?.length ?? 0);
  expected.notes?.forEach((re, i) => {
    expect(report.notes[i]).toMatch(re);
  });
  expect(report.clearPause).toBe(expected.clearPause ?? false);
}

describe("evaluateCheck", () => {
  const lostAccess = { code: "missingAccess", channelId: "123456789012345678" } as const;
  const base: CheckInput = {
    enabled: true,
    pausedReason: null,
    channelId: "123456789012345678",
    channelFound: true,
    botPermissions: ALL_NEEDED,
  };

  it.each<[string, Partial<CheckInput>, Expected]>([
    ["all good", {}, { problems: [] }],
    ["no channel", { channelId: null, channelFound: false }, { problems: [/No party channel is set/] }],
    ["channel gone", { channelFound: false, botPermissions: null }, { problems: [/no longer exists/] }],
    ["permissions unknown", { botPermissions: null }, { problems: [/could not work out/] }],
    ["turned off", { enabled: false }, { problems: [/turned off/] }],
    [
      "missing Send Messages",
      { botPermissions: ALL_NEEDED & ~P.SendMessages },
      { problems: [/\*\*Send Messages\*\* in <#123456789012345678>/] },
    ],
    [
      "paused but fixed",
      { pausedReason: lostAccess },
      {
        problems: [],
        notes: [/paused \(Missing Access \(50001\): the bot cannot see <#123456789012345678>\).*resumed/],
        clearPause: true,
      },
    ],
    [
      "paused and still broken",
      { pausedReason: lostAccess, botPermissions: ALL_NEEDED & ~P.ViewChannel },
      { problems: [/View Channel/, /Cards are paused: Missing Access \(50001\)/], clearPause: false },
    ],
    [
      "paused without a channel",
      { pausedReason: lostAccess, channelId: null, channelFound: false },
      { problems: [/No party channel/, /Cards are paused/], clearPause: false },
    ],
  ])("%s", (_name, patch, expected) => {
    expectReport(evaluateCheck({ ...base, ...patch }), expected);
  });
});

describe("evaluateBoardCheck", () => {
  const boardLost = { code: "missingAccess", channelId: "223456789012345678" } as const;
  const base: BoardCheckInput = {
    boardChannelId: "223456789012345678",
    channelFound: true,
    botPermissions: ALL_NEEDED,
    pausedReason: null,
  };

  it.each<[string, Partial<BoardCheckInput>, { problems: RegExp[]; notes?: RegExp[]; clearPause?: boolean }]>(
    [
      [
        "no board: nothing to say, even with a stale pause",
        { boardChannelId: null, pausedReason: { code: "unknown" } },
        { problems: [] },
      ],
      ["all good", {}, { problems: [] }],
      [
        "channel gone",
        { channelFound: false, botPermissions: null },
        { problems: [/board's channel no longer exists/] },
      ],
      ["permissions unknown", { botPermissions: null }, { problems: [/could not work out/] }],
      [
        "missing Embed Links",
        { botPermissions: ALL_NEEDED & ~P.EmbedLinks },
        { problems: [/\*\*Embed Links\*\* in <#223456789012345678>/] },
      ],
      [
        "paused but fixed",
        { pausedReason: boardLost },
        {
          problems: [],
          notes: [
            /presence board was paused \(Missing Access \(50001\): the bot cannot see <#223456789012345678>\).*posted again/,
          ],
          clearPause: true,
        },
      ],
      [
        "paused and still refused",
        { pausedReason: boardLost, botPermissions: ALL_NEEDED & ~P.ViewChannel },
        { problems: [/View Channel/, /presence board is paused: Missing Access/], clearPause: false },
      ],
    ],
  )("%s", (_name, patch, expected) => {
    expectReport(evaluateBoardCheck({ ...base, ...patch }), expected);
  });
});
