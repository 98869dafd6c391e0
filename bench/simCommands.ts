/** The IPC protocol between bench/poll.ts and the simulator process (bench/simHost.ts). */
export type SimCommand =
  | { op: "setup"; count: number; concurrency: number }
  | { op: "presence"; accountId: string; online: boolean }
  | { op: "startParty"; host: string; members: string[] }
  | { op: "endParty"; sessionId: string }
  | { op: "takeRequestCount" }
  | { op: "url" };
