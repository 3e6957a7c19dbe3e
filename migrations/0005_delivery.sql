CREATE TABLE `delivery_dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`dispatch_id` text NOT NULL,
	`channel` text NOT NULL,
	`recipient` text NOT NULL,
	`reason` text NOT NULL,
	`status` integer,
	`attempts` integer NOT NULL,
	`failed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `delivery_dead_letters_workspace` ON `delivery_dead_letters` (`workspace_id`,`failed_at`);--> statement-breakpoint
CREATE TABLE `dispatches` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`source` text NOT NULL,
	`campaign_id` text,
	`send_id` text,
	`messages` text NOT NULL,
	`context` text DEFAULT '{}' NOT NULL,
	`audience` text,
	`cursor` text,
	`enqueued` integer DEFAULT 0 NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dispatches_workspace_created` ON `dispatches` (`workspace_id`,`created_at`);