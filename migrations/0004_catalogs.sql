CREATE TABLE `catalog_items` (
	`workspace_id` text NOT NULL,
	`catalog_id` text NOT NULL,
	`item_id` text NOT NULL,
	`data` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `catalog_id`, `item_id`)
);
--> statement-breakpoint
CREATE TABLE `catalog_selections` (
	`workspace_id` text NOT NULL,
	`catalog_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`definition` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `catalog_id`, `name`)
);
--> statement-breakpoint
CREATE TABLE `catalogs` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`fields` text NOT NULL,
	`num_items` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `catalogs_workspace_name` ON `catalogs` (`workspace_id`,`name`);--> statement-breakpoint
CREATE INDEX `catalogs_workspace_created` ON `catalogs` (`workspace_id`,`created_at`);