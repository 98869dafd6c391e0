/**
 * The watcher: on every tick, the members the schedule says are due are polled
 * (bounded concurrency, every call through the PSN client's per-account budget),
 * what they are in goes through the party tracker, and the live and ended parties
 * go to the card sink (the card writer). Ticks never overlap: a slow tick delays the next.
 */
import cron, { type ScheduledTask } from "node-cron";
import { findAllOpenCards } from "../db/cards.js";
import type { Store } from "../db/store.js";
import {
  countDueMembers,
  findDueMembers,
  linkedAccountsOf,
  saveWatchState,
  saveWatchStates,
  type WatchedMember,
  type WatchStateSave,
} from "../db/watch.js";
import type { PartySink } from "../domain/partyUpdate.js";
import { partyFromJson } from "../domain/storedParty.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { TokenProvider } from "../psn/http.js";
import type { Presence, PsnParty } from "../psn/types.js";
import { eachLimited, errorText } from "./eachLimited.js";
import { defaultFriendOptions, type FriendOptions, type FriendView, FriendWatch } from "./friendWatch.js";
import {
  type BatchReads,
  type KnownThisTick,
  type MemberReadResult,
  observeMember,
  type PsnReads,
  trackerObservation,
} from "./observe.js";
import { PartyDetailsCache, type ShareReads } from "./partyDetails.js";
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
import {
  afterObservation,
  defaultScheduleOptions,
  type PollPlan,
  planPoll,
  respread,
  type ScheduleOptions,
} from "./schedule.js";

export interface TokenSource {
  /** The provider for one PSN account id (TokenManager.provider). */
  provider(accountId: string): TokenProvider;
}

/**
 * "batched" (the bot's): the schedule's plan, with offline members' presence read in batches by
 * linked friends and checked every tick when a friend can see them. "scheduled": the schedule's
 * plan, every member read with their own token (before batches; benchmark comparison).
 * "naive": everyone, presence and parties, every tick (benchmark baseline).
 */
export type PollStrategy = "batched" | "scheduled" | "naive";

export interface PollerOptions {
  db: Store;
  psn: PsnReads & ShareReads & Partial<BatchReads>;
  tokens: TokenSource;
  sink: PartySink;
  log: Logger;
  intervalSeconds: number;
  concurrency: number;
  now?: () => Date;
  schedule?: Partial<ScheduleOptions>;
  tracker?: Partial<TrackerOptions>;
  /** Default "batched" when the PSN client can batch, else "scheduled". */
  strategy?: PollStrategy;
  friends?: Partial<FriendOptions>;
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

/** What /healthz reports of the poller. */
export interface PollerHealth {
  ok: boolean;
  lastTickFinishedAt: Date | null;
  /** Counted only when the poller is overdue: members whose poll time has passed. */
  membersDue: number | null;
  reason?: string;
}

/** Ticks that may go missing before the poller counts as stuck. */
export const OVERDUE_INTERVALS = 3;

/**
 * Ticks failing in a row before /healthz reports it. A tick does not fail for PSN
 * trouble (each member's failure is handled on its own), so a failed tick is the
 * bot's own: its database, mostly. One may be a passing lock; three are not.
 */
export const FAILED_TICKS_UNHEALTHY = 3;

/**
 * Pure: no tick finished within three intervals (counted from the poller's creation
 * before its first tick). Only a problem while members are due: with nobody to poll,
 * a poller that does nothing is doing its job.
 */
export function pollerOverdue(
  lastTickFinishedAt: Date | null,
  since: Date,
  now: Date,
  intervalSeconds: number,
): boolean {
  const from = lastTickFinishedAt ?? since;
  return now.getTime() - from.getTime() > OVERDUE_INTERVALS * intervalSeconds * 1000;
}

/** How node-cron fires: a pattern, and the minimum gap to enforce when the pattern fires more often. */
export function cronPlanFor(intervalSeconds: number): { pattern: string; gateMs: number } {
  if (intervalSeconds < 60 && 60 % intervalSeconds === 0)
    return { pattern: `*/${intervalSeconds} * * * * *`, gateMs: 0 };
  const minutes = intervalSeconds / 60;
  if (Number.isInteger(minutes) && minutes < 60 && 60 % minutes === 0)
    return { pattern: `0 */${minutes} * * * *`, gateMs: 0 };
  // Intervals that do not divide a minute or an hour: fire every second, tick once enough time passed.
  return { pattern: "* * * * * *", gateMs: intervalSeconds * 1000 };
}

export class Poller {
  private readonly db: Store;
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly schedule: ScheduleOptions;
  private readonly trackerOptions: TrackerOptions;
  private readonly strategy: PollStrategy;
  private readonly details: PartyDetailsCache;
  /** The friends' view (batched strategy only). */
  private readonly friends: FriendWatch | null;
  private tracker: TrackerState = emptyTrackerState();
  private seeded = false;
  private running: Promise<TickStats> | null = null;
  private task: ScheduledTask | null = null;
  private lastCronTickAt = 0;
  private stopped = false;
  private readonly createdAt: Date;
  private lastTickFinishedAt: Date | null = null;
  /** Ticks failed since the last one that finished, and why the latest failed. */
  private failedTicks = 0;
  private lastFailure: string | null = null;

  constructor(private readonly options: PollerOptions) {
    this.db = options.db;
    this.log = options.log.child({ component: "poller" });
    this.now = options.now ?? (() => new Date());
    this.schedule = {
      ...defaultScheduleOptions,
      tickMs: options.intervalSeconds * 1000,
      ...options.schedule,
    };
    this.trackerOptions = { ...defaultTrackerOptions, ...options.tracker };
    const batchReads = batchReadsOf(options.psn);
    this.strategy = options.strategy ?? (batchReads ? "batched" : "scheduled");
    if (this.strategy === "batched" && !batchReads)
      throw new Error("batched polling needs getPresences and getFriends");
    this.friends =
      this.strategy === "batched" && batchReads
        ? new FriendWatch(
            {
              db: this.db,
              psn: batchReads,
              tokens: options.tokens,
              log: this.log,
              concurrency: options.concurrency,
            },
            { ...defaultFriendOptions, ...options.friends },
            this.schedule.tickMs,
          )
        : null;
    this.details = new PartyDetailsCache(options.psn, this.log);
    this.createdAt = this.now();
  }

  /** Runs one tick now, after the running one if any. Tests drive time with this. */
  async tick(): Promise<TickStats> {
    while (this.running) await this.running.catch(() => undefined);
    const run = this.measured(this.runTick());
    this.running = run;
    try {
      return await run;
    } finally {
      if (this.running === run) this.running = null;
    }
  }

  /** For /healthz: overdue while members are due means the poller is stuck. */
  async health(): Promise<PollerHealth> {
    const now = this.now();
    const last = this.lastTickFinishedAt;
    if (this.failedTicks >= FAILED_TICKS_UNHEALTHY) {
      return {
        ok: false,
        lastTickFinishedAt: last,
        membersDue: null,
        reason: `the last ${this.failedTicks} poll ticks failed: ${this.lastFailure}`,
      };
    }
    if (!pollerOverdue(last, this.createdAt, now, this.options.intervalSeconds))
      return { ok: true, lastTickFinishedAt: last, membersDue: null };
    let membersDue: number;
    try {
      membersDue = await countDueMembers(this.db, now);
    } catch (err) {
      return {
        ok: false,
        lastTickFinishedAt: last,
        membersDue: null,
        reason: `the database fails: ${errorText(err)}`,
      };
    }
    if (membersDue === 0) return { ok: true, lastTickFinishedAt: last, membersDue };
    return {
      ok: false,
      lastTickFinishedAt: last,
      membersDue,
      reason: `no poll tick has finished in ${OVERDUE_INTERVALS} intervals (${OVERDUE_INTERVALS * this.options.intervalSeconds} s) while members are due`,
    };
  }

  start(): void {
    if (this.task) return;
    this.stopped = false;
    const { pattern, gateMs } = cronPlanFor(this.options.intervalSeconds);
    this.task = cron.schedule(pattern, () => this.onCron(gateMs), { name: "psn-poll" });
    this.log.info({ pattern, intervalSeconds: this.options.intervalSeconds }, "poller started");
  }

  /** Stops the schedule and waits (bounded) for the running tick. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.task) {
      await this.task.destroy();
      this.task = null;
    }
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

  private onCron(gateMs: number): void {
    if (this.stopped) return;
    if (this.running) {
      this.log.debug("previous poll tick still running; this one is skipped");
      return;
    }
    const t = Date.now();
    if (gateMs > 0 && t - this.lastCronTickAt < gateMs - 500) return;
    this.lastCronTickAt = t;
    this.tick().catch((err: unknown) => this.log.error({ err }, "poll tick failed"));
  }

  private async measured(tick: Promise<TickStats>): Promise<TickStats> {
    const metrics = this.options.metrics;
    try {
      const stats = await tick;
      this.lastTickFinishedAt = this.now();
      this.failedTicks = 0;
      this.lastFailure = null;
      metrics?.pollTicks.inc({ outcome: "ok" });
      metrics?.pollTickDuration.observe(stats.durationMs / 1000);
      metrics?.pollLastTickFinished.set(this.lastTickFinishedAt.getTime() / 1000);
      metrics?.pollMembersDue.inc(stats.due);
      return stats;
    } catch (err) {
      this.failedTicks++;
      this.lastFailure = errorText(err);
      metrics?.pollTicks.inc({ outcome: "failed" });
      throw err;
    }
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
    const due = await this.dueMembers(startedAt);
    const stats: TickStats = {
      startedAt,
      due: due.length,
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
    if (this.strategy === "naive") {
      await handOver(due);
    } else {
      // Passes, each handing its parties to the cards before the next starts, so what is
      // quickest to learn shows first: members known to be online (their parties read), then
      // offline members seen through friends' batch reads (and the parties of those who came
      // online), then the slow sweep of offline members reading their own presence.
      const online = due.filter((d) => d.member.state.online === true);
      const others = due.filter((d) => d.member.state.online !== true);
      if (online.length > 0) await handOver(online);
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
    }
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
      const next = afterObservation(member.state, result.observation, startedAt, this.schedule, covered);
      saves.push({
        discordUserId: member.discordUserId,
        state: next,
        now: startedAt,
        ...(result.presence ? { presence: result.presence } : {}),
      });
    };
    // Thousands of members a tick: their states go in one transaction, not one each.
    const saves: WatchStateSave[] = [];
    const flush = async () => {
      const batch = saves.splice(0);
      try {
        await saveWatchStates(this.db, batch);
      } catch (err) {
        this.log.error({ err, members: batch.length }, "could not save the watch states");
      }
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
    await flush();

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
    const sessionIds = new Set([...this.tracker.parties.keys(), ...observerOf.keys()]);
    const tracked = trackParties(
      this.tracker,
      { observations, linked, details: this.details.known(sessionIds, startedAt.getTime()), now: startedAt },
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

  private async dueMembers(now: Date): Promise<DueMember[]> {
    const horizon =
      this.strategy === "naive"
        ? new Date(8_640_000_000_000_000)
        : new Date(now.getTime() + this.schedule.dueSlackMs);
    const out: DueMember[] = [];
    for (const member of await findDueMembers(this.db, horizon)) {
      if (this.strategy === "naive") {
        out.push({ member, plan: { due: true, presence: true, parties: true, partiesIfOnline: false } });
        continue;
      }
      const plan = planPoll(member.state, now, this.schedule);
      if (plan.due) out.push({ member, plan });
    }
    return out;
  }

  /** First tick: cards left open by the previous run keep their parties tracked; overdue members go back on phase. */
  private async seed(now: Date): Promise<void> {
    this.seeded = true;
    const cards = (await findAllOpenCards(this.db)).map((card) => ({
      ...card,
      party: partyFromJson(card.partyJson),
    }));
    this.tracker = seedTracker(this.tracker, seedSessionsOf(cards), now);
    if (this.strategy === "naive") return;
    for (const member of await findDueMembers(this.db, now)) {
      const spread = respread(member.state, now, this.schedule);
      if (spread !== member.state) await saveWatchState(this.db, member.discordUserId, spread, now);
    }
  }

  private async fetchDetails(observerOf: Map<string, WatchedMember>, now: Date): Promise<void> {
    const wanted = [...observerOf].filter(([sessionId]) => this.details.wants(sessionId, now.getTime()));
    await eachLimited(wanted, this.options.concurrency, async ([sessionId, member]) => {
      await this.details.fetch(sessionId, this.options.tokens.provider(member.accountId), now.getTime());
    });
  }
}

/** A member due this tick, with what the schedule asks of them. */
interface DueMember {
  member: WatchedMember;
  plan: Extract<PollPlan, { due: true }>;
}

/** The PSN client's batch reads, when it has them (the real one does; some tests' fakes do not). */
function batchReadsOf(psn: Partial<BatchReads>): BatchReads | null {
  const { getPresences, getFriends, remainingBudget } = psn;
  if (!getPresences || !getFriends) return null;
  return {
    getPresences: getPresences.bind(psn),
    getFriends: getFriends.bind(psn),
    ...(remainingBudget ? { remainingBudget: remainingBudget.bind(psn) } : {}),
  };
}

function partyAccounts(p: { owner: { accountId: string }; members: { accountId: string }[] }): string[] {
  return [p.owner.accountId, ...p.members.map((m) => m.accountId)];
}
