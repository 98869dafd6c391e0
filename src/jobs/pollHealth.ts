/**
 * The poller's health, as /healthz reports it: each tick's outcome is recorded here
 * (with its metrics), and a poller that stopped finishing ticks while members are due,
 * or whose ticks keep failing, is unhealthy.
 */
import type { Store } from "../db/store.js";
import { countDueMembers } from "../db/watch.js";
import type { Metrics } from "../metrics.js";
import { errorText } from "./eachLimited.js";

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

export interface PollHealthOptions {
  db: Store;
  intervalSeconds: number;
  now: () => Date;
  metrics?: Metrics;
}

export class PollHealth {
  private readonly createdAt: Date;
  private lastTickFinishedAt: Date | null = null;
  /** Ticks failed since the last one that finished, and why the latest failed. */
  private failedTicks = 0;
  private lastFailure: string | null = null;

  constructor(private readonly options: PollHealthOptions) {
    this.createdAt = options.now();
  }

  /** Records how the tick ends, and passes it on unchanged. */
  async record<T extends { due: number; durationMs: number }>(tick: Promise<T>): Promise<T> {
    const metrics = this.options.metrics;
    try {
      const stats = await tick;
      this.lastTickFinishedAt = this.options.now();
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

  /** For /healthz: overdue while members are due means the poller is stuck. */
  async health(): Promise<PollerHealth> {
    const { db, intervalSeconds } = this.options;
    const now = this.options.now();
    const last = this.lastTickFinishedAt;
    if (this.failedTicks >= FAILED_TICKS_UNHEALTHY) {
      return {
        ok: false,
        lastTickFinishedAt: last,
        membersDue: null,
        reason: `the last ${this.failedTicks} poll ticks failed: ${this.lastFailure}`,
      };
    }
    if (!pollerOverdue(last, this.createdAt, now, intervalSeconds))
      return { ok: true, lastTickFinishedAt: last, membersDue: null };
    let membersDue: number;
    try {
      membersDue = await countDueMembers(db, now);
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
      reason: `no poll tick has finished in ${OVERDUE_INTERVALS} intervals (${OVERDUE_INTERVALS * intervalSeconds} s) while members are due`,
    };
  }
}
