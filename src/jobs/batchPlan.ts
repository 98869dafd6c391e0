/**
 * Who reads whose presence this tick, as a pure function. PSN's batch presence read
 * answers, for one token, the presence of up to 100 listed accounts the token's owner
 * may see: their own and their friends'. So a member whose presence is due can be read
 * by any linked friend, together with the friend's other due friends.
 *
 * Greedy set cover (each step takes the read that covers the most members still
 * uncovered) is within a log factor of the fewest reads, and fast enough for tens of
 * thousands of members with a lazy heap. Ties go to the account with the most capacity
 * left, so the reads spread over many accounts' budgets instead of piling on the few
 * best-connected members.
 */

/** PSN publishes no batch limit; 100 is what community clients use safely. */
export const MAX_BATCH_IDS = 100;

export interface BatchPlanInput {
  /** Members whose presence is due this tick (PSN account ids). */
  due: readonly string[];
  /** PSN friendships between linked members, both directions present. */
  friendsOf: ReadonlyMap<string, ReadonlySet<string>>;
  /** Accounts whose token may make batch reads this tick, and how many each may make. */
  capacity: ReadonlyMap<string, number>;
  /** Members batch reads lately failed to show (omitted, refused): they read their own presence. */
  unseen?: ReadonlySet<string>;
}

export interface BatchRead {
  /** Whose token reads. */
  reader: string;
  accountIds: string[];
}

export interface BatchPlan {
  reads: BatchRead[];
  /** Due members no batch read covers: each reads their own presence, as without batches. */
  own: string[];
}

/** Pure: whether a member can be covered by some batch read at all (the schedule checks covered members every tick). */
export function isCoverable(
  accountId: string,
  friendsOf: ReadonlyMap<string, ReadonlySet<string>>,
  readers: { has(accountId: string): boolean },
  unseen?: ReadonlySet<string>,
): boolean {
  if (unseen?.has(accountId)) return false;
  for (const f of friendsOf.get(accountId) ?? []) if (readers.has(f)) return true;
  return false;
}

interface Candidate {
  reader: string;
  /** Coverage when last computed: only ever shrinks, so a stale key is an upper bound. */
  key: number;
  capacity: number;
}

/** Higher first: more covered, then more capacity left, then the smaller account id (stable plans). */
function before(a: Candidate, b: Candidate): boolean {
  if (a.key !== b.key) return a.key > b.key;
  if (a.capacity !== b.capacity) return a.capacity > b.capacity;
  return a.reader < b.reader;
}

class Heap {
  private readonly items: Candidate[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): Candidate | undefined {
    return this.items[0];
  }
  push(c: Candidate): void {
    const a = this.items;
    a.push(c);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): Candidate | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

export function planBatchReads(input: BatchPlanInput): BatchPlan {
  const unseen = input.unseen ?? new Set<string>();
  const remaining = new Set(input.due.filter((id) => !unseen.has(id)));

  // What a reader would list now: its due friends and itself, if still uncovered.
  const coverOf = (reader: string): string[] => {
    const out: string[] = [];
    if (remaining.has(reader)) out.push(reader);
    for (const f of input.friendsOf.get(reader) ?? []) if (remaining.has(f)) out.push(f);
    return out;
  };
  // A read listing only its own reader is an own read by another name: leave it to the own read.
  const worth = (reader: string, cover: readonly string[]) =>
    cover.length >= 2 || (cover.length === 1 && cover[0] !== reader);

  // Only readers with a due friend can help.
  const candidates = new Set<string>();
  for (const id of remaining)
    for (const f of input.friendsOf.get(id) ?? []) if ((input.capacity.get(f) ?? 0) > 0) candidates.add(f);

  const heap = new Heap();
  for (const reader of candidates) {
    const cover = coverOf(reader);
    if (worth(reader, cover))
      heap.push({
        reader,
        key: Math.min(cover.length, MAX_BATCH_IDS),
        capacity: input.capacity.get(reader)!,
      });
  }

  const reads: BatchRead[] = [];
  while (heap.size > 0 && remaining.size > 0) {
    const top = heap.pop()!;
    const cover = coverOf(top.reader);
    if (!worth(top.reader, cover)) continue;
    const key = Math.min(cover.length, MAX_BATCH_IDS);
    const next = heap.peek();
    if (key < top.key && next && before(next, { ...top, key })) {
      // Stale: others may now cover more. Put it back with its true size.
      heap.push({ ...top, key });
      continue;
    }
    const listed = cover.slice(0, MAX_BATCH_IDS);
    for (const id of listed) remaining.delete(id);
    reads.push({ reader: top.reader, accountIds: listed });
    const capacity = top.capacity - 1;
    if (capacity > 0) {
      const rest = coverOf(top.reader);
      if (worth(top.reader, rest))
        heap.push({ reader: top.reader, key: Math.min(rest.length, MAX_BATCH_IDS), capacity });
    }
  }
  const own = input.due.filter((id) => unseen.has(id) || remaining.has(id));
  return { reads: withoutRedundantReads(reads, input.friendsOf), own: [...new Set(own)] };
}

/**
 * Greedy's early picks can end up redundant: the reads chosen after a big one may see all
 * of its members between them. Smallest first, a read whose every member another chosen
 * reader can also list (with room under the id cap) is dropped and its members moved there.
 */
function withoutRedundantReads(
  reads: BatchRead[],
  friendsOf: ReadonlyMap<string, ReadonlySet<string>>,
): BatchRead[] {
  // Readers with one read only: a reader with several is at its cap and takes nothing more.
  const byReader = new Map<string, BatchRead | null>();
  for (const read of reads) byReader.set(read.reader, byReader.has(read.reader) ? null : read);
  const dropped = new Set<BatchRead>();
  for (const read of [...reads].sort((a, b) => a.accountIds.length - b.accountIds.length)) {
    if (byReader.get(read.reader) !== read) continue;
    const moves: [string, BatchRead][] = [];
    const room = new Map<BatchRead, number>();
    for (const id of read.accountIds) {
      let target: BatchRead | undefined;
      // The member's own token, or any friend's, already reading (friendship is mutual: each can list them).
      for (const reader of [id, ...(friendsOf.get(id) ?? [])]) {
        const other = byReader.get(reader);
        if (!other || other === read || dropped.has(other)) continue;
        const left = room.get(other) ?? MAX_BATCH_IDS - other.accountIds.length;
        if (left > 0) {
          target = other;
          room.set(other, left - 1);
          break;
        }
      }
      if (!target) break;
      moves.push([id, target]);
    }
    if (moves.length < read.accountIds.length) continue;
    for (const [id, target] of moves) target.accountIds.push(id);
    dropped.add(read);
    byReader.set(read.reader, null);
  }
  return reads.filter((r) => !dropped.has(r));
}
