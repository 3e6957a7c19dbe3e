import { describe, expect, it } from 'vitest';
import {
  ActionDelivery,
  delayedSendTime,
  matchesTrigger,
  Trigger,
} from '../../../src/campaigns/triggers';
import type { Json } from '../../../src/ingestion/types';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

const event = (name: string, properties: Record<string, Json> = {}) =>
  ({ type: 'custom_event', name, properties }) as const;

describe('matchesTrigger', () => {
  it('fires on a custom event whose properties pass every filter, nested ones included', () => {
    const t = Trigger.parse({
      type: 'custom_event',
      event_name: 'played',
      property_filters: [
        { property_name: 'level', comparison: 'greater_than', value: 3 },
        { property_name: 'song.artist', comparison: 'equals', value: 'Queen' },
      ],
    });
    expect(matchesTrigger(t, event('played', { level: 4, song: { artist: 'Queen' } }))).toBe(true);
    expect(matchesTrigger(t, event('played', { level: 3, song: { artist: 'Queen' } }))).toBe(false);
    expect(matchesTrigger(t, event('played', { level: 4 }))).toBe(false);
    expect(matchesTrigger(t, event('paused', { level: 4, song: { artist: 'Queen' } }))).toBe(false);
  });

  it.each([
    [{ comparison: 'exists' }, { p: 0 }, true],
    [{ comparison: 'does_not_exist' }, { p: null }, true],
    [{ comparison: 'is_true' }, { p: 'true' }, false],
    [{ comparison: 'not_equal', value: 'a' }, {}, true],
    [{ comparison: 'matches_regex', value: '^sku-' }, { p: 'SKU-12' }, true],
    [{ comparison: 'does_not_match_regex', value: '^sku-' }, { p: 7 }, true],
    [{ comparison: 'is_any_of', value: ['a', 2] }, { p: 2 }, true],
    [{ comparison: 'is_none_of', value: ['a', 2] }, { p: 'b' }, true],
    [{ comparison: 'after', value: '2026-01-01T00:00:00Z' }, { p: '2026-06-01T00:00:00Z' }, true],
    [{ comparison: 'before', value: '2026-01-01T00:00:00Z' }, { p: 'not a time' }, false],
    [{ comparison: 'less_than', value: 5 }, { p: '4' }, false],
  ])('property filter %j on %j is %s', (filter, properties, expected) => {
    const t = Trigger.parse({
      type: 'custom_event',
      event_name: 'e',
      property_filters: [{ property_name: 'p', ...filter }],
    });
    expect(matchesTrigger(t, event('e', properties))).toBe(expected);
  });

  it('fires on any purchase, or on one product', () => {
    const any = Trigger.parse({ type: 'purchase' });
    const one = Trigger.parse({ type: 'purchase', product_id: 'gold' });
    const buy = (productId: string) => ({ type: 'purchase', productId, properties: {} }) as const;
    expect(matchesTrigger(any, buy('silver'))).toBe(true);
    expect(matchesTrigger(one, buy('silver'))).toBe(false);
    expect(matchesTrigger(one, buy('gold'))).toBe(true);
  });

  it('fires on a first session only when asked, and only for the listed apps', () => {
    const first = Trigger.parse({ type: 'session_start', first_session: true, app_ids: ['ios'] });
    const s = (appId: string, firstSession: boolean) =>
      ({ type: 'session_start', appId, firstSession }) as const;
    expect(matchesTrigger(first, s('ios', true))).toBe(true);
    expect(matchesTrigger(first, s('ios', false))).toBe(false);
    expect(matchesTrigger(first, s('web', true))).toBe(false);
  });

  it('fires on entering the named segment', () => {
    const t = Trigger.parse({ type: 'segment_entry', segment_id: 'seg-1' });
    expect(matchesTrigger(t, { type: 'segment_entry', segmentId: 'seg-1' })).toBe(true);
    expect(matchesTrigger(t, { type: 'segment_entry', segmentId: 'seg-2' })).toBe(false);
  });

  it('refuses a regex the segment language cannot evaluate', () => {
    const r = Trigger.safeParse({
      type: 'custom_event',
      event_name: 'e',
      property_filters: [{ property_name: 'p', comparison: 'matches_regex', value: '(a+)+$' }],
    });
    expect(r.success).toBe(false);
  });
});

describe('ActionDelivery', () => {
  const base = { type: 'action_based', triggers: [{ type: 'session_start' }] };

  it('refuses exception events without a delay', () => {
    const r = ActionDelivery.safeParse({ ...base, exception_events: [{ type: 'purchase' }] });
    expect(r.error!.issues[0]!.path).toEqual(['exception_events']);
  });

  it('refuses session start as both trigger and exception event', () => {
    const r = ActionDelivery.safeParse({
      ...base,
      delay: { type: 'after', value: 1, unit: 'hours' },
      exception_events: [{ type: 'session_start' }],
    });
    expect(r.error!.issues[0]!.message).toMatch(/both a trigger and an exception/);
  });

  it('refuses a delay over 30 days', () => {
    const r = ActionDelivery.safeParse({
      ...base,
      delay: { type: 'after', value: 5, unit: 'weeks' },
    });
    expect(r.error!.issues[0]!.path).toEqual(['delay', 'value']);
  });
});

describe('delayedSendTime', () => {
  const t = at('2026-11-25T15:30:00Z'); // a Wednesday

  it('adds a fixed delay', () => {
    expect(iso(delayedSendTime({ type: 'after', value: 2, unit: 'hours' }, t, 'UTC'))).toBe(
      '2026-11-25T17:30:00.000Z',
    );
  });

  it('waits for the next given weekday at a time in the zone', () => {
    const d = {
      type: 'next_weekday',
      weekday: 'monday',
      time: '09:00',
      in_local_time: true,
    } as const;
    expect(iso(delayedSendTime(d, t, 'Europe/Paris'))).toBe('2026-11-30T08:00:00.000Z');
  });

  it('takes today when the weekday is today and the time is still ahead', () => {
    const d = {
      type: 'next_weekday',
      weekday: 'wednesday',
      time: '18:00',
      in_local_time: true,
    } as const;
    expect(iso(delayedSendTime(d, t, 'UTC'))).toBe('2026-11-25T18:00:00.000Z');
  });

  it('counts calendar days from the day of the trigger in the zone', () => {
    const d = { type: 'calendar_days', days: 2, time: '08:00', in_local_time: true } as const;
    // 15:30 UTC is already the 26th in Auckland.
    expect(iso(delayedSendTime(d, t, 'Pacific/Auckland'))).toBe('2026-11-27T19:00:00.000Z');
  });
});
