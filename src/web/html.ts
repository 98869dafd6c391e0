/** HTML for the sign-in pages: pure functions from facts to markup, everything escaped. */
import type { NpssoSource } from "../psn/auth.js";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Marks a string as already-safe markup; only the functions below create one. */
export interface Html {
  readonly html: string;
}

const raw = (html: string): Html => ({ html });

/** Tagged template: interpolated strings are escaped, interpolated Html is not. */
export function html(strings: TemplateStringsArray, ...values: Array<string | number | Html | Html[]>): Html {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    if (Array.isArray(value)) out += value.map((v) => v.html).join("");
    else if (typeof value === "object") out += value.html;
    else out += escapeHtml(String(value));
    out += strings[i + 1] ?? "";
  });
  return raw(out);
}

function layout(title: string, body: Html, className = ""): string {
  return `<!doctype html>${
    html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${title} · PSN Party Bridge</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<main class="${className}">
${body}
</main>
<footer>PSN Party Bridge · a Discord bot run by your server's admins</footer>
</body>
</html>
`.html
  }`;
}

const promises = html`<h2>What the bot will do with your account</h2>
<ul>
<li>Read your presence and the parties you are in, to announce joinable parties in Discord.</li>
<li>Send party invitations from your account only as your settings allow (change them any time).</li>
</ul>
<h2>What it will never do</h2>
<ul>
<li>See your password: you sign in with PlayStation, not here.</li>
<li>Post, message or buy anything as you.</li>
</ul>
<p>You can remove the link any time with <code>/unlink</code> in Discord.</p>`;

function who(discordUser: string): Html {
  return html`<p class="who">Linking for Discord user <strong>${discordUser}</strong>. Not you? Close this page.</p>`;
}

function notice(kind: "error" | "ok", text: string): Html {
  return html`<p class="notice ${kind}" role="${kind === "error" ? "alert" : "status"}">${text}</p>`;
}

export interface NpssoPageView {
  discordUser: string;
  /** Where to sign in and read the NPSSO: PlayStation's pages, or a simulator's own. */
  source: NpssoSource;
  /** Where the form posts: the page's own path. */
  action: string;
  attemptsLeft: number;
  error?: string;
}

export function npssoPage(view: NpssoPageView): string {
  const attempts =
    view.attemptsLeft === 1
      ? "1 attempt left for this link."
      : `${view.attemptsLeft} attempts left for this link.`;
  return layout(
    "Link your PlayStation account",
    html`<div class="card">
<h1>Link your PlayStation account</h1>
${who(view.discordUser)}
${view.error ? notice("error", view.error) : html``}
<h2>How to sign in</h2>
<ol>
<li>Sign in at <a href="${view.source.signInUrl}" target="_blank" rel="noopener noreferrer">${view.source.signInName}</a>.</li>
<li>In the same browser, open <a href="${view.source.ssocookieUrl}" target="_blank" rel="noopener noreferrer">${view.source.ssocookieUrl}</a>.
It shows <code>{"npsso":"…"}</code>.</li>
<li>Copy the 64-character value after <code>npsso</code> (copying the whole line is fine too).</li>
<li>Paste it below and press <strong>Link account</strong>.</li>
</ol>
<form method="post" action="${view.action}" autocomplete="off">
<label for="npsso">Your NPSSO</label>
<input type="text" id="npsso" name="npsso" required maxlength="4096" autocomplete="off" autocapitalize="off"
 autocorrect="off" spellcheck="false" inputmode="text" placeholder="64 characters">
<button class="button" type="submit">Link account</button>
</form>
<p class="hint">The NPSSO works like a password for your PlayStation sign-in: paste it only here. The bot uses it once
to sign in and forgets it. ${attempts}</p>
</div>
<div class="card">${promises}</div>`,
  );
}

export interface OAuthPageView {
  discordUser: string;
  authorizeUrl: string;
  error?: string;
}

export function oauthPage(view: OAuthPageView): string {
  return layout(
    "Link your PlayStation account",
    html`<div class="card">
<h1>Link your PlayStation account</h1>
${who(view.discordUser)}
${view.error ? notice("error", view.error) : html``}
<p>You will sign in on PlayStation's own page and come back here.</p>
<a class="button" href="${view.authorizeUrl}" rel="noreferrer">Sign in with PlayStation</a>
</div>
<div class="card">${promises}</div>`,
  );
}

export function successPage(onlineId: string): string {
  return layout(
    `Linked as ${onlineId}`,
    html`<div class="card">
<h1>Linked as ${onlineId}</h1>
${notice("ok", "Your PlayStation account is linked. You will also get a confirmation in Discord.")}
<p>You can close this page. In Discord, <code>/me</code> shows your link and <code>/unlink</code> removes it.</p>
</div>`,
    "done",
  );
}

/** A page that ends the flow: the member has to do something else (usually /link again). */
export function messagePage(title: string, text: string, next: string): string {
  return layout(
    title,
    html`<div class="card">
<h1>${title}</h1>
${notice("error", text)}
<p>${next}</p>
</div>`,
  );
}
