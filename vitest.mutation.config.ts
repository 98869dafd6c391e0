import { defineConfig } from "vitest/config";

// Stryker runs this config thousands of times: only the fast unit tests that exercise the pure
// core it mutates (no simulators, no sockets), so one mutant costs a fraction of a second.
export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts", "test/mirror/units.test.ts", "test/bot/invites.test.ts"],
    exclude: ["test/unit/startupErrors.test.ts", "test/unit/vault.test.ts"],
    pool: "forks",
    env: { NODE_ENV: "test" },
  },
});
