import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Content Blocks (`{{content_blocks.${name}}}`): reusable fragments, managed through Braze's
 * `/content_blocks/*` endpoints. Names are unique per workspace and immutable once active.
 */
export const contentBlocks = sqliteTable(
  'content_blocks',
  {
    /** Braze's `content_block_id`. */
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    content: text('content').notNull(),
    /** `html` or `text`. */
    contentType: text('content_type').notNull().default('html'),
    /** `active` or `draft`. */
    state: text('state').notNull().default('active'),
    /** JSON array of strings. */
    tags: text('tags').notNull().default('[]'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('content_blocks_workspace_name').on(t.workspaceId, t.name),
    index('content_blocks_workspace_updated').on(t.workspaceId, t.updatedAt),
  ],
);

/** Email templates (`/templates/email/*`), usable by campaigns through `email_template_id`. */
export const emailTemplates = sqliteTable(
  'email_templates',
  {
    /** Braze's `email_template_id`. */
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    templateName: text('template_name').notNull(),
    description: text('description'),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    plaintextBody: text('plaintext_body'),
    preheader: text('preheader'),
    shouldInlineCss: integer('should_inline_css'),
    /** JSON array of strings. */
    tags: text('tags').notNull().default('[]'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('email_templates_workspace_updated').on(t.workspaceId, t.updatedAt)],
);

/**
 * Named credentials for Connected Content's `:basic_auth name`. Kept apart from templates so a
 * template never holds a secret; only the Worker reads them, at send time.
 */
export const connectedContentCredentials = sqliteTable(
  'connected_content_credentials',
  {
    workspaceId: text('workspace_id').notNull(),
    name: text('name').notNull(),
    username: text('username').notNull(),
    password: text('password').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('connected_content_credentials_name').on(t.workspaceId, t.name)],
);
