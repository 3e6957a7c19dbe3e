import { describe, expect, it } from 'vitest';
import type { SegmentFilter } from '../../../src/segments/filters';
import type { ProfileSummary } from '../../../src/segments/summary';
import { filter, NOW, type Segments, summary, verdicts } from './helpers';

type Case = [name: string, filter: SegmentFilter, profile: ProfileSummary, expected: boolean];

const std = (body: Record<string, unknown>) => filter({ standard_attribute: body });
const nobody = summary();
const ana = summary({
  externalId: 'user-1',
  standard: {
    first_name: 'Ana',
    email: 'ana@example.com',
    country: 'FR',
    email_subscribe: 'opted_in',
  },
});
const randomBucket = (comparison: string, value: number) =>
  filter({ random_bucket: { comparison, value } });
const message = (comparison: string) =>
  filter({ message_engagement: { campaign_id: 'c1', comparison } });
const engaged = summary({
  messages: {
    c1: { receivedAt: NOW, openedAt: null, clickedAt: NOW, convertedAt: null, inControl: false },
  },
});

const SEGMENTS: Segments = {
  french: filter({
    standard_attribute: { attribute_name: 'country', comparison: 'equals', value: 'FR' },
  }),
  self: filter({ segment_membership: { segment_id: 'self', comparison: 'is' } }),
};
const member = (segment_id: string, comparison = 'is') =>
  filter({ segment_membership: { segment_id, comparison } });

const CASES: Record<string, Case[]> = {
  standard_attribute: [
    [
      'equals compares a default attribute',
      std({ attribute_name: 'first_name', comparison: 'equals', value: 'Ana' }),
      ana,
      true,
    ],
    [
      'equals is case-sensitive',
      std({ attribute_name: 'first_name', comparison: 'equals', value: 'ana' }),
      ana,
      false,
    ],
    [
      'not_equal matches a profile without it',
      std({ attribute_name: 'first_name', comparison: 'not_equal', value: 'Ana' }),
      nobody,
      true,
    ],
    [
      'is_any_of',
      std({ attribute_name: 'country', comparison: 'is_any_of', value: ['DE', 'FR'] }),
      ana,
      true,
    ],
    [
      'is_none_of matches a profile without it',
      std({ attribute_name: 'country', comparison: 'is_none_of', value: ['FR'] }),
      nobody,
      true,
    ],
    [
      'matches_regex on the email',
      std({ attribute_name: 'email', comparison: 'matches_regex', value: '@EXAMPLE\\.com$' }),
      ana,
      true,
    ],
    [
      'exists on external_id',
      std({ attribute_name: 'external_id', comparison: 'exists' }),
      ana,
      true,
    ],
    [
      'does_not_exist on a missing phone',
      std({ attribute_name: 'phone', comparison: 'does_not_exist' }),
      ana,
      true,
    ],
  ],
  subscriptions: [
    [
      'email status is opted_in',
      filter({ email_subscription_status: { comparison: 'is', value: 'opted_in' } }),
      ana,
      true,
    ],
    [
      'a profile with no email state counts as subscribed',
      filter({ email_subscription_status: { comparison: 'is', value: 'subscribed' } }),
      nobody,
      true,
    ],
    [
      'push status is_not unsubscribed',
      filter({ push_subscription_status: { comparison: 'is_not', value: 'unsubscribed' } }),
      nobody,
      true,
    ],
    [
      'push status is unsubscribed',
      filter({ push_subscription_status: { comparison: 'is', value: 'unsubscribed' } }),
      summary({ standard: { push_subscribe: 'unsubscribed' } }),
      true,
    ],
    [
      'subscription group is subscribed',
      filter({
        subscription_group: { subscription_group_id: 'g1', comparison: 'is', value: 'subscribed' },
      }),
      summary({ subscriptionGroups: { g1: 'subscribed' } }),
      true,
    ],
    [
      'a profile with no state for the group is not unsubscribed from it',
      filter({
        subscription_group: {
          subscription_group_id: 'g1',
          comparison: 'is',
          value: 'unsubscribed',
        },
      }),
      nobody,
      false,
    ],
    [
      'a profile with no state for the group is_not subscribed',
      filter({
        subscription_group: {
          subscription_group_id: 'g1',
          comparison: 'is_not',
          value: 'subscribed',
        },
      }),
      nobody,
      true,
    ],
    [
      'email_available with an address and no opt-out',
      filter({ email_available: { value: true } }),
      ana,
      true,
    ],
    [
      'email_available is false once undeliverable',
      filter({ email_available: { value: true } }),
      summary({ standard: { email: 'a@b.c', email_undeliverable: true } }),
      false,
    ],
    [
      'email_available is false once unsubscribed',
      filter({ email_available: { value: false } }),
      summary({ standard: { email: 'a@b.c', email_subscribe: 'unsubscribed' } }),
      true,
    ],
    [
      'email_available needs an address',
      filter({ email_available: { value: true } }),
      nobody,
      false,
    ],
  ],
  random_bucket: [
    ['equals', randomBucket('equals', 42), nobody, true],
    ['less_than is strict', randomBucket('less_than', 42), nobody, false],
    ['less_than_or_equal_to', randomBucket('less_than_or_equal_to', 42), nobody, true],
    ['greater_than_or_equal_to', randomBucket('greater_than_or_equal_to', 43), nobody, false],
    ['not_equal', randomBucket('not_equal', 9999), nobody, true],
  ],
  segment_membership: [
    ['is matches a member of the referenced segment', member('french'), ana, true],
    ['is_not matches a non-member', member('french', 'is_not'), nobody, true],
    ['an unknown segment matches nobody with is', member('gone'), ana, false],
    ['an unknown segment matches nobody with is_not', member('gone', 'is_not'), ana, false],
    ['a segment referencing itself matches nobody', member('self'), ana, false],
  ],
  message_engagement: [
    ['received', message('received'), engaged, true],
    [
      'not_received matches a profile never sent the campaign',
      message('not_received'),
      nobody,
      true,
    ],
    ['opened_or_clicked counts a click', message('opened_or_clicked'), engaged, true],
    ['converted', message('converted'), engaged, false],
    ['in_control', message('in_control'), engaged, false],
  ],
  logic: [
    [
      'AND needs every filter',
      filter({ AND: [member('french'), randomBucket('equals', 1)] }),
      ana,
      false,
    ],
    [
      'OR needs one filter',
      filter({ OR: [member('french'), randomBucket('equals', 1)] }),
      ana,
      true,
    ],
    ['NOT inverts', filter({ NOT: randomBucket('equals', 42) }), ana, false],
    [
      'NOT of a filter on a missing value matches',
      filter({ NOT: std({ attribute_name: 'phone', comparison: 'equals', value: '1' }) }),
      ana,
      true,
    ],
  ],
};

for (const [group, cases] of Object.entries(CASES)) {
  describe(group, () => {
    it.each(cases)('%s', (_name, f, profile, expected) => {
      expect(verdicts(f, profile, SEGMENTS)).toEqual({ memory: expected, sql: expected });
    });
  });
}

describe('Braze negative-operator caution', () => {
  it('two negative filters on one attribute joined by OR match everyone', () => {
    const f = filter({
      OR: [
        std({ attribute_name: 'country', comparison: 'not_equal', value: 'FR' }),
        std({ attribute_name: 'country', comparison: 'not_equal', value: 'DE' }),
      ],
    });
    expect(verdicts(f, ana, SEGMENTS)).toEqual({ memory: true, sql: true });
  });
});
