ALTER TABLE `users` ADD `friends_failures` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `friends_retry_at` integer;