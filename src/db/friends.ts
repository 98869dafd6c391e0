/**
 * PSN friendships between linked members, for batch presence reads. Only edges whose
 * both ends were linked when the list was read are stored; the graph the poller gets
 * keeps only those whose both ends are still active and announced somewhere, so an
 * edge left behind by a re-link to another account can never list anyone.
 */
import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import { announcedSomewhere } from "./announced.js";
import { type Db, dbOf, inTransaction, type Store } from "./client.js";
import { friendEdges, users } from "./schema.js";

/** A member's link whose friend list is read: the account, and which sign-in it was read for. */
export interface FriendListOwner {
  accountId: string;
  /** The link's token generation when the read began (new on every sign-in). */
  linkGeneration: number;
}

/**
 * Stores what one member's friend list says, as edges to the linked members in it;
 * returns those members (what the stored list now says). Null, and nothing stored, when
 * the link the read began for is gone: unlinked meanwhile, or replaced by a new sign-in
 * (whose own list is read next, not this one's answer kept for it).
 */
export async function saveFriendList(
  store: Store,
  owner: FriendListOwner,
  friendIds: readonly string[],
  now: Date,
): Promise<string[] | null> {
  const { accountId } = owner;
  return inTransaction(store, (tx) => {
    const sameLink = tx
      .select({ one: sql`1` })
      .from(users)
      .where(and(eq(users.psnAccountId, accountId), eq(users.tokenGeneration, owner.linkGeneration)))
      .get();
    if (!sameLink) return null;
    tx.delete(friendEdges).where(eq(friendEdges.accountId, accountId)).run();
    const wanted = [...new Set(friendIds)].filter((id) => id !== accountId);
    const linked: string[] = [];
    for (let i = 0; i < wanted.length; i += 500) {
      const rows = tx
        .select({ id: users.psnAccountId })
        .from(users)
        .where(inArray(users.psnAccountId, wanted.slice(i, i + 500)))
        .all();
      linked.push(...rows.map((r) => r.id));
    }
    for (let i = 0; i < linked.length; i += 400) {
      tx.insert(friendEdges)
        .values(linked.slice(i, i + 400).map((friendAccountId) => ({ accountId, friendAccountId })))
        .onConflictDoNothing()
        .run();
    }
    tx.update(users)
      .set({ friendsReadAt: now, friendsFailures: 0, friendsRetryAt: null })
      .where(eq(users.psnAccountId, accountId))
      .run();
    return linked;
  });
}

/** Unlink: the member's edges go, both directions. */
export async function deleteFriendEdgesOf(store: Store, accountId: string): Promise<void> {
  deleteFriendEdgesIn(dbOf(store), accountId);
}

/** deleteFriendEdgesOf inside another unit of work's transaction. */
export function deleteFriendEdgesIn(db: Db, accountId: string): void {
  db.delete(friendEdges)
    .where(or(eq(friendEdges.accountId, accountId), eq(friendEdges.friendAccountId, accountId)))
    .run();
}

/**
 * Members the poller watches (active, announced somewhere: announced.ts): the only accounts ever
 * listed in, or reading, a batch.
 */
export async function loadWatchedAccounts(store: Store): Promise<Set<string>> {
  return watchedAccounts(dbOf(store));
}

function watchedAccounts(db: Db): Set<string> {
  return new Set(
    db
      .select({ id: users.psnAccountId })
      .from(users)
      .where(and(eq(users.linkState, "active"), announcedSomewhere(db)))
      .all()
      .map((r) => r.id),
  );
}

/** Every stored edge as its list said it: `accountId` listed `friendAccountId`. */
export async function loadFriendListEdges(
  store: Store,
): Promise<{ accountId: string; friendAccountId: string }[]> {
  const db = dbOf(store);
  return db
    .select({ accountId: friendEdges.accountId, friendAccountId: friendEdges.friendAccountId })
    .from(friendEdges)
    .all();
}

/** Every stored friendship, both directions. Filter by loadWatchedAccounts before use. */
export async function loadFriendEdges(store: Store): Promise<Map<string, Set<string>>> {
  return friendEdgesBothWays(dbOf(store));
}

function friendEdgesBothWays(db: Db): Map<string, Set<string>> {
  const friendsOf = new Map<string, Set<string>>();
  const add = (a: string, b: string) => {
    let set = friendsOf.get(a);
    if (!set) {
      set = new Set<string>();
      friendsOf.set(a, set);
    }
    set.add(b);
  };
  for (const e of db.select().from(friendEdges).all()) {
    add(e.accountId, e.friendAccountId);
    add(e.friendAccountId, e.accountId);
  }
  return friendsOf;
}

/** The friend graph among watched members only, and those members. */
export async function loadFriendGraph(
  store: Store,
): Promise<{ friendsOf: Map<string, Set<string>>; watched: Set<string> }> {
  const db = dbOf(store);
  const watched = watchedAccounts(db);
  const friendsOf = new Map<string, Set<string>>();
  for (const [id, friends] of friendEdgesBothWays(db)) {
    if (!watched.has(id)) continue;
    const kept = new Set([...friends].filter((f) => watched.has(f)));
    if (kept.size > 0) friendsOf.set(id, kept);
  }
  return { friendsOf, watched };
}

/** A member whose friend list is due a read, and how many reads of it failed in a row. */
export interface FriendListDue extends FriendListOwner {
  failures: number;
}

/**
 * Members whose friend list is due a read: never read (just linked) first, then the
 * oldest read before `readBefore`; not those whose failed read waits until after `now`.
 * The caller bounds how many per tick, so the reads spread out instead of all falling on
 * one tick.
 */
export async function findFriendListsDue(
  store: Store,
  readBefore: Date,
  now: Date,
  limit: number,
): Promise<FriendListDue[]> {
  const db = dbOf(store);
  if (limit <= 0) return [];
  return db
    .select({
      accountId: users.psnAccountId,
      linkGeneration: users.tokenGeneration,
      failures: users.friendsFailures,
    })
    .from(users)
    .where(
      and(
        eq(users.linkState, "active"),
        or(isNull(users.friendsReadAt), lt(users.friendsReadAt, readBefore)),
        or(isNull(users.friendsRetryAt), lte(users.friendsRetryAt, now)),
        announcedSomewhere(db),
      ),
    )
    .orderBy(sql`${users.friendsReadAt} is not null`, asc(users.friendsReadAt))
    .limit(limit)
    .all();
}

/**
 * A failed read of the member's friend list: the `failures`-th in a row, not tried again
 * before `retryAt`. Stored, so a restart keeps the backoff (and a 404 stays remembered).
 */
export async function saveFriendListFailure(
  store: Store,
  accountId: string,
  failure: { failures: number; retryAt: Date },
): Promise<void> {
  dbOf(store)
    .update(users)
    .set({ friendsFailures: failure.failures, friendsRetryAt: failure.retryAt })
    .where(eq(users.psnAccountId, accountId))
    .run();
}
