CREATE TABLE `address_states` (
	`workspace_id` text NOT NULL,
	`channel` text NOT NULL,
	`address` text NOT NULL,
	`kind` text NOT NULL,
	`reason` text,
	`profile_id` text,
	`at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `channel`, `kind`, `address`)
);
--> statement-breakpoint
CREATE INDEX `address_states_time` ON `address_states` (`workspace_id`,`channel`,`kind`,`at`);--> statement-breakpoint
CREATE TABLE `channel_provider_extras` (
	`workspace_id` text NOT NULL,
	`channel` text NOT NULL,
	`settings` text DEFAULT '{}' NOT NULL,
	`secrets` text DEFAULT '{}' NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `channel`)
);
--> statement-breakpoint
CREATE TABLE `subscription_group_defs` (
	`workspace_id` text NOT NULL,
	`group_id` text NOT NULL,
	`channel` text NOT NULL,
	`name` text NOT NULL,
	`settings` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `group_id`)
);
--> statement-breakpoint
CREATE TABLE `workspace_secrets` (
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`value` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `name`)
);
