/**
 * The tick: the members the planner says are due are read (bounded concurrency, every
 * call through the PSN client's per-account budget), what they are in goes through the
 * party tracker, and the live and ended parties go to the sink (the card and board
 * writers) after each pass. Ticks never overlap. When it ticks (pollCron.ts), its health
 * (pollHealth.ts) and its helpers are the composition root's to build and wire.
 */
import { findAllOpenCards } from "../db/cards.js";
import type { Store } from "../db/store.js";
import { linkedAccountsOf, readableAccountsOf, type WatchedMember } from "../db/watch.js";
import type { PartySink } from "../domain/partyUpdate.js";
import { partyFromJson } from "../domain/storedParty.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { TokenProvider } from "../psn/http.js";
import type { Presence, PsnParty } from "../psn/types.js";
import { eachLimited } from "./eachLimited.js";
import type { FriendView, FriendWatch } from "./friendWatch.js";
import {
  type KnownThisTick,
  type MemberReadResult,
  observeMember,
  type PsnReads,
  trackerObservation,
} from "./observe.js";
import type { PartyDetailsCache } from "./partyDetails.js";
import {
  defaultTrackerOptions,
  emptyTrackerState,
  type MemberObservation,
  seedSessionsOf,
  seedTracker,
  type TrackerOptions,
  type TrackerState,
  trackParties,
} from "./partyTracker.js";
import type { DueMember, PollPlanner } from "./pollPlan.js";
import { afterObservation, type ScheduleOptions } from "./schedule.js";
import type { WatchStateSaves } from "./watchSaves.js";

export interface TokenSource {
  /** The provider for one PSN account id (TokenManager.provider). */
  provider(accountId: string): TokenProvider;
}

export interface PollerOptions {
  db: Store;
  psn: PsnReads;
  tokens: TokenSource;
  sink: PartySink;
  log: Logger;
  concurrency: number;
  now?: () => Date;
  /** The schedule a member's next poll is decided by, after each read. */
  schedule: ScheduleOptions;
  /** Who is read each tick, and what of them. */
  planner: PollPlanner;
  /** Parties' share links and partyInfo, asked once per party. */
  details: PartyDetailsCache;
  /** Watching through friends' batch reads; null: every member reads their own presence. */
  friends: FriendWatch | null;
  /** Where the tick's watch states go, saved once per pass. */
  saves: WatchStateSaves;
  tracker?: Partial<TrackerOptions>;
  /** How long stop() waits for a running tick; default 10 s. */
  stopTimeoutMs?: number;
  metrics?: Metrics;
}

export interface TickStats {
  startedAt: Date;
  due: number;
  requests: number;
  failures: number;
  live: number;
  justEnded: number;
  durationMs: number;
}

export class Poller {
  private readonly db: Store;
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly trackerOptions: TrackerOptions;
  private readonly details: PartyDetailsCache;
  private readonly friends: FriendWatch | null;
  private tracker: TrackerState = emptyTrackerState();
  private seeded = false;
  private running: Promise<TickStats> | null = null;

  constructor(private readonly options: PollerOptions) {
    this.db = options.db;
    this.log = options.log.child({ component: "poller" });
    this.now = options.now ?? (() => new Date());
    this.trackerOptions = { ...defaultTrackerOptions, ...options.tracker };
    this.friends = options.friends;
    this.details = options.details;
  }

  /** Runs one tick now, after the running one if any. Tests drive time with this. */
  async tick(): Promise<TickStats> {
    while (this.running) await this.running.catch(() => undefined);
    const run = this.runTick();
    this.running = run;
    try {
      return await run;
    } finally {
      if (this.running === run) this.running = null;
    }
  }

  /** Waits (bounded) for the running tick: what stopping the bot needs of the poller once no tick is scheduled. */
  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    const timeoutMs = this.options.stopTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      running.then(
        () => false,
        () => false,
      ),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) this.log.warn({ timeoutMs }, "stopping with a poll tick still running");
  }

  private async runTick(): Promise<TickStats> {
    const startedAt = this.now();
    const started = performance.now();
    if (!this.seeded) await this.seed(startedAt);

    let friendRequests = 0;
    let graph: FriendView | null = null;
    if (this.friends) {
      const prepared = await this.friends.prepare(startedAt);
      friendRequests = prepared.requests;
      graph = prepared.view;
    }
    const { first, rest: others } = await this.options.planner.plan(startedAt);
    const stats: TickStats = {
      startedAt,
      due: first.length + others.length,
      requests: friendRequests,
      failures: 0,
      live: 0,
      justEnded: 0,
      durationMs: 0,
    };
    // Parties read this tick, by the accounts in them: a party-mate's read shows a member's party too.
    const partiesSeen = new Map<string, PsnParty[]>();
    const handOver = async (
      pass: readonly DueMember[],
      presences: ReadonlyMap<string, Presence> = new Map(),
    ) => {
      const done = await this.observeAndHandOver(pass, startedAt, graph, { presences, partiesSeen });
      stats.requests += done.requests;
      stats.failures += done.failures;
      stats.live = done.live;
      stats.justEnded += done.justEnded;
    };
    // Passes, each handing its parties to the cards before the next starts, so what is
    // quickest to learn shows first: the planner's first (the bot's: members known to be
    // online, their parties read), then the rest seen through friends' batch reads (and the
    // parties of those who came online), then the slow sweep of the rest reading their own presence.
    if (first.length > 0) await handOver(first);
    let rest = others;
    if (this.friends && graph && others.length > 0) {
      const wanted = others.filter((d) => d.plan.presence).map((d) => d.member.accountId);
      const batch = await this.friends.readBatches(wanted, graph, startedAt);
      stats.requests += batch.requests;
      const seen = others.filter((d) => batch.presences.has(d.member.accountId));
      rest = others.filter((d) => !batch.presences.has(d.member.accountId));
      if (seen.length > 0) await handOver(seen, batch.presences);
    }
    // With nobody due the tracker still runs once: stale parties end and ended cards catch up.
    if (rest.length > 0 || stats.due === 0) await handOver(rest);
    stats.durationMs = performance.now() - started;
    this.log.debug({ ...stats, startedAt: undefined }, "poll tick");
    return stats;
  }

  /**
   * Reads a pass of due members, tracks what they are in, and hands the parties to the card
   * sink. What the tick already knows: presences from friends' batch reads, and the parties
   * earlier reads this tick showed (filled in as this pass reads).
   */
  private async observeAndHandOver(
    due: readonly DueMember[],
    startedAt: Date,
    graph: FriendView | null,
    tick: { presences: ReadonlyMap<string, Presence>; partiesSeen: Map<string, PsnParty[]> },
  ): Promise<Pick<TickStats, "requests" | "failures" | "live" | "justEnded">> {
    const { presences, partiesSeen } = tick;
    const results: { member: WatchedMember; result: MemberReadResult }[] = [];
    const observe = async ({ member, plan }: DueMember) => {
      const auth = this.options.tokens.provider(member.accountId);
      const known: KnownThisTick = {};
      const presence = presences.get(member.accountId);
      if (presence) known.presence = presence;
      const seenIn = graph ? partiesSeen.get(member.accountId) : undefined;
      if (seenIn) known.parties = seenIn;
      const result = await observeMember(this.options.psn, auth, plan, startedAt, this.log, known);
      results.push({ member, result });
      if (graph && !seenIn) {
        for (const p of result.seen?.parties ?? [])
          for (const id of partyAccounts(p)) {
            if (id === member.accountId) continue;
            const list = partiesSeen.get(id) ?? [];
            list.push(p);
            partiesSeen.set(id, list);
          }
      }
      this.options.metrics?.pollMembersPolled.inc({ outcome: result.observation.kind });
      const covered =
        this.friends && graph ? this.friends.covered(member.accountId, graph, startedAt) : false;
      const next = afterObservation(
        member.state,
        result.observation,
        startedAt,
        this.options.schedule,
        covered,
      );
      this.options.saves.add({
        discordUserId: member.discordUserId,
        state: next,
        now: startedAt,
        ...(result.presence ? { presence: result.presence } : {}),
      });
    };
    if (graph) {
      // One member of each party the tracker knows reads first; the party's other members
      // then find it seen and make no parties read of their own.
      const later = this.partyMatesAfterFirst(due);
      await eachLimited(
        due.filter((d) => !later.has(d.member.accountId)),
        this.options.concurrency,
        observe,
      );
      await eachLimited(
        due.filter((d) => later.has(d.member.accountId)),
        this.options.concurrency,
        observe,
      );
    } else await eachLimited(due, this.options.concurrency, observe);
    await this.options.saves.flush();

    const observations: MemberObservation[] = [];
    const observerOf = new Map<string, WatchedMember>();
    for (const { member, result } of results) {
      const seen = trackerObservation(result, member.game);
      if (!seen) continue;
      observations.push(seen);
      for (const p of seen.parties ?? [])
        if (!observerOf.has(p.sessionId)) observerOf.set(p.sessionId, member);
    }

    await this.fetchDetails(observerOf, startedAt);

    const accountIds = new Set<string>();
    for (const o of observations)
      for (const p of o.parties ?? []) for (const m of partyAccounts(p)) accountIds.add(m);
    for (const t of this.tracker.parties.values())
      if (t.snapshot) for (const m of partyAccounts(t.snapshot)) accountIds.add(m);
    const linked = await linkedAccountsOf(this.db, [...accountIds]);
    // Read after this pass's refusals were recorded: a party whose last readable member just
    // had to re-link shows so on this same tick.
    const readable = await readableAccountsOf(this.db, [...accountIds]);
    const sessionIds = new Set([...this.tracker.parties.keys(), ...observerOf.keys()]);
    const tracked = trackParties(
      this.tracker,
      {
        observations,
        linked,
        readable,
        details: this.details.known(sessionIds, startedAt.getTime()),
        now: startedAt,
      },
      this.trackerOptions,
    );
    this.tracker = tracked.state;
    this.details.sweep(startedAt.getTime());

    try {
      await this.options.sink.apply({ live: tracked.live, ended: tracked.ended, now: startedAt });
    } catch (err) {
      this.log.error({ err }, "handing the parties to the card writer failed");
    }

    return {
      requests: results.reduce((n, r) => n + r.result.requests, 0),
      failures: results.filter((r) => r.result.observation.kind !== "observed").length,
      live: tracked.live.length,
      justEnded: tracked.justEnded.length,
    };
  }

  /** Members of a tracked party other than its first due one: they read after it. */
  private partyMatesAfterFirst(due: readonly DueMember[]): Set<string> {
    const dueIds = new Set(due.map((d) => d.member.accountId));
    const later = new Set<string>();
    for (const t of this.tracker.parties.values()) {
      if (!t.snapshot) continue;
      const mates = [...new Set(partyAccounts(t.snapshot))].filter((id) => dueIds.has(id));
      for (const id of mates.slice(1)) later.add(id);
    }
    return later;
  }

  /** First tick: cards left open by the previous run keep their parties tracked; the planner resumes. */
  private async seed(now: Date): Promise<void> {
    this.seeded = true;
    const cards = (await findAllOpenCards(this.db)).map((card) => ({
      ...card,
      party: partyFromJson(card.partyJson),
    }));
    this.tracker = seedTracker(this.tracker, seedSessionsOf(cards), now);
    await this.options.planner.resume(now);
  }

  private async fetchDetails(observerOf: Map<string, WatchedMember>, now: Date): Promise<void> {
    const wanted = [...observerOf].filter(([sessionId]) => this.details.wants(sessionId, now.getTime()));
    await eachLimited(wanted, this.options.concurrency, async ([sessionId, member]) => {
      await this.details.fetch(sessionId, this.options.tokens.provider(member.accountId), now.getTime());
    });
  }
}

function partyAccounts(p: { owner: { accountId: string }; members: { accountId: string }[] }): string[] {
  return [p.owner.accountId, ...p.members.map((m) => m.accountId)];
}
