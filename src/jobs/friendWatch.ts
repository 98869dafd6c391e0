/**
 * Watching through friends (what the poller does when given one): the friend graph among
 * watched members, its lists read a few per tick and refreshed rarely, and each tick's
 * batch presence reads, planned by batchPlan.ts with a linked friend's token. What a read
 * does not show (left out, a refused reader) falls back to the member's own read, this
 * tick and for a while after. The poller asks it who is covered and what it saw.
 */

import {
  findFriendListsDue,
  loadFriendListEdges,
  loadWatchedAccounts,
  saveFriendList,
  saveFriendListFailure,
} from "../db/friends.js";
import type { Store } from "../db/store.js";
import { pollWaitingOfflineNow } from "../db/watch.js";
import type { Logger } from "../log.js";
import { PsnForbiddenError } from "../psn/errors.js";
import type { TokenProvider } from "../psn/http.js";
import type { Presence } from "../psn/types.js";
import { isCoverable, planBatchReads } from "./batchPlan.js";
import { eachLimited, errorText } from "./eachLimited.js";
import { FriendGraph } from "./friendGraph.js";
import {
  defaultFriendListRetry,
  type FriendListRetryOptions,
  friendListRetryAt,
  listFailureOf,
  listReadFits,
  listRequestsPerWindow,
} from "./friendListRetry.js";
import type { BatchReads } from "./observe.js";

export interface FriendOptions {
  /** How often a member's friend list is read again; a new link's is read on the next tick. */
  refreshMs: number;
  /** Batch reads one account may make per tick, whatever its budget says. */
  readsPerAccountPerTick: number;
  /** Requests each account keeps in its budget for its own reads before it reads for friends. */
  reservePerAccount: number;
  /** How long a member a batch read did not show (omitted, 403) reads their own presence instead. */
  unseenMs: number;
  /** Friend lists read per tick at least (more when the refresh period needs it), new links first. */
  minListsPerTick: number;
  /**
   * The share of an account's budget window its friend list reads may take. A healthy
   * account needs one list (at most 5 pages) in 6 hours; a tenth of 300 requests leaves
   * room for that several times over and nine tenths for the reads that show parties.
   */
  listShare: number;
  /** When a failed friend list read is tried again. */
  listRetry: FriendListRetryOptions;
}

export const defaultFriendOptions: FriendOptions = {
  refreshMs: 6 * 60 * 60_000,
  readsPerAccountPerTick: 2,
  reservePerAccount: 6,
  unseenMs: 60 * 60_000,
  minListsPerTick: 25,
  listShare: 0.1,
  listRetry: defaultFriendListRetry,
};

/** When PSN's client does not say: what PSN is believed to allow (psn-api.md). */
const BELIEVED_BUDGET = { requests: 300, windowMs: 15 * 60_000 };

/** The friend graph among watched members this tick, and who may read for friends. */
export interface FriendView {
  friendsOf: Map<string, Set<string>>;
  /** Watched members whose token may read for friends. */
  readers: Set<string>;
  unseen: Set<string>;
}

/**
 * Ticks between reloads of the stored friendships. The lists this poller reads patch the
 * graph in place; a reload picks up what changed outside it (an unlink's edges removed).
 */
const EDGE_RELOAD_TICKS = 20;

export interface FriendWatchIo {
  db: Store;
  psn: BatchReads;
  tokens: { provider(accountId: string): TokenProvider };
  log: Logger;
  concurrency: number;
  /** The dice for the retry jitter; Math.random unless a test fixes it. */
  random?: () => number;
}

export class FriendWatch {
  /** Members batch reads lately failed to show, until when; readers whose batch read was refused, until when. */
  private readonly unseen = new Map<string, number>();
  private readonly refusedReaders = new Map<string, number>();
  /** Members coverable at the last tick: who becomes coverable is due at once. */
  private coverable = new Set<string>();
  /** Stored friendships, patched by the lists this poller saves and reloaded every EDGE_RELOAD_TICKS. */
  private edges: { graph: FriendGraph; ticksLeft: number } | null = null;
  /** The reload under way: the list reads running at once share it instead of each loading the edges. */
  private loadingEdges: Promise<{ graph: FriendGraph; ticksLeft: number }> | null = null;
  /**
   * When each account's recent list reads made their requests (epoch ms), for the share
   * cap. In memory: after a restart the stored backoff still spaces failing reads out.
   */
  private readonly listSpend = new Map<string, number[]>();

  constructor(
    private readonly io: FriendWatchIo,
    private readonly options: FriendOptions,
    private readonly tickMs: number,
  ) {}

  /** The tick's start: friend lists due a read are read, then the view the tick plans with. */
  async prepare(now: Date): Promise<{ view: FriendView; requests: number }> {
    const watched = await loadWatchedAccounts(this.io.db);
    const requests = await this.refreshLists(now, watched.size);
    const view = await this.view(now, watched);
    await this.pullNewlyCovered(view, watched, now);
    return { view, requests };
  }

  /**
   * Members who just came into friends' view (all of them on a first tick, as after a
   * restart; then a new friendship, a reader back) are checked every tick from now, not
   * after the backoff they were on.
   */
  private async pullNewlyCovered(view: FriendView, watched: Set<string>, now: Date): Promise<void> {
    const coverable = new Set<string>();
    for (const id of watched)
      if (isCoverable(id, view.friendsOf, view.readers, view.unseen)) coverable.add(id);
    const newly = [...coverable].filter((id) => !this.coverable.has(id));
    this.coverable = coverable;
    if (newly.length === 0) return;
    try {
      const moved = await pollWaitingOfflineNow(this.io.db, newly, now);
      if (moved > 0)
        this.io.log.debug({ members: moved }, "members now seen through friends are due at once");
    } catch (err) {
      // They are checked at their next poll instead; worth a line, not the tick.
      for (const id of newly) coverable.delete(id);
      this.io.log.warn({ err, members: newly.length }, "could not move members seen through friends forward");
    }
  }

  /** The friend graph among watched members, and who may read for friends this tick. */
  private async view(now: Date, watched: Set<string>): Promise<FriendView> {
    const edges = await this.loadedEdges();
    edges.ticksLeft--;
    // Edges to members no longer watched stay in the cache; they list nobody: only due
    // (watched) members are ever listed, and only watched members read.
    const friendsOf = edges.graph.friendsOf;
    const t = now.getTime();
    for (const [id, until] of this.unseen) if (until <= t) this.unseen.delete(id);
    for (const [id, until] of this.refusedReaders) if (until <= t) this.refusedReaders.delete(id);
    const readers = new Set([...watched].filter((id) => !this.refusedReaders.has(id)));
    return { friendsOf, readers, unseen: new Set(this.unseen.keys()) };
  }

  private async loadedEdges(): Promise<{ graph: FriendGraph; ticksLeft: number }> {
    if (this.edges && this.edges.ticksLeft > 0) return this.edges;
    this.loadingEdges ??= loadFriendListEdges(this.io.db)
      .then((edges) => {
        this.edges = { graph: FriendGraph.fromEdges(edges), ticksLeft: EDGE_RELOAD_TICKS };
        return this.edges;
      })
      .finally(() => {
        this.loadingEdges = null;
      });
    return this.loadingEdges;
  }

  /** Whether the member's presence is watched through friends (and so checked every tick). */
  covered(accountId: string, graph: FriendView, now: Date): boolean {
    const until = this.unseen.get(accountId);
    if (until !== undefined && until > now.getTime()) return false;
    return isCoverable(accountId, graph.friendsOf, graph.readers, graph.unseen);
  }

  /**
   * The batch presence reads for `wanted` (the due offline members). What a read does not
   * show falls back to the member's own read this tick, and for a while after.
   */
  async readBatches(
    wanted: readonly string[],
    graph: FriendView,
    now: Date,
  ): Promise<{ presences: Map<string, Presence>; requests: number }> {
    const presences = new Map<string, Presence>();
    if (wanted.length === 0) return { presences, requests: 0 };
    const f = this.options;
    const remaining = this.io.psn.remainingBudget?.bind(this.io.psn);
    const capacity = new Map<string, number>();
    for (const id of graph.readers) {
      const left = remaining ? remaining(id) - f.reservePerAccount : f.readsPerAccountPerTick;
      capacity.set(id, Math.max(0, Math.min(f.readsPerAccountPerTick, left)));
    }
    const plan = planBatchReads({ due: wanted, friendsOf: graph.friendsOf, capacity, unseen: graph.unseen });
    const t = now.getTime();
    let requests = 0;
    const getPresences = this.io.psn.getPresences.bind(this.io.psn);
    await eachLimited(plan.reads, this.io.concurrency, async (read) => {
      requests++;
      try {
        const got = await getPresences(this.io.tokens.provider(read.reader), read.accountIds);
        const shown = new Set<string>();
        for (const p of got) {
          if (!read.accountIds.includes(p.accountId)) continue;
          presences.set(p.accountId, p);
          shown.add(p.accountId);
        }
        for (const id of read.accountIds) if (!shown.has(id)) this.unseen.set(id, t + f.unseenMs);
      } catch (err) {
        // Its members read their own presence this tick; a refusal keeps this reader out for a while.
        if (err instanceof PsnForbiddenError) this.refusedReaders.set(read.reader, t + f.unseenMs);
        this.io.log.info(
          { account: read.reader, reason: errorText(err) },
          "batch presence read failed; its members read their own",
        );
      }
    });
    return { presences, requests };
  }

  /**
   * Friend lists due a read (new links first, then the oldest), a few per tick; returns the
   * requests made. A read starts only within the account's share of its budget; one that
   * fails (a 429 or a pause included) is tried again on a backoff, stored.
   */
  private async refreshLists(now: Date, watchedCount: number): Promise<number> {
    const f = this.options;
    const t = now.getTime();
    // New links first (at most a few dozen per tick, so a first start with thousands spreads out), then the refreshes.
    const perTick = Math.max(
      f.minListsPerTick,
      Math.ceil(((watchedCount * this.tickMs) / f.refreshMs) * 1.5),
    );
    const due = await findFriendListsDue(this.io.db, new Date(t - f.refreshMs), now, perTick);
    const psn = this.io.psn;
    const limits = psn.budgetLimits?.() ?? BELIEVED_BUDGET;
    const cap = listRequestsPerWindow(limits.requests, f.listShare);
    const getFriends = psn.getFriends.bind(psn);
    const random = this.io.random ?? Math.random;
    for (const [id, spent] of this.listSpend) {
      const kept = spent.filter((at) => at > t - limits.windowMs);
      if (kept.length > 0) this.listSpend.set(id, kept);
      else this.listSpend.delete(id);
    }
    let requests = 0;
    await eachLimited(due, this.io.concurrency, async (owner) => {
      const { accountId, failures } = owner;
      if (!listReadFits(this.listSpend.get(accountId) ?? [], now, limits.windowMs, cap)) return;
      const counted = countingRequests(this.io.tokens.provider(accountId));
      try {
        // A private list (403): nothing known from this side; the friends' own lists may still name the member.
        const list = await getFriends(counted.provider).catch((err: unknown) => {
          if (err instanceof PsnForbiddenError) return [];
          throw err;
        });
        const linked = await saveFriendList(this.io.db, owner, list, now);
        // null: unlinked or signed in again during the read; the store kept nothing of it.
        if (linked) (await this.loadedEdges()).graph.setList(accountId, linked);
      } catch (err) {
        const failure = listFailureOf(err);
        const retryAt = friendListRetryAt(failure, failures + 1, now, random(), f.listRetry);
        this.io.log.info(
          { account: accountId, reason: errorText(err), retryAt },
          "friend list read failed; tried again later",
        );
        try {
          await saveFriendListFailure(this.io.db, accountId, { failures: failures + 1, retryAt });
        } catch (saveErr) {
          // Tried again on the next tick instead; the share cap still bounds it.
          this.io.log.warn({ err: saveErr, account: accountId }, "could not store a friend list's backoff");
        }
      } finally {
        const made = counted.requests();
        requests += made;
        if (made > 0) {
          const spent = this.listSpend.get(accountId) ?? [];
          for (let i = 0; i < made; i++) spent.push(t);
          this.listSpend.set(accountId, spent);
        }
      }
    });
    return requests;
  }
}

/**
 * The provider, counting the requests made with it: the client asks for the token once per
 * request it sends (a list read is never retried inside the client), and sends one more
 * after each refresh a 401 triggers. A call the budget refuses asks for no token.
 */
function countingRequests(provider: TokenProvider): { provider: TokenProvider; requests(): number } {
  let n = 0;
  const refresh = provider.refreshAfterUnauthorized?.bind(provider);
  const counted: TokenProvider = {
    key: provider.key,
    accessToken: () => {
      n++;
      return provider.accessToken();
    },
    ...(refresh
      ? {
          refreshAfterUnauthorized: (rejected: string) => {
            n++;
            return refresh(rejected);
          },
        }
      : {}),
  };
  return { provider: counted, requests: () => n };
}
