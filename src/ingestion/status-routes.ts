import { z } from 'zod';
import { defineRoute } from '../http/route';
import { INGEST_SHARDS, ingestShardStub } from '../lib/stubs';

/** How far queued `/users/track` and SDK writes are from their profiles (the ingestion log). */

const TAG = 'Ingestion';
const READ = { type: 'api_key', permission: 'herald.ingestion.read', bucket: 'default' } as const;

const Counts = {
  pending_objects: z.number().int(),
  pending_entries: z.number().int(),
  retrying_entries: z.number().int(),
  lag_seconds: z.number(),
  accepted_objects: z.number().int(),
  applied_objects: z.number().int(),
  rejected_objects: z.number().int(),
  skipped_objects: z.number().int(),
  dead_letters: z.number().int(),
  /** Log rows written: one per append, which carries one request or several grouped together. */
  appends: z.number().int(),
  /** The newest failure while applying (it is retried, or dead-lettered after 8). */
  last_error: z.string().nullable(),
};

export const ingestionStatusRoute = defineRoute({
  method: 'get',
  path: '/herald/ingestion',
  tag: TAG,
  summary: 'Queued user data waiting to apply, and what became of it',
  description:
    '`/users/track` and SDK batches answer once their objects are stored in the ingestion log; ' +
    'this shows what waits (`pending_objects`, `lag_seconds`: age of the oldest), and totals ' +
    'since the workspace began: accepted, applied, `rejected_objects` (refused by their profile, ' +
    'e.g. an array operation on a non-array attribute), `skipped_objects` (`_update_existing_only` ' +
    'naming nobody), `dead_letters` (entries that failed 8 times; see /herald/ingestion/dead_letters) ' +
    'and `appends` (log writes: requests reaching a shard together share one).',
  auth: READ,
  success: {
    status: 200,
    description: 'Status, in total and per shard',
    schema: z.object({
      message: z.string(),
      ...Counts,
      shards: z.array(z.object({ shard: z.number().int(), ...Counts })),
    }),
  },
  handler: async (c) => {
    const workspaceId = c.get('caller').workspace.id;
    const now = Date.now();
    const states = await Promise.all(
      Array.from({ length: INGEST_SHARDS }, (_, shard) =>
        ingestShardStub(c.env.INGEST_SHARD, workspaceId, shard).status(),
      ),
    );
    const shards = states.map((s, shard) => ({
      shard,
      pending_objects: s.pendingObjects,
      pending_entries: s.pendingEntries,
      retrying_entries: s.retrying,
      lag_seconds: s.oldestAcceptedAt === null ? 0 : Math.max(0, now - s.oldestAcceptedAt) / 1000,
      accepted_objects: s.acceptedObjects,
      applied_objects: s.appliedObjects,
      rejected_objects: s.rejectedObjects,
      skipped_objects: s.skippedObjects,
      dead_letters: s.deadEntries,
      appends: s.appends,
      last_error: s.lastError,
    }));
    const sum = (k: Exclude<keyof (typeof shards)[number], 'last_error'>) =>
      shards.reduce((n, s) => n + s[k], 0);
    return c.json({
      message: 'success',
      pending_objects: sum('pending_objects'),
      pending_entries: sum('pending_entries'),
      retrying_entries: sum('retrying_entries'),
      lag_seconds: Math.max(0, ...shards.map((s) => s.lag_seconds)),
      accepted_objects: sum('accepted_objects'),
      applied_objects: sum('applied_objects'),
      rejected_objects: sum('rejected_objects'),
      skipped_objects: sum('skipped_objects'),
      dead_letters: sum('dead_letters'),
      appends: sum('appends'),
      last_error: shards.find((s) => s.last_error !== null)?.last_error ?? null,
      shards,
    });
  },
});

export const ingestionDeadLettersRoute = defineRoute({
  method: 'get',
  path: '/herald/ingestion/dead_letters',
  tag: TAG,
  summary: 'Queued entries that failed every attempt',
  description:
    'Newest first, up to 100 per shard: the identifier key, how many objects, when it was ' +
    'accepted and the last error. Dead entries are kept, never applied later by themselves.',
  auth: READ,
  success: {
    status: 200,
    description: 'Dead letters',
    schema: z.object({
      message: z.string(),
      dead_letters: z.array(
        z.object({
          shard: z.number().int(),
          seq: z.number().int(),
          key: z.string(),
          objects: z.number().int(),
          accepted_at: z.string(),
          attempts: z.number().int(),
          error: z.string(),
          dead_at: z.string(),
        }),
      ),
    }),
  },
  handler: async (c) => {
    const workspaceId = c.get('caller').workspace.id;
    const lists = await Promise.all(
      Array.from({ length: INGEST_SHARDS }, async (_, shard) =>
        (
          await ingestShardStub(c.env.INGEST_SHARD, workspaceId, shard).deadLetters({ limit: 100 })
        ).map((d) => ({
          shard,
          seq: d.seq,
          key: d.key,
          objects: d.objects,
          accepted_at: new Date(d.acceptedAt).toISOString(),
          attempts: d.attempts,
          error: d.error,
          dead_at: new Date(d.deadAt).toISOString(),
        })),
      ),
    );
    const dead_letters = lists.flat().sort((a, b) => b.dead_at.localeCompare(a.dead_at));
    return c.json({ message: 'success', dead_letters });
  },
});

export const ingestionFlushRoute = defineRoute({
  method: 'post',
  path: '/herald/ingestion/flush',
  tag: TAG,
  summary: 'Apply queued user data now',
  description:
    'Wakes every shard of the ingestion log to apply what waits now, whatever the coalescing ' +
    'window (HERALD_INGEST_DELAY_MS) says; answers at once with what was waiting. Poll ' +
    'GET /herald/ingestion for progress (e.g. before launching a campaign on freshly imported data).',
  auth: { type: 'api_key', permission: 'herald.ingestion.write', bucket: 'default' },
  success: {
    status: 202,
    description: 'Woken',
    schema: z.object({ message: z.string(), pending_objects: z.number().int() }),
  },
  handler: async (c) => {
    const workspaceId = c.get('caller').workspace.id;
    const answers = await Promise.all(
      Array.from({ length: INGEST_SHARDS }, (_, shard) =>
        ingestShardStub(c.env.INGEST_SHARD, workspaceId, shard).wakeNow(),
      ),
    );
    const pending = answers.reduce((n, a) => n + a.pending, 0);
    return c.json({ message: 'success', pending_objects: pending }, 202);
  },
});
