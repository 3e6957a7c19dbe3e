import { describe, expect, it } from 'vitest';
import { planBatch, SdkItem } from '../../../src/sdk-api/batch';
import { fastItem } from '../../../src/sdk-api/fast-item';

// fastItem must never accept what SdkItem refuses, and must answer exactly SdkItem's value.

const common = { id: 'item-0001', user: { external_id: 'u1' }, time: 1_763_000_000_000 };
const valid: Record<string, Record<string, unknown>> = {
  event: { ...common, type: 'event', name: 'played', properties: { level: 3, tags: ['a'] } },
  eventBare: { ...common, type: 'event', name: 'opened' },
  anonymous: { ...common, user: { anonymous_id: 'anon_12345678' }, type: 'event', name: 'x' },
  purchase: {
    ...common,
    type: 'purchase',
    product_id: 'gold',
    currency: 'USD',
    price: 4.99,
    quantity: 2,
    properties: { gift: true },
  },
  purchaseBare: { ...common, type: 'purchase', product_id: 'gold', currency: 'usd', price: -1 },
  sessionStart: { ...common, type: 'session_start', session_id: 'sess-0001' },
  sessionEnd: { ...common, type: 'session_end', session_id: 'sess-0001', duration: 12.5 },
  attributes: { ...common, type: 'attributes', attributes: { first_name: 'Ana', n: null } },
};

/** Wrong values to try in every field: types, edges of each rule, and shapes. */
const oddValues: unknown[] = [
  undefined,
  null,
  '',
  'x',
  'short',
  'item.0001',
  'a'.repeat(128),
  'a'.repeat(129),
  'has space ok',
  'ünïcode-id',
  0,
  -1,
  1.5,
  2 ** 53,
  604_800,
  604_801,
  true,
  [],
  ['a'],
  {},
  { external_id: '' },
  { external_id: 'a'.repeat(512) },
  { external_id: 'a'.repeat(513) },
  { anonymous_id: 'short' },
  { anonymous_id: 'anon.1234567' },
  { anonymous_id: 'anon_12345678' },
  { external_id: 'u', anonymous_id: 'anon_12345678' },
  { external_id: 'u', extra: 1 },
  { a: 1 },
];

function variants(): unknown[] {
  const out: unknown[] = [null, [], 'event', 42];
  for (const base of Object.values(valid)) {
    out.push(base);
    for (const key of [...Object.keys(base), 'extra', 'quantity', 'properties', 'duration']) {
      const without = { ...base };
      delete without[key];
      out.push(without);
      for (const v of oddValues) out.push({ ...base, [key]: v });
    }
    for (const type of [
      'event',
      'purchase',
      'session_start',
      'session_end',
      'attributes',
      'identify',
      'nope',
    ]) {
      out.push({ ...base, type });
    }
  }
  return out;
}

describe('fastItem', () => {
  it('answers every common valid item, as SdkItem would', () => {
    for (const item of Object.values(valid)) {
      const fast = fastItem(item);
      expect(fast).not.toBeNull();
      expect(fast).toEqual(SdkItem.parse(item));
    }
  });

  it('never accepts what SdkItem refuses, and answers the same value when it accepts', () => {
    let accepted = 0;
    let deferred = 0;
    for (const v of variants()) {
      const fast = fastItem(v);
      const parsed = SdkItem.safeParse(v);
      if (fast === null) {
        deferred++;
        continue;
      }
      accepted++;
      expect(parsed.success, JSON.stringify(v)).toBe(true);
      expect(fast).toEqual(parsed.data);
    }
    expect(accepted).toBeGreaterThan(50);
    expect(deferred).toBeGreaterThan(500);
  });

  it('leaves the caller’s objects alone (properties and attributes are copies)', () => {
    const item = structuredClone(valid.event) as { properties: Record<string, unknown> };
    const fast = fastItem(item) as { properties: Record<string, unknown> };
    fast.properties.level = 9;
    expect(item.properties.level).toBe(3);
  });
});

describe('planBatch with the fast path', () => {
  it('plans the same objects and errors either way', () => {
    const items = [
      valid.event,
      valid.purchase,
      valid.sessionStart,
      { ...valid.event, id: 'x' },
      { ...valid.purchase, currency: 'nope' },
      { ...valid.event, time: 9_000_000_000_000_000 },
      valid.attributes,
    ];
    const plan = planBatch(items, { appId: 'app', now: 1_764_000_000_000 });
    expect(plan.errors).toEqual([
      { index: 3, message: 'id: id must be 8–128 letters, digits or _ . : -' },
      { index: 4, message: expect.stringContaining('currency') },
    ]);
    const step = plan.steps[0];
    expect(step?.kind).toBe('apply');
    if (step?.kind !== 'apply') return;
    expect(step.chunk.events.map((e) => e.time)).toEqual([1_763_000_000_000, 1_764_000_000_000]);
    expect(step.chunk.purchases).toHaveLength(1);
    expect(step.chunk.sessions).toHaveLength(1);
    expect(step.chunk.attributes).toHaveLength(1);
  });
});
