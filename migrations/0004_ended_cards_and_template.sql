ALTER TABLE `cards` ADD `delete_at` integer;--> statement-breakpoint
CREATE INDEX `cards_delete_at` ON `cards` (`delete_at`);--> statement-breakpoint
ALTER TABLE `guilds` ADD `card_template` text;--> statement-breakpoint
ALTER TABLE `guilds` ADD `ended_delete_after_minutes` integer;