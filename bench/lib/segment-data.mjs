// Synthetic profile index for the segment benchmarks: N profiles written straight into the idx_
// tables of D1 (migrations/0001_profile_index.sql) with INSERT … SELECT over a recursive CTE, in
// chunks. Going through /users/track would take hours at today's ingestion speed.
//
// Profile i (1..N) has rowid i, so later tables select their owners by rowid range. Which
// profiles have what comes from multiplicative hashes of i (0..99), independent per property:
//   plan      free 60% / pro 25% / team 15%         (custom attribute, idx_profiles.custom)
//   played    50% of profiles; 1–6 distinct days in the last 30 (idx_event_days), 1–3 events a
//             day, plus 0–19 older ones in the lifetime count (idx_events)
//   purchases 20% of profiles; 1–3 purchases of product "gems" (idx_purchases, idx_purchase_days
//             for "gems" and for '' = all products, idx_profiles.purchase_count/total_revenue)
// Other columns (email, country, sessions, a numeric and a boolean custom attribute) are filled
// so that rows have a realistic width.

const DAY_MS = 86_400_000;

/** h(i) in 0..99 from the high bits of a 32-bit multiplicative hash. */
const hash = (mult) => (v) => `((((${v} * ${mult}) % 4294967296) * 100) / 4294967296)`;
const H_PLAN = hash(2654435761)('i');
const H_PLAYED = hash(2246822519);
const H_PURCHASE = hash(3266489917)('i');

export const SPREAD = {
  plan: { free: 0.6, pro: 0.25, team: 0.15 },
  played: 0.5,
  purchased: 0.2,
};

const PLAN = `CASE WHEN ${H_PLAN} < 60 THEN 'free' WHEN ${H_PLAN} < 85 THEN 'pro' ELSE 'team' END`;
const PURCHASES = `(CASE WHEN ${H_PURCHASE} < 20 THEN 1 + i % 3 ELSE 0 END)`;

/** Rows i in [from, to] as a recursive CTE `n(i)`. */
const range = (from, to) =>
  `WITH RECURSIVE n(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM n WHERE i < ${to})`;

function profilesSql(ws, from, to, now) {
  const nowSec = Math.floor(now / 1000);
  const today = Math.floor(now / DAY_MS);
  // Created over the last ~3 years; the profile id starts with the creation second (lib/ids.ts).
  const created = `(${nowSec} - (i * 97) % (3 * 365 * 86400))`;
  const lastPurchase = `((${today} - i % 30) * ${DAY_MS} + 43200000)`;
  return `${range(from, to)}
INSERT INTO idx_profiles (rowid, workspace_id, profile_id, external_id, seq, created_at, updated_at,
  random_bucket, first_name, last_name, email, phone, country, language, time_zone, home_city,
  gender, dob, email_subscribe, push_subscribe, email_undeliverable, session_count,
  first_session_at, last_session_at, purchase_count, total_revenue, first_purchase_at,
  last_purchase_at, custom)
SELECT i, '${ws}', printf('%08x', ${created}) || lower(hex(randomblob(8))), 'user-' || i, 1,
  ${created} * 1000, ${now}, abs(random()) % 10000, 'First' || (i % 500), 'Last' || (i % 2000),
  'user' || i || '@example.com', NULL, CASE i % 4 WHEN 0 THEN 'US' WHEN 1 THEN 'DE' WHEN 2 THEN 'FR' ELSE 'BR' END,
  'en', 'UTC', NULL, CASE i % 2 WHEN 0 THEN 'F' ELSE 'M' END, NULL, 'subscribed', NULL, 0,
  i % 40, ${created} * 1000, ${now} - (i % 30) * ${DAY_MS},
  ${PURCHASES}, ${PURCHASES} * 4.99,
  CASE WHEN ${PURCHASES} > 0 THEN ${lastPurchase} - 86400000 * (${PURCHASES} - 1) END,
  CASE WHEN ${PURCHASES} > 0 THEN ${lastPurchase} END,
  json_object(
    'plan', json_object('t', 'string', 'v', ${PLAN}),
    'level', json_object('t', 'number', 'v', i % 50),
    'beta', json_object('t', 'boolean', 'v', json(CASE WHEN i % 10 = 0 THEN 'true' ELSE 'false' END)))
FROM n`;
}

/** Per played profile: k = 1 + i % 6 distinct days (today - (i + 5j) % 30), 1 + (i + j) % 3 a day. */
function eventDaysSql(ws, from, to, now) {
  const today = Math.floor(now / DAY_MS);
  return `WITH RECURSIVE j(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM j WHERE j < 5)
INSERT INTO idx_event_days (workspace_id, profile_id, name, day, count)
SELECT '${ws}', p.profile_id, 'played', ${today} - (p.i + 5 * j.j) % 30, 1 + (p.i + j.j) % 3
FROM (SELECT rowid AS i, profile_id FROM idx_profiles WHERE rowid BETWEEN ${from} AND ${to}) p, j
WHERE ${H_PLAYED('p.i')} < 50 AND j.j < 1 + p.i % 6`;
}

function eventsSql(ws, from, to, now) {
  const today = Math.floor(now / DAY_MS);
  // Lifetime count: the in-window days plus up to 19 older events.
  return `INSERT INTO idx_events (workspace_id, profile_id, name, count, first_at, last_at)
SELECT '${ws}', p.profile_id, 'played',
  (SELECT sum(d.count) FROM idx_event_days d WHERE d.workspace_id = '${ws}' AND d.profile_id = p.profile_id AND d.name = 'played') + p.i % 20,
  min(p.created_at, (${today} - p.i % 30) * ${DAY_MS}), (${today} - p.i % 30) * ${DAY_MS} + 3600000
FROM (SELECT rowid AS i, profile_id, created_at FROM idx_profiles WHERE rowid BETWEEN ${from} AND ${to}) p
WHERE ${H_PLAYED('p.i')} < 50`;
}

function purchasesSql(ws, from, to) {
  return `INSERT INTO idx_purchases (workspace_id, profile_id, product_id, count, revenue, first_at, last_at)
SELECT '${ws}', profile_id, 'gems', purchase_count, total_revenue, first_purchase_at, last_purchase_at
FROM idx_profiles WHERE rowid BETWEEN ${from} AND ${to} AND purchase_count > 0`;
}

/** One daily row per product ('gems' and '' = all products): all purchases on the last day. */
function purchaseDaysSql(ws, from, to) {
  return `INSERT INTO idx_purchase_days (workspace_id, profile_id, product_id, day, count)
SELECT '${ws}', p.profile_id, pr.id, p.last_purchase_at / ${DAY_MS}, p.purchase_count
FROM idx_profiles p, (SELECT '' AS id UNION ALL SELECT 'gems') pr
WHERE p.rowid BETWEEN ${from} AND ${to} AND p.purchase_count > 0`;
}

/**
 * Writes `profiles` synthetic profiles into workspace `ws` through the D1 binding `db` (from
 * Miniflare's getD1Database), `chunk` profiles per statement. Returns timings, row counts and the
 * database size D1 reports.
 */
export async function generateProfiles(db, { ws, profiles, now, chunk = 100_000, say }) {
  const started = performance.now();
  let sizeAfter = null;
  const rows = {};
  const exec = async (table, text) => {
    const res = await db.prepare(text).run();
    rows[table] = (rows[table] ?? 0) + (res.meta?.changes ?? 0);
    sizeAfter = res.meta?.size_after ?? sizeAfter;
  };
  for (let from = 1; from <= profiles; from += chunk) {
    const to = Math.min(profiles, from + chunk - 1);
    await exec('idx_profiles', profilesSql(ws, from, to, now));
    await exec('idx_event_days', eventDaysSql(ws, from, to, now));
    await exec('idx_events', eventsSql(ws, from, to, now));
    await exec('idx_purchases', purchasesSql(ws, from, to));
    await exec('idx_purchase_days', purchaseDaysSql(ws, from, to));
    say?.(
      `bench:     ${to.toLocaleString('en-US')} profiles (${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
  }
  return { profiles, rows, seconds: (performance.now() - started) / 1000, dbBytes: sizeAfter };
}
