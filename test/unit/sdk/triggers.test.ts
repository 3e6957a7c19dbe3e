import { describe, expect, it } from 'vitest';
import { pick } from '../../../sdk/src/iam';
import { matchesProperty, matchesTrigger } from '../../../sdk/src/triggers';

describe('in-app message triggers on the device', () => {
  it('matches a custom event by name and every property filter', () => {
    const t = {
      type: 'custom_event' as const,
      event_name: 'viewed_item',
      property_filters: [
        { property_name: 'price', comparison: 'greater_than', value: 10 },
        { property_name: 'item.color', comparison: 'equals', value: 'red' },
      ],
    };
    const e = (name: string, properties: Record<string, unknown>) =>
      ({ type: 'custom_event', name, properties }) as never;
    expect(matchesTrigger(t, e('viewed_item', { price: 12, item: { color: 'red' } }))).toBe(true);
    expect(matchesTrigger(t, e('viewed_item', { price: 8, item: { color: 'red' } }))).toBe(false);
    expect(matchesTrigger(t, e('viewed_item', { price: '12', item: { color: 'red' } }))).toBe(
      false,
    );
    expect(matchesTrigger(t, e('other', { price: 12, item: { color: 'red' } }))).toBe(false);
    expect(matchesTrigger(t, { type: 'session_start' })).toBe(false);
  });

  it('matches a purchase of any product or of one', () => {
    const p = (id: string) => ({ type: 'purchase', product_id: id, properties: {} }) as const;
    expect(matchesTrigger({ type: 'purchase' }, p('A1'))).toBe(true);
    expect(matchesTrigger({ type: 'purchase', product_id: 'A1' }, p('A1'))).toBe(true);
    expect(matchesTrigger({ type: 'purchase', product_id: 'A1' }, p('B2'))).toBe(false);
    expect(matchesTrigger({ type: 'session_start' }, { type: 'session_start' })).toBe(true);
  });

  it('compares properties as the server does', () => {
    const m = (comparison: string, value: unknown, v: unknown) =>
      matchesProperty({ property_name: 'p', comparison, value: value as never }, { p: v as never });
    expect(m('exists', undefined, 1)).toBe(true);
    expect(m('exists', undefined, null)).toBe(false);
    expect(m('does_not_exist', undefined, undefined)).toBe(true);
    expect(m('is_true', undefined, true)).toBe(true);
    expect(m('is_false', undefined, 'false')).toBe(false);
    expect(m('not_equal', 'a', 'b')).toBe(true);
    expect(m('less_than_or_equal_to', 3, 3)).toBe(true);
    expect(m('matches_regex', '^ab', 'ABc')).toBe(true);
    expect(m('does_not_match_regex', '^ab', 'xab')).toBe(true);
    expect(m('is_any_of', ['a', 2], 2)).toBe(true);
    expect(m('is_none_of', ['a', 2], 'b')).toBe(true);
    expect(m('before', '2026-01-01T00:00:00Z', '2025-06-01T00:00:00Z')).toBe(true);
    expect(m('after', '2026-01-01T00:00:00Z', 'not a time')).toBe(false);
    expect(m('unknown_comparison', 1, 1)).toBe(false);
  });

  it('picks the highest priority, then the newest, never a shown or expired one', () => {
    const msg = (id: string, priority: number, created_at: number, expires_at = 1e15) => ({
      id,
      trigger: { type: 'session_start' as const },
      priority,
      templated: false,
      created_at,
      expires_at,
      message: { type: 'modal' as const, message: id },
    });
    const list = [msg('low', 250, 5), msg('high-old', 750, 1), msg('high-new', 750, 2)];
    const start = { type: 'session_start' } as const;
    expect(pick(list, start, [], 10)?.id).toBe('high-new');
    expect(pick(list, start, ['high-new'], 10)?.id).toBe('high-old');
    expect(pick(list, start, ['high-new', 'high-old', 'low'], 10)).toBeNull();
    expect(pick([msg('gone', 900, 3, 5)], start, [], 10)).toBeNull();
  });
});
