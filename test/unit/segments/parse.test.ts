import { describe, expect, it } from 'vitest';
import { parseSegmentFilter, SegmentFilter } from '../../../src/segments/filters';

function error(json: unknown): string {
  const r = parseSegmentFilter(json);
  if (r.ok) throw new Error(`expected ${JSON.stringify(json)} to be refused`);
  return r.error;
}

const ca = (body: Record<string, unknown>) => ({
  custom_attribute: { custom_attribute_name: 'x', ...body },
});
const bucket = { random_bucket: { comparison: 'less_than', value: 10 } };

describe('parseSegmentFilter', () => {
  it('accepts the canonical Connected Audience example unchanged', () => {
    const json = {
      AND: [
        {
          custom_attribute: {
            custom_attribute_name: 'eye_color',
            comparison: 'equals',
            value: 'blue',
          },
        },
        {
          custom_attribute: {
            custom_attribute_name: 'favorite_foods',
            comparison: 'includes_value',
            value: 'pizza',
          },
        },
        {
          OR: [
            {
              custom_attribute: {
                custom_attribute_name: 'last_purchase_time',
                comparison: 'less_than_x_days_ago',
                value: 2,
              },
            },
            { push_subscription_status: { comparison: 'is', value: 'opted_in' } },
          ],
        },
        { email_subscription_status: { comparison: 'is_not', value: 'subscribed' } },
        { last_used_app: { comparison: 'after', value: '2019-07-22T13:17:55+0000' } },
      ],
    };
    expect(parseSegmentFilter(json)).toEqual({ ok: true, filter: json });
  });

  it('exposes the tree shape as a zod schema too', () => {
    expect(SegmentFilter.safeParse({ OR: [bucket, { NOT: bucket }] }).success).toBe(true);
    expect(SegmentFilter.safeParse({ AND: [] }).success).toBe(false);
    expect(
      SegmentFilter.safeParse({ random_bucket: { comparison: 'equals', value: -1 } }).success,
    ).toBe(false);
  });

  it('accepts exists without a value, and with value null', () => {
    expect(parseSegmentFilter(ca({ comparison: 'exists' })).ok).toBe(true);
    expect(parseSegmentFilter(ca({ comparison: 'exists', value: null })).ok).toBe(true);
  });

  it('names the offending filter by its path', () => {
    const json = {
      AND: [
        bucket,
        bucket,
        {
          custom_event: {
            event_name: 'e',
            comparison: 'count_in_days_more_than',
            value: 1,
            days: 31,
          },
        },
      ],
    };
    expect(error(json)).toBe('AND[2].custom_event: days must be 1..30');
  });

  it('names paths through OR and NOT', () => {
    expect(
      error({ OR: [bucket, { NOT: { random_bucket: { comparison: 'equals', value: 10_000 } } }] }),
    ).toBe('OR[1].NOT.random_bucket: value must be 0..9999');
  });

  describe('operators per type', () => {
    it('refuses not_equal with a boolean, pointing to does_not_equal', () => {
      expect(error(ca({ comparison: 'not_equal', value: true }))).toBe(
        'custom_attribute: value must be a string or number (booleans use does_not_equal)',
      );
    });

    it('refuses does_not_equal with a string, pointing to not_equal', () => {
      expect(error(ca({ comparison: 'does_not_equal', value: 'x' }))).toBe(
        'custom_attribute: value must be a boolean (strings and numbers use not_equal)',
      );
    });

    it('refuses a numeric comparison with a string value', () => {
      expect(error(ca({ comparison: 'greater_than', value: 'ten' }))).toBe(
        'custom_attribute: value must be a number (this comparison is for number attributes)',
      );
    });

    it('refuses an unknown comparison, listing the allowed ones', () => {
      expect(error(ca({ comparison: 'like', value: 'x' }))).toMatch(
        /^custom_attribute: comparison must be one of exists, does_not_exist, .*includes_value/,
      );
    });

    it('refuses a value where the comparison takes none', () => {
      expect(error(ca({ comparison: 'exists', value: 3 }))).toBe(
        'custom_attribute: value is not allowed with this comparison',
      );
    });

    it('refuses after with something that is not a date', () => {
      expect(error(ca({ comparison: 'after', value: 'yesterday' }))).toBe(
        'custom_attribute: value must be an ISO-8601 date/time',
      );
    });

    it('refuses unknown keys', () => {
      expect(error(ca({ comparison: 'exists', extra: 1 }))).toBe(
        'custom_attribute: has unexpected key extra',
      );
    });

    it('refuses a missing required field', () => {
      expect(error({ segment_membership: { comparison: 'is' } })).toBe(
        'segment_membership: segment_id is required',
      );
    });

    it('refuses X above 50 in X-in-Y', () => {
      expect(error({ purchase: { comparison: 'count_in_days_exactly', value: 51, days: 3 } })).toBe(
        'purchase: value must be 0..50',
      );
    });

    it('refuses a standard attribute Herald does not index', () => {
      expect(
        error({ standard_attribute: { attribute_name: 'dob', comparison: 'exists' } }),
      ).toMatch(/^standard_attribute: attribute_name must be one of first_name, /);
    });

    it('refuses more than 256 values in a multi-value input', () => {
      const value = Array.from({ length: 257 }, (_, i) => `v${i}`);
      expect(error(ca({ comparison: 'is_any_of', value }))).toBe(
        'custom_attribute: value must list at most 256 values',
      );
    });

    it('refuses attribute names that cannot be a path', () => {
      expect(error(ca({ custom_attribute_name: 'a..b', comparison: 'exists' }))).toBe(
        'custom_attribute: custom_attribute_name must not have an empty path segment around "."',
      );
      expect(error(ca({ custom_attribute_name: 'a"b', comparison: 'exists' }))).toBe(
        'custom_attribute: custom_attribute_name must not contain "',
      );
    });

    it('refuses NUL characters in values', () => {
      expect(error(ca({ comparison: 'equals', value: 'a\0b' }))).toBe(
        'custom_attribute: value must not contain NUL characters',
      );
    });
  });

  describe('malformed trees', () => {
    it('refuses a node with two keys', () => {
      expect(error({ AND: [bucket], OR: [bucket] })).toBe(
        'filter: a filter must have exactly one key (AND, OR, NOT or a filter kind), got AND, OR',
      );
    });

    it('refuses an empty AND', () => {
      expect(error({ AND: [] })).toBe('AND: must be a non-empty array of filters');
    });

    it('refuses OR that is not an array', () => {
      expect(error({ OR: bucket })).toBe('OR: must be a non-empty array of filters');
    });

    it('refuses an unknown filter kind', () => {
      expect(error({ AND: [{ device_model: {} }] })).toMatch(
        /^AND\[0\]: unknown filter kind "device_model"; expected AND, OR, NOT or one of custom_attribute, /,
      );
    });

    it('refuses a non-object', () => {
      expect(error({ AND: ['x'] })).toBe('AND[0]: must be an object');
      expect(error(null)).toBe('filter: must be an object');
    });
  });

  describe('limits', () => {
    it('accepts ten levels and refuses eleven', () => {
      let ten: unknown = bucket;
      for (let i = 0; i < 9; i++) ten = { NOT: ten };
      expect(parseSegmentFilter(ten).ok).toBe(true);
      expect(error({ NOT: ten })).toBe(
        `${Array(10).fill('NOT').join('.')}: filters nest deeper than 10 levels`,
      );
    });

    it('accepts 100 filters and refuses 101', () => {
      expect(parseSegmentFilter({ OR: Array(100).fill(bucket) }).ok).toBe(true);
      expect(error({ OR: Array(101).fill(bucket) })).toBe(
        'OR[100]: more than 100 filters in one tree',
      );
    });
  });

  describe('regexes', () => {
    const regex = (value: string) => error(ca({ comparison: 'matches_regex', value }));

    it('refuses nested quantifiers as catastrophic backtracking', () => {
      expect(regex('(a+)+$')).toMatch(
        /^custom_attribute: value regex is prone to catastrophic backtracking/,
      );
      expect(regex('(.*)*')).toMatch(/catastrophic backtracking/);
      expect(regex('^(a|aa)+$')).toMatch(/catastrophic backtracking/);
      expect(regex('((ab)*c)+')).toMatch(/catastrophic backtracking/);
    });

    it('refuses patterns longer than 32,764 characters', () => {
      expect(regex('a'.repeat(32_765))).toBe(
        'custom_attribute: value regex must be at most 32764 characters',
      );
    });

    it('refuses constructs outside the LIKE-expressible subset, saying what is supported', () => {
      expect(regex('^[a-z]+$')).toBe(
        'custom_attribute: value unsupported regex construct [...] (character classes) at position 1; supported: literal text, ., .*, .+, ^ at the start, $ at the end, | and (a|b) groups of text',
      );
      expect(regex('\\d{3}')).toMatch(/unsupported regex construct \\d at position 0/);
      expect(regex('ab?')).toMatch(
        /unsupported regex construct b\? \(quantifiers only as \.\* and \.\+\) at position 1/,
      );
      expect(regex('x|a^b')).toMatch(
        /unsupported regex construct \^ \(anchors only at a branch's ends\) at position 3/,
      );
      expect(regex('(?i)abc')).toMatch(/unsupported regex construct \(\? at position 0/);
    });

    it('refuses a regex on a standard attribute the same way', () => {
      expect(
        error({
          standard_attribute: {
            attribute_name: 'email',
            comparison: 'matches_regex',
            value: '(x+)*',
          },
        }),
      ).toMatch(/^standard_attribute: value regex is prone to catastrophic backtracking/);
    });
  });
});

describe('property and money X-in-Y filters', () => {
  const eventProperty = {
    event_name: 'played',
    property_name: 'level',
    property_value: 3,
    comparison: 'count_in_days_more_than',
    value: 2,
    days: 7,
  };

  it('accepts an event property filter with a string, number or boolean value', () => {
    for (const property_value of ['hard', 3, true]) {
      const json = { custom_event_property: { ...eventProperty, property_value } };
      expect(parseSegmentFilter(json)).toEqual({ ok: true, filter: json });
    }
  });

  it('accepts a purchase property filter with or without a product', () => {
    const body = { property_name: 'color', property_value: 'red' };
    const xy = { comparison: 'count_in_days_exactly', value: 0, days: 30 };
    expect(parseSegmentFilter({ purchase_property: { ...body, ...xy } }).ok).toBe(true);
    expect(
      parseSegmentFilter({ purchase_property: { product_id: 'sku', ...body, ...xy } }).ok,
    ).toBe(true);
  });

  it('accepts money spent in Y days', () => {
    const json = { purchase: { comparison: 'revenue_in_days_less_than', value: 9.99, days: 14 } };
    expect(parseSegmentFilter(json)).toEqual({ ok: true, filter: json });
  });

  it('refuses a window longer than 30 days, naming the filter', () => {
    expect(
      error({ AND: [bucket, { custom_event_property: { ...eventProperty, days: 31 } }] }),
    ).toBe('AND[1].custom_event_property: days must be 1..30');
  });

  it('refuses X above 50', () => {
    expect(error({ custom_event_property: { ...eventProperty, value: 51 } })).toBe(
      'custom_event_property: value must be 0..50',
    );
  });

  it('refuses a property value that is not a scalar', () => {
    expect(error({ custom_event_property: { ...eventProperty, property_value: ['a'] } })).toBe(
      'custom_event_property: property_value must be a string, number or boolean',
    );
  });

  it('refuses a missing property name', () => {
    const { property_name: _, ...rest } = eventProperty;
    expect(error({ custom_event_property: rest })).toBe(
      'custom_event_property: property_name is required',
    );
  });

  it('refuses comparisons other than the X-in-Y ones', () => {
    expect(error({ custom_event_property: { ...eventProperty, comparison: 'did' } })).toBe(
      'custom_event_property: comparison must be one of count_in_days_more_than, count_in_days_less_than, count_in_days_exactly',
    );
  });

  it('refuses money spent in Y days for one product: Braze counts every product', () => {
    expect(
      error({
        purchase: { product_id: 'sku', comparison: 'revenue_in_days_exactly', value: 1, days: 3 },
      }),
    ).toBe('purchase: product_id is not allowed: money spent in Y days counts every product');
  });

  it('refuses money spent in Y days without days', () => {
    expect(error({ purchase: { comparison: 'revenue_in_days_more_than', value: 1 } })).toBe(
      'purchase: days is required',
    );
  });
});
