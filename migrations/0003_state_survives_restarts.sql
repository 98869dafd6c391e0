CREATE TABLE `psn_budget_pauses` (
	`account_id` text PRIMARY KEY NOT NULL,
	`until` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `psn_budget_requests` (
	`id` integer PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `psn_budget_requests_at` ON `psn_budget_requests` (`at`);--> statement-breakpoint
ALTER TABLE `users` ADD `token_generation` integer DEFAULT 0 NOT NULL;