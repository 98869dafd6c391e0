ALTER TABLE `users` ADD `error_streak` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `recheck_presence` integer DEFAULT false NOT NULL;