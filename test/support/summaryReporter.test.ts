import { basename } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { startVitest, type TestModule } from "vitest/node";
import SummaryReporter, { type Counts, countResults } from "./summaryReporter.js";

// The real thing: vitest runs the fixture files (each fails a different way) and the
// reporter reads what vitest reports.
let modules: Map<string, TestModule>;
let line = "";

beforeAll(async () => {
  const exitCode = process.exitCode;
  let seen: ReadonlyArray<TestModule> = [];
  const vitest = await startVitest("test", [], {
    config: false,
    root: process.cwd(),
    include: ["test/support/fixtures/*.fixture.ts"],
    watch: false,
    pool: "threads",
    reporters: [
      new SummaryReporter({
        write: (text) => {
          line += text;
        },
      }),
      {
        onTestRunEnd(testModules) {
          seen = testModules;
        },
      },
    ],
  });
  await vitest.close();
  // The fixtures fail on purpose; their run must not fail this one.
  process.exitCode = exitCode;
  modules = new Map(seen.map((m) => [basename(m.moduleId), m]));
}, 60_000);

describe("the summary line", () => {
  it.each<[string, Counts]>([
    ["failingBeforeAll.fixture.ts", { passed: 0, failed: 2, skipped: 0 }],
    ["failingSuiteHook.fixture.ts", { passed: 1, failed: 1, skipped: 0 }],
    ["failingAfterAll.fixture.ts", { passed: 1, failed: 1, skipped: 0 }],
    ["loadError.fixture.ts", { passed: 0, failed: 1, skipped: 0 }],
    ["skips.fixture.ts", { passed: 1, failed: 1, skipped: 3 }],
  ])("%s counts %j", (file, expected) => {
    const module = modules.get(file);
    expect(module, `vitest ran ${file}`).toBeDefined();
    expect(countResults([module as TestModule])).toEqual(expected);
  });

  it("adds them up in the line CI reads", () => {
    expect(line).toBe("\n3 passed, 6 failed, 3 skipped\n");
  });
});
