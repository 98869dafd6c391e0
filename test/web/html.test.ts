import { describe, expect, it } from "vitest";
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
    ["npsso page", npssoPage({ discordUser: evil, action: "/link/abc", attemptsLeft: 5, error: evil })],
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
