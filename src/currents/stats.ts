import { and, type Column, desc, eq, lt, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { currentsDeadLetters, currentsStats } from '../db/currents';

/** Connector totals and dead letters in D1, written by the buffers after each flush. */

export interface FlushOutcome {
  eventsSent: number;
  batchesSent: number;
  failures: number;
  deadLetters: DeadLetter[];
  lastError: string | null;
}

export interface DeadLetter {
  eventId: string;
  eventType: string;
  event: unknown;
  reason: string;
  status: number | null;
  attempts: number;
  failedAt: number;
}

/** Add one flush's outcome to the connector's totals and store its dead letters. */
export async function recordFlush(
  db: D1Database,
  input: { workspaceId: string; connectorId: string; now: number; outcome: FlushOutcome },
): Promise<void> {
  const { outcome: o, workspaceId, connectorId, now } = input;
  const d = drizzle(db);
  const flushed = o.eventsSent > 0 || o.batchesSent > 0 ? now : null;
  const statements = [
    d
      .insert(currentsStats)
      .values({
        workspaceId,
        connectorId,
        eventsSent: o.eventsSent,
        batchesSent: o.batchesSent,
        failures: o.failures,
        deadLetters: o.deadLetters.length,
        lastFlushAt: flushed,
        lastError: o.lastError,
        lastErrorAt: o.lastError ? now : null,
      })
      .onConflictDoUpdate({
        target: [currentsStats.workspaceId, currentsStats.connectorId],
        set: {
          eventsSent: sqlAdd(currentsStats.eventsSent, o.eventsSent),
          batchesSent: sqlAdd(currentsStats.batchesSent, o.batchesSent),
          failures: sqlAdd(currentsStats.failures, o.failures),
          deadLetters: sqlAdd(currentsStats.deadLetters, o.deadLetters.length),
          ...(flushed !== null ? { lastFlushAt: flushed } : {}),
          ...(o.lastError ? { lastError: o.lastError, lastErrorAt: now } : {}),
        },
      }),
    ...o.deadLetters.map((l) =>
      d
        .insert(currentsDeadLetters)
        .values({
          workspaceId,
          connectorId,
          eventId: l.eventId,
          eventType: l.eventType,
          event: JSON.stringify(l.event),
          reason: l.reason.slice(0, 1_000),
          status: l.status,
          attempts: l.attempts,
          failedAt: l.failedAt,
        })
        .onConflictDoNothing(),
    ),
  ];
  await d.batch(statements as [(typeof statements)[0], ...(typeof statements)[0][]]);
}

function sqlAdd(col: Column, n: number) {
  return sql`${col} + ${n}`;
}

export interface ConnectorStats {
  eventsSent: number;
  batchesSent: number;
  failures: number;
  deadLetters: number;
  lastFlushAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
}

/** A connector's totals (zeros before its first flush). */
export async function getStats(
  db: D1Database,
  workspaceId: string,
  connectorId: string,
): Promise<ConnectorStats> {
  const row = await drizzle(db)
    .select()
    .from(currentsStats)
    .where(
      and(eq(currentsStats.workspaceId, workspaceId), eq(currentsStats.connectorId, connectorId)),
    )
    .get();
  return {
    eventsSent: row?.eventsSent ?? 0,
    batchesSent: row?.batchesSent ?? 0,
    failures: row?.failures ?? 0,
    deadLetters: row?.deadLetters ?? 0,
    lastFlushAt: row?.lastFlushAt ?? null,
    lastError: row?.lastError ?? null,
    lastErrorAt: row?.lastErrorAt ?? null,
  };
}

/** A connector's dead letters, newest first; page with `before` (epoch ms). */
export async function listDeadLetters(
  db: D1Database,
  input: { workspaceId: string; connectorId: string; limit: number; before: number | null },
): Promise<DeadLetter[]> {
  const rows = await drizzle(db)
    .select()
    .from(currentsDeadLetters)
    .where(
      and(
        eq(currentsDeadLetters.workspaceId, input.workspaceId),
        eq(currentsDeadLetters.connectorId, input.connectorId),
        input.before === null ? undefined : lt(currentsDeadLetters.failedAt, input.before),
      ),
    )
    .orderBy(desc(currentsDeadLetters.failedAt))
    .limit(input.limit)
    .all();
  return rows.map((r) => ({
    eventId: r.eventId,
    eventType: r.eventType,
    event: JSON.parse(r.event),
    reason: r.reason,
    status: r.status,
    attempts: r.attempts,
    failedAt: r.failedAt,
  }));
}

/** Remove a deleted connector's totals and dead letters. */
export async function forgetConnector(
  db: D1Database,
  workspaceId: string,
  connectorId: string,
): Promise<void> {
  const d = drizzle(db);
  await d.batch([
    d
      .delete(currentsStats)
      .where(
        and(eq(currentsStats.workspaceId, workspaceId), eq(currentsStats.connectorId, connectorId)),
      ),
    d
      .delete(currentsDeadLetters)
      .where(
        and(
          eq(currentsDeadLetters.workspaceId, workspaceId),
          eq(currentsDeadLetters.connectorId, connectorId),
        ),
      ),
  ]);
}
