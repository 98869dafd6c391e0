ALTER TABLE `announcements` RENAME TO `cards`;--> statement-breakpoint
DROP INDEX `announcements_open_party`;--> statement-breakpoint
DROP INDEX `announcements_session`;--> statement-breakpoint
CREATE UNIQUE INDEX `cards_open_party` ON `cards` (`guild_id`,`session_id`) WHERE state <> 'ended';--> statement-breakpoint
CREATE INDEX `cards_session` ON `cards` (`session_id`);
