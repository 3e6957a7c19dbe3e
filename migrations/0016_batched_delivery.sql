CREATE TABLE `delivery_claims` (
	`dispatch_id` text NOT NULL,
	`profile_id` text NOT NULL,
	`channel` text NOT NULL,
	`workspace_id` text NOT NULL,
	`state` text NOT NULL,
	`attempt` integer NOT NULL,
	`claimed_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`recorded` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`dispatch_id`, `profile_id`, `channel`)
);
--> statement-breakpoint
CREATE INDEX `delivery_claims_updated` ON `delivery_claims` (`updated_at`);--> statement-breakpoint
ALTER TABLE `dispatches` ADD `ledger` text;