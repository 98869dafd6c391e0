/**
 * The friend graph among linked members, kept in memory between ticks. PSN friendship
 * is mutual, but each side's list is read on its own (and one side may be private), so
 * two members are friends here when either one's list names the other. A list read
 * again replaces what that side said, and an edge goes only when neither side names it.
 * Pure: the lists come from the database or a read, and nothing here does I/O.
 */
export class FriendGraph {
  /** What each member's own list said, as stored. */
  private readonly listed = new Map<string, Set<string>>();
  /** Both directions: the view batch planning reads. */
  readonly friendsOf = new Map<string, Set<string>>();
  /**
   * One string per account id: every stored edge row brings its own copies, and tens of
   * thousands of duplicates were most of what a large graph held in memory.
   */
  private readonly ids = new Map<string, string>();

  private id(accountId: string): string {
    const known = this.ids.get(accountId);
    if (known !== undefined) return known;
    this.ids.set(accountId, accountId);
    return accountId;
  }

  /** From stored edges: `accountId` listed `friendAccountId`. */
  static fromEdges(edges: Iterable<{ accountId: string; friendAccountId: string }>): FriendGraph {
    const graph = new FriendGraph();
    for (const e of edges) {
      const from = graph.id(e.accountId);
      const to = graph.id(e.friendAccountId);
      graph.listOf(from).add(to);
      graph.link(from, to);
    }
    return graph;
  }

  /** A member's list as just read (linked friends only); an empty list for a private one. */
  setList(member: string, friends: Iterable<string>): void {
    const accountId = this.id(member);
    const next = new Set([...friends].filter((f) => f !== accountId).map((f) => this.id(f)));
    const before = this.listed.get(accountId) ?? new Set<string>();
    for (const f of before)
      if (!next.has(f) && !this.listed.get(f)?.has(accountId)) {
        this.unlink(accountId, f);
        this.unlink(f, accountId);
      }
    for (const f of next) this.link(accountId, f);
    if (next.size > 0) this.listed.set(accountId, next);
    else this.listed.delete(accountId);
  }

  private listOf(accountId: string): Set<string> {
    let set = this.listed.get(accountId);
    if (!set) {
      set = new Set<string>();
      this.listed.set(accountId, set);
    }
    return set;
  }

  private link(a: string, b: string): void {
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      let set = this.friendsOf.get(from);
      if (!set) {
        set = new Set<string>();
        this.friendsOf.set(from, set);
      }
      set.add(to);
    }
  }

  private unlink(from: string, to: string): void {
    const set = this.friendsOf.get(from);
    if (!set) return;
    set.delete(to);
    if (set.size === 0) this.friendsOf.delete(from);
  }
}
