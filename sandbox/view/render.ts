/**
 * The sandbox view as HTML, from a plain model of the simulated server (pure: no
 * simulator, no clock). Messages are drawn the way Discord draws them: embeds with a
 * colour bar, title link, description, fields, thumbnail, image and footer; buttons,
 * greyed when disabled; "(edited)". Every piece of data goes through `html`, which escapes.
 */
import {
  type Button,
  buttonRowsOf,
  type Embed,
  embedsOf,
  formatTimestamp,
  type Names,
  parseMarkdown,
  safeUrl,
  type Token,
} from "../discordJson.js";
import { type Html, html, trusted } from "./html.js";

export interface MessageModel {
  id: string;
  channelId: string;
  authorName: string;
  authorIsBot: boolean;
  content: string;
  embeds: readonly unknown[];
  components: readonly unknown[];
  timestamp: string;
  editedTimestamp: string | null;
  ephemeral: boolean;
  /** A deferred answer not given yet: Discord shows "… is thinking". */
  loading: boolean;
  /** The slash command or button this message answers. */
  interaction: { userName: string; commandName: string | null } | null;
}

export interface ChannelModel {
  id: string;
  name: string;
  partyChannel: boolean;
  messages: MessageModel[];
}

export interface InboxModel {
  userId: string;
  username: string;
  admin: boolean;
  dms: MessageModel[];
  privateReplies: MessageModel[];
}

export interface PsnAccountModel {
  accountId: string;
  onlineId: string;
  npsso: string;
  /** "@alice", or "PSN friend (not in Discord)". */
  who: string;
  online: boolean;
  game: string | null;
}

export interface PsnPartyModel {
  sessionId: string;
  host: string;
  members: { accountId: string; onlineId: string }[];
  joinability: string;
  maxMembers: number;
}

export interface PsnModel {
  accounts: PsnAccountModel[];
  parties: PsnPartyModel[];
  failing: boolean;
  games: readonly string[];
}

export interface OptionModel {
  name: string;
  description: string;
  type: number;
  required: boolean;
  choices: { name: string; value: string | number }[];
}

export interface CommandVariant {
  group: string | null;
  subcommand: string | null;
  description: string;
  options: OptionModel[];
}

export interface CommandModel {
  name: string;
  description: string;
  /** Discord shows it to members with Manage Server only (default_member_permissions). */
  adminOnly: boolean;
  variants: CommandVariant[];
}

export interface ActorModel {
  userId: string;
  username: string;
  admin: boolean;
}

export interface PageModel {
  guildName: string;
  /** The sandbox (the bot in this process, time controls) or `npm run sim` (the bot is `npm start`). */
  botInProcess: boolean;
  now: number;
  actors: ActorModel[];
  commands: CommandModel[];
  channels: ChannelModel[];
  /** Text channels and roles, for option pickers. */
  textChannels: { id: string; name: string }[];
  /** Where slash commands run unless another channel is picked (#general). */
  commandChannelId: string;
  roles: { id: string; name: string }[];
  inbox: InboxModel[];
  psn: PsnModel;
  activity: { at: number; text: string }[];
  names: Names;
}

// ---- Discord markdown ------------------------------------------------------------------------

export function markdownHtml(text: string, names: Names): Html {
  return tokensHtml(parseMarkdown(text, names));
}

function tokensHtml(tokens: readonly Token[]): Html {
  return html`${tokens.map((t) => {
    switch (t.kind) {
      case "text":
        return html`${t.text}`;
      case "br":
        return html`<br>`;
      case "code":
        return html`<code>${t.text}</code>`;
      case "mention":
        return html`<span class="mention">${t.text}</span>`;
      case "time":
        return html`<span class="time">${t.text}</span>`;
      case "link":
        return html`<a href="${t.url}" target="_blank" rel="noopener noreferrer">${tokensHtml(t.children)}</a>`;
      case "strong":
        return html`<strong>${tokensHtml(t.children)}</strong>`;
      case "em":
        return html`<em>${tokensHtml(t.children)}</em>`;
      case "u":
        return html`<u>${tokensHtml(t.children)}</u>`;
      case "s":
        return html`<s>${tokensHtml(t.children)}</s>`;
    }
    return html``;
  })}`;
}

// ---- messages --------------------------------------------------------------------------------

function colourHex(colour: number | undefined): string {
  // A number from zod (0..0xffffff), so the style attribute only ever gets six hex digits.
  return `#${(colour ?? 0x1e1f22).toString(16).padStart(6, "0")}`;
}

function embedHtml(embed: Embed, names: Names): Html {
  const titleUrl = safeUrl(embed.url);
  const thumb = safeUrl(embed.thumbnail?.url);
  const image = safeUrl(embed.image?.url);
  const title = embed.title ? markdownHtml(embed.title, names) : null;
  const fields = embed.fields ?? [];
  return html`<div class="embed" style="border-left-color:${colourHex(embed.color)}">
    <div class="embed-body">
      ${embed.author ? html`<div class="embed-author">${embed.author.name}</div>` : null}
      ${
        title
          ? titleUrl
            ? html`<a class="embed-title" href="${titleUrl}" target="_blank" rel="noopener noreferrer">${title}</a>`
            : html`<div class="embed-title">${title}</div>`
          : null
      }
      ${embed.description ? html`<div class="embed-description">${markdownHtml(embed.description, names)}</div>` : null}
      ${
        fields.length > 0
          ? html`<div class="embed-fields">${fields.map(
              (f) =>
                html`<div class="embed-field${f.inline ? " inline" : ""}"><div class="field-name">${markdownHtml(f.name, names)}</div><div class="field-value">${markdownHtml(f.value, names)}</div></div>`,
            )}</div>`
          : null
      }
      ${image ? html`<img class="embed-image" src="${image}" alt="" referrerpolicy="no-referrer" loading="lazy">` : null}
      ${
        embed.footer || embed.timestamp
          ? html`<div class="embed-footer">${embed.footer ? markdownHtml(embed.footer.text, names) : null}${
              embed.footer && embed.timestamp ? " • " : ""
            }${embed.timestamp ? formatTimestamp(Date.parse(embed.timestamp) / 1000, "f", names.now) : null}</div>`
          : null
      }
    </div>
    ${thumb ? html`<img class="embed-thumbnail" src="${thumb}" alt="" referrerpolicy="no-referrer" loading="lazy">` : null}
  </div>`;
}

const BUTTON_STYLES: Record<number, string> = {
  1: "primary",
  2: "secondary",
  3: "success",
  4: "danger",
  5: "link",
};

/**
 * A button: a link opens its URL; any other is a small form the page's script posts as
 * `clickAs` (the inbox owner), or as whoever the page is acting as when null.
 */
function buttonHtml(b: Button, message: MessageModel, clickAs: string | null): Html {
  const label = html`${b.emoji?.name ? `${b.emoji.name} ` : ""}${b.label ?? ""}`;
  const style = BUTTON_STYLES[b.style] ?? "secondary";
  const url = safeUrl(b.url);
  if (b.style === 5) {
    if (b.disabled || !url)
      return html`<span class="btn link disabled" aria-disabled="true">${label} ↗</span>`;
    return html`<a class="btn link" href="${url}" target="_blank" rel="noopener noreferrer">${label} ↗</a>`;
  }
  if (!b.custom_id) return html``;
  return html`<form class="act inline" method="post" action="/act/click">
    <input type="hidden" name="channelId" value="${message.channelId}">
    <input type="hidden" name="messageId" value="${message.id}">
    <input type="hidden" name="customId" value="${b.custom_id}">
    ${clickAs ? html`<input type="hidden" name="as" value="${clickAs}">` : null}
    <button type="submit" class="btn ${style}"${b.disabled ? html` disabled` : null}>${label}</button>
  </form>`;
}

export function messageHtml(m: MessageModel, names: Names, clickAs: string | null): Html {
  const embeds = embedsOf(m.embeds);
  const rows = buttonRowsOf(m.components);
  const edited = m.editedTimestamp !== null;
  const time = formatTimestamp(Date.parse(m.timestamp) / 1000, "t", names.now);
  return html`<article class="msg${m.ephemeral ? " ephemeral" : ""}" id="msg-${m.id}" data-message-id="${m.id}">
    ${
      m.interaction
        ? html`<div class="reply-to">↳ @${m.interaction.userName}${m.interaction.commandName ? html` used <span class="cmd">/${m.interaction.commandName}</span>` : null}</div>`
        : null
    }
    <div class="msg-head"><span class="author">${m.authorName}</span>${m.authorIsBot ? html`<span class="app-tag">APP</span>` : null}<span class="stamp">${time} UTC</span></div>
    ${m.loading && !m.content && embeds.length === 0 ? html`<div class="content muted">${m.authorName} is thinking…</div>` : null}
    ${
      m.content || (edited && embeds.length === 0)
        ? html`<div class="content">${markdownHtml(m.content, names)}${edited ? html` <span class="edited">(edited)</span>` : null}</div>`
        : null
    }
    ${embeds.map((e) => embedHtml(e, names))}
    ${edited && !m.content && embeds.length > 0 ? html`<div class="edited">(edited)</div>` : null}
    ${rows.map((row) => html`<div class="btn-row">${row.map((b) => buttonHtml(b, m, clickAs))}</div>`)}
    ${m.ephemeral ? html`<div class="only-you">👁 Only you can see this</div>` : null}
  </article>`;
}

// ---- regions ---------------------------------------------------------------------------------

export function channelsHtml(model: PageModel): Html {
  return html`${model.channels.map(
    (c) => html`<section class="channel${c.partyChannel ? " party" : ""}" data-channel="${c.name}">
      <h2># ${c.name}${c.partyChannel ? html` <small>party channel</small>` : null}</h2>
      ${
        c.messages.length === 0
          ? html`<p class="empty">No messages yet.</p>`
          : c.messages.map((m) => messageHtml(m, model.names, null))
      }
    </section>`,
  )}`;
}

export function inboxHtml(model: PageModel): Html {
  return html`${model.inbox.map(
    (box) => html`<details class="inbox" data-user="${box.username}" open>
      <summary>@${box.username}${box.admin ? html` <span class="badge">admin</span>` : null} <small>${box.dms.length} DM${box.dms.length === 1 ? "" : "s"}, ${box.privateReplies.length} private</small></summary>
      ${
        box.dms.length === 0 && box.privateReplies.length === 0
          ? html`<p class="empty">Nothing yet.</p>`
          : null
      }
      ${box.dms.length > 0 ? html`<h3>Direct messages</h3><div class="dms">${box.dms.map((m) => messageHtml(m, model.names, box.userId))}</div>` : null}
      ${box.privateReplies.length > 0 ? html`<h3>Private replies</h3><div class="private">${box.privateReplies.map((m) => messageHtml(m, model.names, box.userId))}</div>` : null}
    </details>`,
  )}`;
}

const JOINABILITIES = ["open", "request", "invite"] as const;

function joinabilitySelect(selected: string | null): Html {
  return html`<select name="joinability">${JOINABILITIES.map(
    (j) => html`<option value="${j}"${j === selected ? html` selected` : null}>${j}</option>`,
  )}</select>`;
}

function actForm(action: string, hidden: Record<string, string>, body: Html, cls = "act inline"): Html {
  return html`<form class="${cls}" method="post" action="/act/${action}">${Object.entries(hidden).map(
    ([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`,
  )}${body}</form>`;
}

export function psnHtml(model: PageModel): Html {
  const { psn } = model;
  const inParty = new Set(psn.parties.flatMap((p) => p.members.map((m) => m.accountId)));
  return html`
    <div class="psn-accounts">
      ${psn.accounts.map(
        (a) => html`<div class="psn-account" data-account="${a.onlineId}">
          <div><strong>${a.onlineId}</strong> <span class="muted">${a.who}</span>${a.online ? html` <span class="dot on" title="online"></span>` : html` <span class="dot" title="offline"></span>`}</div>
          <div class="npsso" title="Paste this on the sign-in page">NPSSO <code class="npsso-value">${a.npsso}</code> <button type="button" class="small copy" data-copy="${a.npsso}" aria-label="Copy ${a.onlineId}'s NPSSO">Copy</button></div>
          <div class="psn-account-actions">${actForm(
            "presence",
            { account: a.accountId },
            html`<select name="online"><option value="true"${a.online ? html` selected` : null}>online</option><option value="false"${a.online ? null : html` selected`}>offline</option></select>
            <select name="game"><option value="">(no game)</option>${psn.games.map(
              (g) => html`<option value="${g}"${g === a.game ? html` selected` : null}>${g}</option>`,
            )}</select>
            <button type="submit" class="small">Set</button>`,
          )}
          ${
            inParty.has(a.accountId)
              ? html`<span class="muted">in a party</span>`
              : actForm(
                  "party/start",
                  { account: a.accountId },
                  html`${joinabilitySelect("open")}<button type="submit" class="small start-party">Start party</button>`,
                )
          }</div>
        </div>`,
      )}
    </div>
    <h3>Parties on PSN</h3>
    ${psn.parties.length === 0 ? html`<p class="empty">No party right now.</p>` : null}
    ${psn.parties.map((p) => {
      const outside = psn.accounts.filter((a) => !p.members.some((m) => m.accountId === a.accountId));
      return html`<div class="psn-party" data-host="${p.host}">
        <div><strong>${p.host}'s party</strong> · ${p.members.length}/${p.maxMembers} · ${p.joinability}</div>
        <div class="party-members">${p.members.map(
          (m) =>
            html`<span class="chip">${m.onlineId} ${actForm("party/leave", { session: p.sessionId, account: m.accountId }, html`<button type="submit" class="x" title="Leave">×</button>`)}</span>`,
        )}</div>
        <div class="party-actions">
          ${
            outside.length > 0
              ? actForm(
                  "party/join",
                  { session: p.sessionId },
                  html`<select name="account">${outside.map((a) => html`<option value="${a.accountId}">${a.onlineId}</option>`)}</select><button type="submit" class="small join-party">Join</button>`,
                )
              : null
          }
          ${actForm("party/joinability", { session: p.sessionId }, html`${joinabilitySelect(p.joinability)}<button type="submit" class="small">Set access</button>`)}
          ${actForm("party/end", { session: p.sessionId }, html`<button type="submit" class="small danger end-party">End party</button>`)}
        </div>
      </div>`;
    })}
    <div class="psn-health">
      ${actForm(
        "psn-failing",
        { failing: psn.failing ? "false" : "true" },
        html`<button type="submit" class="small${psn.failing ? "" : " danger"}">${psn.failing ? "PSN is failing (503): make it answer again" : "Make PSN fail (503 on every call)"}</button>`,
      )}
    </div>`;
}

export function activityHtml(model: PageModel): Html {
  const recent = model.activity.slice(-40).reverse();
  return html`<ol class="activity">${recent.map(
    (a) =>
      html`<li><span class="stamp">${formatTimestamp(a.at / 1000, "T", model.now)}</span> ${a.text}</li>`,
  )}</ol>`;
}

export function clockHtml(model: PageModel): Html {
  return html`${formatTimestamp(model.now / 1000, "f", model.now)}`;
}

// ---- the control panel (drawn once: forms being filled in are never replaced) ----------------

const OPTION_TYPE = {
  string: 3,
  integer: 4,
  boolean: 5,
  user: 6,
  channel: 7,
  role: 8,
  mentionable: 9,
  number: 10,
} as const;

function optionInput(o: OptionModel, model: PageModel): Html {
  const name = `opt.${o.name}`;
  const empty = o.required ? null : html`<option value="">—</option>`;
  const select = (items: { value: string | number; label: string }[]) =>
    html`<select name="${name}"${o.required ? html` required` : null}>${empty}${items.map(
      (i) => html`<option value="${String(i.value)}">${i.label}</option>`,
    )}</select>`;
  if (o.choices.length > 0) return select(o.choices.map((c) => ({ value: c.value, label: c.name })));
  switch (o.type) {
    case OPTION_TYPE.boolean:
      return select([
        { value: "true", label: "True" },
        { value: "false", label: "False" },
      ]);
    case OPTION_TYPE.user:
      return select(model.actors.map((a) => ({ value: a.userId, label: `@${a.username}` })));
    case OPTION_TYPE.channel:
      return select(model.textChannels.map((c) => ({ value: c.id, label: `#${c.name}` })));
    case OPTION_TYPE.role:
      return select(model.roles.map((r) => ({ value: r.id, label: `@${r.name}` })));
    case OPTION_TYPE.mentionable:
      return select([
        ...model.actors.map((a) => ({ value: a.userId, label: `@${a.username}` })),
        ...model.roles.map((r) => ({ value: r.id, label: `@${r.name}` })),
      ]);
    case OPTION_TYPE.integer:
    case OPTION_TYPE.number:
      return html`<input type="number" name="${name}"${o.type === OPTION_TYPE.number ? html` step="any"` : null}${o.required ? html` required` : null}>`;
    default:
      return html`<input type="text" name="${name}"${o.required ? html` required` : null}>`;
  }
}

function commandForm(command: CommandModel, v: CommandVariant, model: PageModel): Html {
  const path = [command.name, v.group, v.subcommand].filter((p): p is string => p !== null).join(" ");
  return html`<form class="act slash" method="post" action="/act/slash" data-command="${path}">
    <input type="hidden" name="name" value="${command.name}">
    ${v.group ? html`<input type="hidden" name="group" value="${v.group}">` : null}
    ${v.subcommand ? html`<input type="hidden" name="sub" value="${v.subcommand}">` : null}
    <div class="slash-head"><button type="submit" class="slash-run">/${path}</button> <span class="muted">${v.description}</span></div>
    ${v.options.map(
      (o) =>
        html`<label class="opt"><span>${o.name}${o.required ? "" : "?"}</span>${optionInput(o, model)}</label>`,
    )}
  </form>`;
}

export function commandsHtml(model: PageModel): Html {
  if (model.commands.length === 0) {
    return html`<p class="empty">The bot has registered no commands yet. ${
      model.botInProcess
        ? "It registers them as it starts."
        : html`Start it in another terminal with the settings in <code>.env.sim</code> (see docs/simulators.md); its commands appear here once it has logged in.`
    }</p>`;
  }
  return html`${model.commands.map(
    (c) => html`<details class="command" data-name="${c.name}">
      <summary>/${c.name}${c.adminOnly ? html` <span class="badge">admin</span>` : null} <span class="muted">${c.description}</span></summary>
      ${c.variants.map((v) => commandForm(c, v, model))}
    </details>`,
  )}`;
}

/**
 * The first steps for someone who just opened the page: who to act as, what to run, where
 * the NPSSO is. Under `npm run sim` nobody has set the party channel yet, so that comes first.
 */
export function startHereHtml(model: PageModel): Html {
  const admin = model.actors.find((a) => a.admin);
  const member = model.actors.find((a) => !a.admin);
  const account = member ? model.psn.accounts.find((a) => a.who === `@${member.username}`) : undefined;
  if (!member || !account) return html``;
  const channel = model.channels.find((c) => c.partyChannel);
  return html`<div class="start-here" role="note"><strong>Start here</strong><ol>
    ${
      !model.botInProcess && admin && channel
        ? html`<li>Act as <strong>@${admin.username}</strong> (admin) and run <code>/config channel</code> with #${channel.name}.</li>`
        : null
    }
    <li>Act as <strong>@${member.username}</strong> (top right) and run <code>/link</code>.</li>
    <li>Open the link in @${member.username}'s DM (right), paste the NPSSO of <strong>${account.onlineId}</strong> (the <em>Copy</em> button under PlayStation Network) and press <em>Link account</em>.</li>
    <li>Start a party for ${account.onlineId} below: its card appears in #${channel?.name ?? "parties"}.</li>
  </ol></div>`;
}

export function pageHtml(model: PageModel, nonce: string, script: string, style: string): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sandbox · ${model.guildName}</title>
<style nonce="${nonce}">${trusted(style)}</style>
</head>
<body>
<header class="top">
  <div class="brand"><strong>${model.guildName}</strong> <span class="muted">${
    model.botInProcess
      ? "psn-party-bridge sandbox: the real bot, simulated Discord and PSN"
      : "psn-party-bridge simulators: simulated Discord and PSN, the bot is your npm start"
  }</span></div>
  <label class="actor">Acting as <select id="actor" name="as">${model.actors.map(
    (a) => html`<option value="${a.userId}">@${a.username}${a.admin ? " (admin)" : ""}</option>`,
  )}</select></label>
  <span class="clock" data-region="clock">${clockHtml(model)}</span>
</header>
<div id="status" role="status" aria-live="polite"></div>
<main class="cols">
  <section class="panel controls">
    <h2>Slash commands</h2>
    <p class="hint">Run as the member chosen above, in
      <select id="in-channel" name="channel">${model.textChannels.map(
        (c) =>
          html`<option value="${c.id}"${c.id === model.commandChannelId ? html` selected` : null}>#${c.name}</option>`,
      )}</select>.
      Buttons on cards are pressed as that member too; buttons in a DM or private reply as its owner.</p>
    ${startHereHtml(model)}
    <div class="commands" data-region="commands">${commandsHtml(model)}</div>
    <h2>PlayStation Network</h2>
    <div data-region="psn">${psnHtml(model)}</div>
    ${
      model.botInProcess
        ? html`<h2>Time</h2>
    <div class="time-controls">${[30, 120, 600].map((s) =>
      actForm(
        "time",
        { seconds: String(s) },
        html`<button type="submit" class="small">+${s < 60 ? `${s} s` : `${s / 60} min`}</button>`,
      ),
    )}<span class="muted">moves the clock of the bot and both simulators, then polls</span></div>`
        : null
    }
  </section>
  <section class="panel discord" data-region="channels">${channelsHtml(model)}</section>
  <aside class="panel side">
    <h2>Members' DMs and private replies</h2>
    <div data-region="inbox">${inboxHtml(model)}</div>
    <h2>What happened</h2>
    <div data-region="activity">${activityHtml(model)}</div>
  </aside>
</main>
<script nonce="${nonce}">${trusted(script)}</script>
</body>
</html>`;
}
