/**
 * /metrics, end to end: the real app against the simulators, scraped over HTTP and
 * read with a strict Prometheus text parser. Every family is there from the first
 * scrape, and each moves when what it counts happens.
 */
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, SlashCommandBuilder } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import { commands } from "../../src/bot/commands/index.js";
import type { SlashCommand } from "../../src/bot/handlers.js";
import { findAllOpenCards } from "../../src/db/cards.js";
import { startWorld, type World } from "../e2e/world.js";
import { type MirrorWorld, startMirrorWorld } from "../mirror/harness.js";
import { type Exposition, scrape, seriesValue } from "../support/prometheus.js";

const FAMILIES: Record<string, string> = {
  ppb_poll_ticks_total: "counter",
  ppb_poll_tick_duration_seconds: "histogram",
  ppb_poll_last_tick_finished_timestamp_seconds: "gauge",
  ppb_poll_members_due_total: "counter",
  ppb_poll_members_polled_total: "counter",
  ppb_psn_requests_total: "counter",
  ppb_psn_request_duration_seconds: "histogram",
  ppb_psn_budget_waits_total: "counter",
  ppb_psn_budget_wait_seconds_total: "counter",
  ppb_psn_calls_skipped_total: "counter",
  ppb_psn_rate_limit_pauses_total: "counter",
  ppb_psn_token_refreshes_total: "counter",
  ppb_psn_tokens_undecryptable_total: "counter",
  ppb_discord_card_actions_total: "counter",
  ppb_interactions_total: "counter",
  ppb_link_attempts_total: "counter",
  ppb_members: "gauge",
  ppb_open_cards: "gauge",
  ppb_paused_servers: "gauge",
  // Node's default process metrics.
  process_cpu_user_seconds_total: "counter",
  process_resident_memory_bytes: "gauge",
  nodejs_heap_size_used_bytes: "gauge",
  nodejs_eventloop_lag_seconds: "gauge",
  nodejs_gc_duration_seconds: "histogram",
};

type Delta = (sample: string, labels?: Record<string, string>) => number;

/** Scrapes before and after `act`; the answer tells how much a series moved. */
async function across(url: string, act: () => Promise<unknown>): Promise<{ d: Delta; after: Exposition }> {
  const before = await scrape(url);
  await act();
  const after = await scrape(url);
  return {
    d: (sample, labels = {}) => seriesValue(after, sample, labels) - seriesValue(before, sample, labels),
    after,
  };
}

describe("/metrics", () => {
  let m: MirrorWorld | undefined;
  let w: World | undefined;
  afterEach(async () => {
    await m?.stop();
    await w?.stop();
    m = undefined;
    w = undefined;
  });

  it("serves every family, and each moves when what it counts happens", async () => {
    m = await startMirrorWorld({ env: { PSN_TIMEOUT_MS: "500" } });
    const { world, psn } = m;
    const url = world.app.metricsUrl;
    const channel = world.partyChannel.id;

    const first = await scrape(url);
    for (const [name, type] of Object.entries(FAMILIES)) expect(first.get(name)?.type, name).toBe(type);
    expect(seriesValue(first, "ppb_open_cards")).toBe(0);

    // A link, through /link and the sign-in page.
    let alice = "";
    const linked = await across(url, async () => {
      alice = (await m!.linkedMember("alice", "alice_ps")).accountId;
    });
    expect(linked.d("ppb_link_attempts_total", { outcome: "linked" })).toBe(1);
    expect(linked.d("ppb_interactions_total", { kind: "command", command: "link", outcome: "ok" })).toBe(1);
    expect(linked.d("ppb_psn_requests_total", { operation: "token", outcome: "ok" })).toBeGreaterThan(0);
    expect(linked.d("ppb_psn_request_duration_seconds_count", { operation: "token" })).toBeGreaterThan(0);
    expect(seriesValue(linked.after, "ppb_members", { link_state: "active" })).toBe(1);

    // A tick that posts a card.
    const session = psn.startParty(alice, { joinability: "open" });
    const posted = await across(url, async () => {
      await m!.tick();
      await world.discord.waitForMessage(channel);
    });
    expect(posted.d("ppb_poll_ticks_total", { outcome: "ok" })).toBe(1);
    expect(posted.d("ppb_poll_tick_duration_seconds_count")).toBe(1);
    expect(posted.d("ppb_poll_members_due_total")).toBe(1);
    expect(posted.d("ppb_poll_members_polled_total", { outcome: "observed" })).toBe(1);
    expect(posted.d("ppb_psn_requests_total", { operation: "parties", outcome: "ok" })).toBe(1);
    expect(posted.d("ppb_discord_card_actions_total", { kind: "post", result: "ok" })).toBe(1);
    expect(seriesValue(posted.after, "ppb_open_cards")).toBe(1);
    expect(seriesValue(posted.after, "ppb_poll_last_tick_finished_timestamp_seconds")).toBe(
      m.now().getTime() / 1000,
    );
    const card = world.discord.channelMessages(channel).at(-1)!;

    // Edits: plain, then one that finds the message gone (repost), then one too old to edit (replace).
    const bob = (await m.linkedMember("bob", "bob_ps")).accountId;
    const edited = await across(url, async () => {
      psn.joinParty(session, bob);
      await m!.tick();
    });
    expect(edited.d("ppb_discord_card_actions_total", { kind: "edit", result: "ok" })).toBe(1);
    const reposted = await across(url, async () => {
      world.discord.fault(
        { method: "PATCH", path: `/channels/${channel}/messages/${card.id}` },
        { status: 404, code: 10008, times: 1 },
      );
      psn.leaveParty(session, bob);
      await m!.tick();
    });
    expect(reposted.d("ppb_discord_card_actions_total", { kind: "repost", result: "ok" })).toBe(1);
    const replaced = await across(url, async () => {
      world.discord.fault(
        { method: "PATCH", path: /^\/channels\/\d+\/messages\/\d+$/ },
        { status: 400, code: 30046, times: 1 },
      );
      psn.joinParty(session, bob);
      await m!.tick();
    });
    expect(replaced.d("ppb_discord_card_actions_total", { kind: "replace", result: "ok" })).toBe(1);

    // PSN answering 5xx (retried) and too slowly.
    const flaky = await across(url, async () => {
      psn.fault("parties", { status: 503, times: 1 });
      await m!.tick();
      psn.fault("parties", { delayMs: 800, times: 1 });
      await m!.tick();
    });
    expect(flaky.d("ppb_psn_requests_total", { operation: "parties", outcome: "5xx" })).toBe(1);
    expect(flaky.d("ppb_psn_requests_total", { operation: "parties", outcome: "timeout" })).toBe(1);

    // An expired access token: PSN answers 401, the token manager refreshes it.
    const refreshed = await across(url, async () => {
      psn.expireAccessTokens();
      await m!.tick();
    });
    expect(refreshed.d("ppb_psn_token_refreshes_total", { outcome: "ok" })).toBeGreaterThan(0);
    expect(refreshed.d("ppb_psn_requests_total", { operation: "parties", outcome: "4xx" })).toBeGreaterThan(
      0,
    );
    // Interactions: a command that works, one refused with a reason (not an admin), a card's button.
    const clicked = await across(url, async () => {
      await world.slash(world.member, "help").response();
      await world.slash(world.member, "config", { subcommand: "show" }).response();
      const live = world.discord.channelMessages(channel).at(-1)!;
      await world.discord
        .clickButton({
          channelId: channel,
          messageId: live.id,
          customId: `invite:${session}`,
          userId: world.member.id,
          guildId: world.guild.id,
        })
        .response();
    });
    expect(clicked.d("ppb_interactions_total", { kind: "command", command: "help", outcome: "ok" })).toBe(1);
    expect(
      clicked.d("ppb_interactions_total", { kind: "command", command: "config", outcome: "refused" }),
    ).toBe(1);
    expect(clicked.d("ppb_interactions_total", { kind: "button", command: "invite" })).toBe(1);

    // The party ends: its card is ended.
    const ended = await across(url, async () => {
      psn.endParty(session);
      // Two polls of its members without it; the PSN faults above put them on a short backoff.
      for (let i = 0; i < 8 && (await findAllOpenCards(world.app.ctx.db)).length > 0; i++) await m!.tick();
    });
    expect(ended.d("ppb_discord_card_actions_total", { kind: "end", result: "ok" })).toBe(1);
    expect(seriesValue(ended.after, "ppb_open_cards")).toBe(0);

    // A refresh token PSN refuses: the member must link again.
    const refused = await across(url, async () => {
      psn.revokeRefreshToken(bob);
      psn.expireAccessTokens();
      await m!.tick();
    });
    expect(refused.d("ppb_psn_token_refreshes_total", { outcome: "refused" })).toBe(1);
    expect(refused.d("ppb_poll_members_polled_total", { outcome: "needsRelink" })).toBe(1);
    expect(seriesValue(refused.after, "ppb_members", { link_state: "needs_relink" })).toBe(1);

    // Discord refuses the channel: the server is paused.
    const paused = await across(url, async () => {
      world.discord.fault(
        { method: "POST", path: new RegExp(`^/channels/${channel}/messages$`) },
        { status: 403, code: 50013, message: "Missing Permissions" },
      );
      psn.startParty(alice, { joinability: "open" });
      await m!.tick();
    });
    expect(paused.d("ppb_discord_card_actions_total", { kind: "post", result: "paused" })).toBe(1);
    expect(seriesValue(paused.after, "ppb_paused_servers")).toBe(1);

    // PSN rate limits the account: it is paused.
    const limited = await across(url, async () => {
      psn.fault("parties", { status: 429, headers: { "retry-after": "60" }, times: 1 });
      await m!.tick();
    });
    expect(limited.d("ppb_psn_requests_total", { operation: "parties", outcome: "429" })).toBe(1);
    expect(limited.d("ppb_psn_rate_limit_pauses_total")).toBe(1);
    expect(limited.d("ppb_poll_members_polled_total", { outcome: "rateLimited" })).toBe(1);
  });

  it("counts the waits for an account's PSN budget", async () => {
    // One request per second per account: the tick's second read waits for the first's slot.
    m = await startMirrorWorld({ env: { PSN_BUDGET_REQUESTS: "1", PSN_BUDGET_WINDOW_SECONDS: "1" } });
    await m.linkedMember("alice", "alice_ps");
    const { d } = await across(m.world.app.metricsUrl, () => m!.tick());
    expect(d("ppb_psn_budget_waits_total")).toBeGreaterThan(0);
    expect(d("ppb_psn_budget_wait_seconds_total")).toBeGreaterThan(0);
  });

  it("counts a failing handler as an error and a button nobody handles as unknown", async () => {
    const boom: SlashCommand = {
      definition: new SlashCommandBuilder().setName("boom").setDescription("Always fails"),
      async execute() {
        throw new Error("kaboom");
      },
    };
    w = await startWorld({ app: { commands: [...commands, boom] } });
    const world = w;
    const channel = await world.app.client.channels.fetch(world.partyChannel.id);
    if (!channel?.isSendable()) throw new Error("party channel not sendable");
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId("nope:1").setLabel("nope").setStyle(ButtonStyle.Secondary),
    );
    const message = await channel.send({ content: "buttons", components: [row] });
    const { d } = await across(world.app.metricsUrl, async () => {
      await world.slash(world.member, "boom").response();
      await world.discord
        .clickButton({
          channelId: world.partyChannel.id,
          messageId: message.id,
          customId: "nope:1",
          userId: world.member.id,
          guildId: world.guild.id,
        })
        .response();
    });
    expect(d("ppb_interactions_total", { kind: "command", command: "boom", outcome: "error" })).toBe(1);
    // Not "nope": a label value is always one of ours, whatever custom_id Discord sends.
    expect(d("ppb_interactions_total", { kind: "button", command: "unknown", outcome: "unknown" })).toBe(1);
  });

  it("serves /metrics on the web server when METRICS_PORT is unset", async () => {
    w = await startWorld();
    expect(w.app.metricsUrl).toBe(`${w.app.web.url}/metrics`);
    const exposition = await scrape(`${w.webUrl}/metrics`);
    expect(exposition.get("ppb_poll_ticks_total")?.type).toBe("counter");
    expect((await fetch(`${w.webUrl}/metrics`, { method: "POST" })).status).toBe(405);
  });

  it("with METRICS_PORT, serves /metrics only there, on METRICS_HOST", async () => {
    w = await startWorld({ env: { METRICS_PORT: "0" } });
    const publicAnswer = await fetch(`${w.webUrl}/metrics`);
    expect(publicAnswer.status).toBe(404);
    const privateUrl = new URL(w.app.metricsUrl);
    expect(privateUrl.hostname).toBe("127.0.0.1");
    expect(privateUrl.port).not.toBe(new URL(w.webUrl).port);
    const exposition = await scrape(w.app.metricsUrl);
    expect(exposition.get("ppb_interactions_total")?.type).toBe("counter");
    // The private listener serves nothing else.
    expect((await fetch(new URL("/healthz", privateUrl))).status).toBe(404);
    expect((await fetch(new URL("/link/x", privateUrl))).status).toBe(404);
  });
});
