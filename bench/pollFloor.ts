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
 * reader's friends (100 ids). The batch part is exact for each friend community of up to
 * 30 members (the fewest reads that list all its offline members, found by search) and
 * a fractional bound for larger ones: each member counts 1 / (the most members any read
 * that could list them could list). Members without a linked friend, read on their own
 * backoff as before, are counted apart: one own read per backoff period each.
 */
export function tickFloor(
  members: readonly FloorMember[],
  friendsOf: ReadonlyMap<string, readonly string[]>,
  backoffTicks: number,
): { parties: number; batch: number; uncoveredOwn: number; batchExact: boolean } {
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
  let batch = 0;
  let batchExact = true;
  for (const community of communities(friendsOf)) {
    const due = community.filter((id) => offlineCovered.has(id));
    if (due.length === 0) continue;
    const exact = community.length <= MAX_EXACT ? fewestReads(community, due, friendsOf) : null;
    if (exact !== null) batch += exact;
    else {
      batchExact = false;
      batch += fractionalReads(due, offlineCovered, friendsOf);
    }
  }
  return { parties, batch, uncoveredOwn, batchExact };
}

/** Communities up to this size are searched exactly (their members fit a 31-bit mask). */
const MAX_EXACT = 30;
/** Search steps allowed per community before settling for the fractional bound. */
const MAX_STEPS = 200_000;

/** The friend graph's connected parts: a read never lists anyone outside the reader's. */
function communities(friendsOf: ReadonlyMap<string, readonly string[]>): string[][] {
  const seen = new Set<string>();
  const out: string[][] = [];
  for (const start of friendsOf.keys()) {
    if (seen.has(start)) continue;
    seen.add(start);
    const part = [start];
    for (let i = 0; i < part.length; i++)
      for (const f of friendsOf.get(part[i]!) ?? [])
        if (!seen.has(f)) {
          seen.add(f);
          part.push(f);
        }
    out.push(part);
  }
  return out;
}

/** The fewest readers whose reads list every due member (each reader lists itself and its friends); null: search too long. */
function fewestReads(
  community: readonly string[],
  due: readonly string[],
  friendsOf: ReadonlyMap<string, readonly string[]>,
): number | null {
  const bit = new Map(due.map((id, i) => [id, 1 << i]));
  const sees = community.map((r) => {
    let mask = bit.get(r) ?? 0;
    for (const f of friendsOf.get(r) ?? []) mask |= bit.get(f) ?? 0;
    return mask;
  });
  const all = (1 << due.length) - 1;
  const widest = Math.max(...sees.map(popcount));
  // For each due member, the readers that could list them.
  const readersOf = due.map((_, i) => sees.flatMap((mask, r) => (mask & (1 << i) ? [r] : [])));
  let steps = 0;
  const coverable = (left: number, budget: number): boolean => {
    if (left === 0) return true;
    if (budget === 0 || ++steps > MAX_STEPS) return false;
    if (Math.ceil(popcount(left) / widest) > budget) return false;
    // Someone must list the first member still unlisted: try each reader who could.
    const first = 31 - Math.clz32(left & -left);
    for (const r of readersOf[first]!) if (coverable(left & ~sees[r]!, budget - 1)) return true;
    return false;
  };
  for (let k = 1; k <= due.length; k++) {
    if (coverable(all, k)) return k;
    if (steps > MAX_STEPS) return null;
  }
  return null;
}

function popcount(mask: number): number {
  let n = 0;
  for (let m = mask; m !== 0; m &= m - 1) n++;
  return n;
}

/** A fractional bound: a read's members add up to at most 1 when each counts 1 / the widest read that could list them. */
function fractionalReads(
  due: readonly string[],
  offlineCovered: ReadonlySet<string>,
  friendsOf: ReadonlyMap<string, readonly string[]>,
): number {
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
  let reads = 0;
  for (const v of due) {
    let best = cover(v);
    for (const r of friendsOf.get(v) ?? []) best = Math.max(best, cover(r));
    reads += 1 / best;
  }
  return reads;
}
