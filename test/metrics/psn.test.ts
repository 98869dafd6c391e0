/** PSN calls that never go out: counted by why, against the PSN simulator. */
import { afterEach, describe, expect, it } from "vitest";
import { Metrics } from "../../src/metrics.js";
import { PsnRateLimitedError } from "../../src/psn/errors.js";
import { type Harness, startHarness } from "../psn/harness.js";
import { parsePrometheusText, seriesValue } from "../support/prometheus.js";

describe("PSN metrics", () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  const read = async (metrics: Metrics, sample: string, labels: Record<string, string> = {}) =>
    seriesValue(parsePrometheusText(await metrics.scrape()), sample, labels);

  it("counts a call skipped because the account's budget is used up past the longest wait", async () => {
    const metrics = new Metrics();
    h = await startHarness({ client: { metrics, budget: { requests: 1, windowMs: 900_000 } } });
    await h.client.getPresence(h.auth, "me");
    await expect(h.client.getPresence(h.auth, "me")).rejects.toBeInstanceOf(PsnRateLimitedError);
    expect(await read(metrics, "ppb_psn_calls_skipped_total", { reason: "budget" })).toBe(1);
    expect(await read(metrics, "ppb_psn_requests_total", { operation: "presence" })).toBe(1);
  });

  it("counts the pause a 429 starts, and the calls it then keeps from going out", async () => {
    const metrics = new Metrics();
    h = await startHarness({ client: { metrics } });
    h.sim.fault("presence", { status: 429, headers: { "retry-after": "60" } });
    await expect(h.client.getPresence(h.auth, "me")).rejects.toBeInstanceOf(PsnRateLimitedError);
    await expect(h.client.getParties(h.auth)).rejects.toBeInstanceOf(PsnRateLimitedError);
    expect(await read(metrics, "ppb_psn_rate_limit_pauses_total")).toBe(1);
    expect(await read(metrics, "ppb_psn_requests_total", { operation: "presence", outcome: "429" })).toBe(1);
    expect(await read(metrics, "ppb_psn_calls_skipped_total", { reason: "paused" })).toBe(1);
    expect(await read(metrics, "ppb_psn_requests_total", { operation: "parties" })).toBe(0);
  });

  it("counts a refresh that fails without an answer apart from one PSN refuses", async () => {
    const metrics = new Metrics();
    h = await startHarness({ client: { metrics, retry: { attempts: 1 } } });
    h.sim.expireAccessTokens();
    h.sim.fault("token", { status: 503 });
    await expect(h.client.getPresence(h.auth, "me")).rejects.toThrow();
    expect(await read(metrics, "ppb_psn_token_refreshes_total", { outcome: "failed" })).toBe(1);
    expect(await read(metrics, "ppb_psn_token_refreshes_total", { outcome: "refused" })).toBe(0);
  });
});
