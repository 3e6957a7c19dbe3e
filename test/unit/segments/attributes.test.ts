import { describe, expect, it } from 'vitest';
import type { AttrType, Json } from '../../../src/ingestion/types';
import type { SegmentFilter } from '../../../src/segments/filters';
import type { ProfileSummary } from '../../../src/segments/summary';
import { DAY, filter, HOUR, NOW, summary, verdicts } from './helpers';

function ca(name: string, comparison: string, value?: unknown): SegmentFilter {
  return filter({ custom_attribute: { custom_attribute_name: name, comparison, value } });
}

function withAttrs(attrs: Record<string, [AttrType, Json]>): ProfileSummary {
  const custom: ProfileSummary['custom'] = {};
  for (const [k, [type, value]] of Object.entries(attrs)) custom[k] = { type, value };
  return summary({ custom });
}

type Case = [name: string, filter: SegmentFilter, profile: ProfileSummary, expected: boolean];

const none = withAttrs({});
const color = (v: string) => withAttrs({ color: ['string', v] });
const score = (v: number) => withAttrs({ score: ['number', v] });
const vip = (v: boolean) => withAttrs({ vip: ['boolean', v] });
const foods = (v: Json[]) => withAttrs({ foods: ['array', v] });
const seen = (v: number) => withAttrs({ seen: ['time', v] });
const song = withAttrs({
  most_played_song: ['object', { artist: 'Queen', plays: 12, live: true, meta: { year: 1975 } }],
});

const CASES: Record<string, Case[]> = {
  string: [
    ['equals is case-sensitive', ca('color', 'equals', 'blue'), color('Blue'), false],
    ['equals matches the exact value', ca('color', 'equals', 'blue'), color('blue'), true],
    ['not_equal matches a different value', ca('color', 'not_equal', 'blue'), color('red'), true],
    [
      'not_equal matches a profile without the attribute',
      ca('color', 'not_equal', 'blue'),
      none,
      true,
    ],
    [
      'not_equal does not match the same value',
      ca('color', 'not_equal', 'blue'),
      color('blue'),
      false,
    ],
    [
      'equals does not match a number of the same spelling',
      ca('score', 'equals', '5'),
      score(5),
      false,
    ],
    [
      'is_any_of matches one of the values',
      ca('color', 'is_any_of', ['red', 'blue']),
      color('blue'),
      true,
    ],
    [
      'is_any_of is case-sensitive',
      ca('color', 'is_any_of', ['red', 'blue']),
      color('BLUE'),
      false,
    ],
    [
      'is_none_of matches a profile without the attribute',
      ca('color', 'is_none_of', ['red']),
      none,
      true,
    ],
    [
      'is_none_of refuses a listed value',
      ca('color', 'is_none_of', ['red', 'blue']),
      color('red'),
      false,
    ],
    [
      'contains_any_of finds a substring',
      ca('color', 'contains_any_of', ['lu', 'zz']),
      color('blue'),
      true,
    ],
    [
      'contains_any_of is case-sensitive',
      ca('color', 'contains_any_of', ['LU']),
      color('blue'),
      false,
    ],
    [
      'does_not_contain_any_of matches without a hit',
      ca('color', 'does_not_contain_any_of', ['x']),
      color('blue'),
      true,
    ],
    ['is_blank matches a missing attribute', ca('color', 'is_blank'), none, true],
    ['is_blank matches an empty string', ca('color', 'is_blank'), color(''), true],
    ['is_not_blank refuses an empty string', ca('color', 'is_not_blank'), color(''), false],
    ['exists matches an empty string', ca('color', 'exists'), color(''), true],
    [
      'does_not_exist matches a null value',
      ca('color', 'does_not_exist'),
      withAttrs({ color: ['string', null] }),
      true,
    ],
  ],
  regex: [
    ['matches_regex is a partial match', ca('color', 'matches_regex', 'lu'), color('blue'), true],
    ['matches_regex is case-insensitive', ca('color', 'matches_regex', '^BL'), color('blue'), true],
    ['matches_regex honours ^ and $', ca('color', 'matches_regex', '^lue$'), color('blue'), false],
    [
      'matches_regex supports alternation',
      ca('color', 'matches_regex', '^(red|blue)$'),
      color('Blue'),
      true,
    ],
    [
      'matches_regex reads an escaped dot literally',
      ca('color', 'matches_regex', 'a\\.b'),
      color('axb'),
      false,
    ],
    [
      'matches_regex treats . as any character',
      ca('color', 'matches_regex', '^a.b$'),
      color('axb'),
      true,
    ],
    [
      'matches_regex supports .* between literals',
      ca('color', 'matches_regex', '^b.*e$'),
      color('blue'),
      true,
    ],
    [
      'matches_regex needs one character for .+',
      ca('color', 'matches_regex', '^blue.+'),
      color('blue'),
      false,
    ],
    [
      'LIKE wildcards in the pattern are literal',
      ca('color', 'matches_regex', '%'),
      color('blue'),
      false,
    ],
    [
      'matches_regex matches some element of an array',
      ca('foods', 'matches_regex', '^piz'),
      foods(['kale', 'Pizza']),
      true,
    ],
    [
      'does_not_match_regex matches a non-matching value',
      ca('color', 'does_not_match_regex', 'red'),
      color('blue'),
      true,
    ],
    [
      'does_not_match_regex never matches a missing value',
      ca('color', 'does_not_match_regex', 'red'),
      none,
      false,
    ],
    [
      'does_not_match_regex never matches an empty string',
      ca('color', 'does_not_match_regex', 'red'),
      color(''),
      false,
    ],
  ],
  number: [
    ['equals compares numbers', ca('score', 'equals', 5), score(5), true],
    [
      'equals 0 includes profiles without the attribute (Braze quirk)',
      ca('score', 'equals', 0),
      none,
      true,
    ],
    ['equals 5 excludes profiles without the attribute', ca('score', 'equals', 5), none, false],
    [
      'less_than includes profiles without the attribute (Braze quirk)',
      ca('score', 'less_than', 3),
      none,
      true,
    ],
    ['less_than is strict', ca('score', 'less_than', 3), score(3), false],
    [
      'less_than_or_equal_to includes the value',
      ca('score', 'less_than_or_equal_to', 3),
      score(3),
      true,
    ],
    [
      'less_than_or_equal_to excludes profiles without the attribute',
      ca('score', 'less_than_or_equal_to', 3),
      none,
      false,
    ],
    ['greater_than is strict', ca('score', 'greater_than', 3), score(3), false],
    [
      'greater_than_or_equal_to includes the value',
      ca('score', 'greater_than_or_equal_to', 2.5),
      score(2.5),
      true,
    ],
    [
      'not_equal 0 excludes profiles without the attribute',
      ca('score', 'not_equal', 0),
      none,
      false,
    ],
    ['not_equal matches a different number', ca('score', 'not_equal', 0), score(1), true],
    ['is_blank matches a missing number', ca('score', 'is_blank'), none, true],
    ['is_not_blank matches zero', ca('score', 'is_not_blank'), score(0), true],
  ],
  boolean: [
    ['equals true matches true', ca('vip', 'equals', true), vip(true), true],
    ['equals true refuses a missing attribute', ca('vip', 'equals', true), none, false],
    [
      'does_not_equal true matches a missing attribute',
      ca('vip', 'does_not_equal', true),
      none,
      true,
    ],
    ['does_not_equal false matches true', ca('vip', 'does_not_equal', false), vip(true), true],
    ['is_true_or_not_set matches a missing attribute', ca('vip', 'is_true_or_not_set'), none, true],
    ['is_true_or_not_set refuses false', ca('vip', 'is_true_or_not_set'), vip(false), false],
    ['is_false_or_not_set matches false', ca('vip', 'is_false_or_not_set'), vip(false), true],
  ],
  array: [
    [
      'includes_value finds an element',
      ca('foods', 'includes_value', 'pizza'),
      foods(['kale', 'pizza']),
      true,
    ],
    ['includes_value compares types', ca('foods', 'includes_value', 1), foods(['1', true]), false],
    ['includes_value finds a number', ca('foods', 'includes_value', 1), foods([2, 1]), true],
    ['includes_value finds a boolean', ca('foods', 'includes_value', true), foods([1, true]), true],
    [
      'does_not_include_value matches a missing array',
      ca('foods', 'does_not_include_value', 'x'),
      none,
      true,
    ],
    [
      'includes_any_of finds one of the values',
      ca('foods', 'includes_any_of', ['a', 'kale']),
      foods(['kale']),
      true,
    ],
    [
      'includes_none_of refuses a listed element',
      ca('foods', 'includes_none_of', ['a', 'kale']),
      foods(['kale']),
      false,
    ],
    ['is_all_of needs every value', ca('foods', 'is_all_of', ['a', 'b']), foods(['a', 'c']), false],
    [
      'is_all_of allows extra elements',
      ca('foods', 'is_all_of', ['a', 'b']),
      foods(['b', 'c', 'a']),
      true,
    ],
    ['is_empty matches an empty array', ca('foods', 'is_empty'), foods([]), true],
    ['is_empty matches a missing array', ca('foods', 'is_empty'), none, true],
    ['has_a_value refuses an empty array', ca('foods', 'has_a_value'), foods([]), false],
    ['has_a_value matches a non-empty array', ca('foods', 'has_a_value'), foods([0]), true],
  ],
  time: [
    [
      'less_than_x_days_ago matches inside the 24-hour window',
      ca('seen', 'less_than_x_days_ago', 2),
      seen(NOW - 47 * HOUR),
      true,
    ],
    [
      'less_than_x_days_ago excludes the window edge',
      ca('seen', 'less_than_x_days_ago', 2),
      seen(NOW - 2 * DAY),
      false,
    ],
    [
      'less_than_x_days_ago excludes future times',
      ca('seen', 'less_than_x_days_ago', 2),
      seen(NOW + 1),
      false,
    ],
    [
      'less_than_x_days_ago takes fractional days',
      ca('seen', 'less_than_x_days_ago', 0.25),
      seen(NOW - 5 * HOUR),
      true,
    ],
    [
      'greater_than_x_days_ago matches older times',
      ca('seen', 'greater_than_x_days_ago', 2),
      seen(NOW - 2 * DAY - 1),
      true,
    ],
    [
      'greater_than_x_days_ago excludes the edge',
      ca('seen', 'greater_than_x_days_ago', 2),
      seen(NOW - 2 * DAY),
      false,
    ],
    [
      'less_than_x_days_in_the_future includes now',
      ca('seen', 'less_than_x_days_in_the_future', 1),
      seen(NOW),
      true,
    ],
    [
      'greater_than_x_days_in_the_future is strict',
      ca('seen', 'greater_than_x_days_in_the_future', 1),
      seen(NOW + DAY),
      false,
    ],
    [
      'after compares with the instant',
      ca('seen', 'after', '2024-06-15T12:59:59Z'),
      seen(NOW),
      true,
    ],
    [
      'before accepts Braze +0000 offsets',
      ca('seen', 'before', '2024-06-15T13:00:00+0000'),
      seen(NOW),
      false,
    ],
    [
      'time comparisons ignore number attributes',
      ca('score', 'after', '2000-01-01T00:00:00Z'),
      score(NOW),
      false,
    ],
  ],
  nested: [
    [
      'a dotted name reads a nested string',
      ca('most_played_song.artist', 'equals', 'Queen'),
      song,
      true,
    ],
    [
      'a dotted name reads a nested number',
      ca('most_played_song.plays', 'greater_than', 10),
      song,
      true,
    ],
    [
      'a dotted name reads a nested boolean',
      ca('most_played_song.live', 'equals', true),
      song,
      true,
    ],
    ['paths go several levels deep', ca('most_played_song.meta.year', 'equals', 1975), song, true],
    ['a missing leaf does not exist', ca('most_played_song.album', 'exists'), song, false],
    [
      'a path through a scalar does not exist',
      ca('most_played_song.artist.name', 'exists'),
      song,
      false,
    ],
    [
      'a stored attribute with a dotted name wins over the path',
      ca('a.b', 'equals', 'flat'),
      withAttrs({ 'a.b': ['string', 'flat'], a: ['object', { b: 'nested' }] }),
      true,
    ],
    ['prototype names are not attributes', ca('constructor', 'exists'), none, false],
  ],
};

for (const [group, cases] of Object.entries(CASES)) {
  describe(`custom_attribute ${group}`, () => {
    it.each(cases)('%s', (_name, f, profile, expected) => {
      expect(verdicts(f, profile)).toEqual({ memory: expected, sql: expected });
    });
  });
}
