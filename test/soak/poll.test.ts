import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);

// The poll benchmark at a small size, from source: three processes (workload, PSN
// simulator, poller), every strategy on the same world, one JSON line out.
it("the poll benchmark measures every strategy against the floor and detects the parties", async () => {
  const { stdout } = await run(
    process.execPath,
    ["--import", "tsx", "bench/poll.ts", "--users", "120", "--minutes", "4", "--naive-minutes", "2"],
    { cwd: process.cwd(), maxBuffer: 10 * 1024 * 1024 },
  );
  const result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
  const rate = (s: string) => result[s].psnRequestsPerMemberPerMinute as number;
  expect(rate("batched")).toBeLessThan(rate("scheduled"));
  expect(rate("scheduled")).toBeLessThan(rate("naive"));
  for (const s of ["batched", "scheduled", "naive"]) {
    // Nobody spends less than the floor; every party started was seen.
    expect(result[s].floorRequestsPerMemberPerMinute.total).toBeLessThanOrEqual(rate(s));
    expect(result[s].detectionSec.undetectedAtEnd).toBe(0);
    expect(result[s].rateLimited).toBe(0);
    expect(result[s].peakRssMb).toBeGreaterThan(result.pollerProcessBaselineRssMb);
  }
  expect(result.batched.requestsPerMemberPerMinuteByEndpoint.presences).toBeGreaterThan(0);
}, 120_000);
