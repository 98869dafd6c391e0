/**
 * The presence board writer: after each poll, every server with `/config board` gets
 * one message listing who is online (decide.ts says what to do, this file does it).
 *
 * Exactly once, through the message protocol (messages/protocol.ts), as cards are:
 * this file says only what is a board's own, its row (db/boards.ts), how it is known
 * in the channel (its footer), and what it shows.
 *
 * One write at a time: polls and deleted messages touch the same rows.
 */
import { Routes } from "discord.js";
import { type BoardEntry, isBoardFooter, renderBoard } from "../../bot/embeds/presenceBoard.js";
import {
  type BoardRow,
  beginBoard,
  beginBoardReplace,
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
import type { Store } from "../../db/store.js";
import type { PartySink, PartyUpdate } from "../../domain/partyUpdate.js";
import type { Logger } from "../../log.js";
import { DiscordCode, discordCodeOf, pauseReasonOf } from "../messages/discordPolicy.js";
import { newNonce } from "../messages/nonce.js";
import {
  AccessLost,
  deleteMessage,
  editOrReplace,
  findOurs,
  type KeptMessage,
  type MessageIo,
  type Rendered,
  send,
  showUnsettled,
} from "../messages/protocol.js";
import { SerialQueue } from "../serialQueue.js";
import { decideBoard } from "./decide.js";

export type BoardWriterOptions = MessageIo & { db: Store; now?: () => Date };

export class BoardWriter implements PartySink {
  private readonly db: Store;
  private readonly io: MessageIo;
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
    this.db = options.db;
    this.io = { rest: options.rest, bot: options.bot, log: this.log };
    this.now = options.now ?? (() => new Date());
  }

  /** Called after the card writer on each poll pass; the parties themselves do not matter here. */
  apply(update: PartyUpdate): Promise<void> {
    return this.refresh(update.now);
  }

  /** Brings every server's board up to date. */
  refresh(now: Date = this.now()): Promise<void> {
    return this.queue.run(async () => {
      for (const guildId of await guildsWithBoards(this.db)) {
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
      const row = await findBoardByMessage(this.db, messageId);
      if (!row) return;
      await restartBoard(this.db, row.guildId, newNonce(), this.now());
      this.log.info({ guildId: row.guildId }, "presence board deleted by someone; it will be posted again");
    });
  }

  /** The server's board row as the protocol's kept message. */
  private board(guildId: string): KeptMessage {
    const db = this.db;
    return {
      where: { guildId },
      noun: "presence board",
      isOurs: (m, botUserId) => m.authorId === botUserId && isBoardFooter(m.footers),
      // One board per server, and a server's boards all live in its one row.
      tracked: async () => new Set(),
      restart: async (nonce, now) => await restartBoard(db, guildId, nonce, now),
      replace: async (retiringMessageId, nonce, now) =>
        await beginBoardReplace(db, guildId, { nonce, retiringMessageId }, now),
      complete: async (messageId, hash, now) => {
        await completeBoard(db, guildId, { messageId, hash }, now);
        this.seen.add(guildId);
      },
      adopt: async (messageId, now) => {
        await completeBoard(db, guildId, { messageId, hash: null }, now);
        this.seen.add(guildId);
      },
      edited: async (hash, now) => await recordBoardEdit(db, guildId, hash, now),
    };
  }

  private async refreshGuild(guildId: string, now: Date): Promise<void> {
    const wantedChannelId = (await findGuild(this.db, guildId))?.boardChannelId ?? null;
    const row = await this.stillThere((await findBoard(this.db, guildId)) ?? null, now);
    const shown = renderBoard((await onlineMembersOf(this.db, guildId)) satisfies BoardEntry[]);
    const rendered: Rendered = {
      post: { embeds: shown.embeds, allowed_mentions: { parse: [] } },
      edit: { embeds: shown.embeds, allowed_mentions: { parse: [] } },
      hash: shown.hash,
    };
    const step = decideBoard({ wantedChannelId, row, hash: shown.hash, now });
    if (step.kind === "none") return;
    const kept = this.board(guildId);
    try {
      switch (step.kind) {
        case "post":
          await this.post(kept, guildId, wantedChannelId as string, rendered, now);
          return;
        case "remove":
          await this.remove(kept, row as BoardRow);
          if (step.thenPost) await this.post(kept, guildId, wantedChannelId as string, rendered, now);
          return;
        case "settle":
          await showUnsettled(this.io, kept, row as BoardRow, rendered, now);
          return;
        case "edit": {
          const live = row as BoardRow & { messageId: string };
          await editOrReplace(this.io, kept, live, rendered, "edit", now);
          return;
        }
      }
    } catch (err) {
      if (!(err instanceof AccessLost)) throw err;
      const channelId = wantedChannelId ?? row?.channelId ?? "";
      await pauseBoard(this.db, guildId, pauseReasonOf(err.code, channelId, err.detail), now);
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
      await restartBoard(this.db, row.guildId, newNonce(), now);
      return (await findBoard(this.db, row.guildId)) ?? null;
    }
    this.seen.add(row.guildId);
    return row;
  }

  private async post(
    kept: KeptMessage,
    guildId: string,
    channelId: string,
    rendered: Rendered,
    now: Date,
  ): Promise<void> {
    const nonce = newNonce();
    await beginBoard(this.db, { guildId, channelId, nonce }, now);
    await send(this.io, kept, { channelId }, nonce, rendered, rendered.hash, now);
  }

  /** Turned off or moved: the old message goes (found by reading back if its id was never known). */
  private async remove(kept: KeptMessage, row: BoardRow): Promise<void> {
    try {
      const ids = row.messageId !== null ? [row.messageId] : await findOurs(this.io, kept, row.channelId);
      for (const id of ids) await deleteMessage(this.io, row.channelId, id);
    } catch (err) {
      // The old channel is gone or closed to the bot: nothing there to take down.
      if (!(err instanceof AccessLost)) throw err;
    }
    await deleteBoard(this.db, row.guildId);
    this.log.info({ guildId: row.guildId, channelId: row.channelId }, "presence board taken down");
  }
}
