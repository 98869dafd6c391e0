import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";
import { configProblems, VALID_ENV as valid } from "../support/config.js";

const problems = configProblems;

describe("metrics configuration", () => {
  it("serves /metrics on the web server unless METRICS_PORT is set; its own listener is local by default", () => {
    expect(parseConfig(valid).metrics).toEqual({ host: "127.0.0.1", port: null });
    expect(parseConfig({ ...valid, METRICS_PORT: "9464" }).metrics).toEqual({
      host: "127.0.0.1",
      port: 9464,
    });
    expect(parseConfig({ ...valid, METRICS_PORT: "9464", METRICS_HOST: "0.0.0.0" }).metrics.host).toBe(
      "0.0.0.0",
    );
  });

  it("refuses a METRICS_PORT that is not a port, or that is WEB_PORT", () => {
    expect(problems({ ...valid, METRICS_PORT: "99999" })).toEqual([
      "METRICS_PORT: expected a TCP port of at most 65535",
    ]);
    expect(problems({ ...valid, WEB_PORT: "8080", METRICS_PORT: "8080" })).toEqual([
      "METRICS_PORT: expected a port other than WEB_PORT (leave METRICS_PORT unset to serve /metrics there)",
    ]);
  });
});
