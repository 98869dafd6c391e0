import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // End-to-end tests start real servers and a real discord.js client; give them room
    // on a 2-core CI machine without letting a hung test stall the run.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    env: { NODE_ENV: "test" },
    reporters: ["default", "./test/support/summaryReporter.ts"],
  },
});
