/**
 * startApp's mirror step: the card writer (cards through the bot's REST), the poller
 * and the services the invite buttons use. The poller starts after login and, its
 * undo step being registered last, stops first on shutdown.
 */
import { Events } from "discord.js";
import { type BotContext, requireService } from "../bot/context.js";
import type { Config } from "../config.js";
import { CardWriter } from "./cards/writer.js";
import { Poller } from "./poller.js";

export interface WireMirrorInput {
  config: Config;
  ctx: BotContext;
  undo: Array<{ what: string; run: () => unknown }>;
  /** false: no cron; the caller drives `poller.tick()` (tests). Default true. */
  schedule?: boolean;
}

export interface WiredMirror {
  poller: Poller;
  cardWriter: CardWriter;
  /** Starts the schedule; call once the gateway is ready. */
  afterLogin(): void;
}

export function wireMirror({ config, ctx, undo, schedule = true }: WireMirrorInput): WiredMirror {
  const psn = requireService(ctx.psn, "psn");
  const tokens = requireService(ctx.tokens, "tokens");
  const cardWriter = new CardWriter({ db: ctx.db, rest: ctx.client.rest, log: ctx.log, now: ctx.now });
  const poller = new Poller({
    db: ctx.db,
    psn,
    tokens,
    sink: cardWriter,
    log: ctx.log,
    now: ctx.now,
    intervalSeconds: config.poll.intervalSeconds,
    concurrency: config.poll.concurrency,
  });
  const onDelete = (message: { id: string; guildId: string | null }) => {
    if (message.guildId === null) return;
    cardWriter
      .messageDeleted(message.id)
      .catch((err: unknown) =>
        ctx.log.error({ err, messageId: message.id }, "could not note a deleted card"),
      );
  };
  const onBulkDelete = (messages: ReadonlyMap<string, { id: string; guildId: string | null }>) => {
    for (const message of messages.values()) onDelete(message);
  };
  ctx.client.on(Events.MessageDelete, onDelete);
  ctx.client.on(Events.MessageBulkDelete, onBulkDelete);
  undo.push({
    what: "the card deletion listener",
    run: () => {
      ctx.client.off(Events.MessageDelete, onDelete);
      ctx.client.off(Events.MessageBulkDelete, onBulkDelete);
    },
  });
  ctx.cards = cardWriter;
  ctx.mirror = { psn, tokens };
  return {
    poller,
    cardWriter,
    afterLogin: () => {
      if (schedule) poller.start();
      undo.push({ what: "the poller", run: () => poller.stop() });
    },
  };
}
