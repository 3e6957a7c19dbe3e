import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Feature flags (messaging spec §7): one row per flag id in a workspace. Rules, the "Everyone
 * Else" rule and the typed properties are JSON validated by src/flags/model.ts.
 */
export const featureFlags = sqliteTable(
  'feature_flags',
  {
    workspaceId: text('workspace_id').notNull(),
    /** The developer-facing key used in code; immutable. */
    id: text('id').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    /** JSON `{key: {type, value}}`. */
    properties: text('properties').notNull().default('{}'),
    /** JSON `[{segment_id, rollout_percentage}]`, evaluated top-down. */
    rules: text('rules').notNull().default('[]'),
    everyoneElseEnabled: integer('everyone_else_enabled', { mode: 'boolean' })
      .notNull()
      .default(false),
    everyoneElsePercentage: integer('everyone_else_percentage').notNull().default(0),
    archived: integer('archived', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    // The per-workspace version (max updated_at) that invalidates cached flag lists.
    index('feature_flags_updated').on(t.workspaceId, t.updatedAt),
  ],
);
