import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * D1 holds configuration only: workspaces, their keys and apps. Profile data never lives here;
 * it lives in one Durable Object per user. Every tenant row carries `workspace_id`.
 */

export const workspaces = sqliteTable('workspaces', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** JSON, validated by `WorkspaceSettings` in src/workspaces/settings.ts. */
  settings: text('settings').notNull().default('{}'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const apiKeys = sqliteTable(
  'api_keys',
  {
    /** Public identifier of the key (not the secret), shown in listings. */
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    name: text('name').notNull(),
    /** SHA-256 of the secret, hex. The secret itself is never stored. */
    keyHash: text('key_hash').notNull(),
    /** JSON array of Braze permission strings. */
    permissions: text('permissions').notNull(),
    /** JSON array of IPs/CIDRs; empty means any address. */
    ipAllowlist: text('ip_allowlist').notNull().default('[]'),
    createdAt: integer('created_at').notNull(),
    lastSeenAt: integer('last_seen_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [
    uniqueIndex('api_keys_key_hash').on(t.keyHash),
    index('api_keys_workspace').on(t.workspaceId, t.createdAt),
  ],
);

export const apps = sqliteTable(
  'apps',
  {
    /** The app identifier (`app_id`, the SDK's public app key). */
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    name: text('name').notNull(),
    platform: text('platform').notNull().default('web'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('apps_workspace').on(t.workspaceId, t.createdAt)],
);
export * from './analytics';
export * from './campaigns';
export * from './catalogs';
export * from './channels';
export * from './currents';
export * from './delivery';
export * from './flags';
export * from './personalization';
export * from './schedules';
export * from './segment-index';
export * from './segment-members';
export * from './segments';
export * from './sends';
