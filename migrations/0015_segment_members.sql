CREATE TABLE `segment_member_state` (
	`workspace_id` text NOT NULL,
	`segment_id` text NOT NULL,
	`version` text NOT NULL,
	`ready` integer NOT NULL,
	`time_relative` integer NOT NULL,
	`pass_id` text,
	`cursor` text,
	`pass_started_at` integer,
	`pass_profiles` integer DEFAULT 0 NOT NULL,
	`evaluated_at` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `segment_id`)
);
--> statement-breakpoint
CREATE TABLE `segment_members` (
	`workspace_id` text NOT NULL,
	`segment_id` text NOT NULL,
	`profile_id` text NOT NULL,
	`external_id` text,
	PRIMARY KEY(`workspace_id`, `segment_id`, `profile_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `segment_members_profile` ON `segment_members` (`workspace_id`,`profile_id`);