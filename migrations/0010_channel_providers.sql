CREATE TABLE `channel_providers` (
	`workspace_id` text NOT NULL,
	`channel` text NOT NULL,
	`provider` text NOT NULL,
	`api_key` text NOT NULL,
	`base_url` text NOT NULL,
	`from_address` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `channel_providers_channel` ON `channel_providers` (`workspace_id`,`channel`);