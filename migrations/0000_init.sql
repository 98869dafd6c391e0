CREATE TABLE `announcements` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`guild_id` text NOT NULL,
	`session_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`message_id` text,
	`nonce` text NOT NULL,
	`state` text NOT NULL,
	`hash` text,
	`party_json` text NOT NULL,
	`posted_at` integer,
	`ended_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`guild_id`) REFERENCES `guilds`(`guild_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `announcements_open_party` ON `announcements` (`guild_id`,`session_id`) WHERE state <> 'ended';--> statement-breakpoint
CREATE INDEX `announcements_session` ON `announcements` (`session_id`);--> statement-breakpoint
CREATE TABLE `guild_members` (
	`guild_id` text NOT NULL,
	`discord_user_id` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`guild_id`, `discord_user_id`),
	FOREIGN KEY (`guild_id`) REFERENCES `guilds`(`guild_id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`discord_user_id`) REFERENCES `users`(`discord_user_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `guild_members_user` ON `guild_members` (`discord_user_id`);--> statement-breakpoint
CREATE TABLE `guilds` (
	`guild_id` text PRIMARY KEY NOT NULL,
	`channel_id` text,
	`mention_role_id` text,
	`show` text DEFAULT 'joinable' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`paused_reason` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `invites` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`guild_id` text NOT NULL,
	`session_id` text NOT NULL,
	`requester_user_id` text NOT NULL,
	`requester_account_id` text NOT NULL,
	`sender_user_id` text,
	`outcome` text NOT NULL,
	`detail` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`decided_at` integer
);
--> statement-breakpoint
CREATE INDEX `invites_dedupe` ON `invites` (`session_id`,`requester_user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `link_tokens` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`discord_user_id` text NOT NULL,
	`guild_id` text,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `link_tokens_user` ON `link_tokens` (`discord_user_id`);--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `users` (
	`discord_user_id` text PRIMARY KEY NOT NULL,
	`psn_account_id` text NOT NULL,
	`psn_online_id` text NOT NULL,
	`access_token_enc` text NOT NULL,
	`access_token_expires_at` integer NOT NULL,
	`refresh_token_enc` text NOT NULL,
	`refresh_token_expires_at` integer NOT NULL,
	`link_state` text DEFAULT 'active' NOT NULL,
	`relink_reminders_sent` integer DEFAULT 0 NOT NULL,
	`relink_notice_sent_at` integer,
	`invites_mode` text DEFAULT 'auto' NOT NULL,
	`linked_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`online` integer,
	`offline_streak` integer DEFAULT 0 NOT NULL,
	`next_poll_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`last_presence_at` integer,
	`last_parties_at` integer,
	`in_party` integer DEFAULT false NOT NULL,
	`game_json` text,
	`platform` text,
	`updated_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_psn_account_id` ON `users` (`psn_account_id`);--> statement-breakpoint
CREATE INDEX `users_next_poll_at` ON `users` (`next_poll_at`);