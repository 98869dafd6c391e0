-- Rows left for members no longer linked (written after an unlink) are not copied: the
-- new foreign keys would refuse them, and /unlink promised them gone.
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_friend_edges` (
	`account_id` text NOT NULL,
	`friend_account_id` text NOT NULL,
	PRIMARY KEY(`account_id`, `friend_account_id`),
	FOREIGN KEY (`account_id`) REFERENCES `users`(`psn_account_id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`friend_account_id`) REFERENCES `users`(`psn_account_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_friend_edges`("account_id", "friend_account_id") SELECT "account_id", "friend_account_id" FROM `friend_edges` WHERE "account_id" IN (SELECT "psn_account_id" FROM `users`) AND "friend_account_id" IN (SELECT "psn_account_id" FROM `users`);--> statement-breakpoint
DROP TABLE `friend_edges`;--> statement-breakpoint
ALTER TABLE `__new_friend_edges` RENAME TO `friend_edges`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `friend_edges_friend` ON `friend_edges` (`friend_account_id`);--> statement-breakpoint
CREATE TABLE `__new_invites` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`guild_id` text NOT NULL,
	`session_id` text NOT NULL,
	`requester_user_id` text NOT NULL,
	`requester_account_id` text NOT NULL,
	`sender_user_id` text,
	`outcome` text NOT NULL,
	`detail` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`decided_at` integer,
	FOREIGN KEY (`requester_user_id`) REFERENCES `users`(`discord_user_id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`sender_user_id`) REFERENCES `users`(`discord_user_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_invites`("id", "guild_id", "session_id", "requester_user_id", "requester_account_id", "sender_user_id", "outcome", "detail", "created_at", "decided_at") SELECT "id", "guild_id", "session_id", "requester_user_id", "requester_account_id", "sender_user_id", "outcome", "detail", "created_at", "decided_at" FROM `invites` WHERE "requester_user_id" IN (SELECT "discord_user_id" FROM `users`) AND ("sender_user_id" IS NULL OR "sender_user_id" IN (SELECT "discord_user_id" FROM `users`));--> statement-breakpoint
DROP TABLE `invites`;--> statement-breakpoint
ALTER TABLE `__new_invites` RENAME TO `invites`;--> statement-breakpoint
CREATE INDEX `invites_dedupe` ON `invites` (`session_id`,`requester_user_id`,`created_at`);