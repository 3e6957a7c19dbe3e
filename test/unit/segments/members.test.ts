import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { type SQL, sql } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../../src/segments/compile-sql';
import type { SegmentFilter } from '../../../src/segments/filters';
import {
  clockOf,
  materialVersion,
  memberPageJsonQuery,
  profileMemberStatements,
  reconcileStatements,
} from '../../../src/segments/members-sql';
import { filterTree, profileSummary, REFERENCED_SEGMENTS } from './arbitraries';
import { DAY, filter, load, memoryMatches, NOW, openIndex, type Segments, WS } from './helpers';

const SEGMENTS: Segments = Object.fromEntries(
  Object.entries(REFERENCED_SEGMENTS).map(([id, json]) => [id, filter(json)]),
);
const dialect = new SQLiteSyncDialect();

function run(db: DatabaseSync, statement: SQL): void {
  const q = dialect.sqlToQuery(statement);
  db.prepare(q.sql).run(...(q.params as SQLInputValue[]));
}

function rows(db: DatabaseSync, segmentId: string): string[] {
  return (
    db
      .prepare(
        'SELECT profile_id FROM segment_members WHERE workspace_id = ? AND segment_id = ? ORDER BY profile_id',
      )
      .all(WS, segmentId) as { profile_id: string }[]
  ).map((r) => r.profile_id);
}

function externalIds(db: DatabaseSync, segmentId: string): (string | null)[] {
  return (
    db
      .prepare(
        'SELECT external_id FROM segment_members WHERE workspace_id = ? AND segment_id = ? ORDER BY profile_id',
      )
      .all(WS, segmentId) as { external_id: string | null }[]
  ).map((r) => r.external_id);
}

/** A pass as member-passes.ts runs it: slices of `sliceSize` profiles in profile-id order. */
function pass(
  db: DatabaseSync,
  input: {
    segmentId: string;
    filter: SegmentFilter;
    ids: string[];
    sliceSize: number;
    now: number;
  },
): void {
  const where = compileFilter(input.filter, {
    workspaceId: WS,
    now: input.now,
    segment: (id) => SEGMENTS[id] ?? null,
  });
  let after = '';
  for (let i = 0; ; i += input.sliceSize) {
    const upTo =
      i + input.sliceSize < input.ids.length ? input.ids[i + input.sliceSize - 1]! : null;
    for (const s of reconcileStatements({
      workspaceId: WS,
      segmentId: input.segmentId,
      where,
      range: { after, upTo },
      guard: sql`1`,
    })) {
      run(db, s);
    }
    if (upTo === null) return;
    after = upTo;
  }
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `p${String(i).padStart(2, '0')}`);

describe('materialised segment membership', () => {
  it('a pass leaves exactly the profiles evaluation selects, whatever rows were there before', () => {
    const db = openIndex();
    let matched = 0;
    fc.assert(
      fc.property(
        fc.array(profileSummary, { minLength: 1, maxLength: 12 }),
        fc.array(filterTree, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(14), { maxLength: 6 }),
        fc.integer({ min: 1, max: 5 }),
        (profiles, trees, leftovers, sliceSize) => {
          const summaries = profiles.map((p, i) => ({ ...p, profileId: ids(profiles.length)[i]! }));
          db.exec('SAVEPOINT run');
          try {
            load(db, summaries);
            trees.forEach((tree, k) => {
              const f = filter(tree);
              const seg = `s${k}`;
              // Rows from an older definition, some for profiles that do not exist.
              for (const n of leftovers) {
                db.prepare('INSERT OR IGNORE INTO segment_members VALUES (?, ?, ?, ?)').run(
                  WS,
                  seg,
                  `p${String(n).padStart(2, '0')}`,
                  'stale',
                );
              }
              const sorted = summaries.map((s) => s.profileId).sort();
              pass(db, { segmentId: seg, filter: f, ids: sorted, sliceSize, now: NOW });
              const expected = memoryMatches(summaries, f, SEGMENTS);
              expect(rows(db, seg), JSON.stringify(f)).toEqual(expected);
              // Leftover rows that stay members carry the member's external id again.
              expect(externalIds(db, seg)).toEqual(
                expected.map((id) => summaries.find((x) => x.profileId === id)?.externalId ?? null),
              );
              matched += expected.length;
            });
          } finally {
            db.exec('ROLLBACK TO run; RELEASE run');
          }
        },
      ),
      { numRuns: 200 },
    );
    db.close();
    expect(matched).toBeGreaterThan(200);
  }, 30_000);

  it("the index consumer's per-profile rows agree with a pass", () => {
    const db = openIndex();
    fc.assert(
      fc.property(
        fc.array(profileSummary, { minLength: 1, maxLength: 10 }),
        fc.array(filterTree, { minLength: 1, maxLength: 4 }),
        (profiles, trees) => {
          const summaries = profiles.map((p, i) => ({ ...p, profileId: ids(profiles.length)[i]! }));
          const filters = trees.map(filter);
          db.exec('SAVEPOINT run');
          try {
            load(db, summaries);
            const ctx = { now: NOW, segment: (id: string) => SEGMENTS[id] ?? null };
            for (const s of summaries) {
              const member = filters.flatMap((f, k) =>
                memoryMatches([s], f, SEGMENTS, ctx.now).length > 0 ? [`s${k}`] : [],
              );
              for (const st of profileMemberStatements({
                workspaceId: WS,
                profileId: s.profileId,
                externalId: s.externalId,
                seq: s.seq,
                segments: member,
              })) {
                run(db, st);
              }
            }
            const consumer = filters.map((_, k) => rows(db, `s${k}`));
            filters.forEach((f, k) => {
              pass(db, {
                segmentId: `s${k}`,
                filter: f,
                ids: summaries.map((s) => s.profileId).sort(),
                sliceSize: 3,
                now: NOW,
              });
            });
            expect(filters.map((_, k) => rows(db, `s${k}`))).toEqual(consumer);
          } finally {
            db.exec('ROLLBACK TO run; RELEASE run');
          }
        },
      ),
      { numRuns: 150 },
    );
    db.close();
  }, 30_000);

  it('serves a page as one JSON row equal to the page of rows, in profile order', () => {
    const db = openIndex();
    const insert = db.prepare('INSERT INTO segment_members VALUES (?, ?, ?, ?)');
    const n = 1007;
    // Inserted out of order, so only the query can put them in profile order.
    for (const i of Array.from({ length: n }, (_, k) => (k * 7919) % n)) {
      insert.run(WS, 's', `p${String(i).padStart(5, '0')}`, i % 2 ? `u${i}` : null);
    }
    insert.run(WS, 'other', 'p00003', 'x');
    const page = (after: string, limit: number) => {
      const q = dialect.sqlToQuery(
        memberPageJsonQuery({ workspaceId: WS, segmentId: 's', after, limit }),
      );
      const row = db.prepare(q.sql).get(...(q.params as SQLInputValue[])) as {
        n: number;
        last: string | null;
        users: string;
      };
      return { count: row.n, last: row.last, users: row.users };
    };
    const expected = (from: number, count: number) =>
      Array.from({ length: count }, (_, k) => from + k).map((i) => ({
        braze_id: `p${String(i).padStart(5, '0')}`,
        external_id: i % 2 ? `u${i}` : null,
      }));
    const full = page('p00002', 1001);
    expect(full.count).toBe(1001);
    expect(full.last).toBe('p01003');
    expect(JSON.parse(full.users)).toEqual(expected(3, 1001));
    const tail = page(`p${String(n - 3).padStart(5, '0')}`, 10);
    expect(tail.count).toBe(2);
    expect(JSON.parse(tail.users)).toEqual(expected(n - 2, 2));
    expect(page(`p${String(n).padStart(5, '0')}`, 10)).toEqual({
      count: 0,
      last: null,
      users: '[]',
    });
    db.close();
  });

  it('ignores per-profile rows computed from an older summary than the index holds', () => {
    const db = openIndex();
    const [s] = fc.sample(profileSummary, { numRuns: 1, seed: 7 });
    load(db, [{ ...s!, profileId: 'p00', seq: 5 }]);
    for (const st of profileMemberStatements({
      workspaceId: WS,
      profileId: 'p00',
      externalId: null,
      seq: 4,
      segments: ['s0'],
    })) {
      run(db, st);
    }
    expect(rows(db, 's0')).toEqual([]);
    db.close();
  });

  it('knows how each filter reads the clock, through referenced segments too', () => {
    const resolve = (id: string) => SEGMENTS[id] ?? null;
    const clock = (json: unknown) => clockOf(filter(json), resolve);
    expect(clock({ random_bucket: { comparison: 'less_than', value: 5 } })).toBe('none');
    const window = {
      custom_event: { event_name: 'x', comparison: 'count_in_days_more_than', value: 1, days: 7 },
    };
    expect(clock(window)).toBe('day');
    expect(
      clock({ purchase: { comparison: 'revenue_in_days_more_than', value: 1, days: 7 } }),
    ).toBe('day');
    const ago = { last_used_app: { comparison: 'more_than_x_days_ago', value: 3 } };
    expect(clock(ago)).toBe('continuous');
    expect(clock({ OR: [window, { NOT: ago }] })).toBe('continuous');
    expect(clock({ last_used_app: { comparison: 'after', value: '2024-01-01' } })).toBe('none');
    expect(clock({ segment_membership: { segment_id: 'opened', comparison: 'is' } })).toBe('day');
    expect(
      clock({ NOT: { segment_membership: { segment_id: 'bucket_low', comparison: 'is' } } }),
    ).toBe('none');
  });

  it('versions a definition by its own and its referenced segments’ edits', () => {
    const base = {
      id: 'a',
      filter: filter({ segment_membership: { segment_id: 'b', comparison: 'is' } }),
    };
    const b = { id: 'b', filter: filter({ random_bucket: { comparison: 'less_than', value: 5 } }) };
    const v1 = materialVersion({ ...base, updatedAt: 1 }, () => ({ ...b, updatedAt: 10 }));
    expect(materialVersion({ ...base, updatedAt: 1 }, () => ({ ...b, updatedAt: 11 }))).not.toBe(
      v1,
    );
    expect(materialVersion({ ...base, updatedAt: 2 }, () => ({ ...b, updatedAt: 10 }))).not.toBe(
      v1,
    );
    expect(materialVersion({ ...base, updatedAt: 1 }, () => ({ ...b, updatedAt: 10 }))).toBe(v1);
  });

  it('a later pass drops a member whose window has passed', () => {
    const db = openIndex();
    const [s] = fc.sample(profileSummary, { numRuns: 1, seed: 1 });
    const played = {
      ...s!,
      profileId: 'p00',
      events: {
        played: {
          count: 2,
          first: NOW - DAY,
          last: NOW - DAY,
          days: { [Math.floor((NOW - DAY) / DAY)]: 2 },
        },
      },
    };
    load(db, [played]);
    const f = filter({
      custom_event: {
        event_name: 'played',
        comparison: 'count_in_days_more_than',
        value: 1,
        days: 3,
      },
    });
    pass(db, { segmentId: 's', filter: f, ids: ['p00'], sliceSize: 10, now: NOW });
    expect(rows(db, 's')).toEqual(['p00']);
    pass(db, { segmentId: 's', filter: f, ids: ['p00'], sliceSize: 10, now: NOW + 5 * DAY });
    expect(rows(db, 's')).toEqual([]);
    db.close();
  });
});
