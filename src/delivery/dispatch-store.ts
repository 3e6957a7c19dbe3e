import { and, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { z } from 'zod';
import { ConversionEvent, QuietHours } from '../campaigns/model';
import { Delay, ExceptionEvent } from '../campaigns/triggers';
import { deliveryDeadLetters, dispatches } from '../db/schema';
import type { MessageContext } from '../personalization/scope';
import type { SegmentFilter } from '../segments/filters';
import { CHANNELS, type Channel, WebhookMessage } from './channels';
import { DELIVERED_CHANNELS } from './senders';

/**
 * The delivery controls a dispatch was created with (contract §3.5); the workspace's frequency
 * rules and company time zone are read when it is delivered.
 */
export const DispatchControls = z.object({
  /** `override_frequency_capping` / `override_messaging_limits`: global caps do not apply. */
  override_frequency_capping: z.boolean().optional(),
  /** Whether the send counts toward later caps (default: it does unless it overrides them). */
  counts_toward_caps: z.boolean().optional(),
  /** Campaign re-eligibility: absent: not checked; null: once per campaign; else seconds. */
  reeligible_after_seconds: z.number().int().min(0).nullable().optional(),
  quiet_hours: QuietHours.nullable().optional(),
  recipient_subscription_state: z.enum(['subscribed', 'opted_in', 'all']).optional(),
  /** The campaign's tags, for tag-based frequency rules. */
  tags: z.array(z.string()).optional(),
  /** A transactional send (contract §3.10.7): its `external_send_id`, for the postback. */
  transactional: z.object({ external_send_id: z.string().nullable() }).optional(),
  /** The campaign's delivery speed: sends per minute per channel (contract §3.5.3). */
  rate_limit_per_minute: z.number().int().min(1).nullable().optional(),
  /** The campaign's conversion events (contract §3.7), decided by each recipient's profile. */
  conversions: z.array(ConversionEvent).optional(),
  /** Action-based sends: the campaign's delay, exception events, zone and end. */
  trigger: z
    .object({
      delay: Delay,
      exception_events: z.array(ExceptionEvent),
      time_zone: z.string(),
      end_at: z.number().nullable(),
    })
    .optional(),
  /** A local-time scheduled occurrence: each user gets it at this wall time in their zone. */
  local_time: z
    .object({
      date: z.string(),
      time: z.string(),
      time_zone: z.string(),
      due_at: z.number(),
      /** Intelligent Timing: each user's best hour, `time` without history. */
      optimal: z.boolean().optional(),
    })
    .optional(),
});
export type DispatchControls = z.infer<typeof DispatchControls>;

/**
 * One variant's message objects, by channel. Each channel's sender validates its own object
 * when it sends (src/delivery/senders.ts); the webhook's is checked here as well.
 */
export const VariantMessages = z
  .partialRecord(z.enum(CHANNELS), z.unknown())
  .and(z.object({ webhook: WebhookMessage.optional() }));
export type VariantMessages = z.infer<typeof VariantMessages>;

/**
 * What a dispatch sends: its variants' messages and, for a campaign, how users are assigned to
 * them (contract §3.6). An API send has one variant, its id the `message_variation_id` given.
 * Validated again on read: D1 is a trust boundary.
 */
export const DispatchMessages = z.object({
  variants: z
    .array(
      z.object({ id: z.string().nullable(), percentage: z.number(), messages: VariantMessages }),
    )
    .min(1),
  /** Campaign sends: the control group and whether the Global Control Group is withheld. */
  control: z
    .object({
      percentage: z.number().int().min(0).max(100),
      variation_id: z.string(),
      respects_global_control: z.boolean(),
    })
    .optional(),
});
export type DispatchMessages = z.infer<typeof DispatchMessages>;

/** The channels Herald delivers that any variant of a dispatch has a message for. */
export function dispatchChannels(messages: DispatchMessages): Channel[] {
  return CHANNELS.filter(
    (c) => DELIVERED_CHANNELS.has(c) && messages.variants.some((v) => v.messages[c] != null),
  );
}

export interface Dispatch {
  id: string;
  workspaceId: string;
  source: string;
  campaignId: string | null;
  sendId: string | null;
  messages: DispatchMessages;
  /** The Liquid `campaign` / `canvas` variables. */
  context: MessageContext;
  controls: DispatchControls;
  /** Who may receive it, checked again by each profile at send time; null: anyone listed. */
  audience: SegmentFilter | null;
  cursor: string | null;
  enqueued: number;
  status: 'expanding' | 'enqueued';
  createdAt: number;
  /** Which ledger decides its sends, once the first deliver message fixed it (`fixLedger`). */
  ledger?: DispatchLedger | null;
}

/** `batch`: D1 claims and the batched path; `profile`: each user's object (batch-send.ts). */
export type DispatchLedger = 'batch' | 'profile';

/** Dispatches of Braze's API sending endpoints, whose `send_id` has statistics of its own. */
const API_SOURCES = new Set([
  'messages.send',
  'messages.schedule',
  'campaigns.trigger.send',
  'campaigns.trigger.schedule',
]);

/** The `send_id` a dispatch's statistics are also counted under (`/sends/data_series`), if any. */
export function apiSendId(d: Pick<Dispatch, 'source' | 'sendId'>): string | null {
  return API_SOURCES.has(d.source) ? d.sendId : null;
}

type Row = typeof dispatches.$inferSelect;

function fromRow(row: Row): Dispatch {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    source: row.source,
    campaignId: row.campaignId,
    sendId: row.sendId,
    messages: DispatchMessages.parse(JSON.parse(row.messages)),
    context: JSON.parse(row.context) as MessageContext,
    controls: DispatchControls.parse(JSON.parse(row.controls)),
    audience: row.audience === null ? null : (JSON.parse(row.audience) as SegmentFilter),
    cursor: row.cursor,
    enqueued: row.enqueued,
    status: row.status === 'expanding' ? 'expanding' : 'enqueued',
    createdAt: row.createdAt,
    ledger: row.ledger === 'batch' || row.ledger === 'profile' ? row.ledger : null,
  };
}

export async function createDispatch(
  db: D1Database,
  input: Omit<Dispatch, 'cursor' | 'enqueued' | 'createdAt'> & { now: number },
  opts: { once?: boolean } = {},
): Promise<void> {
  const insert = drizzle(db)
    .insert(dispatches)
    .values({
      id: input.id,
      workspaceId: input.workspaceId,
      source: input.source,
      campaignId: input.campaignId,
      sendId: input.sendId,
      messages: JSON.stringify(input.messages),
      context: JSON.stringify(input.context),
      controls: JSON.stringify(input.controls),
      audience: input.audience === null ? null : JSON.stringify(input.audience),
      status: input.status,
      createdAt: input.now,
      updatedAt: input.now,
    });
  await (opts.once ? insert.onConflictDoNothing() : insert);
}

/**
 * Write a dispatch unless one with this id exists: ids derived from what starts the dispatch,
 * so a repeated start (or two consumers racing on the same triggers) finds the first row.
 */
export function createDispatchOnce(
  db: D1Database,
  input: Parameters<typeof createDispatch>[1],
): Promise<void> {
  return createDispatch(db, input, { once: true });
}

/**
 * A dispatch's content never changes once written, so consumer isolates keep the parsed rows
 * they have read (bounded), and a batch of 50 recipients costs no D1 read after the first.
 */
const cache = new Map<string, Dispatch>();
const CACHE_MAX = 200;

export async function getDispatch(
  db: D1Database,
  workspaceId: string,
  id: string,
  opts: { fresh?: boolean } = {},
): Promise<Dispatch | null> {
  const key = `${workspaceId}\n${id}`;
  const hit = opts.fresh ? undefined : cache.get(key);
  if (hit) return hit;
  const row = await drizzle(db)
    .select()
    .from(dispatches)
    .where(and(eq(dispatches.workspaceId, workspaceId), eq(dispatches.id, id)))
    .get();
  if (!row) return null;
  const dispatch = fromRow(row);
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(key, dispatch);
  return dispatch;
}

/**
 * Fix which ledger decides a dispatch's sends: the first caller's choice wins (compare-and-set),
 * and every later deliver message of the dispatch, redelivered or retried, reads the same one.
 */
export async function fixLedger(
  db: D1Database,
  dispatch: Dispatch,
  choice: DispatchLedger,
): Promise<DispatchLedger> {
  if (dispatch.ledger) return dispatch.ledger;
  const d = drizzle(db);
  await d
    .update(dispatches)
    .set({ ledger: choice })
    .where(and(eq(dispatches.id, dispatch.id), isNull(dispatches.ledger)))
    .run();
  const row = await d
    .select({ ledger: dispatches.ledger })
    .from(dispatches)
    .where(eq(dispatches.id, dispatch.id))
    .get();
  const fixed: DispatchLedger = row?.ledger === 'batch' ? 'batch' : 'profile';
  // The cached row is shared by this isolate's consumers: they read it from now on.
  dispatch.ledger = fixed;
  return fixed;
}

/**
 * Move the audience cursor from `from` to `to` and count the recipients enqueued: a
 * compare-and-set, so a redelivered expand message that lost the race changes nothing and does
 * not fork a second chain of pages.
 */
export async function advanceCursor(
  db: D1Database,
  input: {
    id: string;
    from: string | null;
    to: string | null;
    added: number;
    done: boolean;
    now: number;
  },
): Promise<boolean> {
  const res = await drizzle(db)
    .update(dispatches)
    .set({
      cursor: input.to,
      enqueued: sql`${dispatches.enqueued} + ${input.added}`,
      status: input.done ? 'enqueued' : 'expanding',
      updatedAt: input.now,
    })
    .where(
      and(
        eq(dispatches.id, input.id),
        eq(dispatches.status, 'expanding'),
        input.from === null ? isNull(dispatches.cursor) : eq(dispatches.cursor, input.from),
      ),
    )
    .run();
  return res.meta.changes === 1;
}

export interface DeadLetter {
  id: string;
  workspaceId: string;
  dispatchId: string;
  channel: Channel | string;
  recipient: unknown;
  reason: string;
  status: number | null;
  attempts: number;
  failedAt: number;
}

export async function addDeadLetter(db: D1Database, letter: DeadLetter): Promise<void> {
  await drizzle(db)
    .insert(deliveryDeadLetters)
    .values({ ...letter, recipient: JSON.stringify(letter.recipient) })
    .onConflictDoNothing();
}

/** Newest first; `before` pages by failure time. */
export async function listDeadLetters(
  db: D1Database,
  input: { workspaceId: string; limit: number; before: number | null },
): Promise<DeadLetter[]> {
  const rows = await drizzle(db)
    .select()
    .from(deliveryDeadLetters)
    .where(
      and(
        eq(deliveryDeadLetters.workspaceId, input.workspaceId),
        input.before === null ? undefined : lt(deliveryDeadLetters.failedAt, input.before),
      ),
    )
    .orderBy(desc(deliveryDeadLetters.failedAt), desc(deliveryDeadLetters.id))
    .limit(input.limit)
    .all();
  return rows.map((r) => ({ ...r, recipient: JSON.parse(r.recipient) as unknown }));
}
