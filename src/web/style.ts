/** The sign-in pages' only stylesheet, served from /static/style.css (the CSP allows no inline styles). */
export const STYLE_CSS = `
:root { color-scheme: light dark; --bg: #f4f5f7; --card: #fff; --text: #1d1f23; --muted: #5b6170;
  --accent: #0070d1; --accent-text: #fff; --ok: #1a7f37; --err: #b42318; --border: #d9dce1; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #15171a; --card: #1f2227; --text: #e8eaed; --muted: #a3a9b4; --accent: #3d9bff;
    --accent-text: #0b0d10; --ok: #4ac26b; --err: #ff7b72; --border: #343840; }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 40rem; margin: 0 auto; padding: 1rem; }
.card { background: var(--card); border: 1px solid var(--border); border-radius: 12px; padding: 1.25rem; margin: 1rem 0; }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0 0 .75rem; }
h2 { font-size: 1.1rem; margin: 1.25rem 0 .5rem; }
.card > h2:first-child { margin-top: 0; }
p, ul, ol { margin: .5rem 0; }
ul, ol { padding-left: 1.25rem; }
li { margin: .35rem 0; }
a { color: var(--accent); overflow-wrap: anywhere; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; overflow-wrap: anywhere; }
.who { color: var(--muted); }
.who strong { color: var(--text); }
label { display: block; font-weight: 600; margin: 1rem 0 .35rem; }
input[type=text] { width: 100%; padding: .75rem; font: inherit; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: 1rem; color: var(--text); background: var(--bg); border: 1px solid var(--border); border-radius: 8px; }
input[type=text]:focus { outline: 2px solid var(--accent); outline-offset: 1px; }
.button { display: inline-block; width: 100%; margin-top: 1rem; padding: .85rem 1rem; border: 0; border-radius: 8px;
  background: var(--accent); color: var(--accent-text); font: inherit; font-weight: 600; text-align: center;
  text-decoration: none; cursor: pointer; }
.button:focus-visible { outline: 3px solid var(--text); outline-offset: 2px; }
.hint { color: var(--muted); font-size: .9rem; }
.notice { border-radius: 8px; padding: .75rem 1rem; margin: 0 0 1rem; border: 1px solid; }
.notice.error { color: var(--err); border-color: var(--err); }
.notice.ok { color: var(--ok); border-color: var(--ok); }
.done h1 { color: var(--ok); }
footer { color: var(--muted); font-size: .85rem; text-align: center; padding: 1rem 0 2rem; }
@media (min-width: 40rem) { main { padding: 2rem 1rem; } .button { width: auto; min-width: 12rem; } }
`.trimStart();
