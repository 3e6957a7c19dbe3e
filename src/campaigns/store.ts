import { and, asc, desc, eq, gt, isNull, lte, max, type SQL, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { z } from 'zod';
import { campaigns } from '../db/campaigns';
import { CHANNELS, type Channel } from './messages';
import {
  Audience,
  type CampaignDefinition,
  type CampaignStatus,
  ConversionEvent,
  Delivery,
  DeliveryControls,
  type DeliveryType,
  Variant,
} from './model';
import { firstOccurrence, nextOccurrence, type Occurrence, occurrenceAt } from './schedule';

/**
 * Campaign rows in D1. Reads parse every JSON column with the model's schemas; writes keep one
 * invariant the scheduler relies on: `next_send_at` is set only on active, unarchived scheduled
 * campaigns that have a send to come.
 */

/** A campaign as the rest of the code sees it. */
export interface Campaign extends CampaignDefinition {
  id: string;
  workspaceId: string;
  status: CampaignStatus;
  archived: boolean;
  nextSendAt: number | null;
  launchedAt: number | null;
  firstSentAt: number | null;
  lastSentAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A listed campaign: no messages, audience or delivery details. */
export interface CampaignSummary {
  id: string;
  name: string;
  tags: string[];
  status: CampaignStatus;
  archived: boolean;
  deliveryType: DeliveryType;
  channels: Channel[];
  lastSentAt: number | null;
  createdAt: number;
  updatedAt: number;
}

type Row = typeof campaigns.$inferSelect;

const Strings = z.array(z.string());
const Channels = z.array(z.enum(CHANNELS));
const Status = z.enum(['draft', 'active', 'stopped']);
const Kind = z.enum(['scheduled', 'action_based', 'api_triggered']);

function toCampaign(row: Row): Campaign {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    name: row.name,
    description: row.description,
    tags: Strings.parse(JSON.parse(row.tags)),
    status: Status.parse(row.status),
    archived: row.archivedAt !== null,
    delivery: Delivery.parse(JSON.parse(row.delivery)),
    audience: Audience.parse(JSON.parse(row.audience)),
    variants: z.array(Variant).parse(JSON.parse(row.variants)),
    controlPercentage: row.controlPercentage,
    controlVariationId: row.controlVariationId,
    channels: Channels.parse(JSON.parse(row.channels)),
    conversionEvents: z.array(ConversionEvent).parse(JSON.parse(row.conversionEvents)),
    controls: DeliveryControls.parse(JSON.parse(row.controls)),
    nextSendAt: row.nextSendAt,
    launchedAt: row.launchedAt,
    firstSentAt: row.firstSentAt,
    lastSentAt: row.lastSentAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function definitionColumns(d: CampaignDefinition) {
  return {
    name: d.name,
    description: d.description,
    tags: JSON.stringify(d.tags),
    deliveryType: d.delivery.type,
    delivery: JSON.stringify(d.delivery),
    audience: JSON.stringify(d.audience),
    variants: JSON.stringify(d.variants),
    controlPercentage: d.controlPercentage,
    controlVariationId: d.controlVariationId,
    channels: JSON.stringify(d.channels),
    conversionEvents: JSON.stringify(d.conversionEvents),
    controls: JSON.stringify(d.controls),
  };
}

const inWorkspace = (workspaceId: string, id: string) =>
  and(eq(campaigns.workspaceId, workspaceId), eq(campaigns.id, id));

/** One campaign of a workspace, archived or not; null when the workspace has no such campaign. */
export async function getCampaign(
  db: D1Database,
  workspaceId: string,
  id: string,
): Promise<Campaign | null> {
  const row = await drizzle(db).select().from(campaigns).where(inWorkspace(workspaceId, id)).get();
  return row ? toCampaign(row) : null;
}

/** A page of a workspace's campaigns by creation time. */
export async function listCampaigns(
  db: D1Database,
  input: {
    workspaceId: string;
    includeArchived: boolean;
    /** Only campaigns last edited after this time, epoch ms. */
    editedAfter?: number;
    status?: CampaignStatus;
    direction: 'asc' | 'desc';
    limit: number;
    offset: number;
  },
): Promise<CampaignSummary[]> {
  const where: SQL[] = [eq(campaigns.workspaceId, input.workspaceId)];
  if (!input.includeArchived) where.push(isNull(campaigns.archivedAt));
  if (input.editedAfter !== undefined) where.push(gt(campaigns.updatedAt, input.editedAfter));
  if (input.status) where.push(eq(campaigns.status, input.status));
  const rows = await drizzle(db)
    .select({
      id: campaigns.id,
      name: campaigns.name,
      tags: campaigns.tags,
      status: campaigns.status,
      archivedAt: campaigns.archivedAt,
      deliveryType: campaigns.deliveryType,
      channels: campaigns.channels,
      lastSentAt: campaigns.lastSentAt,
      createdAt: campaigns.createdAt,
      updatedAt: campaigns.updatedAt,
    })
    .from(campaigns)
    .where(and(...where))
    .orderBy(
      input.direction === 'asc' ? asc(campaigns.createdAt) : desc(campaigns.createdAt),
      asc(campaigns.id),
    )
    .limit(input.limit)
    .offset(input.offset)
    .all();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    tags: Strings.parse(JSON.parse(r.tags)),
    status: Status.parse(r.status),
    archived: r.archivedAt !== null,
    deliveryType: Kind.parse(r.deliveryType),
    channels: Channels.parse(JSON.parse(r.channels)),
    lastSentAt: r.lastSentAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }));
}

/** Every active, unarchived campaign of one delivery type in a workspace (trigger matching). */
export async function listActiveCampaigns(
  db: D1Database,
  workspaceId: string,
  deliveryType: DeliveryType,
): Promise<Campaign[]> {
  const rows = await drizzle(db)
    .select()
    .from(campaigns)
    .where(
      and(
        eq(campaigns.workspaceId, workspaceId),
        eq(campaigns.deliveryType, deliveryType),
        eq(campaigns.status, 'active'),
        isNull(campaigns.archivedAt),
      ),
    )
    .all();
  return rows.map(toCampaign);
}

/** A fingerprint of a workspace's campaigns that changes whenever any of them does (caches). */
export async function campaignsVersion(db: D1Database, workspaceId: string): Promise<string> {
  const row = await drizzle(db)
    .select({ v: max(campaigns.updatedAt), n: sql<number>`count(*)` })
    .from(campaigns)
    .where(eq(campaigns.workspaceId, workspaceId))
    .get();
  return `${row?.v ?? 0}:${row?.n ?? 0}`;
}

/** A scheduled campaign with a send due, and which send. */
export interface DueCampaign {
  campaign: Campaign;
  occurrence: Occurrence;
}

/**
 * Active scheduled campaigns, of every workspace, whose next send is due at `now`: earliest
 * first. Claim each with `advanceSchedule` before sending it.
 */
export async function listDueScheduledCampaigns(
  db: D1Database,
  now: number,
  limit = 100,
): Promise<DueCampaign[]> {
  const rows = await drizzle(db)
    .select()
    .from(campaigns)
    .where(
      and(
        lte(campaigns.nextSendAt, now),
        eq(campaigns.status, 'active'),
        isNull(campaigns.archivedAt),
      ),
    )
    .orderBy(asc(campaigns.nextSendAt))
    .limit(limit)
    .all();
  const due: DueCampaign[] = [];
  for (const row of rows) {
    const campaign = toCampaign(row);
    if (campaign.delivery.type !== 'scheduled' || campaign.nextSendAt === null) continue;
    const occurrence = occurrenceAt(campaign.delivery.schedule, campaign.nextSendAt);
    if (occurrence) due.push({ campaign, occurrence });
  }
  return due;
}

export type AdvanceResult =
  | { type: 'claimed'; next: Occurrence | null }
  /** Another scheduler already claimed this occurrence, or the campaign changed meanwhile. */
  | { type: 'stale' };

/**
 * Claim the occurrence due at `dueAt` by moving the campaign on to its next one (none after a
 * one-off send). Compare-and-set on the due time: of two schedulers, exactly one gets `claimed`.
 */
export async function advanceSchedule(
  db: D1Database,
  input: { workspaceId: string; campaignId: string; dueAt: number },
): Promise<AdvanceResult> {
  const campaign = await getCampaign(db, input.workspaceId, input.campaignId);
  if (campaign?.delivery.type !== 'scheduled') return { type: 'stale' };
  const next = nextOccurrence(campaign.delivery.schedule, input.dueAt);
  const res = await drizzle(db)
    .update(campaigns)
    .set({ nextSendAt: next?.dueAt ?? null })
    .where(
      and(
        inWorkspace(input.workspaceId, input.campaignId),
        eq(campaigns.nextSendAt, input.dueAt),
        eq(campaigns.status, 'active'),
      ),
    )
    .run();
  return res.meta.changes > 0 ? { type: 'claimed', next } : { type: 'stale' };
}

/** Record that a campaign sent at `at`: sets first sent once, moves last sent forward. */
export async function noteCampaignSent(
  db: D1Database,
  input: { workspaceId: string; campaignId: string; at: number },
): Promise<void> {
  await drizzle(db)
    .update(campaigns)
    .set({
      firstSentAt: sql`coalesce(${campaigns.firstSentAt}, ${input.at})`,
      lastSentAt: sql`max(coalesce(${campaigns.lastSentAt}, 0), ${input.at})`,
    })
    .where(inWorkspace(input.workspaceId, input.campaignId))
    .run();
}

/** Create a draft campaign. */
export async function createCampaign(
  db: D1Database,
  input: { workspaceId: string; definition: CampaignDefinition; now: number },
): Promise<Campaign> {
  const id = crypto.randomUUID();
  await drizzle(db)
    .insert(campaigns)
    .values({
      ...definitionColumns(input.definition),
      id,
      workspaceId: input.workspaceId,
      status: 'draft',
      createdAt: input.now,
      updatedAt: input.now,
    })
    .run();
  return (await getCampaign(db, input.workspaceId, id))!;
}

export type WriteResult =
  | { type: 'saved'; campaign: Campaign }
  | { type: 'not_found' }
  | { type: 'archived' }
  /** A launched campaign keeps its delivery type (Braze's rule). */
  | { type: 'delivery_type_locked' }
  /** Launching (or rescheduling an active campaign) would leave no send time in the future. */
  | { type: 'no_send_time' }
  | { type: 'not_launched' };

/** When an active campaign sends next, or `no_send_time`; null for unscheduled kinds. */
function nextSendOnLaunch(
  c: Pick<Campaign, 'delivery' | 'launchedAt'>,
  now: number,
): number | null | 'no_send_time' {
  if (c.delivery.type === 'action_based') {
    const end = c.delivery.end_at ? Date.parse(c.delivery.end_at) : null;
    return end !== null && end <= now ? 'no_send_time' : null;
  }
  if (c.delivery.type !== 'scheduled') return null;
  // "As soon as launched" sends on the first launch only; a resumed campaign does not resend.
  if (c.delivery.schedule.type === 'immediately' && c.launchedAt !== null) return null;
  const first = firstOccurrence(c.delivery.schedule, now);
  return first ? first.dueAt : 'no_send_time';
}

/** Replace a campaign's definition. */
export async function updateCampaign(
  db: D1Database,
  input: { workspaceId: string; id: string; definition: CampaignDefinition; now: number },
): Promise<WriteResult> {
  const current = await getCampaign(db, input.workspaceId, input.id);
  if (!current) return { type: 'not_found' };
  if (current.archived) return { type: 'archived' };
  if (current.status !== 'draft' && current.delivery.type !== input.definition.delivery.type) {
    return { type: 'delivery_type_locked' };
  }
  let nextSendAt = current.nextSendAt;
  if (current.status === 'active') {
    const next = nextSendOnLaunch({ ...current, delivery: input.definition.delivery }, input.now);
    if (next === 'no_send_time') return { type: 'no_send_time' };
    const unchanged =
      JSON.stringify(current.delivery) === JSON.stringify(input.definition.delivery);
    if (!unchanged) nextSendAt = next;
  }
  await drizzle(db)
    .update(campaigns)
    .set({ ...definitionColumns(input.definition), nextSendAt, updatedAt: input.now })
    .where(inWorkspace(input.workspaceId, input.id))
    .run();
  return { type: 'saved', campaign: (await getCampaign(db, input.workspaceId, input.id))! };
}

/** Launch a draft or resume a stopped campaign; launching an active one changes nothing. */
export async function launchCampaign(
  db: D1Database,
  input: { workspaceId: string; id: string; now: number },
): Promise<WriteResult> {
  const current = await getCampaign(db, input.workspaceId, input.id);
  if (!current) return { type: 'not_found' };
  if (current.archived) return { type: 'archived' };
  if (current.status === 'active') return { type: 'saved', campaign: current };
  const next = nextSendOnLaunch(current, input.now);
  if (next === 'no_send_time') return { type: 'no_send_time' };
  await drizzle(db)
    .update(campaigns)
    .set({
      status: 'active',
      nextSendAt: next,
      launchedAt: current.launchedAt ?? input.now,
      updatedAt: input.now,
    })
    .where(inWorkspace(input.workspaceId, input.id))
    .run();
  return { type: 'saved', campaign: (await getCampaign(db, input.workspaceId, input.id))! };
}

/** Stop an active campaign: nothing more is sent until it is launched again. */
export async function stopCampaign(
  db: D1Database,
  input: { workspaceId: string; id: string; now: number },
): Promise<WriteResult> {
  const current = await getCampaign(db, input.workspaceId, input.id);
  if (!current) return { type: 'not_found' };
  if (current.status === 'draft') return { type: 'not_launched' };
  if (current.status === 'active') {
    await drizzle(db)
      .update(campaigns)
      .set({ status: 'stopped', nextSendAt: null, updatedAt: input.now })
      .where(inWorkspace(input.workspaceId, input.id))
      .run();
  }
  return { type: 'saved', campaign: (await getCampaign(db, input.workspaceId, input.id))! };
}

/** Archive (which also stops an active campaign) or unarchive (which leaves it stopped). */
export async function setCampaignArchived(
  db: D1Database,
  input: { workspaceId: string; id: string; archived: boolean; now: number },
): Promise<WriteResult> {
  const current = await getCampaign(db, input.workspaceId, input.id);
  if (!current) return { type: 'not_found' };
  if (current.archived !== input.archived) {
    await drizzle(db)
      .update(campaigns)
      .set(
        input.archived
          ? {
              archivedAt: input.now,
              status: current.status === 'active' ? 'stopped' : current.status,
              nextSendAt: null,
              updatedAt: input.now,
            }
          : { archivedAt: null, updatedAt: input.now },
      )
      .where(inWorkspace(input.workspaceId, input.id))
      .run();
  }
  return { type: 'saved', campaign: (await getCampaign(db, input.workspaceId, input.id))! };
}
