import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateTrackRequest } from '../../../src/ingestion/validate-track';
import { event, NOW, purchase, track, trackOk } from './helpers';

function users(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({ external_id: `u${i}` }));
}

function events(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, () => event());
}

describe('request body', () => {
  it.each([
    ['null', null],
    ['an array', [{ attributes: [] }]],
    ['a string', 'attributes'],
    ['a number', 7],
    ['undefined', undefined],
  ])('is fatal when the body is %s', (_label, body) => {
    expect(track(body)).toEqual({
      type: 'fatal',
      status: 400,
      message: 'Invalid request body: expected a JSON object',
      errors: [],
    });
  });

  it.each(['attributes', 'events', 'purchases'])('is fatal when %s is not an array', (name) => {
    const result = track({ [name]: { external_id: 'u1' } });
    expect(result).toEqual({
      type: 'fatal',
      status: 400,
      message: `Invalid request body: ${name} must be an array`,
      errors: [],
    });
  });

  it('is fatal when an array is null', () => {
    const result = track({ attributes: null, events: [event()] });
    expect(result.type === 'fatal' && result.message).toBe(
      'Invalid request body: attributes must be an array',
    );
  });

  it('is fatal when no array is present', () => {
    expect(track({ something: 1 })).toEqual({
      type: 'fatal',
      status: 400,
      message: 'Request must include at least one attribute, event or purchase object',
      errors: [],
    });
  });

  it('is fatal when every array is empty', () => {
    const result = track({ attributes: [], events: [], purchases: [] });
    expect(result.type === 'fatal' && result.message).toBe(
      'Request must include at least one attribute, event or purchase object',
    );
  });

  it('accepts a request with only one non-empty array', () => {
    const result = trackOk({ attributes: [], events: [event()] });
    expect(result.events).toHaveLength(1);
  });

  it('ignores unknown top-level keys', () => {
    const result = trackOk({ events: [event()], api_key: 'x', extra: { a: 1 } });
    expect(result.errors).toEqual([]);
  });

  it('counts the objects each array held, valid or not', () => {
    const result = trackOk({
      attributes: [{ external_id: 'a' }, 'not an object', { first_name: 'no id' }],
      events: [event()],
    });
    expect(result.counts).toEqual({ attributes: 3, events: 1, purchases: 0 });
  });

  it('keeps request order and reports each rejected object with its array and index', () => {
    const result = trackOk({
      attributes: [{ external_id: 'a' }, 7],
      events: [event(), event({ name: '' })],
      purchases: [purchase({ currency: 'ZZZ' })],
    });
    expect(result.errors.map((e) => [e.input_array, e.index])).toEqual([
      ['attributes', 1],
      ['events', 1],
      ['purchases', 0],
    ]);
  });

  it('rejects an array element that is not an object', () => {
    const result = trackOk({ events: [['external_id', 'u1']] });
    expect(result.errors).toEqual([
      {
        type: 'invalid_object',
        input_array: 'events',
        index: 0,
        message: 'Each element must be a JSON object',
      },
    ]);
  });
});

describe('object caps', () => {
  it('allows 75 objects in each array by default', () => {
    const result = track({ attributes: users(75), events: events(75), purchases: [purchase()] });
    expect(result.type).toBe('ok');
  });

  it('refuses 76 objects in one array by default', () => {
    expect(track({ events: events(76) })).toEqual({
      type: 'fatal',
      status: 400,
      message: 'Max Input Length Exceeded',
      errors: [],
    });
  });

  it('allows 75 objects in total in combined_75 mode', () => {
    const result = track({ attributes: users(40), events: events(35) }, 'combined_75');
    expect(result.type).toBe('ok');
  });

  it('refuses 76 objects in total in combined_75 mode', () => {
    const result = track({ attributes: users(40), events: events(36) }, 'combined_75');
    expect(result.type === 'fatal' && result.message).toBe('Max Input Length Exceeded');
  });

  it('allows 50 objects in total in combined_50 mode', () => {
    const result = track(
      { attributes: users(25), purchases: [purchase()], events: events(24) },
      'combined_50',
    );
    expect(result.type).toBe('ok');
  });

  it('refuses 51 objects in total in combined_50 mode', () => {
    const result = track({ attributes: users(26), events: events(25) }, 'combined_50');
    expect(result.type === 'fatal' && result.message).toBe('Max Input Length Exceeded');
  });

  it('checks the cap before validating any object', () => {
    const result = track({ attributes: Array.from({ length: 76 }, () => 'junk') });
    expect(result).toEqual({
      type: 'fatal',
      status: 400,
      message: 'Max Input Length Exceeded',
      errors: [],
    });
  });
});

describe('robustness', () => {
  it('never throws on arbitrary JSON bodies', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => {
        const result = validateTrackRequest(body, {
          limits: { capMode: 'per_array_75' },
          now: NOW,
        });
        expect(['ok', 'fatal']).toContain(result.type);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary JSON inside each array', () => {
    const objectish = fc.dictionary(
      fc.constantFrom(
        'external_id',
        'email',
        'user_alias',
        'name',
        'time',
        'properties',
        'product_id',
        'currency',
        'price',
        'quantity',
        'first_name',
        'country',
        'pets',
        '_merge_objects',
        'push_tokens',
      ),
      fc.jsonValue(),
    );
    const body = fc.record({
      attributes: fc.array(objectish, { maxLength: 5 }),
      events: fc.array(objectish, { maxLength: 5 }),
      purchases: fc.array(objectish, { maxLength: 5 }),
    });
    fc.assert(
      fc.property(body, (b) => {
        const result = validateTrackRequest(b, { limits: { capMode: 'combined_50' }, now: NOW });
        if (result.type !== 'ok') return;
        for (const name of ['attributes', 'events', 'purchases'] as const) {
          const accepted = result[name].map((input) => input.index);
          const errored = result.errors.filter((e) => e.input_array === name).map((e) => e.index);
          const seen = new Set([...accepted, ...errored]);
          expect(seen.size).toBe(b[name].length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('rejects, without throwing, a nested attribute 10,000 levels deep', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 10_000; i++) deep = { k: deep };
    const result = trackOk({ attributes: [{ external_id: 'u1', deep }] });
    expect(result.errors[0]?.type).toBe('invalid_nested_attribute');
  });

  it('rejects, without throwing, an event property 10,000 levels deep', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const result = trackOk({ events: [event({ properties: { deep } })] });
    expect(result.errors[0]?.type).toBe('invalid_property');
  });

  it('keeps a __proto__ key as plain data', () => {
    const body = JSON.parse(
      '{"events":[{"external_id":"u1","name":"e","time":"2024-01-01","properties":{"__proto__":{"x":1}}}]}',
    );
    const properties = trackOk(body).events[0]?.properties;
    expect(Object.keys(properties ?? {})).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(properties)).toBe(Object.prototype);
  });
});
