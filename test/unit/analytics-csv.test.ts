import { describe, expect, it } from 'vitest';
import {
  csvLine,
  isLastSlice,
  sliceSize,
  userCsvColumns,
  userCsvLine,
} from '../../src/analytics/csv';

describe('csvLine', () => {
  it('quotes fields with commas, quotes and line breaks, and ends with CRLF', () => {
    expect(csvLine(['a', 'b,c', 'say "hi"', 'two\nlines', 3, true, null])).toBe(
      'a,"b,c","say ""hi""","two\nlines",3,true,\r\n',
    );
  });

  it('defuses text a spreadsheet would run as a formula, but not numbers', () => {
    expect(csvLine(['=SUM(A1)', '+1', '@x', -5])).toBe("'=SUM(A1),'+1,'@x,-5\r\n");
  });

  it('writes arrays and objects as JSON text', () => {
    expect(csvLine([['a'], { k: 1 }])).toBe('"[""a""]","{""k"":1}"\r\n');
  });
});

describe('user CSV columns', () => {
  it('gives each chosen custom attribute its own column instead of the whole object', () => {
    const columns = userCsvColumns({
      fields: ['external_id', 'custom_attributes'],
      customAttributes: ['plan'],
    });
    expect(columns).toEqual(['external_id', 'custom_attributes.plan']);
    expect(userCsvLine({ external_id: 'u', custom_attributes: { plan: 'pro' } }, columns)).toBe(
      'u,pro\r\n',
    );
  });

  it('keeps the whole custom_attributes object when no attribute is chosen', () => {
    const columns = userCsvColumns({ fields: ['custom_attributes'] });
    expect(userCsvLine({ custom_attributes: { a: 1 } }, columns)).toBe('"{""a"":1}"\r\n');
  });
});

/** Run an export's slices over `members` users as the job does; answers rows per slice. */
function simulate(members: number, perFile: number, maxRows: number | null): number[] {
  const slices: number[] = [];
  let exported = 0;
  for (;;) {
    const asked = sliceSize({ perFile, maxRows, exported });
    const read = Math.min(asked, members - exported);
    exported += read;
    slices.push(read);
    if (isLastSlice({ asked, read, maxRows, exported })) return slices;
  }
}

describe('the row cap', () => {
  it('stops a capped export exactly at the cap, mid-slice', () => {
    expect(simulate(23, 5, 12)).toEqual([5, 5, 2]);
  });

  it('ends on the slice that reaches the cap when the cap falls on a slice boundary', () => {
    expect(simulate(23, 5, 10)).toEqual([5, 5]);
  });

  it('exports everyone when the segment is smaller than the cap', () => {
    expect(simulate(7, 5, 12)).toEqual([5, 2]);
  });

  it('has no cap for API exports', () => {
    expect(simulate(23, 5, null)).toEqual([5, 5, 5, 5, 3]);
  });

  it('ends an uncapped export after a full slice with an empty one', () => {
    expect(simulate(10, 5, null)).toEqual([5, 5, 0]);
  });
});
