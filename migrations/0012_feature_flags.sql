CREATE TABLE `feature_flags` (
	`workspace_id` text NOT NULL,
	`id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`properties` text DEFAULT '{}' NOT NULL,
	`rules` text DEFAULT '[]' NOT NULL,
	`everyone_else_enabled` integer DEFAULT false NOT NULL,
	`everyone_else_percentage` integer DEFAULT 0 NOT NULL,
	`archived` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `feature_flags_updated` ON `feature_flags` (`workspace_id`,`updated_at`);