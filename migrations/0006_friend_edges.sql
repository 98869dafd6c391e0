CREATE TABLE `friend_edges` (
	`account_id` text NOT NULL,
	`friend_account_id` text NOT NULL,
	PRIMARY KEY(`account_id`, `friend_account_id`)
);
--> statement-breakpoint
CREATE INDEX `friend_edges_friend` ON `friend_edges` (`friend_account_id`);--> statement-breakpoint
ALTER TABLE `users` ADD `friends_read_at` integer;