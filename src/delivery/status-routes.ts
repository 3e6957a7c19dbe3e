import { z } from 'zod';
import { ApiError } from '../http/errors';
import { defineRoute } from '../http/route';
import { NewestFirstPage } from '../http/schemas';
import { batchProgress } from './batch-ledger';
import { getDispatch, listDeadLetters } from './dispatch-store';

/** Herald's delivery API: how a dispatch is progressing, and what could not be delivered. */

const TAG = 'Delivery';

export const dispatchStatusRoute = defineRoute({
  method: 'get',
  path: '/herald/dispatches/{dispatch_id}',
  tag: TAG,
  summary: 'Progress of one dispatch',
  description:
    '`status` is `expanding` while a segment or audience is paged into the delivery queue and ' +
    '`enqueued` once every recipient is queued; `enqueued_recipients` counts them. Per-user ' +
    'outcomes are change records (`message.event`) and profile engagement. `ledger` says which ' +
    'path sends it (`batch` or `profile`, null before the first delivery); a batched dispatch ' +
    "also reports `batch`: sends settled, how many of them the users' profiles have recorded " +
    '(the deferred write-back), and sends still claimed or waiting for a retry.',
  auth: { type: 'api_key', permission: 'herald.delivery.read', bucket: 'default' },
  success: {
    status: 200,
    description: 'The dispatch',
    schema: z.object({
      message: z.string(),
      dispatch_id: z.string(),
      source: z.string(),
      campaign_id: z.string().nullable(),
      send_id: z.string().nullable(),
      status: z.enum(['expanding', 'enqueued']),
      enqueued_recipients: z.number().int(),
      ledger: z.enum(['batch', 'profile']).nullable(),
      batch: z
        .object({
          settled: z.number().int(),
          recorded: z.number().int(),
          pending: z.number().int(),
        })
        .optional(),
      created_at: z.string(),
    }),
  },
  handler: async (c) => {
    const d = await getDispatch(
      c.env.DB,
      c.get('caller').workspace.id,
      c.req.param('dispatch_id') ?? '',
      { fresh: true },
    );
    if (!d) throw new ApiError(404, 'Dispatch not found');
    return c.json({
      message: 'success',
      dispatch_id: d.id,
      source: d.source,
      campaign_id: d.campaignId,
      send_id: d.sendId,
      status: d.status,
      enqueued_recipients: d.enqueued,
      ledger: d.ledger ?? null,
      ...(d.ledger === 'batch' ? { batch: await batchProgress(c.env.DB, d.id) } : {}),
      created_at: new Date(d.createdAt).toISOString(),
    });
  },
});

export const deadLettersRoute = defineRoute({
  method: 'get',
  path: '/herald/delivery/dead_letters',
  tag: TAG,
  summary: 'Sends that exhausted their retries',
  description:
    'Newest first. A webhook lands here after 5 attempts answered 408, 429, 5xx or nothing; a ' +
    'delivery message the consumer could not process after the queue retries lands here whole. ' +
    'Page with `before` (the oldest `failed_at` seen, as epoch ms).',
  auth: { type: 'api_key', permission: 'herald.delivery.read', bucket: 'default' },
  query: NewestFirstPage,
  success: {
    status: 200,
    description: 'Dead letters',
    schema: z.object({
      message: z.string(),
      dead_letters: z.array(
        z.object({
          id: z.string(),
          dispatch_id: z.string(),
          channel: z.string(),
          recipient: z.unknown(),
          reason: z.string(),
          status: z.number().nullable(),
          attempts: z.number().int(),
          failed_at: z.number(),
        }),
      ),
    }),
  },
  handler: async (c, { query }) => {
    const letters = await listDeadLetters(c.env.DB, {
      workspaceId: c.get('caller').workspace.id,
      limit: query.limit,
      before: query.before ?? null,
    });
    return c.json({
      message: 'success',
      dead_letters: letters.map((l) => ({
        id: l.id,
        dispatch_id: l.dispatchId,
        channel: l.channel,
        recipient: l.recipient,
        reason: l.reason,
        status: l.status,
        attempts: l.attempts,
        failed_at: l.failedAt,
      })),
    });
  },
});
