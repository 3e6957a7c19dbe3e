CREATE TABLE `idx_property_counts` (
	`workspace_id` text NOT NULL,
	`profile_id` text NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`property` text NOT NULL,
	`value` text NOT NULL,
	`days` text NOT NULL,
	PRIMARY KEY(`workspace_id`, `profile_id`, `kind`, `name`, `property`, `value`)
);
--> statement-breakpoint
ALTER TABLE `idx_purchase_days` ADD `spent_since` real;