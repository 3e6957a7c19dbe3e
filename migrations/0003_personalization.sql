CREATE TABLE `connected_content_credentials` (
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`username` text NOT NULL,
	`password` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `connected_content_credentials_name` ON `connected_content_credentials` (`workspace_id`,`name`);--> statement-breakpoint
CREATE TABLE `content_blocks` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`content` text NOT NULL,
	`content_type` text DEFAULT 'html' NOT NULL,
	`state` text DEFAULT 'active' NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `content_blocks_workspace_name` ON `content_blocks` (`workspace_id`,`name`);--> statement-breakpoint
CREATE INDEX `content_blocks_workspace_updated` ON `content_blocks` (`workspace_id`,`updated_at`);--> statement-breakpoint
CREATE TABLE `email_templates` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` text NOT NULL,
	`template_name` text NOT NULL,
	`description` text,
	`subject` text NOT NULL,
	`body` text NOT NULL,
	`plaintext_body` text,
	`preheader` text,
	`should_inline_css` integer,
	`tags` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `email_templates_workspace_updated` ON `email_templates` (`workspace_id`,`updated_at`);