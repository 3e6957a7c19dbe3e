import { z } from 'zod';
import { ApiError } from '../http/errors';
import { defineRoute } from '../http/route';
import { NewestFirstPage } from '../http/schemas';
import { currentsBufferStub } from '../lib/stubs';
import { getConnector } from './connectors';
import { getStats, listDeadLetters } from './stats';

/** How a Currents connector is doing, and what it could not deliver. */

const TAG = 'Currents';
const READ = { type: 'api_key', permission: 'herald.currents.read', bucket: 'default' } as const;

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export const connectorStatusRoute = defineRoute({
  method: 'get',
  path: '/herald/currents/connectors/{connector_id}/status',
  tag: TAG,
  summary: "A Currents connector's status",
  description:
    '`lag_seconds` is the age of the oldest event still buffered (0 when none waits); ' +
    '`events_waiting` counts buffered events, `events_retrying` those whose write or POST failed ' +
    'and waits for a retry. Totals count since the connector was created.',
  auth: READ,
  success: {
    status: 200,
    description: 'Status',
    schema: z.object({
      message: z.string(),
      connector_id: z.string(),
      enabled: z.boolean(),
      last_flush_at: z.string().nullable(),
      next_flush_at: z.string().nullable(),
      lag_seconds: z.number().int(),
      events_waiting: z.number().int(),
      events_retrying: z.number().int(),
      events_sent: z.number().int(),
      batches_sent: z.number().int(),
      failures: z.number().int(),
      dead_letters: z.number().int(),
      last_error: z.string().nullable(),
      last_error_at: z.string().nullable(),
    }),
  },
  handler: async (c) => {
    const workspaceId = c.get('caller').workspace.id;
    const connector = await getConnector(c.env.DB, workspaceId, c.req.param('connector_id') ?? '');
    if (!connector) throw new ApiError(404, 'Connector not found');
    const [stats, ...shards] = await Promise.all([
      getStats(c.env.DB, workspaceId, connector.id),
      ...Array.from({ length: connector.config.shards }, (_, shard) =>
        currentsBufferStub(c.env.CURRENTS_BUFFER, {
          workspaceId,
          connectorId: connector.id,
          shard,
        }).status(),
      ),
    ]);
    const now = Date.now();
    const oldest = Math.min(...shards.map((s) => s.oldestQueuedAt ?? now));
    const next = shards.map((s) => s.nextFlushAt).filter((n): n is number => n !== null);
    return c.json({
      message: 'success',
      connector_id: connector.id,
      enabled: connector.enabled,
      last_flush_at: iso(stats.lastFlushAt),
      next_flush_at: iso(next.length ? Math.min(...next) : null),
      lag_seconds: Math.max(0, Math.floor((now - oldest) / 1000)),
      events_waiting: shards.reduce((n, s) => n + s.waiting, 0),
      events_retrying: shards.reduce((n, s) => n + s.retrying, 0),
      events_sent: stats.eventsSent,
      batches_sent: stats.batchesSent,
      failures: stats.failures,
      dead_letters: stats.deadLetters,
      last_error: stats.lastError,
      last_error_at: iso(stats.lastErrorAt),
    });
  },
});

export const connectorDeadLettersRoute = defineRoute({
  method: 'get',
  path: '/herald/currents/connectors/{connector_id}/dead_letters',
  tag: TAG,
  summary: 'Events an HTTP connector gave up on',
  description:
    'Newest first. An event lands here when its destination refused it alone with 400 or 413, ' +
    'or kept failing past the retry window (24 hours for 5xx, 429 and no answer; 48 hours for ' +
    '401, 403 and 404). `event` is the event as it would have been posted. Page with `before` ' +
    '(the oldest `failed_at` seen, epoch ms).',
  auth: READ,
  query: NewestFirstPage,
  success: {
    status: 200,
    description: 'Dead letters',
    schema: z.object({
      message: z.string(),
      dead_letters: z.array(
        z.object({
          event_id: z.string(),
          event_type: z.string(),
          event: z.unknown(),
          reason: z.string(),
          status: z.number().int().nullable(),
          attempts: z.number().int(),
          failed_at: z.number(),
        }),
      ),
    }),
  },
  handler: async (c, { query }) => {
    const workspaceId = c.get('caller').workspace.id;
    const connector = await getConnector(c.env.DB, workspaceId, c.req.param('connector_id') ?? '');
    if (!connector) throw new ApiError(404, 'Connector not found');
    const letters = await listDeadLetters(c.env.DB, {
      workspaceId,
      connectorId: connector.id,
      limit: query.limit,
      before: query.before ?? null,
    });
    return c.json({
      message: 'success',
      dead_letters: letters.map((l) => ({
        event_id: l.eventId,
        event_type: l.eventType,
        event: l.event,
        reason: l.reason,
        status: l.status,
        attempts: l.attempts,
        failed_at: l.failedAt,
      })),
    });
  },
});
