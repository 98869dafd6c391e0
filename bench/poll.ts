/**
 * `npm run bench:poll -- --users 10000 --online 0.1 --in-party 0.03 --latency-ms 50`
 *
 * Runs the real Poller (real PsnClient over HTTP to the PSN simulator, a real SQLite file)
 * over simulated time, in three processes: this one holds the workload, the PSN simulator
 * runs in bench/simHost.ts with the given latency, and the poller in bench/pollerHost.ts,
 * so its CPU and memory are measured alone. The clock is moved one interval per tick (or
 * by the tick's real duration when a tick runs longer, as the non-overlapping schedule
 * would); `--real-time` also waits out each interval, as a running bot idles between ticks.
 * Members come online, go offline, start and end parties at random times (seeded PRNG).
 * Discord is not involved: the card sink only records when each party is first seen.
 * Members are PSN friends within communities (`--friends`: the share with at least one
 * linked friend; `--friend-degree`: their mean number of linked friends). The bot's
 * strategy (batched: friends' batch presence reads), the one before it (scheduled: every
 * member read with their own token) and the naive baseline (everyone, presence and
 * parties, every tick) run one after the other on the same world and seed, each beside
 * the floor: the fewest requests any poller keeping issue 12's rules could make on the
 * same world. Prints one JSON line.
 *
 * Fast mode: `npm run bench:poll -- --users 500 --minutes 10`.
 * One strategy: `--strategies batched` (the workload does not depend on the friend graph,
 * so the others' figures are the same for every `--friends`).
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { prng } from "../sim/prng.js";
import { defaultScheduleOptions } from "../src/jobs/schedule.js";
import { forkPoller, type PhaseMemory, type TickResult } from "./pollerCommands.js";
import { tickFloor } from "./pollFloor.js";
import type { PollStrategy } from "./pollStrategies.js";
import type { SimCommand } from "./simCommands.js";

const { values: args } = parseArgs({
  options: {
    users: { type: "string", default: "10000" },
    online: { type: "string", default: "0.1" },
    "in-party": { type: "string", default: "0.03" },
    "latency-ms": { type: "string", default: "50" },
    minutes: { type: "string", default: "20" },
    "naive-minutes": { type: "string" },
    interval: { type: "string", default: "30" },
    concurrency: { type: "string", default: "32" },
    seed: { type: "string", default: "42" },
    friends: { type: "string", default: "0.7" },
    "friend-degree": { type: "string", default: "8" },
    strategies: { type: "string", default: "batched,scheduled,naive" },
    /** Community size as a multiple of the mean degree + 1 (1: close-knit groups where all are friends). */
    "community-size": { type: "string", default: "1.5" },
    /**
     * Ticks one interval apart in real time, as the cron schedule runs them (slow: a 20-minute
     * phase takes 20 minutes). The default runs them back to back, which leaves the poller no
     * idle time between ticks: V8 then collects garbage later than a running bot would.
     */
    "real-time": { type: "boolean", default: false },
  },
});
const FRIENDS = Number(args.friends);
const FRIEND_DEGREE = Number(args["friend-degree"]);
const COMMUNITY_SIZE = Number(args["community-size"]);
const REAL_TIME = args["real-time"];
const STRATEGIES = args.strategies.split(",").map((x) => x.trim()) as PollStrategy[];

const USERS = Number(args.users);
const ONLINE = Number(args.online);
const IN_PARTY = Number(args["in-party"]);
const LATENCY_MS = Number(args["latency-ms"]);
const MINUTES = Number(args.minutes);
const NAIVE_MINUTES = Number(args["naive-minutes"] ?? Math.min(MINUTES, 3));
/** The start-up spread of offline members: one full offline backoff (2 minutes). */
const WARMUP_MS = 2 * 60_000;
const INTERVAL_MS = Number(args.interval) * 1000;
const CONCURRENCY = Number(args.concurrency);
/** Mean length of an online session and of a party, in minutes. */
const SESSION_MIN = 60;
const PARTY_MIN = 20;
const GUILD_ID = "100000000000000001";

const random = prng(Number(args.seed));
/** A random whole number with mean `x`, so small rates are not rounded away. */
const poissonish = (x: number) => Math.floor(x) + (random() < x - Math.floor(x) ? 1 : 0);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

// ---- the simulator process ---------------------------------------------------

class SimProcess {
  private next = 1;
  private readonly waiting = new Map<number, (results: unknown[]) => void>();
  readonly ready: Promise<void>;
  constructor(private readonly child: ChildProcess) {
    let ready!: () => void;
    this.ready = new Promise((r) => {
      ready = r;
    });
    child.on("message", (m: { id: number; results: unknown[] }) => {
      if (m.id === 0) return ready();
      this.waiting.get(m.id)?.(m.results);
      this.waiting.delete(m.id);
    });
  }
  send(cmds: SimCommand[]): Promise<unknown[]> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.send({ id, cmds });
    });
  }
  close(): void {
    this.child.disconnect();
  }
}

// ---- the workload --------------------------------------------------------------

interface Member {
  accountId: string;
  onlineId: string;
  token: string;
  online: boolean;
  onlineSince: number;
  party: string | null;
}

interface PartyEvent {
  kind: "onlineMember" | "comingOnline";
  at: number;
  /** The host has a linked friend (could be covered by a batch read). */
  friend: boolean;
}

interface Detection {
  n: number;
  p50: number | null;
  p95: number | null;
}

interface PhaseResult {
  strategy: PollStrategy;
  simulatedMinutes: number;
  ticks: number;
  psnRequestsPerMemberPerMinute: number;
  /**
   * The least any poller could spend on the same world under issue 12's rules (see
   * tickFloor), per member per minute at one tick per interval: parties reads, batch reads
   * for members with a linked friend, and own reads on the backoff for those without.
   */
  floorRequestsPerMemberPerMinute: {
    total: number;
    parties: number;
    batch: number;
    uncoveredOwn: number;
    /** The batch part is the exact fewest reads (every community small enough to search), not a bound. */
    batchExact: boolean;
  };
  requestsPerTick: { mean: number; max: number };
  tickMs: {
    p50: number;
    p95: number;
    max: number;
    /** The first tick: after a start every member is due at once, or on the start-up spread. */
    first: number;
    /** Ticks after the first WARMUP_MS of the phase, once members are on their steady schedule. */
    afterWarmup: { p50: number | null; p95: number | null };
  };
  detectionSec: {
    onlineMemberStartsParty: Detection & { withLinkedFriend: Detection; withoutLinkedFriend: Detection };
    memberComesOnlineInParty: Detection & {
      withLinkedFriend: Detection;
      withoutLinkedFriend: Detection;
      /** Events after the first WARMUP_MS of the phase: members already on their steady schedule. */
      withLinkedFriendAfterWarmup: Detection;
    };
    undetectedAtEnd: number;
  };
  /** The most PSN requests one account made in the phase (its budget: 300 per 15 minutes). */
  maxRequestsByOneAccount: number;
  /** Requests PSN (the simulator) refused with 429. */
  rateLimited: number;
  /** Where the requests went, per member per minute. */
  requestsPerMemberPerMinuteByEndpoint: Record<string, number>;
  cpuMsPerTick: { mean: number; p95: number };
  peakRssMb: number;
  /** V8's heap after a full collection at the phase's end: what the poller holds between ticks. */
  liveHeapMbAtEnd: number;
  /** The kernel's high-water mark for the poller's process up to the end of this phase (set-up included). */
  processMaxRssMbSoFar: number;
  /** Where the peak sat: V8's heap (used, reserved) and memory outside it (buffers, SQLite). */
  atPeakMb: { heapUsed: number; heapTotal: number; external: number };
}

/** Per-tick sums as requests per member per minute, at one tick per interval. */
function perMemberMinute(
  sums: { parties: number; batch: number; uncoveredOwn: number; batchExact: boolean },
  ticks: number,
): PhaseResult["floorRequestsPerMemberPerMinute"] {
  const rate = (n: number) => round(((n / ticks) * (60_000 / INTERVAL_MS)) / USERS, 3) as number;
  return {
    total: rate(sums.parties + sums.batch + sums.uncoveredOwn),
    parties: rate(sums.parties),
    batch: rate(sums.batch),
    uncoveredOwn: rate(sums.uncoveredOwn),
    batchExact: sums.batchExact,
  };
}

function quantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}
const round = (n: number | null, digits = 1) => (n === null ? null : Number(n.toFixed(digits)));
const detection = (values: number[]): Detection => ({
  n: values.length,
  p50: round(quantile(values, 0.5)),
  p95: round(quantile(values, 0.95)),
});

/**
 * PSN friendships among the members: FRIENDS of them in communities of about
 * COMMUNITY_SIZE × (mean degree + 1) members, each pair in a community friends with the probability that gives FRIEND_DEGREE
 * friends on average; nobody in a community is left without a friend. From its own seed,
 * so the workload's random draws are the same whatever the graph.
 */
function friendGraph(ids: readonly string[], seed: number): [string, string][] {
  const rnd = prng(seed);
  const social = [...ids].sort(() => rnd() - 0.5).slice(0, Math.round(ids.length * FRIENDS));
  const pairs: [string, string][] = [];
  for (let i = 0; i < social.length; ) {
    // Sizes vary ±30% around the mean.
    const size = Math.max(2, Math.round((FRIEND_DEGREE + 1) * COMMUNITY_SIZE * (0.7 + 0.6 * rnd())));
    const group = social.slice(i, i + size);
    i += size;
    if (group.length < 2) {
      // A last one alone joins the previous community's first member.
      if (group[0] && i - size > 0) pairs.push([group[0], social[i - size - 1]!]);
      continue;
    }
    const p = Math.min(1, FRIEND_DEGREE / (group.length - 1));
    const degree = new Map(group.map((g) => [g, 0]));
    for (let a = 0; a < group.length; a++)
      for (let b = a + 1; b < group.length; b++)
        if (rnd() < p) {
          pairs.push([group[a]!, group[b]!]);
          degree.set(group[a]!, degree.get(group[a]!)! + 1);
          degree.set(group[b]!, degree.get(group[b]!)! + 1);
        }
    for (const [g, d] of degree) {
      if (d > 0) continue;
      const other = group.find((x) => x !== g)!;
      pairs.push([g, other]);
    }
  }
  return pairs;
}

async function main(): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url));
  // Compiled (npm run bench:poll) the simulator runs as plain JavaScript too; from source, through tsx.
  const compiled = import.meta.url.endsWith(".js");
  const child = fork(join(here, compiled ? "simHost.js" : "simHost.ts"), [], {
    execArgv: compiled ? ["--enable-source-maps"] : ["--import", "tsx"],
    env: { ...process.env, BENCH_LATENCY_MS: String(LATENCY_MS) },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const sim = new SimProcess(child);
  const poller = forkPoller();
  const dir = mkdtempSync(join(tmpdir(), "ppb-bench-"));
  try {
    await Promise.all([sim.ready, poller.ready]);
    const [url] = (await sim.send([{ op: "url" }])) as [string];
    const [accounts] = (await sim.send([
      { op: "setup", count: USERS, concurrency: 256, seed: Number(args.seed) + 31 },
    ])) as [{ accountId: string; onlineId: string; accessToken: string }[]];
    const members: Member[] = accounts.map((a) => ({
      accountId: a.accountId,
      onlineId: a.onlineId,
      token: a.accessToken,
      online: false,
      onlineSince: 0,
      party: null,
    }));
    const byAccount = new Map(members.map((m) => [m.accountId, m]));

    let clock = Date.UTC(2026, 0, 1, 20, 0, 0);

    // The starting mix: ONLINE of the members online, IN_PARTY of them in parties of 2-3.
    const shuffled = [...members].sort(() => random() - 0.5);
    const onlineCount = Math.round(USERS * ONLINE);
    const setupCmds: SimCommand[] = [];
    for (const m of shuffled.slice(0, onlineCount)) {
      m.online = true;
      m.onlineSince = clock - 60 * 60_000;
      setupCmds.push({ op: "presence", accountId: m.accountId, online: true });
    }
    await sim.send(setupCmds);
    const parties = new Map<string, string[]>();
    let inParty = 0;
    const online = shuffled.slice(0, onlineCount);
    for (let i = 0; inParty < USERS * IN_PARTY && i + 2 < online.length; i += 3) {
      const group = online.slice(i, i + 2 + Math.floor(random() * 2));
      const [sessionId] = (await sim.send([
        { op: "startParty", host: group[0]!.accountId, members: group.slice(1).map((g) => g.accountId) },
      ])) as [string];
      parties.set(
        sessionId,
        group.map((g) => g.accountId),
      );
      for (const g of group) g.party = sessionId;
      inParty += group.length;
    }

    const pairs = friendGraph(
      members.map((m) => m.accountId),
      Number(args.seed) + 7919,
    );
    const hasFriend = new Set(pairs.flat());
    const friendsOf = new Map<string, string[]>();
    for (const [a, b] of pairs) {
      friendsOf.set(a, [...(friendsOf.get(a) ?? []), b]);
      friendsOf.set(b, [...(friendsOf.get(b) ?? []), a]);
    }
    for (let i = 0; i < pairs.length; i += 5000)
      await sim.send([{ op: "befriend", pairs: pairs.slice(i, i + 5000) }]);

    const { baselineRssMb: baseline } = await poller.send<{ baselineRssMb: number }>({
      op: "setup",
      dbPath: join(dir, "bench.sqlite"),
      simUrl: url,
      guildId: GUILD_ID,
      clock,
      intervalMs: INTERVAL_MS,
      concurrency: CONCURRENCY,
      members: members.map((m) => ({ accountId: m.accountId, onlineId: m.onlineId, token: m.token })),
      // From its own seed, so the workload's random draws are the same whatever the strategies.
      friendListsSeed: STRATEGIES.includes("batched") ? Number(args.seed) + 104729 : null,
    });
    // The friend lists read at set-up (as at link time) are not the run's.
    await sim.send([{ op: "takeRequestCount" }, { op: "takeRequestsByAccount" }]);

    const runPhase = async (strategy: PollStrategy, minutes: number): Promise<PhaseResult> => {
      const started = new Map<string, PartyEvent>();
      const detected = new Map<string, number>();
      await poller.send({ op: "phase", strategy });
      for (const id of parties.keys()) detected.set(id, 0);
      await sim.send([{ op: "takeRequestCount" }, { op: "takeRequestsByAccount" }]);

      const end = clock + minutes * 60_000;
      const tickMs: number[] = [];
      const steadyTickMs: number[] = [];
      const phaseStart = clock;
      const cpuMs: number[] = [];
      const requests: number[] = [];
      const floor = { parties: 0, batch: 0, uncoveredOwn: 0, batchExact: true };
      while (clock < end) {
        const tickStart = clock;
        const least = tickFloor(members, friendsOf, defaultScheduleOptions.maxOfflineBackoffMs / INTERVAL_MS);
        floor.parties += least.parties;
        floor.batch += least.batch;
        floor.uncoveredOwn += least.uncoveredOwn;
        floor.batchExact &&= least.batchExact;
        const tick = await poller.send<TickResult>({ op: "tick", clock });
        const elapsed = tick.elapsedMs;
        for (const [sessionId, at] of tick.sightings)
          if (!detected.has(sessionId)) detected.set(sessionId, at);
        tickMs.push(elapsed);
        if (tickStart >= phaseStart + WARMUP_MS) steadyTickMs.push(elapsed);
        cpuMs.push(tick.cpuMs);
        const [count] = (await sim.send([{ op: "takeRequestCount" }])) as [number];
        requests.push(count);
        if (REAL_TIME) await sleep(Math.max(0, INTERVAL_MS - elapsed));
        if (tickMs.length % 10 === 0)
          process.stderr.write(
            `${strategy}: tick ${tickMs.length}, last ${Math.round(elapsed)} ms, ${count} requests\n`,
          );

        // What happens until the next tick, at random times within it.
        const step = Math.max(INTERVAL_MS, elapsed);
        const cmds: SimCommand[] = [];
        const starts: { host: Member; members: Member[]; ev: PartyEvent }[] = [];
        const onlineNow = members.filter((m) => m.online);
        const offlineNow = members.filter((m) => !m.online);
        const scale = step / 60_000;
        // Offline → online to keep the mix; online → offline after a session.
        const leaving = poissonish(onlineNow.length * (scale / SESSION_MIN));
        for (let i = 0; i < leaving; i++) {
          const m = pick(onlineNow);
          if (!m.online || m.party) continue;
          m.online = false;
          cmds.push({ op: "presence", accountId: m.accountId, online: false });
        }
        // Parties end after PARTY_MIN on average.
        for (const [sessionId, group] of parties) {
          if (random() < scale / PARTY_MIN) {
            parties.delete(sessionId);
            for (const a of group) byAccount.get(a)!.party = null;
            cmds.push({ op: "endParty", sessionId });
          }
        }
        // New parties: enough to keep IN_PARTY, half by members already online, half by members coming online.
        // At least one a minute on average, so a small run still measures detection.
        const partyStarts = poissonish(Math.max(((USERS * IN_PARTY) / 2.5) * (scale / PARTY_MIN), scale));
        for (let i = 0; i < partyStarts; i++) {
          const at = tickStart + random() * step;
          if (random() < 0.5) {
            const host = pick(onlineNow);
            // "Online" means the poller could know it: online for a few minutes already.
            if (!host.online || host.party || clock - host.onlineSince < 5 * 60_000) continue;
            const friend = onlineNow.find((f) => f.online && !f.party && f !== host);
            starts.push({
              host,
              members: friend ? [friend] : [],
              ev: { kind: "onlineMember", at, friend: hasFriend.has(host.accountId) },
            });
            host.party = "pending";
            if (friend) friend.party = "pending";
          } else {
            const host = pick(offlineNow);
            if (host.online) continue;
            host.online = true;
            host.onlineSince = at;
            cmds.push({ op: "presence", accountId: host.accountId, online: true });
            starts.push({
              host,
              members: [],
              ev: { kind: "comingOnline", at, friend: hasFriend.has(host.accountId) },
            });
            host.party = "pending";
          }
        }
        // Members coming online without a party, to balance those leaving.
        for (let i = 0; i < leaving - Math.floor(partyStarts / 2); i++) {
          const m = pick(offlineNow);
          if (m.online) continue;
          m.online = true;
          m.onlineSince = tickStart + random() * step;
          cmds.push({ op: "presence", accountId: m.accountId, online: true });
        }
        await sim.send(cmds);
        const startCmds: SimCommand[] = starts.map((s) => ({
          op: "startParty",
          host: s.host.accountId,
          members: s.members.map((m) => m.accountId),
        }));
        const ids = (await sim.send(startCmds)) as string[];
        ids.forEach((sessionId, i) => {
          const s = starts[i]!;
          const group = [s.host, ...s.members];
          parties.set(
            sessionId,
            group.map((g) => g.accountId),
          );
          for (const g of group) g.party = sessionId;
          started.set(sessionId, s.ev);
        });
        clock = tickStart + step;
      }
      const memory = await poller.send<PhaseMemory>({ op: "endPhase" });
      const [budget] = (await sim.send([{ op: "takeRequestsByAccount" }])) as [
        {
          max: number;
          rateLimited: number;
          byEndpoint: Record<string, number>;
        },
      ];

      const delays = { onlineMember: [] as number[], comingOnline: [] as number[] };
      const split = {
        onlineMember: { with: [] as number[], without: [] as number[] },
        comingOnline: { with: [] as number[], without: [] as number[] },
      };
      // At a phase's start every member is on the start-up spread (as after a restart), not yet on
      // the every-tick schedule a linked friend gives: the steady state is measured apart too.
      const steadyFrom = end - minutes * 60_000 + WARMUP_MS;
      const comingOnlineSteady: number[] = [];
      let undetected = 0;
      for (const [sessionId, ev] of started) {
        const at = detected.get(sessionId);
        if (at === undefined || Number.isNaN(at)) {
          // Parties that ended before any tick saw them are not counted as misses.
          if (parties.has(sessionId) && ev.at < end - 150_000) undetected++;
          continue;
        }
        delays[ev.kind].push((at - ev.at) / 1000);
        split[ev.kind][ev.friend ? "with" : "without"].push((at - ev.at) / 1000);
        if (ev.kind === "comingOnline" && ev.friend && ev.at >= steadyFrom)
          comingOnlineSteady.push((at - ev.at) / 1000);
      }
      const ticks = tickMs.length;
      const totalRequests = requests.reduce((a, b) => a + b, 0);
      return {
        strategy,
        simulatedMinutes: round(minutes, 2) as number,
        ticks,
        psnRequestsPerMemberPerMinute: round(totalRequests / USERS / minutes, 3) as number,
        floorRequestsPerMemberPerMinute: perMemberMinute(floor, ticks),
        requestsPerTick: { mean: round(totalRequests / ticks) as number, max: Math.max(...requests) },
        tickMs: {
          p50: round(quantile(tickMs, 0.5)) as number,
          p95: round(quantile(tickMs, 0.95)) as number,
          max: round(Math.max(...tickMs)) as number,
          first: round(tickMs[0] ?? 0) as number,
          afterWarmup: { p50: round(quantile(steadyTickMs, 0.5)), p95: round(quantile(steadyTickMs, 0.95)) },
        },
        detectionSec: {
          onlineMemberStartsParty: {
            ...detection(delays.onlineMember),
            withLinkedFriend: detection(split.onlineMember.with),
            withoutLinkedFriend: detection(split.onlineMember.without),
          },
          memberComesOnlineInParty: {
            ...detection(delays.comingOnline),
            withLinkedFriend: detection(split.comingOnline.with),
            withoutLinkedFriend: detection(split.comingOnline.without),
            withLinkedFriendAfterWarmup: detection(comingOnlineSteady),
          },
          undetectedAtEnd: undetected,
        },
        maxRequestsByOneAccount: budget.max,
        rateLimited: budget.rateLimited,
        requestsPerMemberPerMinuteByEndpoint: Object.fromEntries(
          Object.entries(budget.byEndpoint).map(([e, n]) => [e, round(n / USERS / minutes, 3) as number]),
        ),
        cpuMsPerTick: {
          mean: round(cpuMs.reduce((a, b) => a + b, 0) / ticks) as number,
          p95: round(quantile(cpuMs, 0.95)) as number,
        },
        peakRssMb: memory.peakRssMb,
        liveHeapMbAtEnd: memory.liveHeapMbAtEnd,
        processMaxRssMbSoFar: memory.processMaxRssMbSoFar,
        atPeakMb: memory.atPeakMb,
      };
    };

    // The bot's strategy first, so `--strategies batched` alone measures the very same phase.
    const results: Partial<Record<PollStrategy, PhaseResult>> = {};
    for (const strategy of ["batched", "scheduled", "naive"] as const)
      if (STRATEGIES.includes(strategy))
        results[strategy] = await runPhase(strategy, strategy === "naive" ? NAIVE_MINUTES : MINUTES);
    await poller.send({ op: "close" });
    process.stdout.write(
      `${JSON.stringify({
        measured:
          "real Poller + PsnClient over HTTP to the PSN simulator (separate process) with a real SQLite file, simulated clock; Discord not involved (no-op sink records first sighting; detection = event time → the moment the poller handed the party to the sink, i.e. when its card would be posted); requests counted by the simulator (presence, batch presence, friend lists, parties, share link, partyInfo; the friend lists read before the run, as at link time, are not counted, their refreshes during it are); CPU and RSS of the poller's own process (set up as the bot would be: every friend list read once before the run); floor = the fewest requests any poller keeping issue 12's rules could make on the same world",
        params: {
          users: USERS,
          online: ONLINE,
          inParty: IN_PARTY,
          latencyMs: LATENCY_MS,
          intervalSec: INTERVAL_MS / 1000,
          concurrency: CONCURRENCY,
          seed: Number(args.seed),
          friends: FRIENDS,
          friendDegree: FRIEND_DEGREE,
          communitySize: COMMUNITY_SIZE,
          realTime: REAL_TIME,
        },
        friendGraph: {
          membersWithLinkedFriend: hasFriend.size,
          meanLinkedFriends: round((2 * pairs.length) / Math.max(1, hasFriend.size), 2),
        },
        ...results,
        pollerProcessBaselineRssMb: baseline,
      })}\n`,
    );
  } finally {
    sim.close();
    await poller.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
