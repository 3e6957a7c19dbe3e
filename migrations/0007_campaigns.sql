CREATE TABLE `campaign_stats` (
	`workspace_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`day` text NOT NULL,
	`channel` text NOT NULL,
	`variant` text NOT NULL,
	`field` text NOT NULL,
	`value` real DEFAULT 0 NOT NULL,
	PRIMARY KEY(`workspace_id`, `campaign_id`, `day`, `channel`, `variant`, `field`)
);
--> statement-breakpoint
CREATE TABLE `campaigns` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`tags` text DEFAULT '[]' NOT NULL,
	`status` text NOT NULL,
	`delivery_type` text NOT NULL,
	`delivery` text NOT NULL,
	`audience` text NOT NULL,
	`variants` text NOT NULL,
	`control_percentage` integer DEFAULT 0 NOT NULL,
	`control_variation_id` text NOT NULL,
	`channels` text NOT NULL,
	`conversion_events` text DEFAULT '[]' NOT NULL,
	`controls` text NOT NULL,
	`next_send_at` integer,
	`launched_at` integer,
	`first_sent_at` integer,
	`last_sent_at` integer,
	`archived_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `campaigns_workspace_created` ON `campaigns` (`workspace_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `campaigns_workspace_updated` ON `campaigns` (`workspace_id`,`updated_at`);--> statement-breakpoint
CREATE INDEX `campaigns_workspace_kind` ON `campaigns` (`workspace_id`,`delivery_type`,`status`);--> statement-breakpoint
CREATE INDEX `campaigns_next_send` ON `campaigns` (`next_send_at`);