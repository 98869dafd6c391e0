/** The IPC protocol between bench/poll.ts and the poller's process (bench/pollerHost.ts). */

import { CommandChild } from "./commandChild.js";
import type { PollStrategy } from "./pollStrategies.js";

export interface BenchMember {
  accountId: string;
  onlineId: string;
  /** The access token the simulator issued at sign-in. */
  token: string;
}

export type PollerCommand =
  | {
      op: "setup";
      dbPath: string;
      simUrl: string;
      guildId: string;
      clock: number;
      intervalMs: number;
      concurrency: number;
      members: BenchMember[];
      /** Read every friend list first (the batched strategy's state after a while), from this seed; null: not. */
      friendListsSeed: number | null;
    } /* answered { baselineRssMb }: the process's RSS once its modules were loaded, before any work */
  | { op: "phase"; strategy: PollStrategy }
  | { op: "tick"; clock: number }
  | { op: "endPhase" }
  | { op: "close" };

export interface TickResult {
  elapsedMs: number;
  cpuMs: number;
  /** Parties first handed to the card sink this tick, with the simulated time they would have been posted. */
  sightings: [sessionId: string, at: number][];
}

export interface PhaseMemory {
  /** V8's heap after a full collection at the phase's end: what the poller holds between ticks. */
  liveHeapMbAtEnd: number;
  /** The poller process's highest RSS during the phase (sampled every 25 ms, after a GC at its start). */
  peakRssMb: number;
  /** Where the peak sat: V8's heap (used, reserved) and memory outside it (buffers). */
  atPeakMb: { heapUsed: number; heapTotal: number; external: number };
  /** The kernel's high-water mark for the process so far, set-up included. */
  processMaxRssMbSoFar: number;
}

export type PollerProcess = CommandChild<PollerCommand>;

export function forkPoller(): PollerProcess {
  return CommandChild.fork<PollerCommand>(import.meta.url, "pollerHost", { name: "the poller's process" });
}
