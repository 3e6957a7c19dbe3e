import { and, asc, eq, gte, lte } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { emailTemplates } from '../db/personalization';
import { readTags } from './fields';
import type { ListWindow } from './list-query';

/** An email template as the routes see it. */
export interface EmailTemplateRecord {
  id: string;
  workspaceId: string;
  templateName: string;
  description: string | null;
  subject: string;
  body: string;
  plaintextBody: string | null;
  preheader: string | null;
  /** null: never set, so the workspace default applies. */
  shouldInlineCss: boolean | null;
  tags: string[];
  createdAt: number;
  updatedAt: number;
}

/** The fields a create sets, and an update may change. */
export type EmailTemplateFields = Omit<
  EmailTemplateRecord,
  'id' | 'workspaceId' | 'createdAt' | 'updatedAt'
>;

/** A listed template: the fields Braze lists, without the bodies. */
export type EmailTemplateSummary = Pick<
  EmailTemplateRecord,
  'id' | 'templateName' | 'tags' | 'createdAt' | 'updatedAt'
>;

type Row = typeof emailTemplates.$inferSelect;

function toRecord(row: Row): EmailTemplateRecord {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    templateName: row.templateName,
    description: row.description,
    subject: row.subject,
    body: row.body,
    plaintextBody: row.plaintextBody,
    preheader: row.preheader,
    shouldInlineCss: row.shouldInlineCss === null ? null : row.shouldInlineCss === 1,
    tags: readTags(row.tags),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function flag(v: boolean | null | undefined): number | null | undefined {
  return typeof v === 'boolean' ? Number(v) : v;
}

function toColumns(fields: Partial<EmailTemplateFields>) {
  return {
    templateName: fields.templateName,
    description: fields.description,
    subject: fields.subject,
    body: fields.body,
    plaintextBody: fields.plaintextBody,
    preheader: fields.preheader,
    shouldInlineCss: flag(fields.shouldInlineCss),
    tags: fields.tags === undefined ? undefined : JSON.stringify(fields.tags),
  };
}

/** One template of a workspace by id. */
export async function getEmailTemplate(
  db: D1Database,
  workspaceId: string,
  id: string,
): Promise<EmailTemplateRecord | null> {
  const row = await drizzle(db)
    .select()
    .from(emailTemplates)
    .where(and(eq(emailTemplates.workspaceId, workspaceId), eq(emailTemplates.id, id)))
    .get();
  return row ? toRecord(row) : null;
}

/** Create a template; answers it with its new id. */
export async function createEmailTemplate(
  db: D1Database,
  input: { workspaceId: string; fields: EmailTemplateFields; now: number },
): Promise<EmailTemplateRecord> {
  const record: EmailTemplateRecord = {
    ...input.fields,
    id: crypto.randomUUID(),
    workspaceId: input.workspaceId,
    createdAt: input.now,
    updatedAt: input.now,
  };
  await drizzle(db)
    .insert(emailTemplates)
    .values({
      ...toColumns(input.fields),
      templateName: record.templateName,
      subject: record.subject,
      body: record.body,
      tags: JSON.stringify(record.tags),
      id: record.id,
      workspaceId: record.workspaceId,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    })
    .run();
  return record;
}

/** Change the given fields of a template; false when the workspace has no such template. */
export async function updateEmailTemplate(
  db: D1Database,
  input: {
    workspaceId: string;
    id: string;
    changes: Partial<EmailTemplateFields>;
    now: number;
  },
): Promise<boolean> {
  // drizzle leaves undefined fields out of the SET clause: only what was sent changes.
  const res = await drizzle(db)
    .update(emailTemplates)
    .set({ ...toColumns(input.changes), updatedAt: input.now })
    .where(and(eq(emailTemplates.workspaceId, input.workspaceId), eq(emailTemplates.id, input.id)))
    .run();
  return res.meta.changes > 0;
}

/** A page of a workspace's templates, oldest edit first, so new edits land on later pages. */
export async function listEmailTemplates(
  db: D1Database,
  input: { workspaceId: string; window: ListWindow },
): Promise<EmailTemplateSummary[]> {
  const { window: w } = input;
  const t = emailTemplates;
  const rows = await drizzle(db)
    .select({
      id: t.id,
      templateName: t.templateName,
      tags: t.tags,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
    })
    .from(t)
    .where(
      and(
        eq(t.workspaceId, input.workspaceId),
        w.modifiedAfter === undefined ? undefined : gte(t.updatedAt, w.modifiedAfter),
        w.modifiedBefore === undefined ? undefined : lte(t.updatedAt, w.modifiedBefore),
      ),
    )
    .orderBy(asc(t.updatedAt), asc(t.id))
    .limit(w.limit)
    .offset(w.offset)
    .all();
  return rows.map((r) => ({ ...r, tags: readTags(r.tags) }));
}
