import { describe, expect, it } from "vitest";
import { messageLimitErrors } from "../../sim/discord/limits.js";
import {
  BOARD_FOOTER,
  type BoardEntry,
  groupByGame,
  NOBODY_ONLINE,
  renderBoard,
} from "../../src/bot/embeds/presenceBoard.js";
import { type BoardInput, decideBoard } from "../../src/jobs/board/decide.js";

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute));
const entry = (n: number, game: string | null, patch: Partial<BoardEntry> = {}): BoardEntry => ({
  discordUserId: String(100000000000000000n + BigInt(n)),
  onlineId: `player_${n}`,
  game,
  platform: "PS5",
  since: at(n % 60),
  ...patch,
});

describe("renderBoard", () => {
  it("says nobody is online when nobody is", () => {
    const board = renderBoard([]);
    expect(board.embeds[0]?.description).toBe(NOBODY_ONLINE);
    expect(board.embeds[0]?.footer?.text).toBe(BOARD_FOOTER);
  });

  it("groups by game, the biggest first and no game last, each member with platform and since", () => {
    const board = renderBoard([
      entry(1, null),
      entry(2, "Astro Bot"),
      entry(3, "Helldivers 2"),
      entry(4, "Helldivers 2", { platform: null, since: null }),
    ]);
    expect(board.embeds[0]?.description).toBe(
      [
        "**Helldivers 2** (2)",
        `• <@100000000000000004> · player\\_4`,
        `• <@100000000000000003> · player\\_3 · PS5 · since <t:${at(3).getTime() / 1000}:R>`,
        "",
        "**Astro Bot** (1)",
        `• <@100000000000000002> · player\\_2 · PS5 · since <t:${at(2).getTime() / 1000}:R>`,
        "",
        "**Online, not in a game** (1)",
        `• <@100000000000000001> · player\\_1 · PS5 · since <t:${at(1).getTime() / 1000}:R>`,
      ].join("\n"),
    );
  });

  it("does not depend on the order members come in: the same board, the same hash", () => {
    const members = [entry(1, "A"), entry(2, "B"), entry(3, "A")];
    expect(renderBoard(members).hash).toBe(renderBoard([...members].reverse()).hash);
    expect(renderBoard(members).hash).not.toBe(renderBoard(members.slice(1)).hash);
  });

  it.each([
    ["1000 members in one game", Array.from({ length: 1000 }, (_, i) => entry(i, "Helldivers 2"))],
    ["300 members in 300 games", Array.from({ length: 300 }, (_, i) => entry(i, `Game ${i}`))],
    [
      "long hostile names",
      Array.from({ length: 200 }, (_, i) =>
        entry(i, `**${"@everyone ".repeat(50)}**`, {
          onlineId: "_".repeat(500),
          platform: "<@&1>".repeat(20),
        }),
      ),
    ],
  ])("stays within Discord's limits with %s, and says how many are left out", (_name, members) => {
    const board = renderBoard(members);
    expect(messageLimitErrors({ embeds: board.embeds })).toBeNull();
    const shown = (board.embeds[0]?.description ?? "").split("\n").filter((l) => l.startsWith("• ")).length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(members.length);
    expect(board.embeds[0]?.description).toContain(`…and ${members.length - shown} more online`);
  });

  it("sorts members in a game by how long they have been there", () => {
    const [group] = groupByGame([entry(5, "A"), entry(2, "A"), entry(9, "A")]);
    expect(group?.members.map((m) => m.onlineId)).toEqual(["player_2", "player_5", "player_9"]);
  });
});

describe("decideBoard", () => {
  const now = at(30);
  const row = (patch: Partial<NonNullable<BoardInput["row"]>> = {}): NonNullable<BoardInput["row"]> => ({
    channelId: "c1",
    state: "live",
    messageId: "m1",
    hash: "h",
    updatedAt: at(29),
    pausedReason: null,
    ...patch,
  });
  it.each<[string, BoardInput, string]>([
    ["no board wanted, none kept", { wantedChannelId: null, row: null, hash: "h", now }, "none"],
    ["turned off", { wantedChannelId: null, row: row(), hash: "h", now }, "remove"],
    ["wanted, none yet", { wantedChannelId: "c1", row: null, hash: "h", now }, "post"],
    ["moved to another channel", { wantedChannelId: "c2", row: row(), hash: "h", now }, "remove+post"],
    ["unchanged", { wantedChannelId: "c1", row: row(), hash: "h", now }, "none"],
    ["changed", { wantedChannelId: "c1", row: row(), hash: "h2", now }, "edit"],
    [
      "changed, but written this tick",
      { wantedChannelId: "c1", row: row({ updatedAt: now }), hash: "h2", now },
      "none",
    ],
    [
      "adopted (what it shows unknown)",
      { wantedChannelId: "c1", row: row({ hash: null }), hash: "h", now },
      "edit",
    ],
    [
      "left posting",
      { wantedChannelId: "c1", row: row({ state: "posting", messageId: null }), hash: "h", now },
      "settle",
    ],
    [
      "paused",
      {
        wantedChannelId: "c1",
        row: row({ pausedReason: { code: "missingAccess", channelId: "c1" } }),
        hash: "h2",
        now,
      },
      "none",
    ],
  ])("%s", (_name, input, expected) => {
    const step = decideBoard(input);
    expect(step.kind === "remove" ? (step.thenPost ? "remove+post" : "remove") : step.kind).toBe(expected);
  });
});
