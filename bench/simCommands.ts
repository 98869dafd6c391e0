/** The IPC protocol between bench/poll.ts and the simulator process (bench/simHost.ts). */
export type SimCommand =
  /** The accounts' ids come from `seed`: a member's poll phase follows from their id. */
  | { op: "setup"; count: number; concurrency: number; seed: number }
  | { op: "presence"; accountId: string; online: boolean }
  | { op: "startParty"; host: string; members: string[] }
  | { op: "endParty"; sessionId: string }
  | { op: "takeRequestCount" }
  /** PSN friendships, as pairs of account ids. */
  | { op: "befriend"; pairs: [string, string][] }
  /** The requests made since the last take, by the account that made them (token), and how many PSN refused with 429. */
  | { op: "takeRequestsByAccount" }
  | { op: "url" };
