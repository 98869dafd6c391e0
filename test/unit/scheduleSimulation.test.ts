/**
 * One hour of 30 s ticks over 10,000 synthetic members, about 10% of them online at any
 * time, driven only by planPoll/afterObservation: the request budget and the detection
 * delays the poller can promise.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { prng } from "../../sim/prng.js";
import type { WatchState } from "../../src/domain/watch.js";
import {
  afterObservation,
  defaultScheduleOptions,
  newWatchState,
  planPoll,
} from "../../src/jobs/schedule.js";

const opts = defaultScheduleOptions;
const MEMBERS = 10_000;
const HOUR_S = 3600;
const TICK_S = opts.tickMs / 1000;
const T0 = Date.parse("2026-03-01T12:00:00Z");

interface Interval {
  from: number;
  to: number;
}

interface SimMember {
  id: string;
  online: Interval[];
  parties: Interval[];
}

const MEAN_ONLINE_S = 30 * 60;
const MEAN_OFFLINE_S = 9 * MEAN_ONLINE_S; // 10% online in the long run

function synthesize(random: () => number): SimMember[] {
  const exp = (mean: number) => -mean * Math.log(1 - random());
  return Array.from({ length: MEMBERS }, (_, i) => {
    const online: Interval[] = [];
    const parties: Interval[] = [];
    let isOnline = random() < 0.1;
    // Start mid-session, so the state at t=0 is already the steady one.
    let t = -exp(isOnline ? MEAN_ONLINE_S : MEAN_OFFLINE_S) * random();
    while (t < HOUR_S) {
      const length = exp(isOnline ? MEAN_ONLINE_S : MEAN_OFFLINE_S);
      if (isOnline) {
        const session = { from: t, to: t + length };
        online.push(session);
        if (random() < 0.6) {
          const start = session.from + random() * length * 0.7;
          parties.push({ from: start, to: Math.min(session.to, start + exp(20 * 60)) });
        }
      }
      t += length;
      isOnline = !isOnline;
    }
    return { id: `${2_700_000_000_000_000_000n + BigInt(i) * 104_729n}`, online, parties };
  });
}

const within = (list: Interval[], t: number) => list.some((i) => i.from <= t && t < i.to);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

interface Simulation {
  members: SimMember[];
  requests: number;
  watchedOnline: number[][];
  sawParty: number[][];
  believedOnline: number[][];
}

/** The hour of ticks; run once before the tests (not while they are collected). */
function simulate(): Simulation {
  const members = synthesize(prng(20260301));
  const states: WatchState[] = members.map((m) => newWatchState(m.id, new Date(T0), opts));
  let requests = 0;
  /** Per member: the ticks (s) after which the poller treated the member as online / saw a party. */
  const watchedOnline = members.map(() => [] as number[]);
  const sawParty = members.map(() => [] as number[]);
  /** Per member: the ticks at which the poller believed the member online before the tick. */
  const believedOnline = members.map(() => [] as number[]);

  for (let t = 0; t < HOUR_S; t += TICK_S) {
    const now = new Date(T0 + t * 1000);
    members.forEach((m, i) => {
      const state = states[i]!;
      if (state.online === true) believedOnline[i]!.push(t);
      const plan = planPoll(state, now, opts);
      if (!plan.due) return;
      const online = within(m.online, t);
      const inParty = online && within(m.parties, t);
      let presence: boolean | null = null;
      let partyCount: number | null = null;
      if (plan.presence) {
        requests++;
        presence = online;
      }
      if (plan.parties || (plan.partiesIfOnline && presence === true)) {
        requests++;
        partyCount = inParty ? 1 : 0;
      }
      if ((partyCount ?? 0) > 0) sawParty[i]!.push(t);
      states[i] = afterObservation(state, { kind: "observed", online: presence, partyCount }, now, opts);
    });
    states.forEach((state, i) => {
      if (state.online === true) watchedOnline[i]!.push(t);
    });
  }
  return { members, requests, watchedOnline, sawParty, believedOnline };
}

describe("poll schedule over 10,000 members for an hour", () => {
  let members: SimMember[] = [];
  let requests = 0;
  let watchedOnline: number[][] = [];
  let sawParty: number[][] = [];
  let believedOnline: number[][] = [];
  beforeAll(() => {
    ({ members, requests, watchedOnline, sawParty, believedOnline } = simulate());
  }, 120_000);

  it("costs at most 0.8 PSN requests per member per minute", () => {
    const perMemberPerMinute = requests / MEMBERS / (HOUR_S / 60);
    expect(perMemberPerMinute).toBeLessThanOrEqual(0.8);
    // And the online share is what the scenario claims.
    const onlineAtEnd = members.filter((m) => within(m.online, HOUR_S - 1)).length / MEMBERS;
    expect(onlineAtEnd).toBeGreaterThan(0.07);
    expect(onlineAtEnd).toBeLessThan(0.13);
  });

  // Counted from the session's start to the first tick after which the poller reads the
  // member's parties every tick (a member back before its going offline was noticed counts too).
  it("notices a member coming online within 150 s (p95)", () => {
    const delays: number[] = [];
    members.forEach((m, i) => {
      for (const session of m.online) {
        if (session.from <= 0 || session.from > HOUR_S - 200) continue;
        const seen = watchedOnline[i]!.find((t) => t >= session.from && t < session.to);
        if (seen !== undefined) delays.push(seen - session.from);
        else if (session.to > HOUR_S) delays.push(Number.POSITIVE_INFINITY);
        // A session shorter than the backoff may go unseen: nobody can join it anyway.
      }
    });
    expect(delays.length).toBeGreaterThan(500);
    expect(percentile(delays, 0.95)).toBeLessThanOrEqual(150);
    expect(Math.max(...delays)).toBeLessThanOrEqual(opts.maxOfflineBackoffMs / 1000 + TICK_S);
  });

  it("notices a party started by a member known to be online within one tick", () => {
    const delays: number[] = [];
    members.forEach((m, i) => {
      for (const party of m.parties) {
        // Only parties started while the poller already knew the member was online.
        const tickBefore = Math.floor(party.from / TICK_S) * TICK_S;
        if (party.from <= 0 || party.from > HOUR_S - 2 * TICK_S) continue;
        if (!believedOnline[i]!.includes(tickBefore)) continue;
        const seen = sawParty[i]!.find((t) => t >= party.from && t < party.to);
        if (seen !== undefined) delays.push(seen - party.from);
        else if (party.to - party.from > TICK_S) delays.push(Number.POSITIVE_INFINITY);
      }
    });
    expect(delays.length).toBeGreaterThan(100);
    expect(percentile(delays, 0.95)).toBeLessThanOrEqual(TICK_S);
    expect(Math.max(...delays)).toBeLessThanOrEqual(TICK_S);
  });
});
