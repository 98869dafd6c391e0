import { expect, it } from "vitest";
import { runSoak } from "../../bench/soakRun.js";

// The short soak: the real app against both simulators with faults on both sides,
// five simulated minutes of faults then a calm spell, counted from the simulators.
it("keeps every card exactly once through PSN and Discord faults", async () => {
  const r = await runSoak({ users: 50, guilds: 10, minutes: 5, seed: 7 });
  expect(r.partiesStarted).toBeGreaterThan(10);
  expect(r.announced).toBeGreaterThan(0);
  expect({
    duplicated: r.duplicated,
    missed: r.missed,
    liveForEnded: r.liveForEnded,
    unhandledErrors: r.unhandledErrors,
  }).toEqual({ duplicated: 0, missed: 0, liveForEnded: 0, unhandledErrors: 0 });
  expect(r.maxSpentInBudgetWindow).toBeLessThanOrEqual(r.budget);
  // Members covered by linked friends were read in batches, faults and all.
  expect(r.batchPresenceReads).toBeGreaterThan(0);
  // The new faults ran: cards refused edits (30046), a whole party made to sign in again,
  // friend-list reads failing for some accounts.
  expect(r.editRefusedCards).toBeGreaterThan(0);
  expect(r.wholePartyRelinks).toBeGreaterThan(0);
  expect(r.friendReadsPerAccountDuringOutage.accounts).toBeGreaterThan(0);
}, 120_000);
