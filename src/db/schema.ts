import { sql } from "drizzle-orm";
import {
  customType,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
import type { InviteDetail } from "../domain/inviteDetail.js";
import { type PauseReason, pauseReasonFromJson, pauseReasonToJson } from "../domain/pauseReason.js";

const now = sql`(cast(unixepoch('subsecond') * 1000 as integer))`;
/** A pause reason as JSON text (a code and its parameters), checked by zod both ways. */
const pauseReason = customType<{ data: PauseReason; driverData: string }>({
  dataType: () => "text",
  toDriver: pauseReasonToJson,
  fromDriver: pauseReasonFromJson,
});

const createdAt = () => integer("created_at", { mode: "timestamp_ms" }).notNull().default(now);

/** A Discord user linked to a PSN account. One row per Discord user; deleted by /unlink. */
export const users = sqliteTable(
  "users",
  {
    discordUserId: text("discord_user_id").primaryKey(),
    psnAccountId: text("psn_account_id").notNull(),
    psnOnlineId: text("psn_online_id").notNull(),
    /** Encrypted with the token vault (key id + AES-256-GCM); never plain text. */
    accessTokenEnc: text("access_token_enc").notNull(),
    accessTokenExpiresAt: integer("access_token_expires_at", { mode: "timestamp_ms" }).notNull(),
    refreshTokenEnc: text("refresh_token_enc").notNull(),
    refreshTokenExpiresAt: integer("refresh_token_expires_at", { mode: "timestamp_ms" }).notNull(),
    linkState: text("link_state", { enum: ["active", "needs_relink"] })
      .notNull()
      .default("active"),
    /** How many re-link reminders went out for the current refresh token (0, 1 = 7 days, 2 = 1 day). */
    relinkRemindersSent: integer("relink_reminders_sent").notNull().default(0),
    relinkNoticeSentAt: integer("relink_notice_sent_at", { mode: "timestamp_ms" }),
    /**
     * Which sign-in the stored tokens descend from: new on every sign-in, never reused
     * (from a counter in meta). A refresh's result, or its refusal, applies only to the
     * generation it started from, so a refresh that began before a re-link cannot
     * overwrite or condemn the new link.
     */
    tokenGeneration: integer("token_generation").notNull().default(0),
    invitesMode: text("invites_mode", { enum: ["auto", "approve", "off"] })
      .notNull()
      .default("auto"),
    linkedAt: integer("linked_at", { mode: "timestamp_ms" }).notNull().default(now),
    // Watch state: the poller's scheduling memory, so a restart keeps the backoff.
    online: integer("online", { mode: "boolean" }),
    offlineStreak: integer("offline_streak").notNull().default(0),
    /** Consecutive "unavailable" failures, for the poller's error backoff. */
    errorStreak: integer("error_streak").notNull().default(0),
    /** The last parties read came back empty after a party: read presence next. */
    recheckPresence: integer("recheck_presence", { mode: "boolean" }).notNull().default(false),
    nextPollAt: integer("next_poll_at", { mode: "timestamp_ms" }).notNull().default(now),
    lastPresenceAt: integer("last_presence_at", { mode: "timestamp_ms" }),
    lastPartiesAt: integer("last_parties_at", { mode: "timestamp_ms" }),
    inParty: integer("in_party", { mode: "boolean" }).notNull().default(false),
    /** The last presence's game, as JSON (GameTitle), shown on cards. */
    gameJson: text("game_json"),
    platform: text("platform"),
    /** Since when the member shows what the presence board shows (online, this game); null when offline. */
    presenceSince: integer("presence_since", { mode: "timestamp_ms" }),
    /** `/privacy board`: whether presence boards list this member (every server). */
    onBoard: integer("on_board", { mode: "boolean" }).notNull().default(true),
    /** When the member's PSN friend list was last read (null: never, read soon). */
    friendsReadAt: integer("friends_read_at", { mode: "timestamp_ms" }),
    /** Friend list reads that failed in a row since the last that worked (the backoff's step). */
    friendsFailures: integer("friends_failures").notNull().default(0),
    /** After a failed friend list read: not read again before this (a 404: hours). Null: whenever due. */
    friendsRetryAt: integer("friends_retry_at", { mode: "timestamp_ms" }),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [
    uniqueIndex("users_psn_account_id").on(t.psnAccountId),
    index("users_next_poll_at").on(t.nextPollAt),
  ],
);

/** Per-server settings, created on first use; deleted when the bot leaves the server. */
export const guilds = sqliteTable("guilds", {
  guildId: text("guild_id").primaryKey(),
  channelId: text("channel_id"),
  mentionRoleId: text("mention_role_id"),
  show: text("show", { enum: ["joinable", "all"] })
    .notNull()
    .default("joinable"),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  /** Why cards are paused (the bot lost access to the channel), a code and its parameters; null when running. */
  pausedReason: pauseReason("paused_reason"),
  /** The text posted above a new card (placeholders, see bot/embeds/cardTemplate.ts); null: the role mention. */
  cardTemplate: text("card_template"),
  /** Minutes after which an ended card's message is deleted; null keeps ended cards. */
  endedDeleteAfterMinutes: integer("ended_delete_after_minutes"),
  /** Where the presence board is kept (`/config board`); null: no board. */
  boardChannelId: text("board_channel_id"),
  createdAt: createdAt(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().default(now),
});

/** Which linked members are announced in which server (their per-server opt-in). */
export const guildMembers = sqliteTable(
  "guild_members",
  {
    guildId: text("guild_id")
      .notNull()
      .references(() => guilds.guildId, { onDelete: "cascade" }),
    discordUserId: text("discord_user_id")
      .notNull()
      .references(() => users.discordUserId, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.guildId, t.discordUserId] }),
    index("guild_members_user").on(t.discordUserId),
  ],
);

/**
 * One party card in one server. Written in state `posting` before the Discord call
 * and completed after it, so a crash in between is repaired by re-posting with the
 * same nonce (Discord's enforce_nonce turns the repeat into a no-op).
 */
export const cards = sqliteTable(
  "cards",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    guildId: text("guild_id")
      .notNull()
      .references(() => guilds.guildId, { onDelete: "cascade" }),
    sessionId: text("session_id").notNull(),
    channelId: text("channel_id").notNull(),
    messageId: text("message_id"),
    /**
     * The message this row's next post replaces (Discord refused to edit it, 30046): deleted
     * before the replacement is posted, and remembered until the replacement exists, so a
     * failed delete or a crash never leaves it live and forgotten.
     */
    retiringMessageId: text("retiring_message_id"),
    nonce: text("nonce").notNull(),
    state: text("state", { enum: ["posting", "live", "ended"] }).notNull(),
    hash: text("hash"),
    /** The party as last shown (JSON), to render the ended card after the party is gone. */
    partyJson: text("party_json").notNull(),
    postedAt: integer("posted_at", { mode: "timestamp_ms" }),
    endedAt: integer("ended_at", { mode: "timestamp_ms" }),
    /** When the ended card's message is to be deleted (`/config ended delete-after`); null: never. */
    deleteAt: integer("delete_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [
    // Never two open cards for one party in one server; ended ones are history.
    uniqueIndex("cards_open_party").on(t.guildId, t.sessionId).where(sql`state <> 'ended'`),
    index("cards_session").on(t.sessionId),
    index("cards_delete_at").on(t.deleteAt),
  ],
);

/**
 * A server's presence board message: one row per server, written (`posting`, with the
 * nonce Discord will see) before the create call and completed after, as cards are.
 */
export const boards = sqliteTable("boards", {
  guildId: text("guild_id")
    .primaryKey()
    .references(() => guilds.guildId, { onDelete: "cascade" }),
  channelId: text("channel_id").notNull(),
  messageId: text("message_id"),
  /** The message the next post replaces (30046), until the replacement exists: as for cards. */
  retiringMessageId: text("retiring_message_id"),
  nonce: text("nonce").notNull(),
  state: text("state", { enum: ["posting", "live"] }).notNull(),
  /** Hash of what the message shows; null when not known (adopted after a lost answer). */
  hash: text("hash"),
  /** Why the board is not written (Discord refused the channel), as a code; cleared by `/config board`. */
  pausedReason: pauseReason("paused_reason"),
  createdAt: createdAt(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().default(now),
});

/** One-time sign-in links. Only the SHA-256 of the token is kept. */
export const linkTokens = sqliteTable(
  "link_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    discordUserId: text("discord_user_id").notNull(),
    guildId: text("guild_id"),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    usedAt: integer("used_at", { mode: "timestamp_ms" }),
    attempts: integer("attempts").notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [index("link_tokens_user").on(t.discordUserId)],
);

/** Invitation requests: dedupe window and audit trail. */
export const invites = sqliteTable(
  "invites",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    guildId: text("guild_id").notNull(),
    sessionId: text("session_id").notNull(),
    // The audit names both members; it goes with either's unlink, and an answer arriving
    // after the unlink (PSN's, or an approval) cannot record it again.
    requesterUserId: text("requester_user_id")
      .notNull()
      .references(() => users.discordUserId, { onDelete: "cascade" }),
    requesterAccountId: text("requester_account_id").notNull(),
    senderUserId: text("sender_user_id").references(() => users.discordUserId, { onDelete: "cascade" }),
    outcome: text("outcome", {
      enum: ["pending", "sent", "denied", "expired", "refused", "failed"],
    }).notNull(),
    /** Why it came to nothing, as a code (domain/inviteDetail.ts); null when it did not fail. */
    detail: text("detail").$type<InviteDetail>(),
    createdAt: createdAt(),
    decidedAt: integer("decided_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("invites_dedupe").on(t.sessionId, t.requesterUserId, t.createdAt)],
);

/**
 * Each PSN request the budget granted, per account, kept for one budget window so a
 * restart (or a crash loop) resumes the window instead of starting a fresh one.
 * Written before the request is sent: a crash in between over-counts, never under.
 */
export const psnBudgetRequests = sqliteTable(
  "psn_budget_requests",
  {
    id: integer("id").primaryKey(),
    // Not tied to the link: the sign-in's own reads are counted before the account is linked.
    accountId: text("account_id").notNull(),
    /** Epoch milliseconds, as the budget counts them. */
    at: integer("at").notNull(),
  },
  (t) => [index("psn_budget_requests_at").on(t.at)],
);

/** An account paused by a PSN 429 until the time PSN gave; survives a restart for the same reason. */
export const psnBudgetPauses = sqliteTable("psn_budget_pauses", {
  accountId: text("account_id").primaryKey(),
  /** Epoch milliseconds. */
  until: integer("until").notNull(),
});

/**
 * PSN friendships between linked members, as read from `accountId`'s friend list (only
 * friends who were linked at the time are kept). Read as undirected: either side's list
 * is enough. Replaced on each read of that list; removed on unlink.
 */
export const friendEdges = sqliteTable(
  "friend_edges",
  {
    // Both ends linked, enforced by the engine: an unlink takes the edges with it, and a
    // list read that finishes after the unlink cannot write them back.
    accountId: text("account_id")
      .notNull()
      .references(() => users.psnAccountId, { onDelete: "cascade" }),
    friendAccountId: text("friend_account_id")
      .notNull()
      .references(() => users.psnAccountId, { onDelete: "cascade" }),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.friendAccountId] }),
    index("friend_edges_friend").on(t.friendAccountId),
  ],
);

/** Small key/value facts the bot keeps about itself (e.g. the registered commands' hash). */
export const meta = sqliteTable("meta", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});
