/**
 * The presence board writer: after each poll, every server with `/config board` gets
 * one message listing who is online (decide.ts says what to do, this file does it).
 *
 * Exactly once, with the card writer's machinery: the row is written (`posting`, with
 * a nonce) before the create call and completed after; a row left `posting` is sent
 * again on its nonce while Discord honours it, and past that the channel is read back
 * and the bot's own board (known by its footer) adopted before anything is posted.
 *
 * One write at a time: polls and deleted messages touch the same rows.
 */
import { Routes } from "discord.js";
import { z } from "zod";
import { type BoardEntry, isBoardFooter, renderBoard } from "../../bot/embeds/presenceBoard.js";
import {
  type BoardRow,
  beginBoard,
  completeBoard,
  deleteBoard,
  findBoard,
  findBoardByMessage,
  guildsWithBoards,
  onlineMembersOf,
  pauseBoard,
  recordBoardEdit,
  restartBoard,
} from "../../db/boards.js";
import { findGuild } from "../../db/guilds.js";
import type { PartySink, PartyUpdate } from "../../domain/partyUpdate.js";
import type { Logger } from "../../log.js";
import { type CardIo, call, GuildPaused, readRecentMessages } from "../cards/applyAction.js";
import { DiscordCode, discordCodeOf, discordErrorDecision, pauseReasonFor } from "../cards/discordPolicy.js";
import { newNonce } from "../cards/nonce.js";
import { settleMessage, settleNeed } from "../cards/settle.js";
import { SerialQueue } from "../serialQueue.js";
import { decideBoard } from "./decide.js";

export type BoardWriterOptions = Omit<CardIo, "metrics"> & { now?: () => Date };

const createdMessage = z.looseObject({ id: z.string() });

export class BoardWriter implements PartySink {
  private readonly io: Omit<CardIo, "metrics">;
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly queue = new SerialQueue();
  /**
   * Boards seen to exist since this process started. A board deleted while the bot was
   * down sent its deletion to nobody, and an unchanged board is never edited (which
   * would find it gone): so each is looked at once per start. Per process on purpose.
   */
  private readonly seen = new Set<string>();

  constructor(options: BoardWriterOptions) {
    this.log = options.log.child({ component: "board-writer" });
    this.io = { db: options.db, rest: options.rest, bot: options.bot, log: this.log };
    this.now = options.now ?? (() => new Date());
  }

  /** Called after the card writer on each poll pass; the parties themselves do not matter here. */
  apply(update: PartyUpdate): Promise<void> {
    return this.refresh(update.now);
  }

  /** Brings every server's board up to date. */
  refresh(now: Date = this.now()): Promise<void> {
    return this.queue.run(async () => {
      for (const guildId of await guildsWithBoards(this.io.db)) {
        try {
          await this.refreshGuild(guildId, now);
        } catch (err) {
          // One server's trouble never holds the others back.
          this.log.warn({ err, guildId }, "could not update the presence board; retried next poll");
        }
      }
    });
  }

  /** Someone deleted this message: if it was a board, it is posted again on the next poll. */
  messageDeleted(messageId: string): Promise<void> {
    return this.queue.run(async () => {
      const row = await findBoardByMessage(this.io.db, messageId);
      if (!row) return;
      await restartBoard(this.io.db, row.guildId, newNonce(), this.now());
      this.log.info({ guildId: row.guildId }, "presence board deleted by someone; it will be posted again");
    });
  }

  private async refreshGuild(guildId: string, now: Date): Promise<void> {
    const wantedChannelId = (await findGuild(this.io.db, guildId))?.boardChannelId ?? null;
    const row = await this.stillThere((await findBoard(this.io.db, guildId)) ?? null, now);
    const board = renderBoard((await onlineMembersOf(this.io.db, guildId)) satisfies BoardEntry[]);
    const step = decideBoard({ wantedChannelId, row, hash: board.hash, now });
    if (step.kind === "none") return;
    try {
      switch (step.kind) {
        case "post":
          return await this.post(guildId, wantedChannelId as string, board, now);
        case "remove":
          await this.remove(row as BoardRow);
          if (step.thenPost) await this.post(guildId, wantedChannelId as string, board, now);
          return;
        case "settle":
          return await this.settle(row as BoardRow, board, now);
        case "edit":
          return await this.edit(row as BoardRow, board, now);
      }
    } catch (err) {
      if (!(err instanceof GuildPaused)) throw err;
      const channelId = wantedChannelId ?? row?.channelId ?? "";
      await pauseBoard(this.io.db, guildId, pauseReasonFor(err.code, channelId, err.detail), now);
      this.log.warn({ guildId, channelId, code: err.code }, "presence board paused: Discord refused access");
    }
  }

  /** The row as it stands once its message was checked to exist (once per start). */
  private async stillThere(row: BoardRow | null, now: Date): Promise<BoardRow | null> {
    if (!row || row.messageId === null || row.pausedReason !== null || this.seen.has(row.guildId)) return row;
    try {
      await this.io.rest.get(Routes.channelMessage(row.channelId, row.messageId));
    } catch (err) {
      if (discordCodeOf(err) !== DiscordCode.unknownMessage) return row;
      this.log.info({ guildId: row.guildId }, "presence board was deleted while the bot was down");
      await restartBoard(this.io.db, row.guildId, newNonce(), now);
      return (await findBoard(this.io.db, row.guildId)) ?? null;
    }
    this.seen.add(row.guildId);
    return row;
  }

  private async post(guildId: string, channelId: string, board: Rendered, now: Date): Promise<void> {
    const nonce = newNonce();
    await beginBoard(this.io.db, { guildId, channelId, nonce }, now);
    await this.send(guildId, channelId, nonce, board, now);
  }

  private async send(
    guildId: string,
    channelId: string,
    nonce: string,
    board: Rendered,
    now: Date,
    fresh = true,
  ): Promise<void> {
    const created = createdMessage.parse(
      await call("post", () =>
        this.io.rest.post(Routes.channelMessages(channelId), {
          body: { embeds: board.embeds, allowed_mentions: { parse: [] }, nonce, enforce_nonce: true },
        }),
      ),
    );
    await completeBoard(this.io.db, guildId, { messageId: created.id, hash: fresh ? board.hash : null }, now);
    this.seen.add(guildId);
    this.log.info({ guildId, channelId }, "presence board posted");
  }

  /** A row without a message: its nonce still trusted, send again; past that, look before posting. */
  private async settle(row: BoardRow, board: Rendered, now: Date): Promise<void> {
    if (settleNeed(row, "show", now) === "resend") {
      // A repeat on the nonce returns the first message, which may show an older board:
      // what it shows is not known (no hash), so the next poll brings it up to date.
      await this.send(row.guildId, row.channelId, row.nonce, board, now, false);
      return;
    }
    const [found, ...duplicates] = await this.lookFor(row.channelId);
    for (const id of duplicates) await this.deleteMessage(row.channelId, id);
    if (found === undefined) {
      const nonce = newNonce();
      await restartBoard(this.io.db, row.guildId, nonce, now);
      await this.send(row.guildId, row.channelId, nonce, board, now);
      return;
    }
    // Adopted first (what it shows is unknown, so no hash), then brought up to date.
    await completeBoard(this.io.db, row.guildId, { messageId: found, hash: null }, now);
    this.seen.add(row.guildId);
    this.log.info({ guildId: row.guildId, messageId: found }, "presence board found in the channel");
    await this.edit({ ...row, messageId: found }, board, now);
  }

  private async edit(row: BoardRow, board: Rendered, now: Date): Promise<void> {
    const messageId = row.messageId as string;
    try {
      await call("edit", () =>
        this.io.rest.patch(Routes.channelMessage(row.channelId, messageId), {
          body: { embeds: board.embeds, allowed_mentions: { parse: [] } },
        }),
      );
      await recordBoardEdit(this.io.db, row.guildId, board.hash, now);
    } catch (err) {
      const code = discordCodeOf(err);
      const decision = discordErrorDecision(code, "edit");
      if (decision !== "repost" && decision !== "replace") throw err;
      // Gone (or too old to edit): a new board replaces it.
      if (code === DiscordCode.tooOldToEdit) await this.deleteMessage(row.channelId, messageId);
      this.log.info({ guildId: row.guildId, code }, "presence board cannot be edited; posting it again");
      const nonce = newNonce();
      await restartBoard(this.io.db, row.guildId, nonce, now);
      await this.send(row.guildId, row.channelId, nonce, board, now);
    }
  }

  /** Turned off or moved: the old message goes (found by reading back if its id was never known). */
  private async remove(row: BoardRow): Promise<void> {
    try {
      const ids = row.messageId !== null ? [row.messageId] : await this.lookFor(row.channelId);
      for (const id of ids) await this.deleteMessage(row.channelId, id);
    } catch (err) {
      // The old channel is gone or closed to the bot: nothing there to take down.
      if (!(err instanceof GuildPaused)) throw err;
    }
    await deleteBoard(this.io.db, row.guildId);
    this.log.info({ guildId: row.guildId, channelId: row.channelId }, "presence board taken down");
  }

  /** The bot's boards in the channel, oldest first (the first is the one to keep). */
  private async lookFor(channelId: string): Promise<string[]> {
    const settlement = settleMessage({
      botUserId: this.io.bot.userId(),
      permissions: this.io.bot.permissionsIn(channelId),
      messages: await readRecentMessages(this.io, channelId),
      tracked: new Set(),
      isOurs: (m, botUserId) => m.authorId === botUserId && isBoardFooter(m.footers),
    });
    switch (settlement.kind) {
      case "pause":
        throw new GuildPaused(DiscordCode.missingPermissions, "readHistory");
      case "retry":
        throw new Error(`cannot look for the presence board yet: ${settlement.why}`);
      case "none":
        return [];
      case "adopt":
        return [settlement.messageId, ...settlement.duplicates];
    }
  }

  private async deleteMessage(channelId: string, messageId: string): Promise<void> {
    try {
      await call("end", () => this.io.rest.delete(Routes.channelMessage(channelId, messageId)));
    } catch (err) {
      if (discordErrorDecision(discordCodeOf(err), "end") !== "settled") throw err;
    }
  }
}

type Rendered = ReturnType<typeof renderBoard>;
