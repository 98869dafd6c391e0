import { describe, expect, it } from "vitest";
import { type ChromiumChoice, chooseChromium, SYSTEM_CHROMIUM } from "./browser.js";

describe("chooseChromium", () => {
  it.each<[string, string | undefined, boolean, ChromiumChoice]>([
    ["Debian's when installed", undefined, true, { kind: "path", path: SYSTEM_CHROMIUM }],
    ["the npm one on a bare machine", undefined, false, { kind: "bundled" }],
    ["the npm one when forced", "bundled", true, { kind: "bundled" }],
    ["Debian's when forced", "system", false, { kind: "path", path: SYSTEM_CHROMIUM }],
    ["a given binary", "/opt/chrome/chrome", true, { kind: "path", path: "/opt/chrome/chrome" }],
  ])("%s", (_name, override, systemInstalled, expected) => {
    expect(chooseChromium(override, (p) => systemInstalled && p === SYSTEM_CHROMIUM)).toEqual(expected);
  });
});
