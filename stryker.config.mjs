// Mutation testing of the pure core (npm run mutation). Not in CI: a full run takes many minutes
// on two cores. The score per file is reported in docs/benchmarks.md (Mutation testing).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts" },
  plugins: ["@stryker-mutator/vitest-runner"],
  mutate: [
    "src/jobs/reconcile.ts",
    "src/jobs/partyTracker.ts",
    "src/jobs/schedule.ts",
    "src/jobs/batchPlan.ts",
    "src/jobs/friendGraph.ts",
    "src/bot/embeds/partyCard.ts",
    "src/bot/embeds/limits.ts",
    "src/bot/invites/policy.ts",
  ],
  coverageAnalysis: "perTest",
  // Static mutants (module-level constants) would rerun every test file each: hours on two cores.
  // They are reported as ignored, not killed, and do not count in the score.
  ignoreStatic: true,
  concurrency: 2,
  thresholds: { high: 90, low: 80, break: 80 },
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
