CREATE TABLE `analytics_active` (
	`workspace_id` text NOT NULL,
	`day` text NOT NULL,
	`app_id` text NOT NULL,
	`profile_id` text NOT NULL,
	PRIMARY KEY(`workspace_id`, `day`, `app_id`, `profile_id`)
);
--> statement-breakpoint
CREATE TABLE `analytics_applied` (
	`record_id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`token` text NOT NULL,
	`applied_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `analytics_applied_at` ON `analytics_applied` (`applied_at`);--> statement-breakpoint
CREATE TABLE `analytics_counts` (
	`workspace_id` text NOT NULL,
	`metric` text NOT NULL,
	`name` text NOT NULL,
	`app_id` text NOT NULL,
	`hour` text NOT NULL,
	`value` real NOT NULL,
	PRIMARY KEY(`workspace_id`, `metric`, `name`, `hour`, `app_id`)
);
--> statement-breakpoint
CREATE TABLE `analytics_exports` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`status` text NOT NULL,
	`request` text NOT NULL,
	`object_key` text NOT NULL,
	`rows_written` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `analytics_exports_workspace` ON `analytics_exports` (`workspace_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `analytics_first_seen` (
	`workspace_id` text NOT NULL,
	`app_id` text NOT NULL,
	`profile_id` text NOT NULL,
	`day` text NOT NULL,
	PRIMARY KEY(`workspace_id`, `app_id`, `profile_id`)
);
--> statement-breakpoint
CREATE INDEX `analytics_first_seen_day` ON `analytics_first_seen` (`workspace_id`,`app_id`,`day`);--> statement-breakpoint
CREATE TABLE `analytics_names` (
	`workspace_id` text NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`first_seen_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `kind`, `name`)
);
