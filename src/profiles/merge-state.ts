import type { Json } from '../ingestion/types';
import type { StoredAttr } from './attribute-ops';
import { aliasKey, type ProfileStore } from './profile-store';
import { absorbBuckets } from './property-buckets';
import { absorbPushToken } from './push-devices';
import { ACTIVITY_TABLES } from './schema';

/**
 * Everything a profile hands over when it is merged into another (contract §2.8). Plain data, so
 * it crosses RPC between the two objects.
 */
export interface MergeSnapshot {
  profileId: string;
  updatedAt: number;
  aliases: { label: string; name: string }[];
  standard: [string, StoredAttr][];
  custom: [string, StoredAttr][];
  tables: Record<(typeof TABLES)[number], Record<string, Json>[]>;
}

/** Messages waiting in the profile: the kept profile takes the absorbed one's as they are. */
const MESSAGE_TABLES = ['content_cards', 'in_app_messages'] as const;
const TABLES = [...ACTIVITY_TABLES, ...MESSAGE_TABLES] as const;

/** Fields copied only when the kept profile lacks them. */
const COPY_IF_MISSING = [
  'first_name',
  'last_name',
  'email',
  'gender',
  'dob',
  'phone',
  'time_zone',
  'home_city',
  'country',
  'language',
  'current_location',
  'email_subscribe',
  'push_subscribe',
];

/** Take this profile's data, for a merge. */
export function snapshotForMerge(store: ProfileStore): MergeSnapshot {
  const tables = {} as MergeSnapshot['tables'];
  for (const t of TABLES) {
    tables[t] = store.sql.exec(`SELECT * FROM ${t}`).toArray() as Record<string, Json>[];
  }
  return {
    profileId: store.live.profileId,
    updatedAt: store.live.updatedAt,
    aliases: store.identity().aliases,
    standard: [...store.allAttrs(false)],
    custom: [...store.allAttrs(true)],
    tables,
  };
}

function minIso(a: Json | undefined, b: Json | undefined): Json | undefined {
  if (typeof a !== 'string') return b;
  if (typeof b !== 'string') return a;
  return a < b ? a : b;
}

function maxIso(a: Json | undefined, b: Json | undefined): Json | undefined {
  if (typeof a !== 'string') return b;
  if (typeof b !== 'string') return a;
  return a > b ? a : b;
}

/**
 * Absorb a merged profile into this one, with Braze's merge rules: the kept profile's values win,
 * missing ones are copied, counters are summed, first times take the earlier and last times the
 * later value. Idempotent per source profile. Returns the aliases taken over (a label the kept
 * profile already has stays with the kept profile's alias).
 */
export function absorb(
  store: ProfileStore,
  snap: MergeSnapshot,
  now: number,
): { applied: boolean; aliases: { label: string; name: string }[] } {
  const done = store.sql
    .exec('SELECT 1 FROM merged_from WHERE profile_id = ?', snap.profileId)
    .toArray();
  if (done.length > 0) {
    // A retried merge: report the aliases that did move, so the directory can be repointed.
    const moved = snap.aliases.filter((a) => store.aliasWithLabel(a.label) === a.name);
    return { applied: false, aliases: moved };
  }

  const changes: { key: string; custom: boolean; old: Json; new: Json }[] = [];
  const standard = new Map(snap.standard);
  for (const key of COPY_IF_MISSING) {
    const theirs = standard.get(key);
    if (!theirs || store.getAttr(key, false)) continue;
    store.putAttr({ key, custom: false, attr: theirs, now });
    changes.push({ key, custom: false, old: null, new: theirs.value });
    if ((key === 'email' || key === 'phone') && typeof theirs.value === 'string') {
      store.emitIndexOp({ op: 'link', kind: key, value: theirs.value });
    }
  }
  const first = minIso(
    store.getAttr('date_of_first_session', false)?.value,
    standard.get('date_of_first_session')?.value,
  );
  const last = maxIso(
    store.getAttr('date_of_last_session', false)?.value,
    standard.get('date_of_last_session')?.value,
  );
  if (typeof first === 'string') {
    store.putAttr({
      key: 'date_of_first_session',
      custom: false,
      attr: { type: 'string', value: first },
      now,
    });
  }
  if (typeof last === 'string') {
    store.putAttr({
      key: 'date_of_last_session',
      custom: false,
      attr: { type: 'string', value: last },
      now,
    });
  }
  for (const [key, attr] of snap.custom) {
    if (store.getAttr(key, true)) continue;
    store.putAttr({ key, custom: true, attr, now });
    changes.push({ key, custom: true, old: null, new: attr.value });
  }

  const t = snap.tables;
  for (const r of t.event_totals) {
    store.sql.exec(
      `INSERT INTO event_totals (name, count, first_at, last_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET count = count + excluded.count,
         first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)`,
      r.name as string,
      r.count as number,
      r.first_at as number,
      r.last_at as number,
    );
  }
  for (const r of t.event_daily) {
    store.sql.exec(
      `INSERT INTO event_daily (name, day, count) VALUES (?, ?, ?)
       ON CONFLICT(name, day) DO UPDATE SET count = count + excluded.count`,
      r.name as string,
      r.day as number,
      r.count as number,
    );
  }
  for (const r of t.purchase_totals) {
    store.sql.exec(
      `INSERT INTO purchase_totals (product_id, count, revenue, first_at, last_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(product_id) DO UPDATE SET count = count + excluded.count,
         revenue = revenue + excluded.revenue, first_at = min(first_at, excluded.first_at),
         last_at = max(last_at, excluded.last_at)`,
      r.product_id as string,
      r.count as number,
      r.revenue as number,
      r.first_at as number,
      r.last_at as number,
    );
  }
  for (const r of t.purchase_daily) {
    store.sql.exec(
      `INSERT INTO purchase_daily (product_id, day, count, revenue) VALUES (?, ?, ?, ?)
       ON CONFLICT(product_id, day) DO UPDATE SET count = count + excluded.count,
         revenue = revenue + excluded.revenue`,
      r.product_id as string,
      r.day as number,
      r.count as number,
      r.revenue as number,
    );
  }
  for (const r of t.apps) {
    store.sql.exec(
      `INSERT INTO apps (app_id, sessions, first_used, last_used) VALUES (?, ?, ?, ?)
       ON CONFLICT(app_id) DO UPDATE SET sessions = sessions + excluded.sessions,
         first_used = min(first_used, excluded.first_used), last_used = max(last_used, excluded.last_used)`,
      r.app_id as string,
      r.sessions as number,
      r.first_used as number,
      r.last_used as number,
    );
  }
  for (const r of t.push_tokens) absorbPushToken(store, r);
  for (const r of t.subscription_groups) {
    store.sql.exec(
      'INSERT OR IGNORE INTO subscription_groups (group_id, state, updated_at) VALUES (?, ?, ?)',
      r.group_id as string,
      r.state as string,
      r.updated_at as number,
    );
  }
  for (const r of t.raw_events) {
    store.sql.exec(
      'INSERT OR IGNORE INTO raw_events (id, kind, name, time, app_id, payload) VALUES (?, ?, ?, ?, ?, ?)',
      r.id as string,
      r.kind as string,
      r.name as string,
      r.time as number,
      (r.app_id as string | null) ?? null,
      r.payload as string,
    );
  }

  for (const r of t.sessions) {
    store.sql.exec(
      `INSERT OR IGNORE INTO sessions (id, app_id, started_at, ended_at, duration_s)
       VALUES (?, ?, ?, ?, ?)`,
      r.id as string,
      r.app_id as string,
      r.started_at as number,
      (r.ended_at as number | null) ?? null,
      (r.duration_s as number | null) ?? null,
    );
  }

  // Content Cards and in-app messages keep their ids (unique per send): the same card can never
  // be in both profiles, and a retried absorb inserts nothing twice.
  for (const table of MESSAGE_TABLES) {
    for (const r of t[table] ?? []) {
      const columns = Object.keys(r);
      if (columns.length === 0) continue;
      store.sql.exec(
        `INSERT OR IGNORE INTO ${table} (${columns.join(', ')})
         VALUES (${columns.map(() => '?').join(', ')})`,
        ...columns.map((c) => r[c] as SqlStorageValue),
      );
    }
  }

  absorbBuckets(store, t);

  const aliases: { label: string; name: string }[] = [];
  for (const a of snap.aliases) {
    if (store.aliasWithLabel(a.label) !== null) continue;
    store.addIdentifier('user_alias', aliasKey(a.label, a.name), now);
    aliases.push(a);
  }
  store.sql.exec('INSERT INTO merged_from (profile_id, at) VALUES (?, ?)', snap.profileId, now);
  store.emit({ type: 'profile.merged', time: now, merged_from: snap.profileId });
  if (changes.length > 0) store.emit({ type: 'attributes.changed', time: now, changes });
  store.touch(Math.max(now, snap.updatedAt));
  return { applied: true, aliases };
}
