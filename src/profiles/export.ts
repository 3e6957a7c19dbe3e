import type { Json } from '../ingestion/types';
import { eventTotals, purchaseTotals } from './activity';
import type { ProfileStore } from './profile-store';

/** Fields `fields_to_export` may name (contract §2.11). */
export const EXPORT_FIELDS = [
  'apps',
  'attributed_campaign',
  'attributed_source',
  'attributed_adgroup',
  'attributed_ad',
  'push_subscribe',
  'email_subscribe',
  'braze_id',
  'country',
  'created_at',
  'custom_attributes',
  'custom_events',
  'devices',
  'dob',
  'email',
  'external_id',
  'first_name',
  'gender',
  'home_city',
  'language',
  'last_coordinates',
  'last_name',
  'phone',
  'purchases',
  'push_tokens',
  'random_bucket',
  'time_zone',
  'total_revenue',
  'uninstalled_at',
  'user_aliases',
  'campaigns_received',
  'canvases_received',
  'cards_clicked',
] as const;
export type ExportField = (typeof EXPORT_FIELDS)[number];

/** custom_events and purchases list items last seen within this window (first/count all-time). */
const EXPORT_WINDOW_MS = 90 * 86_400_000;

/** Braze's export names for the push service a token belongs to (src/profiles/push-devices.ts). */
const PUSH_PLATFORM_NAMES: Record<string, string> = { web: 'Web', fcm: 'Android', apns: 'iOS' };

const STANDARD_COPY = [
  'first_name',
  'last_name',
  'email',
  'dob',
  'home_city',
  'country',
  'phone',
  'language',
  'time_zone',
  'gender',
  'push_subscribe',
  'email_subscribe',
] as const;

/** Braze's `created_at` export format: `2020-07-10 15:00:00.000 UTC`. */
function brazeTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')} UTC`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Build the user export object (contract §2.12) for this profile. Missing values are omitted, as
 * Braze emits the minimum. With `fields`, only those fields are produced.
 */
export function exportUser(
  store: ProfileStore,
  input: { fields: readonly ExportField[] | null; now: number },
): Record<string, Json> {
  const want = (f: ExportField) => input.fields === null || input.fields.includes(f);
  const meta = store.live;
  const id = store.identity();
  const standard = store.allAttrs(false);
  const out: Record<string, Json> = {};

  if (want('created_at')) out.created_at = brazeTimestamp(meta.createdAt);
  if (want('external_id') && id.externalId !== null) out.external_id = id.externalId;
  if (want('user_aliases') && id.aliases.length > 0) {
    out.user_aliases = id.aliases.map((a) => ({ alias_name: a.name, alias_label: a.label }));
  }
  if (want('braze_id')) out.braze_id = meta.profileId;
  if (want('random_bucket')) out.random_bucket = meta.randomBucket;
  for (const key of STANDARD_COPY) {
    const v = standard.get(key);
    if (want(key) && v && v.value !== null) out[key] = v.value;
  }
  const location = standard.get('current_location')?.value;
  if (want('last_coordinates') && location && typeof location === 'object') {
    const loc = location as { longitude: number; latitude: number };
    out.last_coordinates = [loc.longitude, loc.latitude];
  }
  const purchases = purchaseTotals(store);
  if (want('total_revenue')) {
    out.total_revenue = Math.round(purchases.reduce((s, p) => s + p.revenue, 0) * 100) / 100;
  }
  if (want('custom_attributes')) {
    const custom: Record<string, Json> = {};
    for (const [k, v] of store.allAttrs(true)) custom[k] = v.value;
    if (Object.keys(custom).length > 0) out.custom_attributes = custom;
  }
  const since = input.now - EXPORT_WINDOW_MS;
  if (want('custom_events')) {
    const events = eventTotals(store).filter((e) => e.last >= since);
    if (events.length > 0) {
      out.custom_events = events.map((e) => ({
        name: e.name,
        first: iso(e.first),
        last: iso(e.last),
        count: e.count,
      }));
    }
  }
  if (want('purchases')) {
    const recent = purchases.filter((p) => p.last >= since);
    if (recent.length > 0) {
      out.purchases = recent.map((p) => ({
        name: p.name,
        first: iso(p.first),
        last: iso(p.last),
        count: p.count,
      }));
    }
  }
  if (want('push_tokens')) {
    const tokens = store.sql
      .exec<{ app_id: string; token: string; device_id: string; kind: string | null }>(
        // Invalid tokens (the push service said they are gone) are not the user's any more.
        `SELECT app_id, token, device_id, kind FROM push_tokens WHERE state = 'active'
         ORDER BY added_at`,
      )
      .toArray();
    if (tokens.length > 0) {
      out.push_tokens = tokens.map((t) => ({
        app: t.app_id,
        platform: PUSH_PLATFORM_NAMES[t.kind ?? ''] ?? 'unknown',
        token: t.token,
        device_id: t.device_id,
        notifications_enabled: true,
      }));
    }
  }
  if (want('campaigns_received')) {
    const received = campaignsReceived(store);
    if (received.length > 0) out.campaigns_received = received;
  }
  if (want('apps')) {
    const apps = store.sql
      .exec<{ app_id: string; sessions: number; first_used: number; last_used: number }>(
        'SELECT app_id, sessions, first_used, last_used FROM apps ORDER BY app_id',
      )
      .toArray();
    if (apps.length > 0) {
      out.apps = apps.map((a) => ({
        name: a.app_id,
        platform: 'web',
        sessions: a.sessions,
        first_used: iso(a.first_used),
        last_used: iso(a.last_used),
      }));
    }
  }
  return out;
}

/**
 * Braze's `campaigns_received`: one entry per campaign the user received or was held out of
 * (control group), from the profile's message engagement. Names live in D1, not here: Braze
 * emits the minimum, and `api_campaign_id` names the campaign.
 */
function campaignsReceived(store: ProfileStore): Record<string, Json>[] {
  const rows = store.sql
    .exec<{
      campaign_id: string;
      last_received_at: number | null;
      received_count: number;
      opened_at: number | null;
      clicked_at: number | null;
      converted_at: number | null;
      in_control: number;
      variant_id: string | null;
    }>(
      `SELECT campaign_id, last_received_at, received_count, opened_at, clicked_at, converted_at,
         in_control, variant_id
       FROM message_engagement WHERE received_count > 0 OR in_control = 1 ORDER BY campaign_id`,
    )
    .toArray();
  return rows.map((r) => ({
    api_campaign_id: r.campaign_id,
    ...(r.last_received_at !== null ? { last_received: iso(r.last_received_at) } : {}),
    engaged: { opened: r.opened_at !== null, clicked: r.clicked_at !== null },
    converted: r.converted_at !== null,
    in_control: r.in_control === 1,
    ...(r.variant_id !== null ? { variation_api_id: r.variant_id } : {}),
  }));
}
