import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { d1CatalogSource } from '../../src/catalogs/liquid-source';
import { call, createWorkspace, type TestWorkspace } from '../fixtures/workspace';

/** Call with the workspace key and any method; parse the answer. */
async function send(ws: TestWorkspace, method: string, path: string, body?: unknown) {
  const res = await call(path, { key: ws.key, method, body });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers };
}

const FIELDS = [
  { name: 'id', type: 'string' },
  { name: 'Name', type: 'string' },
  { name: 'City', type: 'string' },
  { name: 'Rating', type: 'number' },
  { name: 'Loyalty', type: 'boolean' },
  { name: 'Location', type: 'object' },
  { name: 'Dishes', type: 'array' },
  { name: 'Opened', type: 'time' },
];

const ITEMS = [
  {
    id: 'r1',
    Name: 'One',
    City: 'NYC',
    Rating: 9,
    Loyalty: true,
    Location: { lat: 1 },
    Dishes: ['soup', 'pie'],
    Opened: '2020-01-01T00:00:00Z',
  },
  { id: 'r2', Name: 'Two', City: 'NYC', Rating: 5, Loyalty: false, Dishes: ['pie'] },
  { id: 'r3', Name: 'Three', City: 'SF', Rating: 7, Opened: '2023-06-01T12:00:00+02:00' },
];

/** A fresh workspace with the `restaurants` catalog and, unless told otherwise, three items. */
async function restaurants(items: unknown[] = ITEMS) {
  const ws = await createWorkspace();
  const created = await ws.post('/catalogs', {
    catalogs: [{ name: 'restaurants', description: 'Places', fields: FIELDS }],
  });
  expect(created.status).toBe(201);
  if (items.length > 0) {
    expect((await ws.post('/catalogs/restaurants/items', { items })).status).toBe(202);
  }
  return ws;
}

async function listItems(ws: TestWorkspace, query = '') {
  return send(ws, 'GET', `/catalogs/restaurants/items${query}`);
}

async function ids(ws: TestWorkspace): Promise<string[]> {
  return (await listItems(ws)).json.items.map((i: { id: string }) => i.id);
}

function errorIds(json: { errors?: { id: string }[] }): string[] {
  return (json.errors ?? []).map((e) => e.id);
}

describe('catalog management', () => {
  it('creates a catalog and answers 201 with its fields and no items', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/catalogs', {
      catalogs: [{ name: 'restaurants', description: 'Places', fields: FIELDS }],
    });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      catalogs: [
        {
          description: 'Places',
          fields: FIELDS,
          name: 'restaurants',
          num_items: 0,
          updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
      ],
      message: 'success',
    });
  });

  it('lists the catalogs of the workspace with their item counts', async () => {
    const ws = await restaurants();
    const res = await send(ws, 'GET', '/catalogs');
    expect(res.status).toBe(200);
    expect(res.json.message).toBe('success');
    expect(res.json.catalogs).toHaveLength(1);
    expect(res.json.catalogs[0]).toMatchObject({ name: 'restaurants', num_items: 3 });
  });

  it('refuses a second catalog with the same name', async () => {
    const ws = await restaurants([]);
    const res = await ws.post('/catalogs', {
      catalogs: [{ name: 'restaurants', description: '', fields: FIELDS }],
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      errors: [
        {
          id: 'catalog-name-already-exists',
          message: 'A catalog with that name already exists',
          parameters: ['name'],
          parameter_values: ['restaurants'],
        },
      ],
      message: 'Invalid Request',
    });
  });

  const idField = { name: 'id', type: 'string' };
  const one = (c: Record<string, unknown>) => ({
    catalogs: [{ name: 'c', description: '', fields: [idField], ...c }],
  });
  it.each([
    ['catalog-array-invalid', { catalogs: 'c' }],
    ['too-many-catalog-atoms', { catalogs: [one({}).catalogs[0], one({}).catalogs[0]] }],
    ['invalid-catalog-name', one({ name: 'has space' })],
    ['catalog-name-too-large', one({ name: 'n'.repeat(251) })],
    ['description-too-long', one({ description: 'd'.repeat(251) })],
    ['invalid-fields', one({ fields: 'id' })],
    ['id-not-first-column', one({ fields: [{ name: 'x', type: 'string' }, idField] })],
    [
      'too-many-fields',
      one({
        fields: [
          idField,
          ...Array.from({ length: 500 }, (_, i) => ({ name: `f${i}`, type: 'number' })),
        ],
      }),
    ],
    ['invalid-field-names', one({ fields: [idField, { name: 'a.b', type: 'string' }] })],
    [
      'field-names-too-large',
      one({ fields: [idField, { name: 'f'.repeat(251), type: 'string' }] }),
    ],
    ['field-names-not-unique', one({ fields: [idField, idField] })],
    ['invalid-field-types', one({ fields: [idField, { name: 'x', type: 'date' }] })],
  ])('refuses a bad catalog definition with %s', async (id, body) => {
    const ws = await createWorkspace();
    const res = await ws.post('/catalogs', body);
    expect(res.status).toBe(400);
    expect(res.json.message).toBe('Invalid Request');
    expect(errorIds(res.json)).toContain(id);
  });

  it('deletes a catalog with its items, so the name starts empty again', async () => {
    const ws = await restaurants();
    expect(await send(ws, 'DELETE', '/catalogs/restaurants')).toMatchObject({
      status: 200,
      json: { message: 'success' },
    });
    expect((await listItems(ws)).status).toBe(404);
    await ws.post('/catalogs', {
      catalogs: [{ name: 'restaurants', description: '', fields: FIELDS }],
    });
    expect(await ids(ws)).toEqual([]);
  });

  it('answers 404 catalog-not-found for an unknown catalog', async () => {
    const ws = await createWorkspace();
    const res = await send(ws, 'DELETE', '/catalogs/nope');
    expect(res.status).toBe(404);
    expect(res.json.errors[0]).toEqual({
      id: 'catalog-not-found',
      message: 'Could not find catalog',
      parameters: ['catalog_name'],
      parameter_values: ['nope'],
    });
  });
});

describe('rate limits', () => {
  it.each([
    ['GET', '/catalogs', 50],
    ['GET', '/catalogs/restaurants/items', 50],
    ['GET', '/catalogs/restaurants/items/r1', 50],
    ['POST', '/catalogs/restaurants/fields', 50],
    ['PUT', '/catalogs/restaurants/items', 16_000],
  ])('counts %s %s against a bucket of %i a minute', async (method, path, limit) => {
    const ws = await restaurants();
    const body = method === 'GET' ? undefined : {};
    const res = await send(ws, method, path, body);
    expect(res.headers.get('X-RateLimit-Limit')).toBe(String(limit));
  });

  it('shares one bucket between the synchronous item endpoints', async () => {
    const ws = await restaurants();
    const before = Number((await listItems(ws)).headers.get('X-RateLimit-Remaining'));
    const after = await send(ws, 'GET', '/catalogs/restaurants/items/r1');
    expect(Number(after.headers.get('X-RateLimit-Remaining'))).toBe(before - 1);
  });
});

describe('bulk item endpoints', () => {
  it('creates items, coercing values to their field types', async () => {
    const ws = await restaurants([]);
    const res = await ws.post('/catalogs/restaurants/items', {
      items: [
        { id: 'a', Rating: '4.5', Loyalty: 'TRUE', Name: 12, Opened: '2023-06-01T12:00:00+02:00' },
      ],
    });
    expect(res).toMatchObject({ status: 202, json: { message: 'success' } });
    expect((await listItems(ws)).json.items).toEqual([
      { id: 'a', Rating: 4.5, Loyalty: true, Name: '12', Opened: '2023-06-01T10:00:00.000Z' },
    ]);
  });

  it('refuses ids that already exist with item-already-exists', async () => {
    const ws = await restaurants();
    const res = await ws.post('/catalogs/restaurants/items', { items: [{ id: 'r1', Name: 'x' }] });
    expect(res.status).toBe(400);
    expect(res.json.errors[0]).toMatchObject({
      id: 'item-already-exists',
      parameter_values: ['r1'],
    });
  });

  it('writes nothing when one item of the request is invalid', async () => {
    const ws = await restaurants([]);
    const res = await ws.post('/catalogs/restaurants/items', {
      items: [{ id: 'good', Name: 'ok' }, { id: 'bad', Rating: 'lots' }, { id: 'good2' }],
    });
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([
      {
        id: 'unable-to-coerce-value',
        message: 'Field Rating could not be read as number',
        parameters: ['id'],
        parameter_values: ['bad'],
      },
    ]);
    expect(await ids(ws)).toEqual([]);
    expect((await send(ws, 'GET', '/catalogs')).json.catalogs[0].num_items).toBe(0);
  });

  let deep: unknown = 'leaf';
  for (let i = 0; i < 51; i++) deep = { k: deep };
  it.each([
    ['item-array-invalid', { items: {} }],
    [
      'request-includes-too-many-items',
      { items: Array.from({ length: 51 }, (_, i) => ({ id: `i${i}` })) },
    ],
    ['items-missing-ids', { items: [{ Name: 'x' }] }],
    ['ids-not-strings', { items: [{ id: 7 }] }],
    ['ids-too-large', { items: [{ id: 'i'.repeat(251) }] }],
    ['invalid-ids', { items: [{ id: 'a b' }] }],
    ['ids-not-unique', { items: [{ id: 'a' }, { id: 'a' }] }],
    ['invalid-fields', { items: [{ id: 'a', Unknown: 1 }] }],
    ['invalid-keys-in-value-object', { items: [{ id: 'a', Location: { 'a.b': 1 } }] }],
    ['too-deep-nesting-in-value-object', { items: [{ id: 'a', Location: deep }] }],
    ['items-too-large', { items: [{ id: 'a', Name: 'x'.repeat(5001) }] }],
    ['unable-to-coerce-value', { items: [{ id: 'a', Loyalty: 'maybe' }] }],
  ])('refuses a bad bulk request with %s', async (id, body) => {
    const ws = await restaurants([]);
    const res = await ws.post('/catalogs/restaurants/items', body);
    expect(res.status).toBe(400);
    expect(errorIds(res.json)).toContain(id);
    expect(await ids(ws)).toEqual([]);
  });

  it('edits only the given fields of existing items and skips unknown ids', async () => {
    const ws = await restaurants();
    const res = await send(ws, 'PATCH', '/catalogs/restaurants/items', {
      items: [
        { id: 'r2', City: 'LA', Dishes: { $add: ['cake'], $remove: ['pie'] } },
        { id: 'zz', City: 'X' },
      ],
    });
    expect(res.status).toBe(202);
    const items = (await listItems(ws)).json.items;
    expect(items.map((i: { id: string }) => i.id)).toEqual(['r1', 'r2', 'r3']);
    expect(items[1]).toEqual({
      id: 'r2',
      Name: 'Two',
      City: 'LA',
      Rating: 5,
      Loyalty: false,
      Dishes: ['cake'],
    });
  });

  it('replaces items whole and creates the missing ones', async () => {
    const ws = await restaurants();
    const res = await send(ws, 'PUT', '/catalogs/restaurants/items', {
      items: [
        { id: 'r1', Name: 'New' },
        { id: 'r4', Rating: 1 },
      ],
    });
    expect(res.status).toBe(202);
    const items = (await listItems(ws)).json.items;
    expect(items[0]).toEqual({ id: 'r1', Name: 'New' });
    expect(items[3]).toEqual({ id: 'r4', Rating: 1 });
    expect((await send(ws, 'GET', '/catalogs')).json.catalogs[0].num_items).toBe(4);
  });

  it('deletes items, ignoring unknown ids, and keeps the item count exact', async () => {
    const ws = await restaurants();
    const res = await send(ws, 'DELETE', '/catalogs/restaurants/items', {
      items: [{ id: 'r1' }, { id: 'r3' }, { id: 'nope' }],
    });
    expect(res).toMatchObject({ status: 202, json: { message: 'success' } });
    expect(await ids(ws)).toEqual(['r2']);
    expect((await send(ws, 'GET', '/catalogs')).json.catalogs[0].num_items).toBe(1);
  });

  it('answers 404 catalog-not-found for items of an unknown catalog', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/catalogs/nope/items', { items: [{ id: 'a' }] });
    expect(res.status).toBe(404);
    expect(errorIds(res.json)).toEqual(['catalog-not-found']);
  });
});

describe('listing items', () => {
  async function many(n: number) {
    const items = Array.from({ length: n }, (_, i) => ({
      id: `item${String(i).padStart(3, '0')}`,
    }));
    const ws = await restaurants([]);
    for (let i = 0; i < n; i += 50) {
      expect(
        (await ws.post('/catalogs/restaurants/items', { items: items.slice(i, i + 50) })).status,
      ).toBe(202);
    }
    return ws;
  }
  const linkOf = (res: { headers: Headers }) => {
    const out: Record<string, string> = {};
    for (const m of (res.headers.get('Link') ?? '').matchAll(/<([^>]+)>; rel="(\w+)"/g)) {
      out[m[2]!] = m[1]!;
    }
    return out;
  };

  it('sends no Link header when every item fits on one page', async () => {
    const ws = await many(50);
    const res = await listItems(ws);
    expect(res.json.items).toHaveLength(50);
    expect(res.headers.get('Link')).toBeNull();
  });

  it('links only the next page from the first page', async () => {
    const ws = await many(120);
    const res = await listItems(ws);
    expect(res.json.items.map((i: { id: string }) => i.id).slice(0, 2)).toEqual([
      'item000',
      'item001',
    ]);
    const link = res.headers.get('Link')!;
    expect(link).toMatch(/^<\/catalogs\/restaurants\/items\?cursor=[A-Za-z0-9_=-]+>; rel="next"$/);
  });

  it('links both neighbours from a middle page and only prev from the last', async () => {
    const ws = await many(120);
    const second = await send(ws, 'GET', linkOf(await listItems(ws)).next!);
    expect(second.json.items[0].id).toBe('item050');
    expect(Object.keys(linkOf(second))).toEqual(['prev', 'next']);
    expect(second.headers.get('Link')).toMatch(/rel="prev",<\/catalogs/);
    const last = await send(ws, 'GET', linkOf(second).next!);
    expect(last.json.items.map((i: { id: string }) => i.id)).toEqual(
      Array.from({ length: 20 }, (_, i) => `item${100 + i}`),
    );
    expect(Object.keys(linkOf(last))).toEqual(['prev']);
  });

  it('goes back a page with the prev link', async () => {
    const ws = await many(120);
    const second = await send(ws, 'GET', linkOf(await listItems(ws)).next!);
    const first = await send(ws, 'GET', linkOf(second).prev!);
    expect(first.json.items[0].id).toBe('item000');
    expect(first.json.items).toHaveLength(50);
    expect(Object.keys(linkOf(first))).toEqual(['next']);
  });

  it('refuses a cursor it did not issue with invalid-cursor', async () => {
    const ws = await restaurants();
    const res = await listItems(ws, '?cursor=bad-cursor');
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([
      {
        id: 'invalid-cursor',
        message: "'cursor' is not valid",
        parameters: ['cursor'],
        parameter_values: ['bad-cursor'],
      },
    ]);
  });
});

describe('single item endpoints', () => {
  const item = (id: string) => `/catalogs/restaurants/items/${id}`;

  it('reads one item', async () => {
    const ws = await restaurants();
    const res = await send(ws, 'GET', item('r2'));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ items: [ITEMS[1]], message: 'success' });
  });

  it('answers 404 item-not-found for an unknown item', async () => {
    const ws = await restaurants();
    const res = await send(ws, 'GET', item('nope'));
    expect(res.status).toBe(404);
    expect(res.json.errors[0]).toEqual({
      id: 'item-not-found',
      message: 'Could not find item',
      parameters: ['item_id'],
      parameter_values: ['nope'],
    });
  });

  it('creates an item with 201', async () => {
    const ws = await restaurants([]);
    const res = await send(ws, 'POST', item('new'), { items: [{ Name: 'New', Rating: 3 }] });
    expect(res).toMatchObject({ status: 201, json: { message: 'success' } });
    expect((await send(ws, 'GET', item('new'))).json.items).toEqual([
      { id: 'new', Name: 'New', Rating: 3 },
    ]);
  });

  it('refuses to create an item that exists', async () => {
    const ws = await restaurants();
    const res = await send(ws, 'POST', item('r1'), { items: [{ Name: 'Again' }] });
    expect(res.status).toBe(400);
    expect(errorIds(res.json)).toEqual(['item-already-exists']);
  });

  it('refuses an id in the body with id-in-body', async () => {
    const ws = await restaurants([]);
    const res = await send(ws, 'POST', item('a'), { items: [{ id: 'a', Name: 'x' }] });
    expect(res.status).toBe(400);
    expect(errorIds(res.json)).toEqual(['id-in-body']);
  });

  it('refuses more than one item with request-includes-too-many-items', async () => {
    const ws = await restaurants([]);
    const res = await send(ws, 'PUT', item('a'), { items: [{ Name: 'x' }, { Name: 'y' }] });
    expect(res.status).toBe(400);
    expect(errorIds(res.json)).toEqual(['request-includes-too-many-items']);
  });

  it('refuses an item id outside the allowed characters with invalid-ids', async () => {
    const ws = await restaurants([]);
    const res = await send(ws, 'POST', item('a%20b'), { items: [{ Name: 'x' }] });
    expect(res.status).toBe(400);
    expect(errorIds(res.json)).toEqual(['invalid-ids']);
  });

  it('edits an item, adding to and removing from an array field', async () => {
    const ws = await restaurants();
    const res = await send(ws, 'PATCH', item('r1'), {
      items: [{ Rating: 10, Dishes: { $add: ['cake'], $remove: ['soup'] } }],
    });
    expect(res).toMatchObject({ status: 200, json: { message: 'success' } });
    const got = (await send(ws, 'GET', item('r1'))).json.items[0];
    expect(got).toMatchObject({ Name: 'One', Rating: 10, Dishes: ['pie', 'cake'] });
  });

  it('answers 404 to editing an unknown item', async () => {
    const ws = await restaurants();
    const res = await send(ws, 'PATCH', item('nope'), { items: [{ Rating: 1 }] });
    expect(res.status).toBe(404);
    expect(errorIds(res.json)).toEqual(['item-not-found']);
  });

  it('replaces an item whole with 200', async () => {
    const ws = await restaurants();
    const res = await send(ws, 'PUT', item('r1'), { items: [{ City: 'Paris' }] });
    expect(res.status).toBe(200);
    expect((await send(ws, 'GET', item('r1'))).json.items).toEqual([{ id: 'r1', City: 'Paris' }]);
  });

  it('creates the item when replacing one that does not exist', async () => {
    const ws = await restaurants();
    expect((await send(ws, 'PUT', item('r9'), { items: [{ City: 'Rome' }] })).status).toBe(200);
    expect((await send(ws, 'GET', '/catalogs')).json.catalogs[0].num_items).toBe(4);
  });

  it('deletes an item with 202', async () => {
    const ws = await restaurants();
    expect((await send(ws, 'DELETE', item('r1'))).status).toBe(202);
    expect(await ids(ws)).toEqual(['r2', 'r3']);
  });

  it('answers 404 to deleting an unknown item', async () => {
    const ws = await restaurants();
    const res = await send(ws, 'DELETE', item('nope'));
    expect(res.status).toBe(404);
    expect(errorIds(res.json)).toEqual(['item-not-found']);
  });

  it('refuses a long string in a field a selection filters on with filtered-set-field-too-long', async () => {
    const ws = await restaurants();
    await ws.post('/catalogs/restaurants/selections', {
      selection: {
        name: 'by_city',
        filters: [{ field: 'City', operator: 'equals', value: 'NYC' }],
      },
    });
    const res = await send(ws, 'PATCH', item('r1'), { items: [{ City: 'c'.repeat(1001) }] });
    expect(res.status).toBe(400);
    expect(errorIds(res.json)).toEqual(['filtered-set-field-too-long']);
  });
});

describe('fields', () => {
  it('adds fields that items can then use', async () => {
    const ws = await restaurants();
    const res = await ws.post('/catalogs/restaurants/fields', {
      fields: [{ name: 'Price', type: 'number' }],
    });
    expect(res).toMatchObject({ status: 202, json: { message: 'success' } });
    const catalog = (await send(ws, 'GET', '/catalogs')).json.catalogs[0];
    expect(catalog.fields.at(-1)).toEqual({ name: 'Price', type: 'number' });
    expect(
      (await send(ws, 'PATCH', '/catalogs/restaurants/items/r1', { items: [{ Price: 3 }] })).status,
    ).toBe(200);
  });

  it('refuses a field name the catalog already has', async () => {
    const ws = await restaurants([]);
    const res = await ws.post('/catalogs/restaurants/fields', {
      fields: [{ name: 'City', type: 'string' }],
    });
    expect(res.status).toBe(400);
    expect(errorIds(res.json)).toEqual(['field-names-not-unique']);
  });

  it('refuses more than 50 new fields with request-includes-too-many-fields', async () => {
    const ws = await restaurants([]);
    const fields = Array.from({ length: 51 }, (_, i) => ({ name: `f${i}`, type: 'string' }));
    const res = await ws.post('/catalogs/restaurants/fields', { fields });
    expect(res.status).toBe(400);
    expect(errorIds(res.json)).toEqual(['request-includes-too-many-fields']);
  });

  it('deletes a field and its values from every item', async () => {
    const ws = await restaurants();
    expect((await send(ws, 'DELETE', '/catalogs/restaurants/fields/Rating')).status).toBe(202);
    const items = (await listItems(ws)).json.items;
    expect(items.some((i: Record<string, unknown>) => 'Rating' in i)).toBe(false);
    expect(items[0].Name).toBe('One');
    const catalog = (await send(ws, 'GET', '/catalogs')).json.catalogs[0];
    expect(catalog.fields.map((f: { name: string }) => f.name)).not.toContain('Rating');
  });

  it('refuses to delete a field a selection uses', async () => {
    const ws = await restaurants();
    await ws.post('/catalogs/restaurants/selections', {
      selection: { name: 'top', sort_field: 'Rating', sort_order: 'desc' },
    });
    const res = await send(ws, 'DELETE', '/catalogs/restaurants/fields/Rating');
    expect(res.status).toBe(400);
    expect(errorIds(res.json)).toEqual(['field-referenced-by-selection']);
  });

  it('answers 404 to deleting a field the catalog does not have', async () => {
    const ws = await restaurants([]);
    const res = await send(ws, 'DELETE', '/catalogs/restaurants/fields/Nope');
    expect(res.status).toBe(404);
    expect(errorIds(res.json)).toEqual(['invalid-field-name']);
  });
});

describe('selections', () => {
  const create = (ws: TestWorkspace, selection: unknown) =>
    ws.post('/catalogs/restaurants/selections', { selection });

  it('creates a selection with 202', async () => {
    const ws = await restaurants([]);
    const res = await create(ws, {
      name: 'nyc',
      description: 'In NYC',
      filters: [{ field: 'City', operator: 'equals', value: 'NYC' }],
      results_limit: 5,
      sort_field: 'Rating',
      sort_order: 'desc',
    });
    expect(res).toMatchObject({ status: 202, json: { message: 'success' } });
  });

  it('refuses a selection name the catalog already has', async () => {
    const ws = await restaurants([]);
    await create(ws, { name: 'nyc' });
    const res = await create(ws, { name: 'nyc' });
    expect(res.status).toBe(400);
    expect(errorIds(res.json)).toEqual(['selection-name-already-exists']);
  });

  it('refuses a 31st selection with selection-limit-reached', async () => {
    const ws = await restaurants([]);
    for (let i = 0; i < 30; i++) expect((await create(ws, { name: `s${i}` })).status).toBe(202);
    const res = await create(ws, { name: 's30' });
    expect(res.status).toBe(400);
    expect(errorIds(res.json)).toEqual(['selection-limit-reached']);
  });

  const filter = (field: string, operator: string, value: unknown) => ({ field, operator, value });
  it.each([
    ['invalid-selection', { name: 'bad name' }],
    [
      'too-many-filters',
      { name: 's', filters: Array.from({ length: 11 }, () => filter('City', 'equals', 'x')) },
    ],
    ['selection-has-invalid-filter', { name: 's', filters: [filter('City', 'greater than', 'x')] }],
    ['selection-invalid-results-limit', { name: 's', results_limit: 51 }],
    ['invalid-sorting', { name: 's', sort_field: 'Rating' }],
    ['invalid-sort-field', { name: 's', sort_field: 'Nope', sort_order: 'asc' }],
    ['invalid-sort-order', { name: 's', sort_field: 'Rating', sort_order: 'up' }],
  ])('refuses a bad selection with %s', async (id, selection) => {
    const ws = await restaurants([]);
    const res = await create(ws, selection);
    expect(res.status).toBe(400);
    expect(errorIds(res.json)).toContain(id);
  });

  it('refuses filters on two array fields with selection-contains-too-many-arrays', async () => {
    const ws = await restaurants([]);
    await ws.post('/catalogs/restaurants/fields', { fields: [{ name: 'Tags', type: 'array' }] });
    const res = await create(ws, {
      name: 's',
      filters: [filter('Dishes', 'includes value', 'pie'), filter('Tags', 'includes value', 'x')],
    });
    expect(res.status).toBe(400);
    expect(errorIds(res.json)).toEqual(['selection-contains-too-many-arrays']);
  });

  it('deletes a selection with 202', async () => {
    const ws = await restaurants([]);
    await create(ws, { name: 'nyc' });
    expect((await send(ws, 'DELETE', '/catalogs/restaurants/selections/nyc')).status).toBe(202);
    expect((await create(ws, { name: 'nyc' })).status).toBe(202);
  });

  it('answers 404 to deleting an unknown selection', async () => {
    const ws = await restaurants([]);
    const res = await send(ws, 'DELETE', '/catalogs/restaurants/selections/nope');
    expect(res.status).toBe(404);
    expect(errorIds(res.json)).toEqual(['invalid-selection']);
  });
});

describe('the Liquid catalog source', () => {
  const noLiquid = async (t: string) => t;
  const idsOf = (items: { id: string }[]) => items.map((i) => i.id);

  it('returns items in the order asked, skipping unknown ids', async () => {
    const ws = await restaurants();
    const items = await d1CatalogSource(env.DB, ws.id).items('restaurants', ['r3', 'nope', 'r1']);
    expect(idsOf(items)).toEqual(['r3', 'r1']);
    expect(items[1]).toEqual({ ...ITEMS[0], Opened: '2020-01-01T00:00:00.000Z' });
  });

  it('returns nothing for an unknown catalog or selection', async () => {
    const ws = await restaurants();
    const source = d1CatalogSource(env.DB, ws.id);
    expect(await source.items('nope', ['r1'])).toEqual([]);
    expect(await source.selection('restaurants', 'nope', noLiquid)).toEqual([]);
  });

  it("cannot read another workspace's catalog", async () => {
    await restaurants();
    const other = await createWorkspace();
    expect(await d1CatalogSource(env.DB, other.id).items('restaurants', ['r1'])).toEqual([]);
  });

  it.each([
    ['City', 'equals', 'NYC', ['r1', 'r2']],
    ['City', 'does not equal', 'NYC', ['r3']],
    ['Rating', 'equals', 7, ['r3']],
    ['Rating', 'does not equal', 7, ['r1', 'r2']],
    ['Rating', 'greater than', 5, ['r1', 'r3']],
    ['Rating', 'less than', 7, ['r2']],
    ['Loyalty', 'is', true, ['r1']],
    ['Loyalty', 'is', false, ['r2']],
    ['Opened', 'before', '2021-01-01T00:00:00Z', ['r1']],
    ['Opened', 'after', '2021-01-01T00:00:00Z', ['r3']],
    ['Dishes', 'includes value', 'pie', ['r1', 'r2']],
    ['Dishes', 'does not include value', 'soup', ['r2', 'r3']],
  ])('filters %s with "%s" %s', async (field, operator, value, expected) => {
    const ws = await restaurants();
    const res = await ws.post('/catalogs/restaurants/selections', {
      selection: {
        name: 's',
        filters: [{ field, operator, value }],
        sort_field: 'id',
        sort_order: 'asc',
      },
    });
    expect(res.status).toBe(202);
    const items = await d1CatalogSource(env.DB, ws.id).selection('restaurants', 's', noLiquid);
    expect(idsOf(items)).toEqual(expected);
  });

  it('sorts by a field and applies the results limit', async () => {
    const ws = await restaurants();
    await ws.post('/catalogs/restaurants/selections', {
      selection: { name: 'best', results_limit: 2, sort_field: 'Rating', sort_order: 'desc' },
    });
    const items = await d1CatalogSource(env.DB, ws.id).selection('restaurants', 'best', noLiquid);
    expect(idsOf(items)).toEqual(['r1', 'r3']);
  });

  it('sorts ascending with items missing the field last', async () => {
    const ws = await restaurants();
    await ws.post('/catalogs/restaurants/selections', {
      selection: { name: 'old', sort_field: 'Opened', sort_order: 'asc' },
    });
    const items = await d1CatalogSource(env.DB, ws.id).selection('restaurants', 'old', noLiquid);
    expect(idsOf(items)).toEqual(['r1', 'r3', 'r2']);
  });

  it('returns the matching items in some order when the selection has no sort', async () => {
    const ws = await restaurants();
    await ws.post('/catalogs/restaurants/selections', {
      selection: {
        name: 'any',
        results_limit: 2,
        filters: [{ field: 'City', operator: 'equals', value: 'NYC' }],
      },
    });
    const items = await d1CatalogSource(env.DB, ws.id).selection('restaurants', 'any', noLiquid);
    expect(idsOf(items).sort()).toEqual(['r1', 'r2']);
  });

  it('renders Liquid filter values with the recipient context before comparing', async () => {
    const ws = await restaurants();
    await ws.post('/catalogs/restaurants/selections', {
      selection: {
        name: 'near',
        filters: [
          { field: 'Rating', operator: 'greater than', value: '{{custom_attribute.${min}}}' },
        ],
        sort_field: 'id',
        sort_order: 'asc',
      },
    });
    const asked: string[] = [];
    const render = async (t: string) => {
      asked.push(t);
      return ' 6 ';
    };
    const items = await d1CatalogSource(env.DB, ws.id).selection('restaurants', 'near', render);
    expect(asked).toEqual(['{{custom_attribute.${min}}}']);
    expect(idsOf(items)).toEqual(['r1', 'r3']);
  });

  it('matches nothing when a rendered value does not fit the field type', async () => {
    const ws = await restaurants();
    await ws.post('/catalogs/restaurants/selections', {
      selection: {
        name: 'near',
        filters: [{ field: 'Rating', operator: 'less than', value: '{{x}}' }],
      },
    });
    const items = await d1CatalogSource(env.DB, ws.id).selection(
      'restaurants',
      'near',
      async () => 'lots',
    );
    expect(items).toEqual([]);
  });
});
