import { describe, expect, it } from 'vitest';
import { applyCustomOp, deepMerge } from '../../../src/profiles/attribute-ops';

describe('applyCustomOp', () => {
  it('sets arrays with unique values, trimmed to the newest elements', () => {
    expect(
      applyCustomOp(
        undefined,
        { op: 'set', key: 'a', type: 'array', value: ['x', 'y', 'x', 'z'] },
        2,
      ),
    ).toEqual({
      type: 'set',
      attr: { type: 'array', value: ['y', 'z'] },
    });
  });

  it('moves a re-added value to the end', () => {
    const current = { type: 'array' as const, value: ['a', 'b', 'c'] };
    expect(applyCustomOp(current, { op: 'array', key: 'k', add: ['a'], remove: [] }, 25)).toEqual({
      type: 'set',
      attr: { type: 'array', value: ['b', 'c', 'a'] },
    });
  });

  it('removes before it adds', () => {
    const current = { type: 'array' as const, value: ['a', 'b'] };
    const result = applyCustomOp(
      current,
      { op: 'array', key: 'k', add: ['c'], remove: ['a', 'missing'] },
      25,
    );
    expect(result).toEqual({ type: 'set', attr: { type: 'array', value: ['b', 'c'] } });
  });

  it('refuses to add to a non-array attribute', () => {
    const result = applyCustomOp(
      { type: 'string', value: 'x' },
      { op: 'array', key: 'k', add: ['c'], remove: [] },
      25,
    );
    expect(result).toEqual({ type: 'rejected', reason: 'k is a string, not an array' });
  });

  it('increments from zero and refuses to increment a string', () => {
    expect(applyCustomOp(undefined, { op: 'inc', key: 'n', by: 3 }, 25)).toEqual({
      type: 'set',
      attr: { type: 'number', value: 3 },
    });
    expect(
      applyCustomOp({ type: 'string', value: '1' }, { op: 'inc', key: 'n', by: 3 }, 25).type,
    ).toBe('rejected');
  });

  it('deep-merges objects and replaces a non-object value', () => {
    const current = { type: 'object' as const, value: { a: { b: 1, c: 2 }, d: 1 } };
    expect(
      applyCustomOp(current, { op: 'merge_object', key: 'o', value: { a: { c: 3 } } }, 25),
    ).toEqual({
      type: 'set',
      attr: { type: 'object', value: { a: { b: 1, c: 3 }, d: 1 } },
    });
    expect(
      applyCustomOp(
        { type: 'number', value: 1 },
        { op: 'merge_object', key: 'o', value: { x: 1 } },
        25,
      ),
    ).toEqual({
      type: 'set',
      attr: { type: 'object', value: { x: 1 } },
    });
  });

  it('overwrites matched objects on $update without merge, and merges with it', () => {
    const current = { type: 'object_array' as const, value: [{ id: 1, a: 1 }] };
    const op = {
      op: 'object_array' as const,
      key: 'p',
      remove: [],
      add: [],
      update: [{ idKey: 'id', idValue: 1, patch: { b: 2 } }],
    };
    expect(applyCustomOp(current, { ...op, merge: false }, 25)).toEqual({
      type: 'set',
      attr: { type: 'object_array', value: [{ b: 2 }] },
    });
    expect(applyCustomOp(current, { ...op, merge: true }, 25)).toEqual({
      type: 'set',
      attr: { type: 'object_array', value: [{ id: 1, a: 1, b: 2 }] },
    });
  });

  it('refuses an array of objects that would exceed 100 KB', () => {
    const big = { id: 1, text: 'x'.repeat(60 * 1024) };
    const current = { type: 'object_array' as const, value: [big] };
    const result = applyCustomOp(
      current,
      {
        op: 'object_array',
        key: 'p',
        remove: [],
        update: [],
        add: [{ ...big, id: 2 }],
        merge: false,
      },
      25,
    );
    expect(result).toEqual({ type: 'rejected', reason: 'p would exceed 100 KB' });
  });
});

describe('deepMerge', () => {
  it('treats $time wrappers as values, not containers', () => {
    expect(
      deepMerge(
        { t: { $time: '2020-01-01T00:00:00.000Z' } },
        { t: { $time: '2021-01-01T00:00:00.000Z' } },
      ),
    ).toEqual({
      t: { $time: '2021-01-01T00:00:00.000Z' },
    });
  });
});
