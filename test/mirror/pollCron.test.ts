/**
 * The poller's schedule on the real node-cron and the real clock: a tick that runs
 * longer than the interval makes the firings during it skip instead of piling up.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { expect, it } from "vitest";
import { startPollCron } from "../../src/jobs/pollCron.js";
import { silentLogger } from "../../src/log.js";

it("skips the firings that come while its tick still runs, and ticks again once it is done", async () => {
  let calls = 0;
  let release = () => {};
  let firstStarted = () => {};
  let secondStarted = () => {};
  const first = new Promise<void>((resolve) => {
    firstStarted = resolve;
  });
  const second = new Promise<void>((resolve) => {
    secondStarted = resolve;
  });
  const tick = () => {
    calls++;
    if (calls === 1) {
      firstStarted();
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    }
    secondStarted();
    return Promise.resolve();
  };
  const cron = startPollCron({ intervalSeconds: 1, tick, log: silentLogger() });
  try {
    await first;
    // Two firings come and go while the first tick runs: that nothing starts can only be waited out.
    await sleep(2_200);
    expect(calls).toBe(1);
    release();
    await second;
    expect(calls).toBe(2);
  } finally {
    await cron.stop();
  }
});
