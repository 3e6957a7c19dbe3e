CREATE TABLE `currents_connectors` (
	`workspace_id` text NOT NULL,
	`id` text NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`enabled` integer NOT NULL,
	`config` text NOT NULL,
	`secrets` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `id`)
);
--> statement-breakpoint
CREATE TABLE `currents_dead_letters` (
	`workspace_id` text NOT NULL,
	`connector_id` text NOT NULL,
	`event_id` text NOT NULL,
	`event_type` text NOT NULL,
	`event` text NOT NULL,
	`reason` text NOT NULL,
	`status` integer,
	`attempts` integer NOT NULL,
	`failed_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `connector_id`, `event_id`)
);
--> statement-breakpoint
CREATE INDEX `currents_dead_letters_time` ON `currents_dead_letters` (`workspace_id`,`connector_id`,`failed_at`);--> statement-breakpoint
CREATE TABLE `currents_stats` (
	`workspace_id` text NOT NULL,
	`connector_id` text NOT NULL,
	`events_sent` integer DEFAULT 0 NOT NULL,
	`batches_sent` integer DEFAULT 0 NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	`dead_letters` integer DEFAULT 0 NOT NULL,
	`last_flush_at` integer,
	`last_error` text,
	`last_error_at` integer,
	PRIMARY KEY(`workspace_id`, `connector_id`)
);
