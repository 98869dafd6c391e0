import { describe, expect, it } from "vitest";
import { type FloorMember, tickFloor } from "../../bench/pollFloor.js";
import { prng } from "../../sim/prng.js";
import { planBatchReads } from "../../src/jobs/batchPlan.js";

const offline = (accountId: string): FloorMember => ({ accountId, online: false, party: null });

/** The fewest batch reads that list every offline member with a friend: exact, by trying every set of readers. */
function fewestReads(ids: string[], friendsOf: Map<string, string[]>): number {
  const due = ids.filter((id) => friendsOf.has(id));
  const sees = ids.map((r) => new Set([r, ...(friendsOf.get(r) ?? [])].filter((x) => due.includes(x))));
  let best = Number.POSITIVE_INFINITY;
  for (let mask = 0; mask < 1 << ids.length; mask++) {
    const seen = new Set<string>();
    let n = 0;
    for (let i = 0; i < ids.length; i++)
      if (mask & (1 << i)) {
        n++;
        for (const x of sees[i]!) seen.add(x);
      }
    if (n < best && due.every((x) => seen.has(x))) best = n;
  }
  return due.length === 0 ? 0 : best;
}

describe("the poll benchmark's floor", () => {
  it("is the fewest batch reads possible for a small community, never more than the bot's planner reads", () => {
    const random = prng(7);
    for (let round = 0; round < 200; round++) {
      const ids = Array.from({ length: 3 + Math.floor(random() * 8) }, (_, i) => `m${i}`);
      const friendsOf = new Map<string, string[]>();
      const p = random();
      for (const a of ids)
        for (const b of ids)
          if (a < b && random() < p) {
            friendsOf.set(a, [...(friendsOf.get(a) ?? []), b]);
            friendsOf.set(b, [...(friendsOf.get(b) ?? []), a]);
          }
      const floor = tickFloor(ids.map(offline), friendsOf, 4);
      const exact = fewestReads(ids, friendsOf);
      const plan = planBatchReads({
        due: ids,
        friendsOf: new Map([...friendsOf].map(([k, v]) => [k, new Set(v)])),
        capacity: new Map(ids.map((id) => [id, 2])),
      });
      expect(floor.batchExact).toBe(true);
      expect(floor.batch).toBe(exact);
      expect(exact).toBeLessThanOrEqual(plan.reads.length);
    }
  });

  it("finds the fewest reads where the bot's greedy pick of the widest read first would not", () => {
    // hub sees a..d; p sees a, b, e; q sees c, d, f: p and q do it in two.
    const friendsOf = new Map<string, string[]>([
      ["hub", ["a", "b", "c", "d"]],
      ["p", ["a", "b", "e"]],
      ["q", ["c", "d", "f"]],
      ["a", ["hub", "p"]],
      ["b", ["hub", "p"]],
      ["c", ["hub", "q"]],
      ["d", ["hub", "q"]],
      ["e", ["p"]],
      ["f", ["q"]],
    ]);
    const members = ["a", "b", "c", "d", "e", "f"].map(offline);
    members.push(...["hub", "p", "q"].map((accountId) => ({ accountId, online: true, party: null })));
    expect(tickFloor(members, friendsOf, 4)).toMatchObject({ batch: 2, batchExact: true, parties: 3 });
  });

  it("reads one party once, every other online member's parties, and the friendless on their backoff", () => {
    const members: FloorMember[] = [
      { accountId: "host", online: true, party: "p1" },
      { accountId: "guest", online: true, party: "p1" },
      { accountId: "solo", online: true, party: null },
      offline("a"),
      offline("b"),
      offline("loner1"),
      offline("loner2"),
    ];
    const friendsOf = new Map([
      ["a", ["b"]],
      ["b", ["a"]],
    ]);
    // a's token lists a and b together: one read.
    expect(tickFloor(members, friendsOf, 4)).toEqual({
      parties: 2,
      batch: 1,
      uncoveredOwn: 0.5,
      batchExact: true,
    });
  });

  it("counts at most 100 members to a read", () => {
    const many = Array.from({ length: 150 }, (_, i) => `f${i}`);
    const friendsOf = new Map<string, string[]>([
      ["hub", many],
      ...many.map((f) => [f, ["hub"]] as [string, string[]]),
    ]);
    const floor = tickFloor([offline("hub"), ...many.map(offline)], friendsOf, 4);
    expect(floor.batch).toBeCloseTo(151 / 100);
  });
});
