import { describe, expect, it } from "vitest";
import { formatTimestamp, type Names } from "../../sandbox/discordJson.js";
import { messageText } from "../../sandbox/transcript.js";
import { escapeHtml, html } from "../../sandbox/view/html.js";
import {
  commandsHtml,
  type MessageModel,
  markdownHtml,
  messageHtml,
  type PageModel,
  pageHtml,
  psnHtml,
} from "../../sandbox/view/render.js";
import { commandModels, optionValue } from "../../sandbox/view/server.js";

const ADA = "100000000000000004";
const GENERAL = "100000000000000005";
const NPSSO = "Xk2aZ9".repeat(10).slice(0, 64);

/** The demo world as a newcomer first sees it: an admin, a member, her PSN account, nobody linked. */
function firstMinutes(botInProcess: boolean): PageModel {
  return page({
    botInProcess,
    actors: [
      { userId: ADA, username: "ada", admin: true },
      { userId: ALICE, username: "alice", admin: false },
    ],
    textChannels: [
      { id: CHANNEL, name: "parties" },
      { id: GENERAL, name: "general" },
    ],
    commandChannelId: GENERAL,
    channels: [
      { id: GENERAL, name: "general", partyChannel: false, messages: [] },
      { id: CHANNEL, name: "parties", partyChannel: true, messages: [] },
    ],
    psn: {
      accounts: [
        { accountId: "1", onlineId: "Alice_PS", npsso: NPSSO, who: "@alice", online: true, game: null },
        {
          accountId: "2",
          onlineId: "Dave_Friend",
          npsso: "d".repeat(64),
          who: "PSN friend (not in Discord)",
          online: true,
          game: null,
        },
      ],
      parties: [],
      failing: false,
      games: [],
    },
  });
}

const text = (markup: string) => markup.replace(/<[^>]+>/g, "").replace(/\s+/g, " ");

describe("the first minutes", () => {
  it("the sandbox says where to start: act as alice, /link, her NPSSO, a party", () => {
    const out = pageHtml(firstMinutes(true), "n", "", "").value;
    const hint = text(/<div class="start-here"[\s\S]*?<\/div>/.exec(out)?.[0] ?? "");
    expect(hint).toContain("Start here");
    expect(hint).toContain("Act as @alice (top right) and run /link.");
    expect(hint).toContain("paste the NPSSO of Alice_PS");
    expect(hint).not.toContain("/config channel");
    // Time is the sandbox's to move: the bot runs in its process.
    expect(out).toContain('action="/act/time"');
  });

  it("under npm run sim the admin sets the channel first, and time is not the page's to move", () => {
    const out = pageHtml(firstMinutes(false), "n", "", "").value;
    const hint = text(/<div class="start-here"[\s\S]*?<\/div>/.exec(out)?.[0] ?? "");
    expect(hint).toMatch(
      /^ ?Start here ?Act as @ada \(admin\) and run \/config channel with #parties\. ?Act as @alice/,
    );
    expect(out).not.toContain('action="/act/time"');
    expect(text(out)).toContain("The bot has registered no commands yet. Start it in another terminal");
  });

  it("puts a copy button beside every NPSSO, carrying that NPSSO", () => {
    const out = psnHtml(firstMinutes(true)).value;
    const buttons = [...out.matchAll(/<button type="button" class="small copy" data-copy="([^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(buttons).toEqual([NPSSO, "d".repeat(64)]);
    expect(out).toContain(
      `<code class="npsso-value">${NPSSO}</code> <button type="button" class="small copy"`,
    );
  });
});

const NOW = Date.parse("2026-11-25T20:00:00Z");
const ALICE = "100000000000000001";
const ROLE = "100000000000000002";
const CHANNEL = "100000000000000003";

const names: Names = {
  user: (id) => (id === ALICE ? "alice" : undefined),
  role: (id) => (id === ROLE ? "Party people" : undefined),
  channel: (id) => (id === CHANNEL ? "parties" : undefined),
  now: NOW,
};

const HOSTILE = `<img src=x onerror="alert(1)">`;

function message(over: Partial<MessageModel> = {}): MessageModel {
  return {
    id: "200000000000000001",
    channelId: CHANNEL,
    authorName: "PartyBridge",
    authorIsBot: true,
    content: "",
    embeds: [],
    components: [],
    timestamp: new Date(NOW).toISOString(),
    editedTimestamp: null,
    ephemeral: false,
    loading: false,
    interaction: null,
    ...over,
  };
}

function page(over: Partial<PageModel> = {}): PageModel {
  return {
    guildName: "PlayStation Friends",
    botInProcess: true,
    now: NOW,
    actors: [{ userId: ALICE, username: "alice", admin: false }],
    commands: [],
    channels: [],
    textChannels: [{ id: CHANNEL, name: "parties" }],
    commandChannelId: CHANNEL,
    roles: [{ id: ROLE, name: "Party people" }],
    inbox: [],
    psn: { accounts: [], parties: [], failing: false, games: [] },
    activity: [],
    names,
    ...over,
  };
}

const card = {
  title: "Alice\\_PS's party",
  url: "https://party.playstation.com/abc",
  description: `🎮 **Helldivers 2**\nStarted <t:${NOW / 1000 - 120}:R>`,
  color: 0x57f287,
  fields: [
    { name: "Members (2/4)", value: `<@${ALICE}> (host)\nDave\\_Friend`, inline: false },
    { name: "Access", value: "Open to friends", inline: true },
  ],
  thumbnail: { url: "https://example.com/icon.png" },
  footer: { text: "Party abcdef12" },
};
const buttons = (disabled: boolean) => [
  {
    type: 1,
    components: [
      { type: 2, style: 5, label: "Join on PlayStation", url: "https://party.playstation.com/abc", disabled },
      { type: 2, style: 1, label: "Request invite", custom_id: "invite:abc", disabled },
    ],
  },
];

describe("escaping: names and games come from PSN", () => {
  it("html escapes every interpolated value, in text and attributes", () => {
    expect(html`<p title="${HOSTILE}">${HOSTILE}</p>`.value).toBe(
      `<p title="${escapeHtml(HOSTILE)}">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</p>`,
    );
  });

  it.each<[string, MessageModel]>([
    ["content", message({ content: HOSTILE })],
    ["author", message({ authorName: HOSTILE })],
    ["embed title", message({ embeds: [{ ...card, title: HOSTILE }] })],
    ["embed description", message({ embeds: [{ ...card, description: HOSTILE }] })],
    ["field name and value", message({ embeds: [{ ...card, fields: [{ name: HOSTILE, value: HOSTILE }] }] })],
    ["footer", message({ embeds: [{ ...card, footer: { text: HOSTILE } }] })],
    [
      "button label and custom_id",
      message({
        components: [{ type: 1, components: [{ type: 2, style: 1, label: HOSTILE, custom_id: HOSTILE }] }],
      }),
    ],
    ["who used a command", message({ interaction: { userName: HOSTILE, commandName: HOSTILE } })],
  ])("a message's %s", (_what, m) => {
    const out = messageHtml(m, names, null).value;
    expect(out).not.toContain("<img src=x");
    expect(out).toContain("&lt;img src=x");
  });

  it("the PSN panel's online ids, games and party hosts", () => {
    const out = psnHtml(
      page({
        psn: {
          accounts: [
            { accountId: "1", onlineId: HOSTILE, npsso: HOSTILE, who: HOSTILE, online: true, game: HOSTILE },
          ],
          parties: [
            {
              sessionId: HOSTILE,
              host: HOSTILE,
              members: [{ accountId: "1", onlineId: HOSTILE }],
              joinability: "open",
              maxMembers: 4,
            },
          ],
          failing: false,
          games: [HOSTILE],
        },
      }),
    ).value;
    expect(out).not.toContain("<img src=x");
  });

  it.each([
    ["a javascript: link in markdown stays text", "[click](javascript:alert(1))", "javascript:alert(1)"],
    ["a data: link too", "[click](data:text/html,hi)", "data:text/html,hi"],
  ])("%s", (_what, source, url) => {
    const out = markdownHtml(source, names).value;
    expect(out).not.toContain("<a ");
    expect(out).toContain(url);
  });

  it("leaves out images and links whose URL is not http(s)", () => {
    const out = messageHtml(
      message({
        embeds: [{ ...card, url: "javascript:alert(1)", image: { url: "javascript:alert(1)" } }],
        components: [
          { type: 1, components: [{ type: 2, style: 5, label: "Go", url: "javascript:alert(1)" }] },
        ],
      }),
      names,
      null,
    ).value;
    expect(out).not.toContain("javascript:");
  });
});

describe("cards drawn the way Discord draws them", () => {
  it("colour bar, title link, markdown, mentions, fields, thumbnail, footer, live buttons", () => {
    const out = messageHtml(message({ embeds: [card], components: buttons(false) }), names, null).value;
    expect(out).toContain('style="border-left-color:#57f287"');
    expect(out).toContain(`<a class="embed-title" href="https://party.playstation.com/abc"`);
    expect(out).toContain(">Alice_PS&#39;s party</a>");
    expect(out).toContain("<strong>Helldivers 2</strong>");
    expect(out).toContain('<span class="mention">@alice</span> (host)<br>Dave_Friend');
    expect(out).toContain('<div class="embed-field inline"><div class="field-name">Access</div>');
    expect(out).toContain('class="embed-thumbnail" src="https://example.com/icon.png"');
    expect(out).toContain("Party abcdef12");
    expect(out).toMatch(
      /<a class="btn link" href="https:\/\/party\.playstation\.com\/abc"[^>]*>Join on PlayStation ↗<\/a>/,
    );
    expect(out).toMatch(/<button type="submit" class="btn primary">Request invite<\/button>/);
    expect(out).not.toContain("(edited)");
  });

  it("an ended card: buttons disabled, (edited)", () => {
    const out = messageHtml(
      message({ embeds: [card], components: buttons(true), editedTimestamp: new Date(NOW).toISOString() }),
      names,
      null,
    ).value;
    expect(out).toMatch(/<button type="submit" class="btn primary" disabled>Request invite<\/button>/);
    expect(out).toContain(
      '<span class="btn link disabled" aria-disabled="true">Join on PlayStation ↗</span>',
    );
    expect(out).toContain("(edited)");
  });

  it("a deferred answer not given yet reads as thinking", () => {
    expect(messageHtml(message({ loading: true }), names, null).value).toContain("PartyBridge is thinking…");
    expect(messageHtml(message({ loading: true, content: "Done" }), names, null).value).not.toContain(
      "thinking",
    );
  });

  it("a button in a DM is pressed as the DM's owner", () => {
    const out = messageHtml(message({ components: buttons(false) }), names, ALICE).value;
    expect(out).toContain(`<input type="hidden" name="as" value="${ALICE}">`);
  });

  it("the transcript shows the same card as text", () => {
    expect(
      messageText(
        { content: `<@&${ROLE}>`, embeds: [card], components: buttons(true), editedTimestamp: "x" },
        names,
      ),
    ).toBe(
      [
        "@Party people",
        "│ # Alice_PS's party <https://party.playstation.com/abc>",
        "│ 🎮 Helldivers 2",
        "│ Started 2 min ago",
        "│ Members (2/4):",
        "│   @alice (host)",
        "│   Dave_Friend",
        "│ Access: Open to friends",
        "│ — Party abcdef12",
        "[Join on PlayStation ↗ (disabled)] [Request invite (disabled)]",
        "(edited)",
      ].join("\n"),
    );
  });

  it.each([
    [NOW / 1000 - 10, "R", "a few seconds ago"],
    [NOW / 1000 - 120, "R", "2 min ago"],
    [NOW / 1000 + 7200, "R", "in 2 h"],
    [NOW / 1000, "t", "20:00"],
    [NOW / 1000, "f", "2026-11-25 20:00 UTC"],
  ])("<t:%d:%s> reads %s", (unix, style, text) => {
    expect(formatTimestamp(unix, style, NOW)).toBe(text);
  });
});

describe("the command panel is built from the registered definitions", () => {
  // A command the panel has never heard of: a group, choices, numbers, users, channels, roles.
  const registered = [
    {
      name: "config",
      description: "Configure",
      default_member_permissions: "32",
      options: [
        { type: 1, name: "show", description: "Show the settings" },
        {
          type: 2,
          name: "ended",
          description: "Ended cards",
          options: [
            {
              type: 1,
              name: "delete-after",
              description: "Delete ended cards",
              options: [{ type: 4, name: "minutes", description: "Minutes", required: true }],
            },
          ],
        },
      ],
    },
    {
      name: "party",
      description: "Show a party",
      options: [
        { type: 6, name: "member", description: "Whose" },
        {
          type: 3,
          name: "format",
          description: "How",
          choices: [
            { name: "Card", value: "card" },
            { name: "Line", value: "line" },
          ],
        },
        { type: 7, name: "where", description: "Channel" },
        { type: 8, name: "role", description: "Role" },
        { type: 10, name: "ratio", description: "Ratio" },
        { type: 5, name: "quiet", description: "Quietly" },
      ],
    },
    { name: "Report party", type: 3 },
  ];

  it("one form per subcommand, in its group; message commands left out; admin commands marked", () => {
    const commands = commandModels(registered);
    expect(commands.map((c) => c.name)).toEqual(["config", "party"]);
    expect(commands[0]!.adminOnly).toBe(true);
    expect(commands[0]!.variants.map((v) => [v.group, v.subcommand])).toEqual([
      [null, "show"],
      ["ended", "delete-after"],
    ]);
    const out = commandsHtml(page({ commands })).value;
    expect(out).toContain('data-command="config ended delete-after"');
    expect(out).toContain('<input type="hidden" name="group" value="ended">');
    expect(out).toContain('<input type="number" name="opt.minutes" required>');
    expect(out).toContain(
      `<select name="opt.member"><option value="">—</option><option value="${ALICE}">@alice</option>`,
    );
    expect(out).toContain('<option value="line">Line</option>');
    expect(out).toContain(`<option value="${CHANNEL}">#parties</option>`);
    expect(out).toContain(`<option value="${ROLE}">@Party people</option>`);
    expect(out).toContain('<input type="number" name="opt.ratio" step="any">');
    expect(out).toContain('<option value="true">True</option>');
  });

  it.each<[number, string, string | number | boolean]>([
    [4, "15", 15],
    [10, "0.5", 0.5],
    [5, "true", true],
    [5, "false", false],
    [3, "15", "15"],
    [6, ALICE, ALICE],
  ])("an option of type %d given %s is sent as %s", (type, raw, value) => {
    expect(optionValue({ name: "x", description: "", type, required: false, choices: [] }, raw)).toBe(value);
  });

  it("refuses a number that is not one", () => {
    expect(() =>
      optionValue({ name: "minutes", description: "", type: 4, required: true, choices: [] }, "1.5"),
    ).toThrow("minutes: expected a whole number");
  });
});
