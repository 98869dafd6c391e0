ALTER TABLE `boards` ADD `retiring_message_id` text;--> statement-breakpoint
ALTER TABLE `cards` ADD `retiring_message_id` text;