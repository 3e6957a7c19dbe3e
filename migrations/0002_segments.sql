CREATE TABLE `segment_exports` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`segment_id` text NOT NULL,
	`status` text NOT NULL,
	`object_prefix` text NOT NULL,
	`request` text NOT NULL,
	`users_exported` integer DEFAULT 0 NOT NULL,
	`files_written` integer DEFAULT 0 NOT NULL,
	`cursor` text,
	`error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `segment_exports_segment` ON `segment_exports` (`workspace_id`,`segment_id`,`status`);--> statement-breakpoint
CREATE TABLE `segment_sizes` (
	`workspace_id` text NOT NULL,
	`segment_id` text NOT NULL,
	`date` text NOT NULL,
	`size` integer NOT NULL,
	`recorded_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `segment_id`, `date`)
);
--> statement-breakpoint
CREATE TABLE `segments` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`text_description` text,
	`tags` text DEFAULT '[]' NOT NULL,
	`filter` text NOT NULL,
	`uses_membership` integer DEFAULT 0 NOT NULL,
	`analytics_tracking_enabled` integer DEFAULT 1 NOT NULL,
	`archived_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `segments_workspace_created` ON `segments` (`workspace_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `segments_workspace_updated` ON `segments` (`workspace_id`,`updated_at`);