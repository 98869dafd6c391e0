/** The poll benchmark's floor: what no poller keeping issue 12's rules could spend less than. */
import { MAX_BATCH_IDS } from "../src/jobs/batchPlan.js";

/** A member as the world has them (not as the poller knows them). */
export interface FloorMember {
  accountId: string;
  online: boolean;
  /** The party they are in, if any. */
  party: string | null;
}

/**
 * The fewest requests any poller could make this tick under issue 12's rules, from the
 * world as it is (not as the poller knows it): every online member's parties read (one
 * per party for members in one: a party-mate's read shows it), and every offline member
 * with a linked friend checked by a batch read, a read listing at most the reader and the
 * reader's friends (100 ids). The batch part is a fractional bound: each member counts
 * 1 / (the most members any read that could list them could list), and a read's members add
 * up to at most 1. Members without a linked friend, read on their own backoff as before,
 * are counted apart: one own read per backoff period (2 minutes) each.
 */
export function tickFloor(
  members: readonly FloorMember[],
  friendsOf: ReadonlyMap<string, readonly string[]>,
  backoffTicks: number,
): { parties: number; batch: number; uncoveredOwn: number } {
  const partyIds = new Set<string>();
  let parties = 0;
  let uncoveredOwn = 0;
  const offlineCovered = new Set<string>();
  for (const m of members) {
    if (m.online) {
      if (m.party === null) parties++;
      else partyIds.add(m.party);
    } else if (friendsOf.has(m.accountId)) offlineCovered.add(m.accountId);
    else uncoveredOwn += 1 / backoffTicks;
  }
  parties += partyIds.size;
  const coverOf = new Map<string, number>();
  const cover = (reader: string) => {
    let n = coverOf.get(reader);
    if (n === undefined) {
      n = offlineCovered.has(reader) ? 1 : 0;
      for (const f of friendsOf.get(reader) ?? []) if (offlineCovered.has(f)) n++;
      n = Math.min(n, MAX_BATCH_IDS);
      coverOf.set(reader, n);
    }
    return n;
  };
  let batch = 0;
  for (const v of offlineCovered) {
    let best = cover(v);
    for (const r of friendsOf.get(v) ?? []) best = Math.max(best, cover(r));
    batch += 1 / best;
  }
  return { parties, batch, uncoveredOwn };
}
