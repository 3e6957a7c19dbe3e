import { and, asc, eq, gte, inArray, lte } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { contentBlocks } from '../db/personalization';
import { isUniqueViolation, readTags } from './fields';
import { referencedContentBlocks } from './liquid-refs';
import type { ListWindow } from './list-query';

export type ContentType = 'html' | 'text';
export type BlockState = 'active' | 'draft';

/** A Content Block as the routes and the render source see it. */
export interface ContentBlockRecord {
  id: string;
  workspaceId: string;
  name: string;
  description: string | null;
  content: string;
  contentType: ContentType;
  state: BlockState;
  tags: string[];
  createdAt: number;
  updatedAt: number;
}

/** A listed block: everything but the content, which may be 50 KB per row. */
export type ContentBlockSummary = Omit<ContentBlockRecord, 'content' | 'description'>;

/** The fields a create sets, and an update may change. */
export interface ContentBlockFields {
  name: string;
  description: string | null;
  content: string;
  contentType: ContentType;
  state: BlockState;
  tags: string[];
}

export type ContentBlockWrite =
  /** `previousName`: the name before an update, which renders may still have cached. */
  | { type: 'saved'; block: ContentBlockRecord; previousName?: string }
  | { type: 'not_found' }
  | { type: 'duplicate_name' }
  | { type: 'name_locked' }
  | { type: 'cannot_draft' }
  | { type: 'self_reference' };

type Row = typeof contentBlocks.$inferSelect;

function toRecord(row: Row): ContentBlockRecord {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    name: row.name,
    description: row.description,
    content: row.content,
    contentType: row.contentType === 'text' ? 'text' : 'html',
    state: row.state === 'draft' ? 'draft' : 'active',
    tags: readTags(row.tags),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** One block of a workspace by id. */
export async function getContentBlock(
  db: D1Database,
  workspaceId: string,
  id: string,
): Promise<ContentBlockRecord | null> {
  const row = await drizzle(db)
    .select()
    .from(contentBlocks)
    .where(and(eq(contentBlocks.workspaceId, workspaceId), eq(contentBlocks.id, id)))
    .get();
  return row ? toRecord(row) : null;
}

/** One block of a workspace by name, active or draft. */
export async function getContentBlockByName(
  db: D1Database,
  workspaceId: string,
  name: string,
): Promise<ContentBlockRecord | null> {
  const row = await drizzle(db)
    .select()
    .from(contentBlocks)
    .where(and(eq(contentBlocks.workspaceId, workspaceId), eq(contentBlocks.name, name)))
    .get();
  return row ? toRecord(row) : null;
}

/** Create a block; names are unique per workspace. */
export async function createContentBlock(
  db: D1Database,
  input: { workspaceId: string; fields: ContentBlockFields; now: number },
): Promise<ContentBlockWrite> {
  const { fields } = input;
  if (insertsItself(fields)) return { type: 'self_reference' };
  const row: Row = {
    id: crypto.randomUUID(),
    workspaceId: input.workspaceId,
    name: fields.name,
    description: fields.description,
    content: fields.content,
    contentType: fields.contentType,
    state: fields.state,
    tags: JSON.stringify(fields.tags),
    createdAt: input.now,
    updatedAt: input.now,
  };
  try {
    await drizzle(db).insert(contentBlocks).values(row).run();
  } catch (err) {
    if (isUniqueViolation(err)) return { type: 'duplicate_name' };
    throw err;
  }
  return { type: 'saved', block: toRecord(row) };
}

/**
 * Change some fields of a block, under Braze's rules: an active block keeps its name and cannot
 * return to draft. The write is conditional on the state it was checked against, so a block
 * activated concurrently is checked again rather than renamed.
 */
export async function updateContentBlock(
  db: D1Database,
  input: { workspaceId: string; id: string; changes: Partial<ContentBlockFields>; now: number },
): Promise<ContentBlockWrite> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await getContentBlock(db, input.workspaceId, input.id);
    if (!current) return { type: 'not_found' };
    const { changes } = input;
    if (current.state === 'active') {
      if (changes.name !== undefined && changes.name !== current.name)
        return { type: 'name_locked' };
      if (changes.state === 'draft') return { type: 'cannot_draft' };
    }
    const next: ContentBlockRecord = {
      ...current,
      ...definedOnly(changes),
      // Renders key compiled templates on updatedAt: every edit must move it, even within 1 ms.
      updatedAt: Math.max(input.now, current.updatedAt + 1),
    };
    if (insertsItself(next)) return { type: 'self_reference' };
    let changed: number;
    try {
      const res = await drizzle(db)
        .update(contentBlocks)
        .set({
          name: next.name,
          description: next.description,
          content: next.content,
          contentType: next.contentType,
          state: next.state,
          tags: JSON.stringify(next.tags),
          updatedAt: next.updatedAt,
        })
        .where(
          and(
            eq(contentBlocks.workspaceId, input.workspaceId),
            eq(contentBlocks.id, input.id),
            eq(contentBlocks.state, current.state),
          ),
        )
        .run();
      changed = res.meta.changes;
    } catch (err) {
      if (isUniqueViolation(err)) return { type: 'duplicate_name' };
      throw err;
    }
    if (changed > 0) return { type: 'saved', block: next, previousName: current.name };
  }
  throw new Error(`content block ${input.id} kept changing state during an update`);
}

function insertsItself(block: { name: string; content: string }): boolean {
  return referencedContentBlocks(block.content).includes(block.name);
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A page of a workspace's blocks, oldest edit first, so new edits land on later pages. */
export async function listContentBlocks(
  db: D1Database,
  input: { workspaceId: string; window: ListWindow },
): Promise<ContentBlockSummary[]> {
  const { window: w } = input;
  const t = contentBlocks;
  const rows = await drizzle(db)
    .select({
      id: t.id,
      workspaceId: t.workspaceId,
      name: t.name,
      contentType: t.contentType,
      state: t.state,
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
  return rows.map((r) => ({
    ...r,
    contentType: r.contentType === 'text' ? 'text' : 'html',
    state: r.state === 'draft' ? 'draft' : 'active',
    tags: readTags(r.tags),
  }));
}

// D1 binds at most 100 parameters per statement; one goes to the workspace id.
const NAMES_PER_QUERY = 90;

/** Which of these names are blocks of the workspace (active or draft). */
export async function existingContentBlockNames(
  db: D1Database,
  workspaceId: string,
  names: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < names.length; i += NAMES_PER_QUERY) {
    const chunk = names.slice(i, i + NAMES_PER_QUERY);
    const rows = await drizzle(db)
      .select({ name: contentBlocks.name })
      .from(contentBlocks)
      .where(and(eq(contentBlocks.workspaceId, workspaceId), inArray(contentBlocks.name, chunk)))
      .all();
    for (const r of rows) found.add(r.name);
  }
  return found;
}
