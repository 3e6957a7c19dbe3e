import { type SQL, sql } from 'drizzle-orm';
import type { Json } from '../ingestion/types';
import type { Recipient } from '../personalization/scope';
import { compileFilter } from '../segments/compile-sql';
import type { SegmentFilter } from '../segments/filters';
import { cachedDefinitions } from '../segments/store';

/**
 * The batched path's view of its recipients: the profile index rows of a deliver message's
 * profiles, filtered by the dispatch's audience compiled to SQL (the same compiler segments use),
 * so the claim that selects them is the audience re-check too (`claimMembers` in
 * batch-ledger.ts). A profile that left the audience, or was deleted (its index rows are
 * removed), is neither claimed nor read.
 */

/**
 * Standard attributes a template may read that the index does not keep: a dispatch whose
 * templates name one of them renders in the profile objects instead (`src/delivery/batch-send.ts`).
 */
export const UNINDEXED_STANDARD = [
  'current_location',
  'facebook',
  'twitter',
  'email_open_tracking_disabled',
  'email_click_tracking_disabled',
  'date_of_first_session',
  'date_of_last_session',
  'marked_email_as_spam_at',
] as const;

/**
 * Template text that can read a recipient's subscription groups: the Liquid root itself, or a
 * Content Block (whose text is not known until it is rendered).
 */
export const GROUP_READERS = ['subscribed_state', 'content_blocks'] as const;

/** An index row as `recipientColumns` selects it. */
export interface IndexRow {
  profile_id: string;
  external_id: string | null;
  random_bucket: number;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  phone: string | null;
  country: string | null;
  language: string | null;
  time_zone: string | null;
  home_city: string | null;
  gender: string | null;
  dob: string | null;
  email_subscribe: string | null;
  push_subscribe: string | null;
  last_session_at: number | null;
  custom: string;
  groups: string | null;
}

const STANDARD: (keyof IndexRow)[] = [
  'first_name',
  'last_name',
  'email',
  'phone',
  'country',
  'language',
  'time_zone',
  'home_city',
  'gender',
  'dob',
  'email_subscribe',
  'push_subscribe',
];

/** The index row as the personalization engine reads a profile (`buildRecipient`'s shape). */
export function recipientFromIndex(row: IndexRow): Recipient {
  const standard: Recipient['standard'] = {};
  for (const key of STANDARD) {
    const v = row[key];
    if (v !== null) standard[key] = v as Json;
  }
  const custom: Recipient['custom'] = {};
  const stored = JSON.parse(row.custom) as Record<string, { t: string; v: Json }>;
  for (const [name, { t, v }] of Object.entries(stored)) {
    // The index keeps times as epoch ms; profiles hand them to templates as ISO strings.
    custom[name] = {
      type: t,
      value: t === 'time' && typeof v === 'number' ? new Date(v).toISOString() : v,
    };
  }
  return {
    brazeId: row.profile_id,
    externalId: row.external_id,
    standard,
    custom,
    subscriptionGroups: row.groups ? (JSON.parse(row.groups) as Record<string, string>) : {},
    randomBucket: row.random_bucket,
    lastUsedAppAt: row.last_session_at,
  };
}

/**
 * The dispatch's audience as an SQL condition over the index row `p` (true without one), with
 * segments resolved from the workspace's cached definitions.
 */
export async function audienceCondition(
  db: D1Database,
  input: { workspaceId: string; audience: SegmentFilter | null; now: number },
): Promise<SQL> {
  if (input.audience === null) return sql`1`;
  const defs = await cachedDefinitions(db, input.workspaceId, input.now);
  const byId = new Map(defs.map((d) => [d.id, d.filter]));
  return compileFilter(input.audience, {
    workspaceId: input.workspaceId,
    now: input.now,
    segment: (id) => byId.get(id) ?? null,
  });
}

/**
 * The columns of the index row `p` a render reads (`recipientFromIndex`); the subscription
 * groups only when the templates can read them.
 */
export function recipientColumns(withGroups: boolean): SQL {
  return sql`p.profile_id, p.external_id, p.random_bucket, p.first_name, p.last_name, p.email,
    p.phone, p.country, p.language, p.time_zone, p.home_city, p.gender, p.dob,
    p.email_subscribe, p.push_subscribe, p.last_session_at, p.custom, ${
      withGroups
        ? sql`(SELECT json_group_object(g.group_id, g.state) FROM idx_subscription_groups g
            WHERE g.workspace_id = p.workspace_id AND g.profile_id = p.profile_id)`
        : sql`NULL`
    } AS groups`;
}
