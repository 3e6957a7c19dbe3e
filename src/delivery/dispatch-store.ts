import { and, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { z } from 'zod';
import { deliveryDeadLetters, dispatches } from '../db/schema';
import type { MessageContext } from '../personalization/scope';
import type { SegmentFilter } from '../segments/filters';
import { type Channel, WebhookMessage } from './channels';

/** What a dispatch sends, per channel. Validated again on read: D1 is a trust boundary. */
export const DispatchMessages = z.object({ webhook: WebhookMessage.optional() });
export type DispatchMessages = z.infer<typeof DispatchMessages>;

export interface Dispatch {
  id: string;
  workspaceId: string;
  source: string;
  campaignId: string | null;
  sendId: string | null;
  messages: DispatchMessages;
  /** The Liquid `campaign` / `canvas` variables. */
  context: MessageContext;
  /** Who may receive it, checked again by each profile at send time; null: anyone listed. */
  audience: SegmentFilter | null;
  cursor: string | null;
  enqueued: number;
  status: 'expanding' | 'enqueued';
  createdAt: number;
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
    audience: row.audience === null ? null : (JSON.parse(row.audience) as SegmentFilter),
    cursor: row.cursor,
    enqueued: row.enqueued,
    status: row.status === 'expanding' ? 'expanding' : 'enqueued',
    createdAt: row.createdAt,
  };
}

export async function createDispatch(
  db: D1Database,
  input: Omit<Dispatch, 'cursor' | 'enqueued' | 'createdAt'> & { now: number },
): Promise<void> {
  await drizzle(db)
    .insert(dispatches)
    .values({
      id: input.id,
      workspaceId: input.workspaceId,
      source: input.source,
      campaignId: input.campaignId,
      sendId: input.sendId,
      messages: JSON.stringify(input.messages),
      context: JSON.stringify(input.context),
      audience: input.audience === null ? null : JSON.stringify(input.audience),
      status: input.status,
      createdAt: input.now,
      updatedAt: input.now,
    });
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
