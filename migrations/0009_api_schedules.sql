CREATE TABLE `api_schedules` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`kind` text NOT NULL,
	`campaign_id` text,
	`request` text NOT NULL,
	`schedule` text NOT NULL,
	`status` text NOT NULL,
	`due_at` integer,
	`reason` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `api_schedules_due` ON `api_schedules` (`due_at`);--> statement-breakpoint
CREATE INDEX `api_schedules_workspace` ON `api_schedules` (`workspace_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `send_ids` (
	`workspace_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`send_id` text NOT NULL,
	`day` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `campaign_id`, `send_id`)
);
--> statement-breakpoint
CREATE INDEX `send_ids_workspace_day` ON `send_ids` (`workspace_id`,`day`);--> statement-breakpoint
CREATE TABLE `send_stats` (
	`workspace_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`send_id` text NOT NULL,
	`day` text NOT NULL,
	`channel` text NOT NULL,
	`variant` text NOT NULL,
	`field` text NOT NULL,
	`value` real DEFAULT 0 NOT NULL,
	PRIMARY KEY(`workspace_id`, `campaign_id`, `send_id`, `day`, `channel`, `variant`, `field`)
);
--> statement-breakpoint
CREATE INDEX `send_stats_day` ON `send_stats` (`day`);