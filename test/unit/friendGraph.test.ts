import { describe, expect, it } from "vitest";
import { FriendGraph } from "../../src/jobs/friendGraph.js";

/** The graph as sorted pairs, each friendship once; it must hold both directions of each. */
function pairs(graph: FriendGraph): string[] {
  const out = new Set<string>();
  for (const [a, friends] of graph.friendsOf) {
    expect(friends.size, `${a} kept with no friends`).toBeGreaterThan(0);
    for (const b of friends) {
      expect(graph.friendsOf.get(b)?.has(a), `${b} knows ${a}`).toBe(true);
      out.add([a, b].sort().join("-"));
    }
  }
  return [...out].sort();
}

describe("FriendGraph", () => {
  it("is mutual: one side's list is enough, in both directions", () => {
    const graph = FriendGraph.fromEdges([{ accountId: "a", friendAccountId: "b" }]);
    expect(graph.friendsOf.get("a")).toEqual(new Set(["b"]));
    expect(graph.friendsOf.get("b")).toEqual(new Set(["a"]));
  });

  it("a list read again replaces what that side said", () => {
    const graph = FriendGraph.fromEdges([
      { accountId: "a", friendAccountId: "b" },
      { accountId: "a", friendAccountId: "c" },
    ]);
    graph.setList("a", ["c", "d"]);
    expect(pairs(graph)).toEqual(["a-c", "a-d"]);
    expect(graph.friendsOf.has("b")).toBe(false);
  });

  it("keeps a friendship the other side still names, until that side's list drops it too", () => {
    const graph = FriendGraph.fromEdges([
      { accountId: "a", friendAccountId: "b" },
      { accountId: "b", friendAccountId: "a" },
    ]);
    graph.setList("a", []);
    expect(pairs(graph)).toEqual(["a-b"]);
    graph.setList("b", []);
    expect(pairs(graph)).toEqual([]);
    expect(graph.friendsOf.size).toBe(0);
  });

  it("a private list (read as empty) leaves what the friends' own lists say", () => {
    const graph = FriendGraph.fromEdges([{ accountId: "b", friendAccountId: "a" }]);
    graph.setList("a", []);
    expect(pairs(graph)).toEqual(["a-b"]);
  });

  it("a list read twice: the second read replaces the first", () => {
    const graph = new FriendGraph();
    graph.setList("a", ["b", "c"]);
    graph.setList("b", ["c"]);
    graph.setList("a", ["c"]);
    expect(pairs(graph)).toEqual(["a-c", "b-c"]);
    graph.setList("a", []);
    expect(pairs(graph)).toEqual(["b-c"]);
  });

  it("a member losing one friend keeps the others", () => {
    const graph = FriendGraph.fromEdges([
      { accountId: "a", friendAccountId: "b" },
      { accountId: "c", friendAccountId: "b" },
    ]);
    graph.setList("a", []);
    expect(pairs(graph)).toEqual(["b-c"]);
    expect(graph.friendsOf.get("b")).toEqual(new Set(["c"]));
  });

  it("a new list adds its friendships, never the member to itself", () => {
    const graph = new FriendGraph();
    graph.setList("a", ["b", "a", "c"]);
    expect(pairs(graph)).toEqual(["a-b", "a-c"]);
    graph.setList("c", ["a"]);
    graph.setList("a", ["b"]);
    expect(pairs(graph)).toEqual(["a-b", "a-c"]);
  });
});
