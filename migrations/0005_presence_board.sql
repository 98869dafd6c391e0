CREATE TABLE `boards` (
	`guild_id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`message_id` text,
	`nonce` text NOT NULL,
	`state` text NOT NULL,
	`hash` text,
	`paused_reason` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`guild_id`) REFERENCES `guilds`(`guild_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `guilds` ADD `board_channel_id` text;--> statement-breakpoint
ALTER TABLE `users` ADD `presence_since` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `on_board` integer DEFAULT true NOT NULL;