import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { runCrash } from "../../bench/crashRun.js";

const main = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const tsx = import.meta.resolve("tsx");

// The real process, SIGKILLed once at each exact moment around a card's Discord call
// (held at the simulator), once at random, and restarted once past the nonce window.
it("loses no card, link or ending and posts none twice across SIGKILLs", async () => {
  const r = await runCrash({
    cycles: 5,
    members: 5,
    seed: 3,
    nonceWindowEvery: 2,
    command: { file: process.execPath, args: ["--import", tsx, main] },
  });
  expect(r.momentsNotReached).toBe(0);
  expect(r.restartsAfterNonceWindow).toBeGreaterThan(0);
  expect({
    duplicated: r.duplicated,
    lost: r.lost,
    liveForEnded: r.liveForEnded,
    lostLinks: r.lostLinks,
  }).toEqual({ duplicated: 0, lost: 0, liveForEnded: 0, lostLinks: 0 });
}, 120_000);
