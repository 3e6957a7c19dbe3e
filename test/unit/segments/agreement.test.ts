import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SegmentFilter } from '../../../src/segments/filters';
import { filterTree, profileSummary, REFERENCED_SEGMENTS } from './arbitraries';
import { filter, load, memoryMatches, openIndex, type Segments, sqlMatches } from './helpers';

const SEGMENTS: Segments = Object.fromEntries(
  Object.entries(REFERENCED_SEGMENTS).map(([id, json]) => [id, filter(json)]),
);

describe('the SQL compiler and the in-memory evaluator', () => {
  it('select the same profiles for random filter trees and profiles', () => {
    const db = openIndex();
    let matched = 0;
    let missed = 0;
    fc.assert(
      fc.property(
        fc.array(profileSummary, { minLength: 1, maxLength: 12 }),
        fc.array(filterTree, { minLength: 1, maxLength: 6 }),
        (profiles, trees) => {
          const summaries = profiles.map((p, i) => ({
            ...p,
            profileId: `p${String(i).padStart(2, '0')}`,
          }));
          db.exec('SAVEPOINT run');
          try {
            load(db, summaries);
            for (const tree of trees) {
              const f: SegmentFilter = filter(tree);
              const expected = memoryMatches(summaries, f, SEGMENTS);
              expect(sqlMatches(db, f, SEGMENTS), JSON.stringify(f)).toEqual(expected);
              matched += expected.length;
              missed += summaries.length - expected.length;
            }
          } finally {
            db.exec('ROLLBACK TO run; RELEASE run');
          }
        },
      ),
      { numRuns: 300 },
    );
    db.close();
    // The generators are only useful if filters both match and miss.
    expect(matched).toBeGreaterThan(500);
    expect(missed).toBeGreaterThan(500);
  }, 30_000);
});
