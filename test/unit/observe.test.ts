import { describe, expect, it } from "vitest";
import { type MemberReadResult, trackerObservation } from "../../src/jobs/observe.js";
import type { MemberObservation } from "../../src/jobs/partyTracker.js";
import type { GameTitle, PsnParty } from "../../src/psn/types.js";

const AT = new Date("2026-03-01T20:00:00Z");
const game = (name: string): GameTitle => ({ titleId: null, name, iconUrl: null, status: null });
const stored = game("Stored game");
const playing = game("Helldivers 2");
const alice = { accountId: "100", onlineId: "alice", platform: "PS5" };
const party: PsnParty = {
  sessionId: "s1",
  name: null,
  owner: alice,
  members: [alice],
  maxMembers: 16,
  joinability: "open",
  visibility: null,
};

/** A read result; `presence` is what observeMember reports when the presence read (and the whole plan) succeeded. */
function read(
  seen: Omit<MemberObservation, "accountId" | "at"> | null,
  presence: MemberReadResult["presence"],
): MemberReadResult {
  return {
    observation: {
      kind: "observed",
      online: seen?.online ?? null,
      partyCount: seen?.parties?.length ?? null,
    },
    seen: seen ? { accountId: "100", at: AT, ...seen } : null,
    presence,
    requests: 1,
  };
}

describe("trackerObservation", () => {
  it.each([
    [
      "presence online, in a party: the presence's game",
      read({ online: true, parties: [party], game: playing }, { game: playing, platform: "PS5" }),
      { online: true, game: playing },
    ],
    [
      "presence offline: offline, the presence's (empty) game",
      read({ online: false, parties: null, game: null }, { game: null, platform: null }),
      { online: false, game: null },
    ],
    [
      "parties only, a party found: online, the stored game",
      read({ online: null, parties: [party], game: null }, null),
      { online: true, game: stored },
    ],
    [
      "parties only, none found: online unknown, the stored game",
      read({ online: null, parties: [], game: null }, null),
      { online: null, game: stored },
    ],
    [
      "presence read, then the parties read failed: the presence's answer, the stored game",
      read({ online: true, parties: null, game: playing }, null),
      { online: true, game: stored },
    ],
  ])("%s", (_what, result, expected) => {
    expect(trackerObservation(result, stored)).toEqual({ ...result.seen, ...expected });
  });

  it("tells the tracker nothing when nothing was learnt", () => {
    expect(trackerObservation(read(null, null), stored)).toBeNull();
  });
});
