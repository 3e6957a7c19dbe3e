CREATE TABLE `idx_event_days` (
	`workspace_id` text NOT NULL,
	`profile_id` text NOT NULL,
	`name` text NOT NULL,
	`day` integer NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `profile_id`, `name`, `day`)
);
--> statement-breakpoint
CREATE INDEX `idx_event_days_name` ON `idx_event_days` (`workspace_id`,`name`,`day`);--> statement-breakpoint
CREATE TABLE `idx_events` (
	`workspace_id` text NOT NULL,
	`profile_id` text NOT NULL,
	`name` text NOT NULL,
	`count` integer NOT NULL,
	`first_at` integer NOT NULL,
	`last_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `profile_id`, `name`)
);
--> statement-breakpoint
CREATE INDEX `idx_events_name` ON `idx_events` (`workspace_id`,`name`,`count`);--> statement-breakpoint
CREATE TABLE `idx_messages` (
	`workspace_id` text NOT NULL,
	`profile_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`received_at` integer,
	`opened_at` integer,
	`clicked_at` integer,
	`converted_at` integer,
	`in_control` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `profile_id`, `campaign_id`)
);
--> statement-breakpoint
CREATE INDEX `idx_messages_campaign` ON `idx_messages` (`workspace_id`,`campaign_id`);--> statement-breakpoint
CREATE TABLE `idx_profiles` (
	`workspace_id` text NOT NULL,
	`profile_id` text NOT NULL,
	`external_id` text,
	`seq` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`random_bucket` integer NOT NULL,
	`first_name` text,
	`last_name` text,
	`email` text,
	`phone` text,
	`country` text,
	`language` text,
	`time_zone` text,
	`home_city` text,
	`gender` text,
	`dob` text,
	`email_subscribe` text,
	`push_subscribe` text,
	`email_undeliverable` integer NOT NULL,
	`session_count` integer NOT NULL,
	`first_session_at` integer,
	`last_session_at` integer,
	`purchase_count` integer NOT NULL,
	`total_revenue` real NOT NULL,
	`first_purchase_at` integer,
	`last_purchase_at` integer,
	`custom` text NOT NULL,
	PRIMARY KEY(`workspace_id`, `profile_id`)
);
--> statement-breakpoint
CREATE INDEX `idx_profiles_bucket` ON `idx_profiles` (`workspace_id`,`random_bucket`);--> statement-breakpoint
CREATE INDEX `idx_profiles_external` ON `idx_profiles` (`workspace_id`,`external_id`);--> statement-breakpoint
CREATE TABLE `idx_purchase_days` (
	`workspace_id` text NOT NULL,
	`profile_id` text NOT NULL,
	`product_id` text NOT NULL,
	`day` integer NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `profile_id`, `product_id`, `day`)
);
--> statement-breakpoint
CREATE INDEX `idx_purchase_days_product` ON `idx_purchase_days` (`workspace_id`,`product_id`,`day`);--> statement-breakpoint
CREATE TABLE `idx_purchases` (
	`workspace_id` text NOT NULL,
	`profile_id` text NOT NULL,
	`product_id` text NOT NULL,
	`count` integer NOT NULL,
	`revenue` real NOT NULL,
	`first_at` integer NOT NULL,
	`last_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `profile_id`, `product_id`)
);
--> statement-breakpoint
CREATE INDEX `idx_purchases_product` ON `idx_purchases` (`workspace_id`,`product_id`);--> statement-breakpoint
CREATE TABLE `idx_subscription_groups` (
	`workspace_id` text NOT NULL,
	`profile_id` text NOT NULL,
	`group_id` text NOT NULL,
	`state` text NOT NULL,
	PRIMARY KEY(`workspace_id`, `profile_id`, `group_id`)
);
--> statement-breakpoint
CREATE INDEX `idx_subscription_groups_group` ON `idx_subscription_groups` (`workspace_id`,`group_id`,`state`);