/**
 * The view's stylesheet and script, inlined into the page under a per-response CSP
 * nonce: no build step, no files to serve.
 */

/**
 * Posts every `form.act` with fetch (as the member chosen in #actor unless the form says
 * who), shows the answer, and redraws the live regions that changed (polled once a second:
 * the server answers 204 while nothing changed).
 */
export const SCRIPT = `
(() => {
  const status = document.getElementById("status");
  const actor = document.getElementById("actor");
  const inChannel = document.getElementById("in-channel");
  let version = document.body.dataset.version || "";
  const shown = new Map();
  const say = (text, ok) => {
    status.textContent = text;
    status.className = ok ? "ok" : "error";
  };
  // seed: learn what the page already shows, so a region (the command forms being filled
  // in) is redrawn only once it changes, not at the first change anywhere.
  async function refresh(seed) {
    const res = await fetch(seed ? "/live" : "/live?v=" + encodeURIComponent(version), { cache: "no-store" });
    if (res.status !== 200) return;
    const data = await res.json();
    const unchanged = seed && data.version === version;
    version = data.version;
    // Inboxes a reader folded stay folded when their region is drawn again.
    const folded = new Set([...document.querySelectorAll("details.inbox:not([open])")].map((d) => d.dataset.user));
    for (const [name, markup] of Object.entries(data.regions)) {
      if (shown.get(name) === markup) continue;
      const el = document.querySelector('[data-region="' + name + '"]');
      if (el && !unchanged) el.innerHTML = markup;
      shown.set(name, markup);
    }
    for (const d of document.querySelectorAll("details.inbox")) if (folded.has(d.dataset.user)) d.open = false;
  }
  document.addEventListener("submit", async (event) => {
    const form = event.target instanceof HTMLFormElement ? event.target : null;
    if (!form || !form.classList.contains("act")) return;
    event.preventDefault();
    const body = new URLSearchParams(new FormData(form));
    if (!body.has("as")) body.set("as", actor.value);
    if (form.classList.contains("slash")) body.set("channel", inChannel.value);
    say("Working…", true);
    try {
      const res = await fetch(form.action, { method: "POST", body, headers: { "x-sandbox": "fetch" } });
      const answer = await res.json();
      say(answer.message, answer.ok);
    } catch (err) {
      say("The sandbox did not answer: " + err, false);
    }
    await refresh(false);
  });
  // Copy buttons: the clipboard API needs a secure context (127.0.0.1 is one, a LAN address
  // is not), so a selection and execCommand stand in elsewhere.
  document.addEventListener("click", async (event) => {
    const button = event.target instanceof Element ? event.target.closest("button.copy") : null;
    if (!button) return;
    const text = button.dataset.copy || "";
    let ok = false;
    try {
      await navigator.clipboard.writeText(text);
      ok = true;
    } catch {
      const area = document.createElement("textarea");
      area.value = text;
      document.body.append(area);
      area.select();
      ok = document.execCommand("copy");
      area.remove();
    }
    button.textContent = ok ? "Copied" : "Select and copy";
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  });
  void refresh(true).catch(() => {});
  setInterval(() => void refresh(false).catch(() => {}), 1000);
})();
`;

export const STYLE = `
:root { color-scheme: dark; --bg: #313338; --bg2: #2b2d31; --bg3: #1e1f22; --text: #dbdee1; --muted: #949ba4;
  --blurple: #5865f2; --green: #248046; --red: #da373c; --grey: #4e5058; --link: #00a8fc; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg3); color: var(--text); font: 14px/1.375 "gg sans", "Noto Sans", "Helvetica Neue", Arial, sans-serif; }
a { color: var(--link); text-decoration: none; } a:hover { text-decoration: underline; }
.top { display: flex; gap: 16px; align-items: center; padding: 8px 16px; background: var(--bg2); border-bottom: 1px solid #111; position: sticky; top: 0; z-index: 2; flex-wrap: wrap; }
.top .brand { flex: 1; min-width: 240px; }
.muted, .hint { color: var(--muted); font-size: 12px; }
#status { padding: 4px 16px; min-height: 24px; font-size: 13px; }
#status.ok { color: #57f287; } #status.error { color: #fa777c; }
.cols { display: grid; grid-template-columns: minmax(300px, 1fr) minmax(420px, 1.4fr) minmax(300px, 1fr); gap: 8px; padding: 0 8px 16px; }
@media (min-width: 1101px) { .cols > .panel { max-height: calc(100vh - 84px); overflow-y: auto; } }
@media (max-width: 1100px) { .cols { grid-template-columns: 1fr; } }
.panel { background: var(--bg); border-radius: 8px; padding: 8px 12px; min-width: 0; }
.panel h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .02em; color: var(--muted); margin: 12px 0 6px; }
.panel h3 { font-size: 12px; color: var(--muted); margin: 10px 0 4px; }
select, input, button { font: inherit; color: var(--text); background: var(--bg3); border: 1px solid #111; border-radius: 4px; padding: 3px 6px; }
button { cursor: pointer; background: var(--grey); border: 0; }
button:disabled { cursor: not-allowed; opacity: .5; }
button.small { font-size: 12px; padding: 2px 8px; }
button.danger { background: var(--red); }
form.inline { display: inline-flex; gap: 4px; align-items: center; margin: 0; }
details.command { border-top: 1px solid var(--bg3); padding: 4px 0; }
details.command summary { cursor: pointer; }
form.slash { margin: 6px 0 6px 12px; display: flex; flex-wrap: wrap; gap: 4px 8px; align-items: center; }
.slash-head { width: 100%; }
.slash-run { background: var(--blurple); font-family: ui-monospace, monospace; font-size: 12px; }
label.opt { display: inline-flex; gap: 4px; align-items: center; font-size: 12px; color: var(--muted); }
.badge { background: var(--blurple); color: #fff; border-radius: 3px; font-size: 10px; padding: 0 4px; vertical-align: middle; }
.controls { overflow-x: auto; }
.psn-account { border-top: 1px solid var(--bg3); padding: 6px 0; font-size: 12px; }
.psn-account-actions { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 4px; }
.dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: #80848e; }
.dot.on { background: #23a55a; }
.npsso { color: var(--muted); }
.npsso code { font-size: 10px; word-break: break-all; user-select: all; }
.npsso button.copy { font-size: 10px; padding: 0 6px; }
.start-here { background: rgba(88, 101, 242, .15); border-left: 3px solid var(--blurple); border-radius: 4px; padding: 6px 10px; margin: 8px 0; font-size: 12px; }
.start-here ol { margin: 4px 0 0; padding-left: 18px; }
.psn-party { background: var(--bg2); border-radius: 6px; padding: 6px 8px; margin: 4px 0; }
.party-members, .party-actions { display: flex; flex-wrap: wrap; gap: 4px; margin-top: 4px; }
.chip { background: var(--bg3); border-radius: 10px; padding: 0 0 0 8px; display: inline-flex; align-items: center; }
.chip button.x { background: none; padding: 0 6px; }
.psn-health, .time-controls { margin: 8px 0; display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.channel h2 { font-size: 16px; text-transform: none; color: var(--text); border-bottom: 1px solid var(--bg3); padding-bottom: 6px; }
.channel h2 small { color: var(--muted); font-weight: normal; font-size: 12px; }
.empty { color: var(--muted); font-style: italic; }
.msg { padding: 6px 4px; border-radius: 4px; }
.msg:hover { background: #2e3035; }
.msg.ephemeral { background: rgba(88, 101, 242, .08); }
.reply-to { color: var(--muted); font-size: 12px; }
.reply-to .cmd { color: var(--link); }
.msg-head .author { font-weight: 600; color: #fff; }
.app-tag { background: var(--blurple); color: #fff; font-size: 10px; border-radius: 3px; padding: 0 4px; margin-left: 4px; vertical-align: 1px; }
.stamp { color: var(--muted); font-size: 11px; margin-left: 8px; }
.content { white-space: normal; word-wrap: break-word; }
.mention { background: rgba(88, 101, 242, .3); color: #c9cdfb; border-radius: 3px; padding: 0 2px; }
.edited { color: var(--muted); font-size: 10px; }
code { background: var(--bg3); border-radius: 3px; padding: 0 3px; font-size: 85%; }
.embed { display: flex; max-width: 520px; background: var(--bg2); border-left: 4px solid; border-radius: 4px; padding: 8px 12px 12px; margin-top: 4px; gap: 12px; }
.embed-body { flex: 1; min-width: 0; display: flex; flex-direction: column; gap: 6px; }
.embed-author { font-size: 12px; font-weight: 600; }
.embed-title { font-weight: 600; color: #fff; font-size: 15px; }
a.embed-title { color: var(--link); }
.embed-description { font-size: 13.5px; }
.embed-fields { display: flex; flex-wrap: wrap; gap: 8px 16px; }
.embed-field { flex: 1 1 100%; min-width: 0; font-size: 13.5px; }
.embed-field.inline { flex: 1 1 28%; }
.field-name { font-weight: 600; color: #fff; }
.embed-image { max-width: 100%; max-height: 200px; border-radius: 4px; }
.embed-thumbnail { width: 80px; height: 80px; object-fit: cover; border-radius: 4px; }
.embed-footer { font-size: 12px; color: var(--muted); }
.btn-row { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 8px; }
.btn { display: inline-flex; align-items: center; height: 32px; padding: 0 16px; border-radius: 4px; color: #fff; font-weight: 500; font-size: 14px; }
.btn.primary { background: var(--blurple); } .btn.secondary, .btn.link { background: var(--grey); }
.btn.success { background: var(--green); } .btn.danger { background: var(--red); }
a.btn.link:hover { text-decoration: none; filter: brightness(1.1); }
.btn:disabled, .btn.disabled { opacity: .5; cursor: not-allowed; }
.only-you { color: var(--muted); font-size: 11px; margin-top: 4px; }
details.inbox { border-top: 1px solid var(--bg3); padding: 4px 0; }
details.inbox summary { cursor: pointer; font-weight: 600; }
ol.activity { list-style: none; padding: 0; margin: 0; font-size: 12px; max-height: 320px; overflow: auto; }
ol.activity li { padding: 2px 0; border-top: 1px solid var(--bg2); }
`;
