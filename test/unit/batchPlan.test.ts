import { describe, expect, it } from "vitest";
import { prng } from "../../sim/prng.js";
import { type BatchPlanInput, isCoverable, MAX_BATCH_IDS, planBatchReads } from "../../src/jobs/batchPlan.js";

/** An undirected friend graph from pairs. */
function graph(pairs: [string, string][]): Map<string, Set<string>> {
  const g = new Map<string, Set<string>>();
  const add = (a: string, b: string) => {
    const s = g.get(a) ?? new Set<string>();
    s.add(b);
    g.set(a, s);
  };
  for (const [a, b] of pairs) {
    add(a, b);
    add(b, a);
  }
  return g;
}
const cap = (ids: string[], n = 2) => new Map(ids.map((id) => [id, n]));
const sorted = (ids: readonly string[]) => [...ids].sort();

describe("planBatchReads", () => {
  const star = graph([
    ["hub", "a"],
    ["hub", "b"],
    ["hub", "c"],
    ["a", "b"],
  ]);
  const cases: { name: string; input: BatchPlanInput; reads: [string, string[]][]; own: string[] }[] = [
    {
      name: "one friend of everyone covers them all (and itself) in one read",
      input: { due: ["hub", "a", "b", "c"], friendsOf: star, capacity: cap(["hub", "a", "b", "c"]) },
      reads: [["hub", ["a", "b", "c", "hub"]]],
      own: [],
    },
    {
      name: "a member with no linked friend reads their own presence",
      input: { due: ["a", "loner"], friendsOf: star, capacity: cap(["hub", "a", "b", "c", "loner"]) },
      reads: [["b", ["a"]]],
      own: ["loner"],
    },
    {
      name: "a member batch reads did not show lately reads their own",
      input: {
        due: ["a", "b", "c"],
        friendsOf: star,
        capacity: cap(["hub", "a", "b", "c"]),
        unseen: new Set(["c"]),
      },
      reads: [["a", ["a", "b"]]],
      own: ["c"],
    },
    {
      name: "a friend without budget left this tick reads for nobody",
      input: { due: ["c"], friendsOf: star, capacity: new Map([["hub", 0]]) },
      reads: [],
      own: ["c"],
    },
    {
      name: "a read that would list only its own reader is left to the own read",
      input: { due: ["hub"], friendsOf: star, capacity: new Map([["hub", 2]]) },
      reads: [],
      own: ["hub"],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planBatchReads(c.input);
      expect(plan.reads.map((r) => [r.reader, sorted(r.accountIds)])).toEqual(
        c.reads.map(([r, ids]) => [r, sorted(ids)]),
      );
      expect(sorted(plan.own)).toEqual(sorted(c.own));
    });
  }

  it("never lists more than 100 ids in one read, and covers the rest with more reads", () => {
    const friends = Array.from({ length: 250 }, (_, i) => `f${i}`);
    const g = graph(friends.map((f) => ["big", f] as [string, string]));
    const plan = planBatchReads({ due: friends, friendsOf: g, capacity: new Map([["big", 3]]) });
    expect(plan.reads.map((r) => r.accountIds.length)).toEqual([100, 100, 50]);
    expect(plan.reads.every((r) => r.reader === "big")).toBe(true);
    expect(new Set(plan.reads.flatMap((r) => r.accountIds)).size).toBe(250);
    expect(plan.own).toEqual([]);
  });

  it("stops at a reader's capacity: what it cannot read falls back", () => {
    const friends = Array.from({ length: 150 }, (_, i) => `f${i}`);
    const g = graph(friends.map((f) => ["big", f] as [string, string]));
    const plan = planBatchReads({ due: friends, friendsOf: g, capacity: new Map([["big", 1]]) });
    expect(plan.reads).toHaveLength(1);
    expect(plan.own).toHaveLength(50);
  });

  it("spreads equal reads over the accounts with the most budget left", () => {
    // x and y both see a and b; y has more budget left, so y reads.
    const g = graph([
      ["x", "a"],
      ["x", "b"],
      ["y", "a"],
      ["y", "b"],
    ]);
    const plan = planBatchReads({
      due: ["a", "b"],
      friendsOf: g,
      capacity: new Map([
        ["x", 1],
        ["y", 3],
      ]),
    });
    expect(plan.reads).toEqual([{ reader: "y", accountIds: expect.arrayContaining(["a", "b"]) }]);
  });

  it("with one read each, two communities are read by two accounts", () => {
    const g = graph([
      ["p", "a"],
      ["p", "b"],
      ["q", "c"],
      ["q", "d"],
      ["p", "q"],
    ]);
    const plan = planBatchReads({ due: ["a", "b", "c", "d"], friendsOf: g, capacity: cap(["p", "q"], 1) });
    expect(plan.reads.map((r) => [r.reader, sorted(r.accountIds)]).sort()).toEqual([
      ["p", ["a", "b"]],
      ["q", ["c", "d"]],
    ]);
  });

  it("drops a read that the reads chosen after it made redundant", () => {
    // hub sees a..d and is picked first; p (a, b, e) and q (c, d, f) are still needed for e
    // and f, and between them they see a..d too: two reads do what greedy did in three.
    const g = graph([
      ["hub", "a"],
      ["hub", "b"],
      ["hub", "c"],
      ["hub", "d"],
      ["p", "a"],
      ["p", "b"],
      ["p", "e"],
      ["q", "c"],
      ["q", "d"],
      ["q", "f"],
    ]);
    const due = ["a", "b", "c", "d", "e", "f"];
    const plan = planBatchReads({ due, friendsOf: g, capacity: cap(["hub", "p", "q"]) });
    expect(plan.reads.map((r) => [r.reader, sorted(r.accountIds)]).sort()).toEqual([
      ["p", ["a", "b", "e"]],
      ["q", ["c", "d", "f"]],
    ]);
    expect(plan.own).toEqual([]);
  });

  it("keeps a read whose members another reader sees only past the 100-id cap", () => {
    // big sees 101 due members but reads once (100 ids); small sees the one left over.
    const many = Array.from({ length: 101 }, (_, i) => `m${String(i).padStart(3, "0")}`);
    const g = graph([...many.map((m) => ["big", m] as [string, string]), ["small", "m100"], ["small", "z"]]);
    const plan = planBatchReads({
      due: many,
      friendsOf: g,
      capacity: new Map([
        ["big", 1],
        ["small", 1],
      ]),
    });
    expect(plan.reads.map((r) => r.accountIds.length).sort((x, y) => x - y)).toEqual([1, 100]);
    expect(new Set(plan.reads.flatMap((r) => r.accountIds)).size).toBe(101);
  });

  it("moving members out of a redundant read never fills another past 100 ids", () => {
    // r1 and r2 both see the same 101 members: r1 reads 100, r2 the one left. r1's read
    // could only be dropped by moving all 100 into r2's, which has room for 99.
    const many = Array.from({ length: 101 }, (_, i) => `m${String(i).padStart(3, "0")}`);
    const g = graph(many.flatMap((m) => [["r1", m] as [string, string], ["r2", m] as [string, string]]));
    const plan = planBatchReads({ due: many, friendsOf: g, capacity: cap(["r1", "r2"], 1) });
    expect(plan.reads.map((r) => r.accountIds.length).sort((x, y) => x - y)).toEqual([1, 100]);
    expect(plan.own).toEqual([]);
  });

  it("covers greedily: the biggest read first, no member listed twice", () => {
    // r1 sees a..e; r2 sees e, f; r3 sees f, g. Greedy: r1 (5), then r3 (f, g).
    const g = graph([
      ["r1", "a"],
      ["r1", "b"],
      ["r1", "c"],
      ["r1", "d"],
      ["r1", "e"],
      ["r2", "e"],
      ["r2", "f"],
      ["r3", "f"],
      ["r3", "g"],
    ]);
    const plan = planBatchReads({
      due: ["a", "b", "c", "d", "e", "f", "g"],
      friendsOf: g,
      capacity: cap(["r1", "r2", "r3"]),
    });
    expect(plan.reads.map((r) => r.reader)).toEqual(["r1", "r3"]);
    const listed = plan.reads.flatMap((r) => r.accountIds);
    expect(listed.length).toBe(new Set(listed).size);
  });
});

/** A random world (seeded, so a failure replays): friend circles, one of them past the id cap, some members unseen, budgets of 0 to 2. */
function randomInput(seed: number): Required<BatchPlanInput> {
  const random = prng(seed);
  const ids = Array.from({ length: 160 }, (_, i) => `u${String(i).padStart(3, "0")}`);
  const pairs: [string, string][] = [];
  for (let i = 0; i < ids.length; i++)
    for (let j = i + 1; j < ids.length; j++)
      if (Math.floor(i / 20) === Math.floor(j / 20) ? random() < 0.25 : random() < 0.004)
        pairs.push([ids[i]!, ids[j]!]);
  // One well-connected member sees more than one read can list.
  for (const id of ids.slice(1, 130)) if (random() < 0.9) pairs.push([ids[0]!, id]);
  return {
    due: ids.filter(() => random() < 0.8),
    friendsOf: graph(pairs),
    capacity: new Map(ids.map((id) => [id, Math.floor(random() * 3)])),
    unseen: new Set(ids.filter(() => random() < 0.05)),
  };
}

/** The same greedy written plainly: each step rescans every reader for the widest read (ties: more budget, then the smaller id). */
function plainGreedy(input: Required<BatchPlanInput>): { reads: number; own: string[] } {
  const remaining = new Set(input.due.filter((id) => !input.unseen.has(id)));
  const capacity = new Map(input.capacity);
  let reads = 0;
  for (;;) {
    let best: { reader: string; cover: string[]; capacity: number } | null = null;
    for (const [reader, left] of [...capacity].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (left <= 0) continue;
      const cover = [reader, ...(input.friendsOf.get(reader) ?? [])]
        .filter((id) => remaining.has(id))
        .slice(0, MAX_BATCH_IDS);
      if (cover.length === 0 || (cover.length === 1 && cover[0] === reader)) continue;
      if (
        !best ||
        cover.length > best.cover.length ||
        (cover.length === best.cover.length && left > best.capacity)
      )
        best = { reader, cover, capacity: left };
    }
    if (!best) break;
    reads++;
    capacity.set(best.reader, best.capacity - 1);
    for (const id of best.cover) remaining.delete(id);
  }
  return { reads, own: input.due.filter((id) => input.unseen.has(id) || remaining.has(id)) };
}

describe("planBatchReads on random friend graphs", () => {
  for (let seed = 1; seed <= 12; seed++) {
    it(`seed ${seed}: every read is one PSN would answer, within budgets, and no more reads than plain greedy`, () => {
      const input = randomInput(seed);
      const plan = planBatchReads(input);
      const perReader = new Map<string, number>();
      const listed: string[] = [];
      for (const read of plan.reads) {
        expect(read.accountIds.length).toBeGreaterThan(0);
        expect(read.accountIds.length).toBeLessThanOrEqual(MAX_BATCH_IDS);
        // Only the reader and the reader's friends: PSN leaves anyone else out.
        for (const id of read.accountIds)
          expect(
            id === read.reader || input.friendsOf.get(read.reader)?.has(id),
            `${read.reader} lists ${id}`,
          ).toBe(true);
        expect(read.accountIds).not.toEqual([read.reader]);
        perReader.set(read.reader, (perReader.get(read.reader) ?? 0) + 1);
        listed.push(...read.accountIds);
      }
      for (const [reader, n] of perReader) expect(n).toBeLessThanOrEqual(input.capacity.get(reader)!);
      // Each due member exactly once: in one read, or reading their own.
      expect(listed.length).toBe(new Set(listed).size);
      for (const id of listed) expect(input.due).toContain(id);
      for (const id of input.unseen) expect(listed).not.toContain(id);
      expect(sorted([...listed, ...plan.own])).toEqual(sorted(input.due));
      const plain = plainGreedy(input);
      expect(sorted(plan.own)).toEqual(sorted(plain.own));
      expect(plan.reads.length).toBeLessThanOrEqual(plain.reads);
      expect(plan.reads.length).toBeGreaterThan(0);
    });
  }
});

describe("isCoverable", () => {
  const g = graph([["a", "b"]]);
  it.each([
    ["a linked friend who can read", "a", new Set(["b"]), undefined, true],
    ["no friend", "z", new Set(["b"]), undefined, false],
    ["the friend cannot read (re-link needed, not announced)", "a", new Set<string>(), undefined, false],
    ["batch reads do not show them", "a", new Set(["b"]), new Set(["a"]), false],
  ])("%s", (_name, id, readers, unseen, expected) => {
    expect(isCoverable(id, g, readers, unseen)).toBe(expected);
  });
});
