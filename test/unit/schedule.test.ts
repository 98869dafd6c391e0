import { describe, expect, it } from "vitest";
import type { WatchState } from "../../src/domain/watch.js";
import {
  afterObservation,
  defaultScheduleOptions,
  newWatchState,
  nextPollAt,
  type Observation,
  offlineBackoffMs,
  planPoll,
  pollOffsetMs,
  requestCount,
  respread,
} from "../../src/jobs/schedule.js";

const opts = defaultScheduleOptions;
const T0 = new Date("2026-03-01T12:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const s = (n: number) => n * 1000;

function member(over: Partial<WatchState> = {}): WatchState {
  return {
    accountId: "1111111111111111111",
    online: null,
    offlineStreak: 0,
    errorStreak: 0,
    nextPollAt: T0,
    lastPresenceAt: null,
    lastPartiesAt: null,
    inParty: false,
    recheckPresence: false,
    needsRelink: false,
    announcedSomewhere: true,
    ...over,
  };
}

const observed = (online: boolean | null, partyCount: number | null): Observation => ({
  kind: "observed",
  online,
  partyCount,
});

describe("planPoll", () => {
  it.each([
    ["needs relink", member({ needsRelink: true, online: true })],
    ["announced nowhere", member({ announcedSomewhere: false, online: true })],
    ["needs relink and announced nowhere", member({ needsRelink: true, announcedSomewhere: false })],
    ["not yet due (offline)", member({ online: false, nextPollAt: at(s(60)) })],
    ["not yet due (online, rate limited)", member({ online: true, nextPollAt: at(s(90)) })],
  ])("never polls: %s", (_name, m) => {
    expect(planPoll(m, T0, opts)).toEqual({ due: false });
  });

  it.each([
    ["unknown", member({ online: null })],
    ["offline", member({ online: false, offlineStreak: 3 })],
    ["offline, slightly early tick", member({ online: false, nextPollAt: at(s(1)) })],
  ])("reads presence first, parties only if online: %s", (_name, m) => {
    expect(planPoll(m, T0, opts)).toEqual({
      due: true,
      presence: true,
      parties: false,
      partiesIfOnline: true,
    });
  });

  it.each([
    // [last presence read (ms before now), recheck flag, expect presence]
    [s(30), false, false],
    [s(4 * 60 + 59), false, false],
    [s(5 * 60), false, true],
    [s(20 * 60), false, true],
    [s(30), true, true],
    [null, false, true],
  ])("online member, presence read %s ms ago, recheck=%s → presence %s", (ago, recheck, presence) => {
    const m = member({
      online: true,
      lastPresenceAt: ago === null ? null : at(-ago),
      recheckPresence: recheck,
    });
    const plan = planPoll(m, T0, opts);
    expect(plan).toEqual(
      presence
        ? { due: true, presence: true, parties: false, partiesIfOnline: true }
        : { due: true, presence: false, parties: true, partiesIfOnline: false },
    );
  });
});

describe("afterObservation", () => {
  it.each([
    // online member: every tick, whether presence was read or not
    ["online via presence", member({ online: false }), observed(true, 0), s(30)],
    ["online via parties only", member({ online: true }), observed(null, 1), s(30)],
    ["in a party proves online", member({ online: false }), observed(null, 2), s(30)],
  ])("%s → next tick", (_name, m, obs, wait) => {
    const next = afterObservation(m, obs, T0, opts);
    expect(next.online).toBe(true);
    expect(next.offlineStreak).toBe(0);
    expect(next.nextPollAt.getTime() - T0.getTime()).toBe(wait);
  });

  it.each([
    [1, s(30)],
    [2, s(60)],
    [3, s(120)],
    [4, s(120)],
    [50, s(120)],
  ])("offline streak %i → backoff %i ms", (streak, backoff) => {
    expect(offlineBackoffMs(streak, opts)).toBe(backoff);
  });

  it.each([
    ["30 s tick, 2 min cap", { tickMs: s(30), maxOfflineBackoffMs: s(120) }, [30, 60, 120, 120, 120]],
    ["10 s tick, 60 s cap", { tickMs: s(10), maxOfflineBackoffMs: s(60) }, [10, 20, 40, 60, 60]],
  ])("offline intervals grow and cap, and never exceed the backoff: %s", (_name, over, expected) => {
    const o = { ...opts, ...over };
    let m = member({ online: true });
    let now = T0;
    const gaps: number[] = [];
    for (let i = 0; i < expected.length + 3; i++) {
      m = afterObservation(m, observed(false, null), now, o);
      gaps.push((m.nextPollAt.getTime() - now.getTime()) / 1000);
      now = m.nextPollAt;
    }
    // Each gap is at most the backoff of its streak (a first gap may be shorter, to reach the
    // member's phase); once on its phase, the member stays there.
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThan(0);
      expect(gap).toBeLessThanOrEqual(expected[i] ?? over.maxOfflineBackoffMs / 1000);
    });
    expect(gaps.slice(-3)).toEqual([
      over.maxOfflineBackoffMs / 1000,
      over.maxOfflineBackoffMs / 1000,
      over.maxOfflineBackoffMs / 1000,
    ]);
    expect(m.offlineStreak).toBe(expected.length + 3);
  });

  it("a member never observed and found offline stays on the full interval, not the ramp", () => {
    let m = member({ online: null });
    let now = T0;
    const gaps: number[] = [];
    for (let i = 0; i < 4; i++) {
      m = afterObservation(m, observed(false, null), now, opts);
      gaps.push(m.nextPollAt.getTime() - now.getTime());
      now = m.nextPollAt;
    }
    // The first gap may be shorter, to reach the member's phase; then the full interval each time.
    expect(gaps.slice(1)).toEqual([
      opts.maxOfflineBackoffMs,
      opts.maxOfflineBackoffMs,
      opts.maxOfflineBackoffMs,
    ]);
    // Seen online and then offline again, the ramp starts over.
    m = afterObservation(m, observed(true, 0), now, opts);
    m = afterObservation(m, observed(false, null), m.nextPollAt, opts);
    expect(m.offlineStreak).toBe(1);
  });

  it("keeps an offline member on its phase when ticks run late", () => {
    let m = member({ online: false, offlineStreak: 5 });
    m = afterObservation(m, observed(false, null), T0, opts);
    const phase = m.nextPollAt.getTime();
    // The tick that polls it starts 1.7 s after its time.
    const late = afterObservation(m, observed(false, null), new Date(phase + 1700), opts);
    expect(late.nextPollAt.getTime()).toBe(phase + opts.maxOfflineBackoffMs);
  });

  it.each([
    ["with a time in the future", { kind: "rateLimited", until: at(s(400)) } as Observation, s(400)],
    ["with a time in the past: next tick", { kind: "rateLimited", until: at(-s(5)) } as Observation, s(30)],
    ["without a time", { kind: "rateLimited", until: null } as Observation, opts.unavailableBackoffMs],
  ])("rate limited %s", (_name, obs, wait) => {
    const m = afterObservation(member({ online: true }), obs, T0, opts);
    expect(m.nextPollAt.getTime() - T0.getTime()).toBe(wait);
    expect(m.online).toBe(true);
    expect(planPoll(m, at(wait - s(10)), opts)).toEqual({ due: false });
    expect(planPoll(m, at(wait), opts).due).toBe(true);
  });

  it.each([
    [0, s(30)],
    [1, s(60)],
    [2, s(120)],
    [3, s(240)],
    [4, s(300)],
    [10, s(300)],
  ])("unavailable after %i earlier failures → waits %i ms", (streak, wait) => {
    const m = afterObservation(
      member({ online: false, errorStreak: streak }),
      { kind: "unavailable" },
      T0,
      opts,
    );
    expect(m.errorStreak).toBe(streak + 1);
    expect(m.nextPollAt.getTime() - T0.getTime()).toBe(wait);
    // Due again on the tick at that time: a single failure costs one tick, no more.
    expect(planPoll(m, at(wait), opts).due).toBe(true);
  });

  it("a successful observation clears the error streak", () => {
    const m = afterObservation(member({ errorStreak: 4 }), observed(false, null), T0, opts);
    expect(m.errorStreak).toBe(0);
  });

  it("needs relink: never polled again", () => {
    const m = afterObservation(member({ online: true }), { kind: "needsRelink" }, T0, opts);
    expect(m.needsRelink).toBe(true);
    expect(planPoll(m, at(s(3600)), opts)).toEqual({ due: false });
  });

  it.each([
    // [was in party, observation, expect recheck]
    [true, observed(null, 0), true],
    [false, observed(null, 0), false],
    [true, observed(null, 1), false],
    [true, observed(true, 0), false],
  ])("in party %s, then %j → recheck presence %s", (inParty, obs, recheck) => {
    const m = afterObservation(member({ online: true, inParty, lastPresenceAt: T0 }), obs, at(s(30)), opts);
    expect(m.recheckPresence).toBe(recheck);
    if (recheck) expect(planPoll(m, at(s(60)), opts)).toMatchObject({ due: true, presence: true });
  });

  it("records when presence and parties were read", () => {
    const m = afterObservation(
      member({ online: true, lastPresenceAt: T0 }),
      observed(null, 1),
      at(s(30)),
      opts,
    );
    expect(m.lastPresenceAt).toEqual(T0);
    expect(m.lastPartiesAt).toEqual(at(s(30)));
    expect(m.inParty).toBe(true);
    const m2 = afterObservation(m, observed(true, 1), at(s(60)), opts);
    expect(m2.lastPresenceAt).toEqual(at(s(60)));
  });

  it("nextPollAt is afterObservation's time", () => {
    const m = member({ online: false, offlineStreak: 1 });
    expect(nextPollAt(m, observed(false, null), T0, opts)).toEqual(
      afterObservation(m, observed(false, null), T0, opts).nextPollAt,
    );
  });
});

describe("spreading", () => {
  const ids = Array.from({ length: 10_000 }, (_, i) => `${7_000_000_000_000_000_000n + BigInt(i) * 7919n}`);

  it("offsets are stable and within the offline cycle", () => {
    for (const id of ids.slice(0, 100)) {
      const o = pollOffsetMs(id, opts);
      expect(o).toBe(pollOffsetMs(id, opts));
      expect(o).toBeGreaterThanOrEqual(0);
      expect(o).toBeLessThan(opts.maxOfflineBackoffMs);
    }
  });

  it.each([
    ["new members", (id: string) => newWatchState(id, T0, opts)],
    [
      "members overdue after a restart",
      (id: string) => respread(member({ accountId: id, online: false, nextPollAt: at(-s(3600)) }), T0, opts),
    ],
  ])("%s are spread evenly over the ticks of one offline cycle", (_name, make) => {
    const perTick = new Map<number, number>();
    for (const id of ids) {
      const m = make(id);
      const wait = m.nextPollAt.getTime() - T0.getTime();
      expect(wait).toBeGreaterThanOrEqual(0);
      expect(wait).toBeLessThan(opts.maxOfflineBackoffMs);
      const tick = Math.ceil((wait - opts.dueSlackMs) / opts.tickMs);
      perTick.set(tick, (perTick.get(tick) ?? 0) + 1);
    }
    const ticks = opts.maxOfflineBackoffMs / opts.tickMs;
    expect(perTick.size).toBeLessThanOrEqual(ticks + 1);
    for (const count of perTick.values()) expect(count).toBeLessThan((ids.length / ticks) * 1.35);
  });

  it("members polled together drift back onto their own phases", () => {
    // An outage made every member fail at the same moment; they all retry on one tick.
    let members = ids.map((id) => member({ accountId: id, online: false, offlineStreak: 9, nextPollAt: T0 }));
    members = members.map((m) => afterObservation(m, observed(false, null), T0, opts));
    const perTick = new Map<number, number>();
    for (const m of members) {
      const tick = Math.ceil((m.nextPollAt.getTime() - T0.getTime() - opts.dueSlackMs) / opts.tickMs);
      perTick.set(tick, (perTick.get(tick) ?? 0) + 1);
    }
    expect(Math.max(...perTick.values())).toBeLessThan(ids.length / 2);
  });

  it("respread leaves online and on-time members alone", () => {
    const online = member({ online: true, nextPollAt: at(-s(3600)) });
    expect(respread(online, T0, opts)).toBe(online);
    const onTime = member({ online: false, nextPollAt: at(-s(10)) });
    expect(respread(onTime, T0, opts)).toBe(onTime);
  });

  it("an immediate new member is due at once", () => {
    const m = newWatchState("42", T0, opts, { immediate: true });
    expect(planPoll(m, T0, opts)).toMatchObject({ due: true, presence: true });
  });
});

describe("requestCount", () => {
  it.each([
    [{ due: false } as const, true, 0],
    [{ due: true, presence: true, parties: false, partiesIfOnline: true } as const, false, 1],
    [{ due: true, presence: true, parties: false, partiesIfOnline: true } as const, true, 2],
    [{ due: true, presence: false, parties: true, partiesIfOnline: false } as const, true, 1],
  ])("%j, online=%s → %i", (plan, online, n) => {
    expect(requestCount(plan, online)).toBe(n);
  });
});

describe("members a linked friend's batch read covers", () => {
  it.each([
    ["covered: checked again on the next tick, however long offline", true, 9, s(30)],
    ["not covered: the offline backoff, as before", false, 9, opts.maxOfflineBackoffMs],
  ])("%s", (_name, covered, streak, wait) => {
    const m = member({ online: false, offlineStreak: streak, nextPollAt: T0 });
    const next = afterObservation(m, observed(false, null), T0, opts, covered);
    expect(next.offlineStreak).toBe(streak + 1);
    expect(next.nextPollAt.getTime() - T0.getTime()).toBeLessThanOrEqual(wait);
    if (covered) expect(next.nextPollAt).toEqual(at(opts.tickMs));
    else expect(next.nextPollAt.getTime()).toBeGreaterThan(at(opts.tickMs).getTime());
  });

  it("covered or not, an online member is read every tick and failures back off the same", () => {
    const m = member({ online: false, nextPollAt: T0 });
    expect(afterObservation(m, observed(true, 0), T0, opts, true)).toEqual(
      afterObservation(m, observed(true, 0), T0, opts, false),
    );
    expect(afterObservation(m, { kind: "unavailable" }, T0, opts, true)).toEqual(
      afterObservation(m, { kind: "unavailable" }, T0, opts, false),
    );
  });
});
