import { and, asc, eq, lte } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { apiSchedules } from '../db/schema';
import { dispatchIdFor } from './campaign-dispatch';
import { ScheduleObject } from './schedule-object';

/**
 * Scheduled API messages in D1 (src/db/schedules.ts). `due_at` is set only while a schedule is
 * `scheduled`, so the minute job's scan is one index range; every state change is a
 * compare-and-set on the status (and, for the job, on the due time it read), so an update or
 * delete racing the job is either applied before it starts or refused after.
 */

export type ScheduleKind = 'messages' | 'campaign';
export type ScheduleStatus = 'scheduled' | 'sent' | 'skipped' | 'failed' | 'deleted';

export interface ApiSchedule {
  id: string;
  workspaceId: string;
  kind: ScheduleKind;
  campaignId: string | null;
  /** The request body without `schedule`; parsed again by the endpoint's schema on start. */
  request: unknown;
  schedule: ScheduleObject;
  status: ScheduleStatus;
  dueAt: number | null;
  reason: string | null;
  createdAt: number;
  updatedAt: number;
}

type Row = typeof apiSchedules.$inferSelect;

function fromRow(row: Row): ApiSchedule {
  return {
    ...row,
    kind: row.kind as ScheduleKind,
    status: row.status as ScheduleStatus,
    request: JSON.parse(row.request) as unknown,
    schedule: ScheduleObject.parse(JSON.parse(row.schedule)),
  };
}

/** A new `schedule_id`: 32 hex characters, like Braze's ids. */
export function newScheduleId(): string {
  return crypto.randomUUID().replaceAll('-', '');
}

/**
 * The dispatch a schedule starts, known from its creation (Braze answers it then) and derived
 * from the schedule, so a start repeated after a crash finds the same dispatch.
 */
export function scheduleDispatchId(scheduleId: string): Promise<string> {
  return dispatchIdFor(scheduleId, ['api_schedule']);
}

export async function createSchedule(
  db: D1Database,
  input: Pick<
    ApiSchedule,
    'id' | 'workspaceId' | 'kind' | 'campaignId' | 'request' | 'schedule'
  > & {
    dueAt: number;
    now: number;
  },
): Promise<void> {
  await drizzle(db)
    .insert(apiSchedules)
    .values({
      id: input.id,
      workspaceId: input.workspaceId,
      kind: input.kind,
      campaignId: input.campaignId,
      request: JSON.stringify(input.request),
      schedule: JSON.stringify(input.schedule),
      status: 'scheduled',
      dueAt: input.dueAt,
      createdAt: input.now,
      updatedAt: input.now,
    })
    .run();
}

/** One schedule of a workspace and kind; null when there is none. */
export async function getSchedule(
  db: D1Database,
  input: { workspaceId: string; kind: ScheduleKind; id: string },
): Promise<ApiSchedule | null> {
  const row = await drizzle(db)
    .select()
    .from(apiSchedules)
    .where(
      and(
        eq(apiSchedules.workspaceId, input.workspaceId),
        eq(apiSchedules.kind, input.kind),
        eq(apiSchedules.id, input.id),
      ),
    )
    .get();
  return row ? fromRow(row) : null;
}

export type ScheduleChange =
  | { type: 'changed' }
  /** The schedule started (or was deleted) before the change reached it. */
  | { type: 'not_scheduled'; status: ScheduleStatus };

/** Replace a pending schedule's request, time and due time, or delete it (`deleted: true`). */
export async function changeSchedule(
  db: D1Database,
  input: {
    workspaceId: string;
    kind: ScheduleKind;
    id: string;
    change:
      | { deleted: true }
      | { deleted: false; request: unknown; schedule: ScheduleObject; dueAt: number };
    now: number;
  },
): Promise<ScheduleChange> {
  const c = input.change;
  const res = await drizzle(db)
    .update(apiSchedules)
    .set(
      c.deleted
        ? { status: 'deleted', dueAt: null, updatedAt: input.now }
        : {
            request: JSON.stringify(c.request),
            schedule: JSON.stringify(c.schedule),
            dueAt: c.dueAt,
            updatedAt: input.now,
          },
    )
    .where(
      and(
        eq(apiSchedules.workspaceId, input.workspaceId),
        eq(apiSchedules.kind, input.kind),
        eq(apiSchedules.id, input.id),
        eq(apiSchedules.status, 'scheduled'),
      ),
    )
    .run();
  if (res.meta.changes > 0) return { type: 'changed' };
  const now = await getSchedule(db, input);
  return { type: 'not_scheduled', status: now?.status ?? 'deleted' };
}

/** Pending schedules of every workspace whose time has come, earliest first. */
export async function listDueSchedules(
  db: D1Database,
  now: number,
  limit = 100,
): Promise<ApiSchedule[]> {
  const rows = await drizzle(db)
    .select()
    .from(apiSchedules)
    .where(and(lte(apiSchedules.dueAt, now), eq(apiSchedules.status, 'scheduled')))
    .orderBy(asc(apiSchedules.dueAt))
    .limit(limit)
    .all();
  return rows.map(fromRow);
}

/**
 * Record how a due schedule ended, if it is still the one the job read (same due time, still
 * pending): true when this call settled it.
 */
export async function settleSchedule(
  db: D1Database,
  input: {
    id: string;
    dueAt: number;
    status: Exclude<ScheduleStatus, 'scheduled' | 'deleted'>;
    reason: string | null;
    now: number;
  },
): Promise<boolean> {
  const res = await drizzle(db)
    .update(apiSchedules)
    .set({ status: input.status, reason: input.reason, dueAt: null, updatedAt: input.now })
    .where(
      and(
        eq(apiSchedules.id, input.id),
        eq(apiSchedules.dueAt, input.dueAt),
        eq(apiSchedules.status, 'scheduled'),
      ),
    )
    .run();
  return res.meta.changes > 0;
}
