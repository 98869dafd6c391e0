/** The test-side Prometheus text parser: it must reject what a scraper rejects, or the e2e scrape proves little. */
import { describe, expect, it } from "vitest";
import { Metrics } from "../../src/metrics.js";
import { parsePrometheusText, seriesValue } from "../support/prometheus.js";

describe("parsePrometheusText", () => {
  it("reads families, escaped label values and histogram series", () => {
    const exposition = parsePrometheusText(
      [
        "# HELP a_total A counter\\nwith two lines",
        "# TYPE a_total counter",
        'a_total{path="C:\\\\x",quote="say \\"hi\\"",nl="1\\n2"} 3',
        "# TYPE h_seconds histogram",
        'h_seconds_bucket{le="0.5"} 1',
        'h_seconds_bucket{le="+Inf"} 2',
        "h_seconds_sum 0.75",
        "h_seconds_count 2 1700000000000",
        "# TYPE g gauge",
        "g Nan",
        "",
      ].join("\n"),
    );
    expect(exposition.get("a_total")?.help).toBe("A counter\nwith two lines");
    expect(exposition.get("a_total")?.samples[0]?.labels).toEqual({
      path: "C:\\x",
      quote: 'say "hi"',
      nl: "1\n2",
    });
    expect(exposition.get("h_seconds")?.samples.map((s) => s.name)).toEqual([
      "h_seconds_bucket",
      "h_seconds_bucket",
      "h_seconds_sum",
      "h_seconds_count",
    ]);
    expect(seriesValue(exposition, "h_seconds_bucket", { le: "+Inf" })).toBe(2);
    expect(seriesValue(exposition, "h_seconds_bucket")).toBe(3);
    expect(Number.isNaN(exposition.get("g")?.samples[0]?.value)).toBe(true);
  });

  it.each([
    ["a sample without a TYPE", "x 1"],
    ["a value that is not a number", "# TYPE x gauge\nx one"],
    ["an unterminated label value", '# TYPE x gauge\nx{a="1} 1'],
    ["a repeated series", '# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2'],
    ["a bad label name", '# TYPE x gauge\nx{1a="1"} 1'],
    ["an unknown type", "# TYPE x thing"],
    ["_bucket of a counter", "# TYPE x counter\nx_bucket 1"],
  ])("rejects %s", (_what, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });

  it("reads everything a fresh Metrics serves", async () => {
    const metrics = new Metrics();
    metrics.psnRequests.inc({ operation: "presence", outcome: "ok" });
    const exposition = parsePrometheusText(await metrics.scrape());
    expect(seriesValue(exposition, "ppb_psn_requests_total", { operation: "presence" })).toBe(1);
    expect(exposition.get("process_cpu_user_seconds_total")?.type).toBe("counter");
  });
});
