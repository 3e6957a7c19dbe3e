import { describe, expect, it } from 'vitest';
import {
  applyChange,
  checkFilteredFields,
  coerceValue,
  structureProblem,
} from '../../../src/catalogs/item-values';
import type { CatalogField } from '../../../src/catalogs/validate-catalog';
import {
  checkBulkDelete,
  checkBulkWrite,
  checkSingleWrite,
} from '../../../src/catalogs/validate-items';

const FIELDS: CatalogField[] = [
  { name: 'id', type: 'string' },
  { name: 'Title', type: 'string' },
  { name: 'Price', type: 'number' },
  { name: 'OnSale', type: 'boolean' },
  { name: 'Released', type: 'time' },
  { name: 'Tags', type: 'array' },
  { name: 'Meta', type: 'object' },
];
const errorIds = (r: { ok: boolean; errors?: { id: string }[] }) => r.errors?.map((e) => e.id);

function nested(levels: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = { k: v };
  return v;
}

describe('coerceValue', () => {
  it.each([
    ['string', 12, '12'],
    ['string', true, 'true'],
    ['number', '4.5', 4.5],
    ['number', ' -3e2 ', -300],
    ['boolean', 'FALSE', false],
    ['time', '2024-03-01T10:00:00+01:00', '2024-03-01T09:00:00.000Z'],
    ['time', '2024-03-01', '2024-03-01T00:00:00.000Z'],
    ['time', '2024-03-01T10:30', '2024-03-01T10:30:00.000Z'],
    ['time', '2024-03-01 10:30:05.5', '2024-03-01T10:30:05.500Z'],
    ['array', ['a', 1], ['a', 1]],
    ['object', { a: 1 }, { a: 1 }],
  ] as const)('reads %s from %j', (type, input, expected) => {
    expect(coerceValue(type, input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['string', { a: 1 }],
    ['number', 'ten'],
    ['number', Number.NaN],
    ['boolean', 'yes'],
    ['time', 'next tuesday'],
    ['time', 1700000000],
    ['array', 'a,b'],
    ['object', ['a']],
  ] as const)('refuses %s from %j', (type, input) => {
    expect(coerceValue(type, input)).toEqual({ ok: false });
  });
});

describe('structureProblem', () => {
  it('allows 50 levels of nesting and refuses 51', () => {
    expect(structureProblem(nested(50))).toBeNull();
    expect(structureProblem(nested(51))).toBe('nesting');
  });

  it('refuses keys with . or $ at any depth, inside arrays too', () => {
    expect(structureProblem({ a: [{ 'b.c': 1 }] })).toBe('keys');
    expect(structureProblem({ $set: 1 })).toBe('keys');
  });

  it('stops at the limit on a hostile, very deep value', () => {
    expect(structureProblem(nested(100_000))).toBe('nesting');
  });
});

describe('checkBulkWrite', () => {
  it('returns each item with its typed values', () => {
    const r = checkBulkWrite(
      { items: [{ id: 'g1', Title: 'Chess', Price: '10', Tags: ['board'], Meta: null }] },
      FIELDS,
      false,
    );
    expect(r).toEqual({
      ok: true,
      value: [
        {
          id: 'g1',
          change: { set: { Title: 'Chess', Price: 10, Tags: ['board'] }, unset: ['Meta'], ops: {} },
        },
      ],
    });
  });

  it.each([
    ['item-array-invalid', { items: [] }],
    ['item-array-invalid', { items: [1] }],
    ['item-array-invalid', {}],
    [
      'request-includes-too-many-items',
      { items: Array.from({ length: 51 }, (_, i) => ({ id: `g${i}` })) },
    ],
    ['items-missing-ids', { items: [{ id: 'g1' }, { Title: 'x' }] }],
    ['ids-not-strings', { items: [{ id: 1 }] }],
    ['ids-too-large', { items: [{ id: 'x'.repeat(251) }] }],
    ['invalid-ids', { items: [{ id: 'no spaces' }] }],
    ['invalid-ids', { items: [{ id: '' }] }],
    ['ids-not-unique', { items: [{ id: 'g' }, { id: 'g' }] }],
    ['invalid-fields', { items: [{ id: 'g', Colour: 'red' }] }],
    ['invalid-keys-in-value-object', { items: [{ id: 'g', Meta: { 'a.b': 1 } }] }],
    ['too-deep-nesting-in-value-object', { items: [{ id: 'g', Meta: nested(51) }] }],
    ['items-too-large', { items: [{ id: 'g', Title: 'x'.repeat(5001) }] }],
    ['items-too-large', { items: [{ id: 'g', Tags: Array.from({ length: 1000 }, () => 'abcd') }] }],
    ['unable-to-coerce-value', { items: [{ id: 'g', OnSale: 2 }] }],
  ])('reports %s', (expected, body) => {
    expect(errorIds(checkBulkWrite(body, FIELDS, false))).toContain(expected);
  });

  it('accepts 50 items and ids of 250 characters', () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ id: `${i}`.padStart(250, 'x') }));
    expect(checkBulkWrite({ items }, FIELDS, false).ok).toBe(true);
  });

  it('reports the problems of every item, each naming its item id', () => {
    const r = checkBulkWrite(
      {
        items: [
          { id: 'a', Price: 'x' },
          { id: 'b', OnSale: 'x' },
        ],
      },
      FIELDS,
      false,
    );
    expect(r.ok ? [] : r.errors.map((e) => e.parameter_values)).toEqual([['a'], ['b']]);
  });

  it('reads $add and $remove on array fields only when patching', () => {
    const body = { items: [{ id: 'g', Tags: { $add: ['new'], $remove: ['old'] } }] };
    const r = checkBulkWrite(body, FIELDS, true);
    expect(r.ok && r.value[0]!.change.ops).toEqual({ Tags: { add: ['new'], remove: ['old'] } });
    expect(errorIds(checkBulkWrite(body, FIELDS, false))).toEqual(['invalid-keys-in-value-object']);
  });
});

describe('checkBulkDelete', () => {
  it('returns the ids', () => {
    expect(checkBulkDelete({ items: [{ id: 'a' }, { id: 'b' }] })).toEqual({
      ok: true,
      value: ['a', 'b'],
    });
  });

  it('refuses items without ids', () => {
    const r = checkBulkDelete({ items: [{ id: 'a' }, {}] });
    expect(r).toEqual({
      ok: false,
      errors: [
        {
          id: 'items-missing-ids',
          message: 'There are 1 item(s) that do not have ids',
          parameters: [],
          parameter_values: [],
        },
      ],
    });
  });
});

describe('checkSingleWrite', () => {
  const single = (body: unknown, itemId = 'g1') =>
    checkSingleWrite({ body, itemId, fields: FIELDS, patch: false });

  it('returns the change for the item named in the path', () => {
    expect(single({ items: [{ Price: 3 }] })).toEqual({
      ok: true,
      value: { set: { Price: 3 }, unset: [], ops: {} },
    });
  });

  it.each([
    ['id-in-body', { items: [{ id: 'g1' }] }, 'g1'],
    ['request-includes-too-many-items', { items: [{}, {}] }, 'g1'],
    ['invalid-ids', { items: [{}] }, 'a.b'],
    ['ids-too-large', { items: [{}] }, 'x'.repeat(251)],
  ])('reports %s', (expected, body, itemId) => {
    expect(errorIds(single(body, itemId))).toEqual([expected]);
  });
});

describe('applyChange', () => {
  it('merges a patch over the stored item and clears nulled fields', () => {
    const r = applyChange(
      'g',
      { Title: 'A', Price: 1 },
      { set: { Price: 2 }, unset: ['Title'], ops: {} },
    );
    expect(r).toEqual({ ok: true, value: { Price: 2 } });
  });

  it('removes, then appends, array values', () => {
    const r = applyChange(
      'g',
      { Tags: ['a', 'b', 'a'] },
      { set: {}, unset: [], ops: { Tags: { add: ['a', 'c'], remove: ['a'] } } },
    );
    expect(r).toEqual({ ok: true, value: { Tags: ['b', 'a', 'c'] } });
  });

  it('starts an absent array from empty', () => {
    const r = applyChange(
      'g',
      {},
      { set: {}, unset: [], ops: { Tags: { add: ['x'], remove: ['y'] } } },
    );
    expect(r).toEqual({ ok: true, value: { Tags: ['x'] } });
  });

  it('refuses an array that grows past 5,000 characters', () => {
    const big = { Tags: ['x'.repeat(4990)] };
    const r = applyChange('g', big, {
      set: {},
      unset: [],
      ops: { Tags: { add: ['more'], remove: [] } },
    });
    expect(errorIds(r)).toEqual(['items-too-large']);
  });
});

describe('checkFilteredFields', () => {
  it('refuses a string over 1,000 characters in a field a selection filters on', () => {
    const e = checkFilteredFields('g', { Title: 't'.repeat(1001) }, new Set(['Title']));
    expect(e?.id).toBe('filtered-set-field-too-long');
  });

  it('allows long strings in fields no selection uses', () => {
    expect(checkFilteredFields('g', { Title: 't'.repeat(1001) }, new Set(['Other']))).toBeNull();
  });
});
