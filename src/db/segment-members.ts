import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Materialised segment membership (src/segments/members.ts): one row per (segment, member), keyed
 * so that enumerating a segment is a range scan of the primary key in profile-id order. The
 * migration creates it WITHOUT ROWID (drizzle has no option for it), so the rows live in the
 * primary-key B-tree and a page reads its external ids without a second lookup.
 */
export const segmentMembers = sqliteTable(
  'segment_members',
  {
    workspaceId: text('workspace_id').notNull(),
    segmentId: text('segment_id').notNull(),
    profileId: text('profile_id').notNull(),
    /** The member's external id (kept with the row so pages need not join idx_profiles). */
    externalId: text('external_id'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.segmentId, t.profileId] }),
    // A deleted or merged profile leaves every segment in one statement.
    index('segment_members_profile').on(t.workspaceId, t.profileId),
  ],
);

/**
 * Per segment: which definition its rows follow and how far the evaluation pass that builds or
 * refreshes them has got. Rows are only read when `ready` and `version` is the definition's now.
 */
export const segmentMemberState = sqliteTable(
  'segment_member_state',
  {
    workspaceId: text('workspace_id').notNull(),
    segmentId: text('segment_id').notNull(),
    /** materialVersion(): the segment's and its referenced segments' `updated_at`. */
    version: text('version').notNull(),
    /** 1 once a full pass for `version` has finished (rows then equal evaluation). */
    ready: integer('ready').notNull(),
    /**
     * How membership depends on the clock (members-sql.ts clockOf): 0 none, 1 UTC-day windows
     * ("in the last 7 days"), 2 continuous ("more than 7 days ago"). The cron refreshes 1 after
     * each UTC midnight and 2 every 10 minutes.
     */
    timeRelative: integer('time_relative').notNull(),
    /** The running pass (null when none); slices commit only while it is still the pass. */
    passId: text('pass_id'),
    /** Last profile id the running pass has reconciled ('' at its start). */
    cursor: text('cursor'),
    passStartedAt: integer('pass_started_at'),
    /** Profiles the running pass has reconciled so far (progress). */
    passProfiles: integer('pass_profiles').notNull().default(0),
    /** When the last finished pass started: the rows are as of this time or later. */
    evaluatedAt: integer('evaluated_at'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.segmentId] })],
);
