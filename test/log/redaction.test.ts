import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, scrubSecrets } from "../../src/log.js";

function capture() {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { log: createLogger({ level: "debug", destination }), output: () => chunks.join("") };
}

const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJhY2NvdW50X2lkIjoiMTIzNDUifQ.c2lnbmF0dXJlLXNpbXVsYXRlZA";
const NPSSO = `${"a".repeat(40)}NPSSOSECRET${"b".repeat(13)}`;

describe("log redaction", () => {
  it.each([
    ["accessToken", { accessToken: JWT }],
    ["nested refresh_token", { tokens: { refresh_token: "rt-secret-value-123" } }],
    ["npsso", { npsso: NPSSO }],
    ["authorization header", { headers: { authorization: `Bearer ${JWT}` } }],
    ["cookie header", { req: { headers: { cookie: `npsso=${NPSSO}` } } }],
    ["encryption key", { encryptionKey: "S2V5S2V5S2V5S2V5S2V5S2V5S2V5S2V5S2V5S2V5S2U=" }],
  ])("blanks %s in structured fields", (_name, fields) => {
    const { log, output } = capture();
    log.info(fields, "something happened");
    const secret = JSON.stringify(fields).match(
      /(eyJ[^"]+|rt-secret-value-123|NPSSOSECRET|S2V5S2V5[^"]+)/,
    )?.[0];
    expect(secret).toBeTruthy();
    expect(output()).not.toContain(secret);
    expect(output()).toContain("[Redacted]");
  });

  it("keeps a token out of the log when it travels inside an error", () => {
    const { log, output } = capture();
    const err = new Error(
      `request failed: Authorization: Bearer ${JWT} for url https://x/y?code=v3.SECRETCODE&npsso=${NPSSO}`,
    );
    log.error({ err }, "PSN call failed");
    log.warn(`retrying after ${err.message}`);
    const out = output();
    expect(out).toContain("PSN call failed");
    for (const secret of [JWT, "v3.SECRETCODE", NPSSO]) expect(out).not.toContain(secret);
  });

  it("scrubs secrets out of free text but leaves ordinary text alone", () => {
    expect(scrubSecrets("user 123 joined party abc")).toBe("user 123 joined party abc");
    expect(scrubSecrets(`token=${JWT}`)).toBe("token=[Redacted]");
  });
});
