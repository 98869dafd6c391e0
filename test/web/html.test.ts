import { describe, expect, it } from "vitest";
import { npssoSource, PSN_AUTH_BASE_URL } from "../../src/psn/auth.js";
import { escapeHtml, html, messagePage, npssoPage, oauthPage, successPage } from "../../src/web/html.js";

const evil = `<script>alert("x")</script>&'`;

describe("sign-in page markup", () => {
  it.each([
    ["<", "&lt;"],
    [">", "&gt;"],
    ["&", "&amp;"],
    ['"', "&quot;"],
    ["'", "&#39;"],
  ])("escapes %s", (input, out) => {
    expect(escapeHtml(input)).toBe(out);
  });

  it("escapes interpolated strings but not nested markup", () => {
    expect(html`<p>${evil}</p>${html`<b>${"x"}</b>`}`.html).toBe(
      "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p><b>x</b>",
    );
  });

  it.each([
    [
      "npsso page",
      npssoPage({
        discordUser: evil,
        source: npssoSource(PSN_AUTH_BASE_URL),
        action: "/link/abc",
        attemptsLeft: 5,
        error: evil,
      }),
    ],
    ["oauth page", oauthPage({ discordUser: evil, authorizeUrl: `https://x/?a=1&b="2"`, error: evil })],
    ["success page", successPage(evil)],
    ["message page", messagePage(evil, evil, evil)],
  ])("%s never contains raw markup from its inputs", (_what, page) => {
    expect(page).not.toContain("<script>");
    expect(page).toContain("&lt;script&gt;");
    expect(page).not.toMatch(/<script|<img|<iframe|style=|https?:\/\/[^"]*\.(js|css|woff2?)/);
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page).toContain('<link rel="stylesheet" href="/static/style.css">');
  });
});

describe("where the NPSSO page sends a member", () => {
  const page = (authBaseUrl: string) =>
    npssoPage({
      discordUser: "alice",
      source: npssoSource(authBaseUrl),
      action: "/link/abc",
      attemptsLeft: 5,
    });

  it("PSN itself: sign in at playstation.com, then Sony's ssocookie page", () => {
    const links = [...page(PSN_AUTH_BASE_URL).matchAll(/href="(https?:[^"]+)"/g)].map((m) => m[1]);
    expect(links).toEqual(["https://www.playstation.com/", "https://ca.account.sony.com/api/v1/ssocookie"]);
  });

  it("a simulator: its own pages, never playstation.com", () => {
    const html = page("http://127.0.0.1:4567");
    const links = [...html.matchAll(/href="(https?:[^"]+)"/g)].map((m) => m[1]);
    expect(links).toEqual(["http://127.0.0.1:4567/", "http://127.0.0.1:4567/api/v1/ssocookie"]);
    expect(html).not.toMatch(/playstation\.com|sony\.com/);
  });
});
