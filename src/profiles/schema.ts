/**
 * The UserProfile object's SQLite schema, as ordered steps applied once (in the constructor,
 * under blockConcurrencyWhile) behind a stored version. Append steps; never edit a shipped one.
 * A new profile gets the same schema in one go (freshSchema, below), derived from these steps.
 */
const STEPS: readonly (readonly string[])[] = [
  [
    `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
    // kind: external_id | user_alias | braze_id. status: primary | deprecated (external ids).
    `CREATE TABLE identifiers (kind TEXT NOT NULL, value TEXT NOT NULL, status TEXT NOT NULL,
       added_at INTEGER NOT NULL, PRIMARY KEY (kind, value))`,
    // Standard fields (custom = 0) and custom attributes (custom = 1); value is JSON.
    `CREATE TABLE attributes (key TEXT NOT NULL, custom INTEGER NOT NULL, type TEXT NOT NULL,
       value TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (custom, key))`,
    `CREATE TABLE event_totals (name TEXT PRIMARY KEY, count INTEGER NOT NULL,
       first_at INTEGER NOT NULL, last_at INTEGER NOT NULL)`,
    `CREATE TABLE event_daily (name TEXT NOT NULL, day INTEGER NOT NULL, count INTEGER NOT NULL,
       PRIMARY KEY (name, day))`,
    `CREATE TABLE purchase_totals (product_id TEXT PRIMARY KEY, count INTEGER NOT NULL,
       revenue REAL NOT NULL, first_at INTEGER NOT NULL, last_at INTEGER NOT NULL)`,
    `CREATE TABLE purchase_daily (product_id TEXT NOT NULL, day INTEGER NOT NULL,
       count INTEGER NOT NULL, revenue REAL NOT NULL, PRIMARY KEY (product_id, day))`,
    `CREATE TABLE apps (app_id TEXT PRIMARY KEY, sessions INTEGER NOT NULL,
       first_used INTEGER NOT NULL, last_used INTEGER NOT NULL)`,
    `CREATE TABLE push_tokens (app_id TEXT NOT NULL, token TEXT NOT NULL, device_id TEXT NOT NULL,
       added_at INTEGER NOT NULL, PRIMARY KEY (app_id, token))`,
    `CREATE TABLE subscription_groups (group_id TEXT PRIMARY KEY, state TEXT NOT NULL,
       updated_at INTEGER NOT NULL)`,
    // Raw behaviour, bounded by RAW_EVENT_* limits in profile-store.ts.
    `CREATE TABLE raw_events (id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL,
       time INTEGER NOT NULL, app_id TEXT, payload TEXT NOT NULL)`,
    `CREATE INDEX raw_events_time ON raw_events (time)`,
    // Transactional outbox: change records and index updates written with the change itself.
    `CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, target TEXT NOT NULL,
       body TEXT NOT NULL)`,
    // Profiles already absorbed, so a retried merge never double-counts.
    `CREATE TABLE merged_from (profile_id TEXT PRIMARY KEY, at INTEGER NOT NULL)`,
  ],
  [
    // Real-time segment membership, re-evaluated after every change.
    `CREATE TABLE segment_membership (segment_id TEXT PRIMARY KEY, entered_at INTEGER NOT NULL)`,
  ],
  [
    // The send ledger (src/profiles/sends.ts): one row per dispatch + variant + channel claimed
    // for this user; the key makes every send happen at most once per attempt.
    `CREATE TABLE sends (key TEXT PRIMARY KEY, dispatch_id TEXT NOT NULL, send_id TEXT,
       campaign_id TEXT, variant_id TEXT, channel TEXT NOT NULL, state TEXT NOT NULL,
       attempt INTEGER NOT NULL, claimed_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`,
    `CREATE INDEX sends_dispatch ON sends (dispatch_id)`,
    `CREATE INDEX sends_updated ON sends (updated_at)`,
    // Message engagement per campaign (or Canvas): received, opened, clicked, converted, control.
    `CREATE TABLE message_engagement (campaign_id TEXT PRIMARY KEY, received_at INTEGER,
       last_received_at INTEGER, received_count INTEGER NOT NULL DEFAULT 0, opened_at INTEGER,
       clicked_at INTEGER, converted_at INTEGER, in_control INTEGER NOT NULL DEFAULT 0,
       variant_id TEXT)`,
    // Last message received per channel ("Last received email", frequency-capping windows).
    `CREATE TABLE channel_received (channel TEXT PRIMARY KEY, last_at INTEGER NOT NULL)`,
  ],
  [
    // Segmentable event and purchase properties (workspace setting) per UTC day, last 31 days
    // (src/profiles/property-buckets.ts). kind: event | purchase; name: event name or product id;
    // value: the value's JSON text. Day first, so pruning old days is a range delete.
    `CREATE TABLE property_daily (day INTEGER NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
       property TEXT NOT NULL, value TEXT NOT NULL, count INTEGER NOT NULL,
       PRIMARY KEY (day, kind, name, property, value))`,
    // The last 50 purchases, for "X Money Spent in Y Days"; id breaks ties in time (later wins).
    `CREATE TABLE recent_purchases (id INTEGER PRIMARY KEY, time INTEGER NOT NULL,
       price REAL NOT NULL, quantity INTEGER NOT NULL)`,
    // Existing profiles start from the purchases still in raw_events.
    `INSERT INTO recent_purchases (time, price, quantity)
       SELECT time, price, quantity FROM (SELECT time, id,
         coalesce(json_extract(payload, '$.price'), 0) AS price,
         coalesce(json_extract(payload, '$.quantity'), 1) AS quantity
         FROM raw_events WHERE kind = 'purchase' ORDER BY time DESC, id DESC LIMIT 50)
       ORDER BY time, id`,
  ],
  [
    // Delivery controls read the ledger: a send's campaign tags and whether it counts toward
    // frequency caps (src/profiles/eligibility.ts), and why a send was skipped or failed.
    `ALTER TABLE sends ADD COLUMN tags TEXT NOT NULL DEFAULT '[]'`,
    `ALTER TABLE sends ADD COLUMN counts INTEGER NOT NULL DEFAULT 1`,
    `ALTER TABLE sends ADD COLUMN reason TEXT`,
    // Conversions (src/profiles/conversions.ts): the campaign's conversion events travel with
    // the send and stay with the engagement row, with the events already converted.
    `ALTER TABLE sends ADD COLUMN conversions TEXT`,
    `ALTER TABLE message_engagement ADD COLUMN conversions TEXT`,
    `ALTER TABLE message_engagement ADD COLUMN converted TEXT NOT NULL DEFAULT '[]'`,
    `ALTER TABLE message_engagement ADD COLUMN last_send_id TEXT`,
  ],
  [
    // Engagement already recorded (src/profiles/engagement.ts), by event id: a provider webhook
    // or tracking hit delivered twice counts once. Pruned with the send ledger.
    `CREATE TABLE engagement_seen (id TEXT PRIMARY KEY, at INTEGER NOT NULL)`,
    `CREATE INDEX engagement_seen_at ON engagement_seen (at)`,
  ],
  [
    // SDK objects already applied, by the client's id (src/profiles/track.ts): a retried batch
    // never counts twice. Kept 30 days.
    `CREATE TABLE client_seen (id TEXT PRIMARY KEY, at INTEGER NOT NULL)`,
    `CREATE INDEX client_seen_at ON client_seen (at)`,
    // The last sessions (bounded like raw events), for session ends and session-length filters.
    `CREATE TABLE sessions (id TEXT PRIMARY KEY, app_id TEXT NOT NULL, started_at INTEGER NOT NULL,
       ended_at INTEGER, duration_s REAL)`,
    `CREATE INDEX sessions_started ON sessions (started_at)`,
  ],
  [
    // Content Cards in this user's feed (src/profiles/cards.ts). `card` is the rendered card
    // (JSON); a card created "at first impression" holds its unrendered `template` (message and
    // Liquid context) until the first feed fetch renders it. Kept until a day after expiry.
    `CREATE TABLE content_cards (id TEXT PRIMARY KEY, dispatch_id TEXT NOT NULL, send_id TEXT,
       campaign_id TEXT, variant_id TEXT, pinned INTEGER NOT NULL, card TEXT, template TEXT,
       removal TEXT, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
       viewed_at INTEGER, clicked_at INTEGER, dismissed_at INTEGER, removed_at INTEGER,
       removed_reason TEXT)`,
    `CREATE INDEX content_cards_created ON content_cards (created_at)`,
    // In-app messages this user is eligible for, with their triggers (src/profiles/in-app.ts).
    // A templated message keeps its unrendered message and Liquid context until displayed.
    `CREATE TABLE in_app_messages (id TEXT PRIMARY KEY, dispatch_id TEXT NOT NULL, send_id TEXT,
       campaign_id TEXT, variant_id TEXT, trigger TEXT NOT NULL, priority INTEGER NOT NULL,
       message TEXT NOT NULL, context TEXT, templated INTEGER NOT NULL,
       created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, shown_at INTEGER,
       clicked_at INTEGER)`,
  ],
  [
    // Per-device push state (src/profiles/push-devices.ts): the push service a token belongs to
    // (web | fcm | apns), a Web Push subscription's keys (the token is its endpoint), whether
    // the token still works (active | invalid) and the push service's last refusal.
    `ALTER TABLE push_tokens ADD COLUMN kind TEXT`,
    `ALTER TABLE push_tokens ADD COLUMN p256dh TEXT`,
    `ALTER TABLE push_tokens ADD COLUMN auth TEXT`,
    `ALTER TABLE push_tokens ADD COLUMN state TEXT NOT NULL DEFAULT 'active'`,
    `ALTER TABLE push_tokens ADD COLUMN last_error TEXT`,
    `ALTER TABLE push_tokens ADD COLUMN updated_at INTEGER`,
    `UPDATE push_tokens SET updated_at = added_at`,
  ],
  // The last ingestion-log position applied per (log shard, identifier key): queued
  // /users/track shares apply exactly once (src/ingestion/log-store.ts).
  [`CREATE TABLE ingest_marks (source TEXT PRIMARY KEY, seq INTEGER NOT NULL)`],
];

/**
 * What a new (empty) database gets instead of climbing STEPS: the same schema as one script,
 * each table created with its final columns. Creating a profile is the main cost of ingesting a
 * new user, and the steps' ALTER TABLEs each re-read the whole schema: one script takes ~45% less
 * CPU than the steps, and new users apply ~25% faster (bench/RESULTS.md, session 6).
 * Derived from STEPS, so appending a step changes it too; test/integration/profile-schema.test.ts
 * checks that both leave the same database. Folded on the first profile created, not at module
 * load: an unknown kind of step then fails profile creation, not every route of the Worker.
 */
let fresh: readonly string[] | null = null;
function freshSchema(): readonly string[] {
  fresh ??= foldSteps(STEPS.flat());
  return fresh;
}

/**
 * Fold `ALTER TABLE t ADD COLUMN c` into t's CREATE TABLE, where SQLite puts it (after the last
 * column, before table constraints), and drop the data migrations (INSERT, UPDATE), which have
 * nothing to move in an empty database. Any other statement is a step this does not know.
 */
function foldSteps(statements: readonly string[]): string[] {
  const out: string[] = [];
  const tables = new Map<string, number>();
  for (const statement of statements) {
    const created = /^CREATE TABLE (\w+) \(/.exec(statement);
    const added = /^ALTER TABLE (\w+) ADD COLUMN (.+)$/s.exec(statement);
    if (created?.[1]) {
      tables.set(created[1], out.length);
      out.push(statement);
    } else if (added?.[1] && added[2]) {
      const at = tables.get(added[1]);
      if (at === undefined) throw new Error(`profile schema: ALTER of unknown table ${added[1]}`);
      out[at] = addColumn(out[at] as string, added[2]);
    } else if (/^CREATE INDEX /.test(statement)) {
      out.push(statement);
    } else if (!/^(INSERT|UPDATE) /.test(statement)) {
      throw new Error(`profile schema: no fresh form for ${statement.slice(0, 40)}`);
    }
  }
  return out;
}

/** `CREATE TABLE t (a, b, PRIMARY KEY (a))` + `c` → `CREATE TABLE t (a, b, c, PRIMARY KEY (a))`. */
function addColumn(create: string, column: string): string {
  const open = create.indexOf('(');
  const items: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = open + 1;
  let close = create.length;
  for (let i = start; i < create.length; i++) {
    const ch = create[i];
    if (ch === "'") quoted = !quoted;
    if (quoted) continue;
    if (ch === '(') depth++;
    else if (ch === ')' && depth-- === 0) {
      items.push(create.slice(start, i).trim());
      close = i;
      break;
    } else if (ch === ',' && depth === 0) {
      items.push(create.slice(start, i).trim());
      start = i + 1;
    }
  }
  const constraint = items.findIndex((item) =>
    /^(PRIMARY KEY|UNIQUE|CHECK|FOREIGN KEY|CONSTRAINT)\b/i.test(item),
  );
  items.splice(constraint === -1 ? items.length : constraint, 0, column.trim());
  return `${create.slice(0, open)}(${items.join(', ')})${create.slice(close + 1)}`;
}

/** Tables holding a user's behaviour: what a merge hands over and a delete wipes. */
export const ACTIVITY_TABLES = [
  'event_totals',
  'event_daily',
  'purchase_totals',
  'purchase_daily',
  'apps',
  'push_tokens',
  'subscription_groups',
  'raw_events',
  'property_daily',
  'recent_purchases',
  'sessions',
] as const;

/** The schema version this code expects. */
export const SCHEMA_VERSION = STEPS.length;

/**
 * Bring the object's database to SCHEMA_VERSION. Runs once per object start. `mode` 'steps'
 * climbs the shipped steps even for an empty database (tests compare it with the fresh schema).
 */
export function migrateProfileSchema(sql: SqlStorage, mode: 'auto' | 'steps' = 'auto'): void {
  sql.exec('CREATE TABLE IF NOT EXISTS _schema (version INTEGER NOT NULL)');
  const row = sql.exec<{ version: number }>('SELECT version FROM _schema').toArray()[0];
  const version = row?.version ?? 0;
  if (!row) sql.exec('INSERT INTO _schema (version) VALUES (0)');
  if (version >= STEPS.length) return;
  // One exec for everything pending: a new profile is created per first-seen user, and 16
  // separate DDL calls were a sixth of the CPU of creating one (bench/RESULTS.md).
  const pending = !row && mode === 'auto' ? freshSchema() : STEPS.slice(version).flat();
  sql.exec(`${pending.join(';\n')};\nUPDATE _schema SET version = ${STEPS.length};`);
}
