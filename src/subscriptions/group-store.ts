import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { z } from 'zod';
import { subscriptionGroupDefs } from '../db/channels';

/**
 * A workspace's subscription groups (contract data §2.10, messaging §5.2) in D1
 * (`subscription_group_defs`). An SMS group owns its sending numbers and/or a Twilio messaging
 * service: sends use them, and an inbound STOP/START to one of them changes the user's state in
 * that group. A group is archived, never deleted: user states keep naming it.
 */

const Replies = z.object({
  opt_in: z.string().optional(),
  opt_out: z.string().optional(),
  help: z.string().optional(),
});

/** The `settings` JSON column. */
export const GroupSettings = z.object({
  numbers: z.array(z.string()).default([]),
  messaging_service_sid: z.string().nullable().default(null),
  replies: Replies.default({}),
  archived: z.boolean().default(false),
});
export type GroupSettings = z.infer<typeof GroupSettings>;

export interface SubscriptionGroup {
  groupId: string;
  channel: 'email' | 'sms';
  name: string;
  settings: GroupSettings;
  createdAt: number;
  updatedAt: number;
}

type Row = typeof subscriptionGroupDefs.$inferSelect;

function groupOf(row: Row): SubscriptionGroup | null {
  let raw: unknown;
  try {
    raw = JSON.parse(row.settings);
  } catch {
    return null;
  }
  const settings = GroupSettings.safeParse(raw);
  if (!settings.success || (row.channel !== 'email' && row.channel !== 'sms')) return null;
  return {
    groupId: row.groupId,
    channel: row.channel,
    name: row.name,
    settings: settings.data,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** One group of the workspace, archived or not; null when it does not exist. */
export async function getGroup(
  db: D1Database,
  workspaceId: string,
  groupId: string,
): Promise<SubscriptionGroup | null> {
  const row = await drizzle(db)
    .select()
    .from(subscriptionGroupDefs)
    .where(
      and(
        eq(subscriptionGroupDefs.workspaceId, workspaceId),
        eq(subscriptionGroupDefs.groupId, groupId),
      ),
    )
    .get();
  return row ? groupOf(row) : null;
}

/** Every group of the workspace (Braze allows 450), oldest first. */
export async function listGroups(
  db: D1Database,
  workspaceId: string,
): Promise<SubscriptionGroup[]> {
  const rows = await drizzle(db)
    .select()
    .from(subscriptionGroupDefs)
    .where(eq(subscriptionGroupDefs.workspaceId, workspaceId))
    .orderBy(subscriptionGroupDefs.createdAt, subscriptionGroupDefs.groupId)
    .all();
  return rows.map(groupOf).filter((g): g is SubscriptionGroup => g !== null);
}

/** Insert a group; false when the id is taken. */
export async function insertGroup(
  db: D1Database,
  input: { workspaceId: string; group: SubscriptionGroup },
): Promise<boolean> {
  const g = input.group;
  const res = await drizzle(db)
    .insert(subscriptionGroupDefs)
    .values({
      workspaceId: input.workspaceId,
      groupId: g.groupId,
      channel: g.channel,
      name: g.name,
      settings: JSON.stringify(g.settings),
      createdAt: g.createdAt,
      updatedAt: g.updatedAt,
    })
    .onConflictDoNothing()
    .run();
  return res.meta.changes > 0;
}

/** Replace a group's name and settings. */
export async function updateGroup(
  db: D1Database,
  input: { workspaceId: string; group: SubscriptionGroup },
): Promise<void> {
  const g = input.group;
  await drizzle(db)
    .update(subscriptionGroupDefs)
    .set({ name: g.name, settings: JSON.stringify(g.settings), updatedAt: g.updatedAt })
    .where(
      and(
        eq(subscriptionGroupDefs.workspaceId, input.workspaceId),
        eq(subscriptionGroupDefs.groupId, g.groupId),
      ),
    )
    .run();
}

/**
 * The live SMS group an inbound message reached: the one owning the number it was sent to, or
 * the messaging service that received it.
 */
export async function groupForInbound(
  db: D1Database,
  input: { workspaceId: string; to: string; messagingServiceSid: string | null },
): Promise<SubscriptionGroup | null> {
  const groups = (await listGroups(db, input.workspaceId)).filter(
    (g) => g.channel === 'sms' && !g.settings.archived,
  );
  return (
    groups.find((g) => g.settings.numbers.includes(input.to)) ??
    groups.find(
      (g) =>
        input.messagingServiceSid !== null &&
        g.settings.messaging_service_sid === input.messagingServiceSid,
    ) ??
    null
  );
}
