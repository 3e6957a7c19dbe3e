import { readFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type ResolvedFilter,
  resolveFilters,
  selectionQuery,
} from '../../../src/catalogs/selection-query';
import type { CatalogField } from '../../../src/catalogs/validate-catalog';
import {
  checkCreateSelection,
  type SelectionDefinition,
} from '../../../src/catalogs/validate-selection';

const FIELDS: CatalogField[] = [
  { name: 'id', type: 'string' },
  { name: 'Genre', type: 'string' },
  { name: 'Price', type: 'number' },
  { name: 'OnSale', type: 'boolean' },
  { name: 'Released', type: 'time' },
  { name: 'Tags', type: 'array' },
  { name: 'Platforms', type: 'array' },
  { name: 'Meta', type: 'object' },
];

const GAMES: Record<string, Record<string, unknown>> = {
  chess: {
    Genre: 'board',
    Price: 10,
    OnSale: true,
    Released: '1990-01-01T00:00:00.000Z',
    Tags: ['classic', 2],
  },
  go: { Genre: 'board', Price: 25.5, OnSale: false, Tags: ['classic'] },
  doom: {
    Genre: 'shooter',
    Price: 5,
    OnSale: true,
    Released: '1993-12-10T00:00:00.000Z',
    Tags: ['fps'],
  },
  tetris: { Price: 0, Released: '1984-06-06T00:00:00.000Z' },
};

/** An in-memory SQLite with the real migration and the games above, as D1 would hold them. */
function database(): DatabaseSync {
  const db = new DatabaseSync(':memory:');
  const migration = new URL('../../../migrations/0004_catalogs.sql', import.meta.url);
  const ddl = readFileSync(fileURLToPath(migration.href), 'utf8');
  for (const statement of ddl.split('--> statement-breakpoint')) db.exec(statement);
  const insert = db.prepare('INSERT INTO catalog_items VALUES (?, ?, ?, ?, 0)');
  for (const [id, data] of Object.entries(GAMES)) insert.run('ws', 'cat', id, JSON.stringify(data));
  insert.run('other-ws', 'cat', 'intruder', JSON.stringify({ Genre: 'board' }));
  return db;
}

const db = database();
const definition = (d: Partial<SelectionDefinition> = {}): SelectionDefinition => ({
  filters: [],
  results_limit: 50,
  sort_field: 'id',
  sort_order: 'asc',
  ...d,
});

function run(filters: ResolvedFilter[], d: Partial<SelectionDefinition> = {}): string[] {
  const q = selectionQuery({
    workspaceId: 'ws',
    catalogId: 'cat',
    filters,
    definition: definition(d),
  });
  const rows = db.prepare(q.sql).all(...(q.params as (string | number)[])) as { item_id: string }[];
  return rows.map((r) => r.item_id);
}

const f = (
  field: string,
  operator: ResolvedFilter['operator'],
  value: ResolvedFilter['value'],
) => ({
  field,
  type: FIELDS.find((x) => x.name === field)!.type,
  operator,
  value,
});

describe('selectionQuery', () => {
  it('returns only the workspace and catalog asked for', () => {
    expect(run([])).toEqual(['chess', 'doom', 'go', 'tetris']);
  });

  it.each([
    [f('Genre', 'equals', 'board'), ['chess', 'go']],
    [f('Genre', 'does not equal', 'board'), ['doom', 'tetris']],
    [f('id', 'equals', 'go'), ['go']],
    [f('Price', 'equals', 25.5), ['go']],
    [f('Price', 'does not equal', 10), ['doom', 'go', 'tetris']],
    [f('Price', 'greater than', 5), ['chess', 'go']],
    [f('Price', 'less than', 5), ['tetris']],
    [f('OnSale', 'is', true), ['chess', 'doom']],
    [f('OnSale', 'is', false), ['go']],
    [f('Released', 'before', '1990-01-01T00:00:00.000Z'), ['tetris']],
    [f('Released', 'after', '1989-12-31T23:59:59.000Z'), ['chess', 'doom']],
    [f('Tags', 'includes value', 'classic'), ['chess', 'go']],
    [f('Tags', 'includes value', '2'), ['chess']],
    [f('Tags', 'does not include value', 'classic'), ['doom', 'tetris']],
  ])('filters with %j', (filter, expected) => {
    expect(run([filter])).toEqual(expected);
  });

  it('combines filters with AND', () => {
    expect(run([f('Genre', 'equals', 'board'), f('Price', 'less than', 20)])).toEqual(['chess']);
  });

  it('sorts descending by a field, items without it last, and limits', () => {
    expect(run([], { sort_field: 'Released', sort_order: 'desc', results_limit: 4 })).toEqual([
      'doom',
      'chess',
      'tetris',
      'go',
    ]);
    expect(run([], { sort_field: 'Price', sort_order: 'desc', results_limit: 2 })).toEqual([
      'go',
      'chess',
    ]);
  });

  it('sorts ascending by a number field numerically', () => {
    expect(run([], { sort_field: 'Price', sort_order: 'asc' })).toEqual([
      'tetris',
      'doom',
      'chess',
      'go',
    ]);
  });

  it('returns the limit in random order when there is no sort', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const got = run([], { sort_field: null, sort_order: null, results_limit: 2 });
      expect(got).toHaveLength(2);
      seen.add(got.join());
    }
    expect(seen.size).toBeGreaterThan(1);
  });

  it('binds values as parameters, never as SQL text', () => {
    expect(run([f('Genre', 'equals', "board' OR 1=1 --")])).toEqual([]);
  });
});

describe('resolveFilters', () => {
  const stored = (field: string, operator: string, value: string | number | boolean) =>
    ({ field, operator, value }) as never;

  it('renders Liquid values and coerces them to the field type', async () => {
    const r = await resolveFilters(
      [stored('Price', 'greater than', '{{ min }}')],
      FIELDS,
      async () => ' 7 ',
    );
    expect(r).toEqual([{ field: 'Price', type: 'number', operator: 'greater than', value: 7 }]);
  });

  it('does not render values without Liquid', async () => {
    const r = await resolveFilters([stored('Genre', 'equals', 'board')], FIELDS, async () => {
      throw new Error('rendered');
    });
    expect(r?.[0]?.value).toBe('board');
  });

  it('normalises a rendered time to UTC', async () => {
    const r = await resolveFilters(
      [stored('Released', 'before', '{{now}}')],
      FIELDS,
      async () => '2024-01-01T01:00:00+01:00',
    );
    expect(r?.[0]?.value).toBe('2024-01-01T00:00:00.000Z');
  });

  it('matches nothing when a rendered value does not fit the type', async () => {
    expect(
      await resolveFilters([stored('OnSale', 'is', '{{x}}')], FIELDS, async () => 'perhaps'),
    ).toBeNull();
  });

  it('matches nothing when a field no longer exists', async () => {
    expect(
      await resolveFilters([stored('Gone', 'equals', 'x')], FIELDS, async (t) => t),
    ).toBeNull();
  });
});

describe('checkCreateSelection', () => {
  const errorIds = (r: { ok: boolean; errors?: { id: string }[] }) => r.errors?.map((e) => e.id);
  const sel = (s: Record<string, unknown>) =>
    checkCreateSelection({ selection: { name: 'cheap', ...s } }, FIELDS);

  it('stores a full selection with typed filter values', () => {
    const r = sel({
      description: 'Cheap games',
      filters: [
        { field: 'Price', operator: 'less than', value: '10' },
        { field: 'Released', operator: 'after', value: '2020-01-01' },
        { field: 'Genre', operator: 'equals', value: '{{custom_attribute.${genre}}}' },
      ],
      results_limit: 5,
      sort_field: 'Price',
      sort_order: 'asc',
    });
    expect(r).toEqual({
      ok: true,
      value: {
        name: 'cheap',
        description: 'Cheap games',
        definition: {
          filters: [
            { field: 'Price', operator: 'less than', value: 10 },
            { field: 'Released', operator: 'after', value: '2020-01-01T00:00:00.000Z' },
            { field: 'Genre', operator: 'equals', value: '{{custom_attribute.${genre}}}' },
          ],
          results_limit: 5,
          sort_field: 'Price',
          sort_order: 'asc',
        },
      },
    });
  });

  it('defaults to random order and a limit of 50', () => {
    const r = sel({});
    expect(r.ok && r.value.definition).toEqual({
      filters: [],
      results_limit: 50,
      sort_field: null,
      sort_order: null,
    });
  });

  it.each([
    ['invalid-selection', { selection: 'cheap' }],
    ['invalid-selection', { selection: { name: 'has space' } }],
    ['invalid-selection', { selection: { name: 'n'.repeat(251) } }],
    [
      'too-many-filters',
      {
        selection: {
          name: 's',
          filters: Array.from({ length: 11 }, () => ({
            field: 'Genre',
            operator: 'equals',
            value: 'x',
          })),
        },
      },
    ],
    [
      'selection-has-invalid-filter',
      { selection: { name: 's', filters: [{ field: 'Nope', operator: 'equals', value: 'x' }] } },
    ],
    [
      'selection-has-invalid-filter',
      { selection: { name: 's', filters: [{ field: 'Genre', operator: 'is', value: 'x' }] } },
    ],
    [
      'selection-has-invalid-filter',
      { selection: { name: 's', filters: [{ field: 'Meta', operator: 'equals', value: 'x' }] } },
    ],
    [
      'selection-has-invalid-filter',
      { selection: { name: 's', filters: [{ field: 'Price', operator: 'equals', value: 'ten' }] } },
    ],
    [
      'selection-has-invalid-filter',
      {
        selection: {
          name: 's',
          filters: [{ field: 'Tags', operator: 'includes value', value: true }],
        },
      },
    ],
    ['selection-has-invalid-filter', { selection: { name: 's', filters: 'Genre' } }],
    [
      'selection-contains-too-many-arrays',
      {
        selection: {
          name: 's',
          filters: [
            { field: 'Tags', operator: 'includes value', value: 'a' },
            { field: 'Platforms', operator: 'includes value', value: 'pc' },
          ],
        },
      },
    ],
    ['selection-invalid-results-limit', { selection: { name: 's', results_limit: 0 } }],
    ['selection-invalid-results-limit', { selection: { name: 's', results_limit: 2.5 } }],
    ['invalid-sorting', { selection: { name: 's', sort_order: 'asc' } }],
    ['invalid-sort-field', { selection: { name: 's', sort_field: 'Tags', sort_order: 'asc' } }],
    [
      'invalid-sort-order',
      { selection: { name: 's', sort_field: 'Price', sort_order: 'ascending' } },
    ],
  ])('reports %s', (expected, body) => {
    expect(errorIds(checkCreateSelection(body, FIELDS))).toContain(expected);
  });

  it('allows ten filters and two filters on the same array field', () => {
    const filters = [
      ...Array.from({ length: 8 }, () => ({ field: 'Genre', operator: 'equals', value: 'x' })),
      { field: 'Tags', operator: 'includes value', value: 'a' },
      { field: 'Tags', operator: 'does not include value', value: 'b' },
    ];
    expect(sel({ filters }).ok).toBe(true);
  });
});
