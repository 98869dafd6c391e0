/**
 * What the poller reads on a tick: the members due and the PSN calls each needs. The
 * poller asks a PollPlanner and runs the tick's passes on what it answers; the bot's
 * planner is the schedule's (SchedulePlanner). Other planners (the benchmark's
 * baselines) answer the same question differently.
 */
import type { Store } from "../db/store.js";
import { findDueMembers, saveWatchState, type WatchedMember } from "../db/watch.js";
import { type PollPlan, planPoll, respread, type ScheduleOptions } from "./schedule.js";

/** A member due this tick, with what to read of them. */
export interface DueMember {
  member: WatchedMember;
  plan: Extract<PollPlan, { due: true }>;
}

/** One tick's reads, in the order the poller hands their parties over. */
export interface TickPlan {
  /** Read and handed over first, before anyone else is read. */
  first: DueMember[];
  /**
   * Then the rest: offered to friends' batch presence reads when the poller watches
   * through friends, the ones those do not show read on their own.
   */
  rest: DueMember[];
}

export interface PollPlanner {
  /** Once, before a run's first tick: members left overdue by a stop go back on their phase. */
  resume(now: Date): Promise<void>;
  plan(now: Date): Promise<TickPlan>;
}

/**
 * The bot's: each member when the schedule says, with the calls it says. Members known to
 * be online come first, as their parties are the quickest to learn.
 */
export class SchedulePlanner implements PollPlanner {
  constructor(
    private readonly db: Store,
    private readonly schedule: ScheduleOptions,
  ) {}

  async resume(now: Date): Promise<void> {
    for (const member of await findDueMembers(this.db, now)) {
      const spread = respread(member.state, now, this.schedule);
      if (spread !== member.state) await saveWatchState(this.db, member.discordUserId, spread, now);
    }
  }

  async plan(now: Date): Promise<TickPlan> {
    const horizon = new Date(now.getTime() + this.schedule.dueSlackMs);
    const first: DueMember[] = [];
    const rest: DueMember[] = [];
    for (const member of await findDueMembers(this.db, horizon)) {
      const plan = planPoll(member.state, now, this.schedule);
      if (!plan.due) continue;
      (member.state.online === true ? first : rest).push({ member, plan });
    }
    return { first, rest };
  }
}
