import { describe, expect, it } from 'vitest';
import { checkCreateCatalog, checkNewFields } from '../../../src/catalogs/validate-catalog';

const id = { name: 'id', type: 'string' };
const body = (c: Record<string, unknown>) => ({
  catalogs: [{ name: 'games', description: 'All games', fields: [id], ...c }],
});
const errorIds = (r: { ok: boolean; errors?: { id: string }[] }) => r.errors?.map((e) => e.id);

describe('checkCreateCatalog', () => {
  it('accepts a catalog whose first field is a string id', () => {
    const fields = [id, { name: 'Price', type: 'number' }, { name: 'Tags', type: 'array' }];
    expect(checkCreateCatalog(body({ fields }))).toEqual({
      ok: true,
      value: { name: 'games', description: 'All games', fields },
    });
  });

  it('treats a missing description as empty', () => {
    const r = checkCreateCatalog({ catalogs: [{ name: 'games', fields: [id] }] });
    expect(r.ok && r.value.description).toBe('');
  });

  it('accepts names of exactly 250 characters', () => {
    expect(checkCreateCatalog(body({ name: 'n'.repeat(250) })).ok).toBe(true);
  });

  it('accepts exactly 500 fields', () => {
    const fields = [
      id,
      ...Array.from({ length: 499 }, (_, i) => ({ name: `f${i}`, type: 'time' })),
    ];
    expect(checkCreateCatalog(body({ fields })).ok).toBe(true);
  });

  it.each([
    ['catalog-array-invalid', { catalogs: [] }],
    ['catalog-array-invalid', { catalogs: ['games'] }],
    ['catalog-array-invalid', null],
    ['too-many-catalog-atoms', { catalogs: [body({}).catalogs[0], body({}).catalogs[0]] }],
    ['invalid-catalog-name', body({ name: 'a/b' })],
    ['invalid-catalog-name', body({ name: '' })],
    ['invalid-catalog-name', body({ name: 12 })],
    ['catalog-name-too-large', body({ name: 'n'.repeat(251) })],
    ['description-too-long', body({ description: 'd'.repeat(251) })],
    ['invalid-fields', body({ fields: [] })],
    ['invalid-fields', body({ fields: [id, 'Price'] })],
    ['id-not-first-column', body({ fields: [{ name: 'Price', type: 'number' }, id] })],
    ['id-not-first-column', body({ fields: [{ name: 'id', type: 'number' }] })],
    [
      'too-many-fields',
      body({
        fields: [id, ...Array.from({ length: 500 }, (_, i) => ({ name: `f${i}`, type: 'time' }))],
      }),
    ],
    ['invalid-field-names', body({ fields: [id, { name: 'a$b', type: 'string' }] })],
    ['field-names-too-large', body({ fields: [id, { name: 'f'.repeat(251), type: 'string' }] })],
    [
      'field-names-not-unique',
      body({ fields: [id, { name: 'x', type: 'string' }, { name: 'x', type: 'number' }] }),
    ],
    ['invalid-field-types', body({ fields: [id, { name: 'x', type: 'integer' }] })],
  ])('reports %s', (expected, input) => {
    expect(errorIds(checkCreateCatalog(input))).toContain(expected);
  });

  it('reports every problem of a catalog at once', () => {
    const r = checkCreateCatalog(body({ name: 'a b', description: 'd'.repeat(300) }));
    expect(errorIds(r)).toEqual(['invalid-catalog-name', 'description-too-long']);
  });

  it("names the offending value in Braze's parameters", () => {
    const r = checkCreateCatalog(body({ name: 'a b' }));
    expect(r).toEqual({
      ok: false,
      errors: [
        {
          id: 'invalid-catalog-name',
          message: 'Catalog name can only include letters, numbers, hyphens, and underscores',
          parameters: ['name'],
          parameter_values: ['a b'],
        },
      ],
    });
  });
});

describe('checkNewFields', () => {
  const existing = [
    { name: 'id', type: 'string' as const },
    { name: 'Price', type: 'number' as const },
  ];

  it('accepts new fields', () => {
    const r = checkNewFields({ fields: [{ name: 'Stock', type: 'number' }] }, existing);
    expect(r).toEqual({ ok: true, value: [{ name: 'Stock', type: 'number' }] });
  });

  it('refuses a name the catalog already has', () => {
    const r = checkNewFields({ fields: [{ name: 'Price', type: 'string' }] }, existing);
    expect(errorIds(r)).toEqual(['field-names-not-unique']);
  });

  it('refuses more than 50 fields in one request', () => {
    const fields = Array.from({ length: 51 }, (_, i) => ({ name: `f${i}`, type: 'string' }));
    expect(errorIds(checkNewFields({ fields }, existing))).toEqual([
      'request-includes-too-many-fields',
    ]);
  });

  it('refuses to grow a catalog past 500 fields', () => {
    const many = Array.from({ length: 480 }, (_, i) => ({
      name: `e${i}`,
      type: 'string' as const,
    }));
    const fields = Array.from({ length: 30 }, (_, i) => ({ name: `f${i}`, type: 'string' }));
    expect(errorIds(checkNewFields({ fields }, many))).toEqual(['catalog-exceeds-fields-limit']);
  });
});
