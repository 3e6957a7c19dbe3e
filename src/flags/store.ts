import { and, asc, count, eq, max } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { featureFlags } from '../db/flags';
import {
  type FlagDefinition,
  type FlagInput,
  type FlagProperty,
  isActive,
  MAX_ACTIVE_FLAGS,
  normalizeProperties,
} from './model';

/** Feature flags in D1, and the per-isolate cache evaluation reads them through. */

export interface Flag extends FlagDefinition {
  name: string;
  description: string | null;
  archived: boolean;
  createdAt: number;
  updatedAt: number;
}

type Row = typeof featureFlags.$inferSelect;

function fromRow(r: Row): Flag {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    properties: JSON.parse(r.properties) as Record<string, FlagProperty>,
    rules: (JSON.parse(r.rules) as { segment_id: string; rollout_percentage: number }[]).map(
      (x) => ({ segmentId: x.segment_id, rollout: x.rollout_percentage }),
    ),
    everyoneElse: { enabled: r.everyoneElseEnabled, rollout: r.everyoneElsePercentage },
    archived: r.archived,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

function values(input: FlagInput) {
  return {
    name: input.name,
    description: input.description ?? null,
    properties: JSON.stringify(normalizeProperties(input.properties)),
    rules: JSON.stringify(input.rules),
    everyoneElseEnabled: input.everyone_else.enabled,
    everyoneElsePercentage: input.everyone_else.rollout_percentage,
  };
}

const where = (workspaceId: string, id: string) =>
  and(eq(featureFlags.workspaceId, workspaceId), eq(featureFlags.id, id));

export async function getFlag(db: D1Database, workspaceId: string, id: string) {
  const row = await drizzle(db).select().from(featureFlags).where(where(workspaceId, id)).get();
  return row ? fromRow(row) : null;
}

/** Every flag of a workspace in id order (archived included), `limit` from `offset`. */
export async function listFlags(
  db: D1Database,
  workspaceId: string,
  page: { limit: number; offset: number },
): Promise<Flag[]> {
  const rows = await drizzle(db)
    .select()
    .from(featureFlags)
    .where(eq(featureFlags.workspaceId, workspaceId))
    .orderBy(asc(featureFlags.id))
    .limit(page.limit)
    .offset(page.offset);
  return rows.map(fromRow);
}

export type FlagWrite =
  | { type: 'saved'; flag: Flag }
  | { type: 'exists' }
  | { type: 'not_found' }
  | { type: 'archived' }
  | { type: 'too_many_active' };

async function activeCount(db: D1Database, workspaceId: string, except: string | null) {
  const rows = await drizzle(db)
    .select()
    .from(featureFlags)
    .where(and(eq(featureFlags.workspaceId, workspaceId), eq(featureFlags.archived, false)));
  return rows.map(fromRow).filter((f) => f.id !== except && isActive(f)).length;
}

/** Create a flag, or replace one (`replace`). Refuses a 111th active flag (spec §7.1). */
export async function saveFlag(
  db: D1Database,
  input: { workspaceId: string; flag: FlagInput; replace: boolean; now: number },
): Promise<FlagWrite> {
  const { workspaceId, flag, now } = input;
  const current = await getFlag(db, workspaceId, flag.id);
  if (input.replace && !current) return { type: 'not_found' };
  if (!input.replace && current) return { type: 'exists' };
  if (current?.archived) return { type: 'archived' };
  const candidate = {
    rules: flag.rules.map((r) => ({ segmentId: r.segment_id, rollout: r.rollout_percentage })),
    everyoneElse: {
      enabled: flag.everyone_else.enabled,
      rollout: flag.everyone_else.rollout_percentage,
    },
  };
  if (isActive(candidate) && (await activeCount(db, workspaceId, flag.id)) >= MAX_ACTIVE_FLAGS) {
    return { type: 'too_many_active' };
  }
  const d = drizzle(db);
  if (current) {
    await d
      .update(featureFlags)
      .set({ ...values(flag), updatedAt: Math.max(now, current.updatedAt + 1) })
      .where(where(workspaceId, flag.id))
      .run();
  } else {
    const inserted = await d
      .insert(featureFlags)
      .values({ ...values(flag), workspaceId, id: flag.id, createdAt: now, updatedAt: now })
      .onConflictDoNothing()
      .run();
    if (inserted.meta.changes === 0) return { type: 'exists' };
  }
  const saved = await getFlag(db, workspaceId, flag.id);
  return saved ? { type: 'saved', flag: saved } : { type: 'not_found' };
}

/** Archive or unarchive a flag; an archived flag is off for everyone and cannot be edited. */
export async function setFlagArchived(
  db: D1Database,
  input: { workspaceId: string; id: string; archived: boolean; now: number },
): Promise<Flag | null> {
  const current = await getFlag(db, input.workspaceId, input.id);
  if (!current) return null;
  await drizzle(db)
    .update(featureFlags)
    .set({ archived: input.archived, updatedAt: Math.max(input.now, current.updatedAt + 1) })
    .where(where(input.workspaceId, input.id))
    .run();
  return getFlag(db, input.workspaceId, input.id);
}

const CACHE_MS = 5_000;
const cache = new Map<string, { checkedAt: number; version: string; flags: FlagDefinition[] }>();

/**
 * The workspace's live (unarchived) flags for evaluation, cached per isolate. The version (count
 * and latest update) is re-checked at most every 5 seconds, so an edit takes effect within that.
 */
export async function cachedFlags(
  db: D1Database,
  workspaceId: string,
  now: number,
): Promise<FlagDefinition[]> {
  const hit = cache.get(workspaceId);
  if (hit && now - hit.checkedAt < CACHE_MS) return hit.flags;
  const v = await drizzle(db)
    .select({ n: count(), latest: max(featureFlags.updatedAt) })
    .from(featureFlags)
    .where(eq(featureFlags.workspaceId, workspaceId))
    .get();
  const version = `${v?.n ?? 0}:${v?.latest ?? 0}`;
  if (hit && hit.version === version) {
    hit.checkedAt = now;
    return hit.flags;
  }
  const rows = await drizzle(db)
    .select()
    .from(featureFlags)
    .where(and(eq(featureFlags.workspaceId, workspaceId), eq(featureFlags.archived, false)))
    .orderBy(asc(featureFlags.id));
  const flags = rows.map(fromRow).map(({ id, properties, rules, everyoneElse }) => ({
    id,
    properties,
    rules,
    everyoneElse,
  }));
  cache.set(workspaceId, { checkedAt: now, version, flags });
  return flags;
}
