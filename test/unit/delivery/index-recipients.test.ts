import { describe, expect, it } from 'vitest';
import { recipientFromIndex } from '../../../src/delivery/index-recipients';

const row = {
  profile_id: 'p1',
  external_id: 'u1',
  random_bucket: 42,
  first_name: 'Ana',
  last_name: null,
  email: 'ana@example.com',
  phone: null,
  country: 'PT',
  language: null,
  time_zone: 'Europe/Lisbon',
  home_city: 'Lisbon',
  gender: null,
  dob: null,
  email_subscribe: 'subscribed',
  push_subscribe: null,
  last_session_at: 1_700_000_000_000,
  custom: JSON.stringify({
    plan: { t: 'string', v: 'pro' },
    score: { t: 'number', v: 7 },
    renewed: { t: 'time', v: Date.UTC(2026, 0, 2, 3, 4, 5) },
  }),
  groups: JSON.stringify({ g1: 'subscribed' }),
};

describe('recipientFromIndex', () => {
  it('hands templates the index row as a profile would: set fields only, times as ISO strings', () => {
    expect(recipientFromIndex(row)).toEqual({
      brazeId: 'p1',
      externalId: 'u1',
      standard: {
        first_name: 'Ana',
        email: 'ana@example.com',
        country: 'PT',
        time_zone: 'Europe/Lisbon',
        home_city: 'Lisbon',
        email_subscribe: 'subscribed',
      },
      custom: {
        plan: { type: 'string', value: 'pro' },
        score: { type: 'number', value: 7 },
        renewed: { type: 'time', value: '2026-01-02T03:04:05.000Z' },
      },
      subscriptionGroups: { g1: 'subscribed' },
      randomBucket: 42,
      lastUsedAppAt: 1_700_000_000_000,
    });
  });

  it('reads a profile without subscription groups as having none', () => {
    expect(recipientFromIndex({ ...row, groups: null }).subscriptionGroups).toEqual({});
  });
});
