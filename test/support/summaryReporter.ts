import type { Reporter, TestCase, TestModule } from "vitest/node";

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

/**
 * A test that was meant to run but did not because a hook around it (a `beforeAll` in
 * its file or suite) threw: vitest reports it skipped, yet the run fails, so it counts
 * as failed. An enclosing suite or file with errors of its own is that hook.
 */
function blockedBySetup(test: TestCase): boolean {
  if (test.options.mode !== "run" && test.options.mode !== "only") return false;
  for (let parent = test.parent; ; parent = parent.parent) {
    if (parent.errors().length > 0) return true;
    if (parent.type === "module") return false;
  }
}

export function countResults(testModules: ReadonlyArray<TestModule>): Counts {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const module of testModules) {
    const failedBefore = counts.failed;
    for (const test of module.children.allTests()) {
      const state = test.result().state;
      if (state === "passed") counts.passed++;
      else if (state === "failed" || blockedBySetup(test)) counts.failed++;
      else counts.skipped++;
    }
    // A file that failed with no failed test (it did not load, or an afterAll threw)
    // fails the run all the same: it counts once.
    if (module.state() === "failed" && counts.failed === failedBefore) counts.failed++;
  }
  return counts;
}

/**
 * Ends the run with one plain line, "N passed, N failed[, N skipped]", that CI and
 * people can read without parsing vitest's coloured summary.
 */
export default class SummaryReporter implements Reporter {
  private readonly write: (text: string) => void;

  /** vitest passes the reporter's options from its config; tests pass `write` to read the line. */
  constructor(options: { write?: (text: string) => void } = {}) {
    this.write = options.write ?? ((text) => process.stdout.write(text));
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = countResults(testModules);
    const skipped = counts.skipped ? `, ${counts.skipped} skipped` : "";
    this.write(`\n${counts.passed} passed, ${counts.failed} failed${skipped}\n`);
  }
}
