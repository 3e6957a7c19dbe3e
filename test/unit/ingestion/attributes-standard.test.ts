import { describe, expect, it } from 'vitest';
import { attr, attrError, attrOk } from './helpers';

describe('plain string fields', () => {
  it.each(['first_name', 'last_name', 'home_city'])('sets %s from a string', (key) => {
    expect(attrOk({ [key]: 'Jon' }).standard).toEqual({ [key]: 'Jon' });
  });

  it.each(['first_name', 'last_name', 'home_city'])('removes %s with null', (key) => {
    expect(attrOk({ [key]: null }).standard).toEqual({ [key]: null });
  });

  it.each(['first_name', 'last_name', 'home_city'])('rejects a number for %s', (key) => {
    expect(attrError({ [key]: 5 })).toMatchObject({
      type: 'invalid_field',
      message: `${key} must be a string or null`,
    });
  });

  it('rejects a first_name longer than 255 characters', () => {
    expect(attrError({ first_name: 'a'.repeat(256) })).toMatchObject({
      type: 'string_too_long',
      message: 'first_name must be at most 255 characters',
    });
  });

  it('rejects the whole object when one standard field is invalid', () => {
    const { input, errors } = attr({ external_id: 'u1', first_name: 'Jon', gender: 'male' });
    expect(input).toBeUndefined();
    expect(errors).toHaveLength(1);
  });

  it('never stores a standard field as a custom attribute', () => {
    expect(attrOk({ first_name: 'Jon' }).custom).toEqual([]);
  });
});

describe('email and phone fields', () => {
  it('removes email with null', () => {
    expect(attrOk({ email: null }).standard).toEqual({ email: null });
  });

  it('rejects a non-address email field', () => {
    expect(attrError({ email: 'nope' })).toMatchObject({
      type: 'invalid_field',
      message: 'email must be a valid email address or null',
    });
  });

  it('removes phone with null', () => {
    expect(attrOk({ phone: null }).standard).toEqual({ phone: null });
  });

  it('rejects a numeric phone field', () => {
    expect(attrError({ phone: 15555550100 }).message).toBe(
      'phone must be a non-empty string or null',
    );
  });
});

describe('dob', () => {
  it('accepts YYYY-MM-DD', () => {
    expect(attrOk({ dob: '1988-02-14' }).standard).toEqual({ dob: '1988-02-14' });
  });

  it('removes dob with null', () => {
    expect(attrOk({ dob: null }).standard).toEqual({ dob: null });
  });

  it.each([
    ['a datetime', '1988-02-14T00:00:00Z'],
    ['month-first slashes', '02/14/1988'],
    ['an impossible date', '1988-02-30'],
    ['a number', 19880214],
  ])('rejects %s', (_label, dob) => {
    expect(attrError({ dob })).toMatchObject({
      type: 'invalid_field',
      message: 'dob must be a date in YYYY-MM-DD format or null',
    });
  });
});

describe('country', () => {
  it('keeps an alpha-2 code in upper case', () => {
    expect(attrOk({ country: 'us' }).standard).toEqual({ country: 'US' });
  });

  it('maps an English name to its code', () => {
    expect(attrOk({ country: 'Australia' }).standard).toEqual({ country: 'AU' });
  });

  it('sets null for an unmappable value instead of rejecting', () => {
    expect(attrOk({ country: 'Narnia' }).standard).toEqual({ country: null });
  });

  it('removes country with null', () => {
    expect(attrOk({ country: null }).standard).toEqual({ country: null });
  });

  it('rejects a non-string country', () => {
    expect(attrError({ country: 61 }).message).toBe('country must be a string or null');
  });
});

describe('language', () => {
  it('normalises a code to lower case', () => {
    expect(attrOk({ language: 'FR' }).standard).toEqual({ language: 'fr' });
  });

  it('ignores an invalid code silently', () => {
    const { input, errors } = attr({ external_id: 'u1', language: 'klingon', first_name: 'A' });
    expect(input?.standard).toEqual({ first_name: 'A' });
    expect(errors).toEqual([]);
  });

  it('removes language with null', () => {
    expect(attrOk({ language: null }).standard).toEqual({ language: null });
  });

  it('rejects a non-string language', () => {
    expect(attrError({ language: ['en'] }).message).toBe('language must be a string or null');
  });
});

describe('time_zone', () => {
  it('keeps an IANA name as sent', () => {
    expect(attrOk({ time_zone: 'America/New_York' }).standard).toEqual({
      time_zone: 'America/New_York',
    });
  });

  it('keeps a Rails name as sent', () => {
    expect(attrOk({ time_zone: 'Eastern Time (US & Canada)' }).standard).toEqual({
      time_zone: 'Eastern Time (US & Canada)',
    });
  });

  it('ignores an invalid zone silently', () => {
    const { input, errors } = attr({ external_id: 'u1', time_zone: 'Moon/Base' });
    expect(input?.standard).toEqual({});
    expect(errors).toEqual([]);
  });

  it('removes time_zone with null', () => {
    expect(attrOk({ time_zone: null }).standard).toEqual({ time_zone: null });
  });

  it('rejects a numeric time_zone', () => {
    expect(attrError({ time_zone: -5 }).message).toBe('time_zone must be a string or null');
  });
});

describe('gender', () => {
  it.each(['M', 'F', 'O', 'N', 'P'])('accepts %s', (gender) => {
    expect(attrOk({ gender }).standard).toEqual({ gender });
  });

  it('accepts null for unknown', () => {
    expect(attrOk({ gender: null }).standard).toEqual({ gender: null });
  });

  it.each(['m', 'male', 'X', ''])('rejects %j', (gender) => {
    expect(attrError({ gender })).toMatchObject({
      type: 'invalid_field',
      message: 'gender must be one of M, F, O, N, P or null',
    });
  });
});

describe('subscription states', () => {
  it.each(['opted_in', 'subscribed', 'unsubscribed'])('accepts email_subscribe %s', (state) => {
    expect(attrOk({ email_subscribe: state }).standard).toEqual({ email_subscribe: state });
  });

  it.each(['opted_in', 'subscribed', 'unsubscribed'])('accepts push_subscribe %s', (state) => {
    expect(attrOk({ push_subscribe: state }).standard).toEqual({ push_subscribe: state });
  });

  it('rejects an unknown email_subscribe value', () => {
    expect(attrError({ email_subscribe: 'yes' }).message).toBe(
      'email_subscribe must be one of opted_in, subscribed or unsubscribed',
    );
  });

  it('rejects null for push_subscribe', () => {
    expect(attrError({ push_subscribe: null }).message).toBe(
      'push_subscribe must be one of opted_in, subscribed or unsubscribed',
    );
  });
});

describe('email tracking flags', () => {
  it.each(['email_open_tracking_disabled', 'email_click_tracking_disabled'])(
    'accepts a boolean for %s',
    (key) => {
      expect(attrOk({ [key]: true }).standard).toEqual({ [key]: true });
    },
  );

  it.each(['email_open_tracking_disabled', 'email_click_tracking_disabled'])(
    'rejects a string for %s',
    (key) => {
      expect(attrError({ [key]: 'true' }).message).toBe(`${key} must be a boolean`);
    },
  );
});

describe('current_location', () => {
  it('accepts longitude and latitude', () => {
    expect(attrOk({ current_location: { longitude: -73.99, latitude: 40.75 } }).standard).toEqual({
      current_location: { longitude: -73.99, latitude: 40.75 },
    });
  });

  it('accepts the boundary values', () => {
    const location = { longitude: 180, latitude: -90 };
    expect(attrOk({ current_location: location }).standard.current_location).toEqual(location);
  });

  it('drops unknown keys inside the location', () => {
    const location = { longitude: 1, latitude: 2, altitude: 3 };
    expect(attrOk({ current_location: location }).standard.current_location).toEqual({
      longitude: 1,
      latitude: 2,
    });
  });

  it('removes current_location with null', () => {
    expect(attrOk({ current_location: null }).standard).toEqual({ current_location: null });
  });

  it.each([
    ['longitude above 180', { longitude: 180.1, latitude: 0 }],
    ['latitude below -90', { longitude: 0, latitude: -90.5 }],
    ['a missing latitude', { longitude: 0 }],
    ['string coordinates', { longitude: '1', latitude: '2' }],
    ['an array', [1, 2]],
  ])('rejects %s', (_label, current_location) => {
    expect(attrError({ current_location })).toMatchObject({
      type: 'invalid_field',
      message:
        'current_location must be an object with longitude (-180 to 180) and latitude (-90 to 90)',
    });
  });
});

describe('date fields', () => {
  it.each(['date_of_first_session', 'date_of_last_session', 'marked_email_as_spam_at'])(
    'converts %s to ISO UTC',
    (key) => {
      expect(attrOk({ [key]: '2020-01-02T03:04:05+01:00' }).standard).toEqual({
        [key]: '2020-01-02T02:04:05.000Z',
      });
    },
  );

  it('converts a bare date to midnight UTC', () => {
    expect(attrOk({ date_of_first_session: '2020-01-02' }).standard).toEqual({
      date_of_first_session: '2020-01-02T00:00:00.000Z',
    });
  });

  it('removes a date field with null', () => {
    expect(attrOk({ marked_email_as_spam_at: null }).standard).toEqual({
      marked_email_as_spam_at: null,
    });
  });

  it('rejects an unparseable date', () => {
    expect(attrError({ date_of_last_session: 'yesterday' })).toMatchObject({
      type: 'invalid_time',
      message: 'date_of_last_session is not a recognised date format',
    });
  });

  it('rejects a numeric date', () => {
    expect(attrError({ date_of_first_session: 1700000000 }).message).toBe(
      'date_of_first_session must be a date string or null',
    );
  });
});

describe('facebook and twitter', () => {
  it('accepts the facebook shape', () => {
    const facebook = { id: '123', likes: ['a', 'b'], num_friends: 5 };
    expect(attrOk({ facebook }).standard).toEqual({ facebook });
  });

  it('rejects facebook likes that are not strings', () => {
    expect(attrError({ facebook: { likes: [1] } }).message).toBe(
      'facebook.likes must be an array of strings',
    );
  });

  it('rejects a negative facebook num_friends', () => {
    expect(attrError({ facebook: { num_friends: -1 } }).message).toBe(
      'facebook.num_friends must be a non-negative integer',
    );
  });

  it('accepts the twitter shape', () => {
    const twitter = {
      id: 42,
      screen_name: 'jon',
      followers_count: 1,
      friends_count: 2,
      statuses_count: 3,
    };
    expect(attrOk({ twitter }).standard).toEqual({ twitter });
  });

  it('rejects a string twitter id', () => {
    expect(attrError({ twitter: { id: '42' } }).message).toBe('twitter.id must be an integer');
  });

  it('rejects a fractional twitter followers_count', () => {
    expect(attrError({ twitter: { followers_count: 1.5 } }).message).toBe(
      'twitter.followers_count must be a non-negative integer',
    );
  });

  it('removes facebook with null', () => {
    expect(attrOk({ facebook: null }).standard).toEqual({ facebook: null });
  });

  it('rejects a twitter value that is not an object', () => {
    expect(attrError({ twitter: 'jon' }).message).toBe('twitter must be an object or null');
  });
});

describe('push_tokens', () => {
  it('collects tokens with and without device_id', () => {
    const push_tokens = [
      { app_id: 'app', token: 't1', device_id: 'd1' },
      { app_id: 'app', token: 't2' },
    ];
    expect(attrOk({ push_tokens }).pushTokens).toEqual(push_tokens);
  });

  it('is not a custom attribute or standard field', () => {
    const input = attrOk({ push_tokens: [{ app_id: 'app', token: 't' }] });
    expect([input.custom, input.standard]).toEqual([[], {}]);
  });

  it('rejects a token without app_id', () => {
    expect(attrError({ push_tokens: [{ token: 't' }] }).message).toBe(
      'push_tokens[0].app_id must be a non-empty string',
    );
  });

  it('rejects an empty token', () => {
    expect(attrError({ push_tokens: [{ app_id: 'a', token: '' }] }).message).toBe(
      'push_tokens[0].token must be a non-empty string',
    );
  });

  it('rejects push_tokens that is not an array', () => {
    expect(attrError({ push_tokens: { app_id: 'a', token: 't' } }).message).toBe(
      'push_tokens must be an array',
    );
  });
});

describe('push_token_import', () => {
  const tokens = [{ app_id: 'app', token: 't1' }];

  it('defaults to false', () => {
    expect(attrOk({}).pushTokenImport).toBe(false);
  });

  it('marks an import object identified by alias', () => {
    const { input } = attr({
      push_token_import: true,
      user_alias: { alias_name: 'n', alias_label: 'l' },
      push_tokens: tokens,
    });
    expect(input?.pushTokenImport).toBe(true);
  });

  it('rejects an import object that carries external_id', () => {
    expect(attrError({ push_token_import: true, push_tokens: tokens })).toMatchObject({
      type: 'invalid_push_token_import',
      message: 'push_token_import objects must not include external_id or braze_id',
    });
  });

  it('rejects an import object without push tokens', () => {
    const { errors } = attr({ push_token_import: true, email: 'a@example.com' });
    expect(errors[0]?.message).toBe('push_token_import objects must include push_tokens');
  });

  it('rejects a non-boolean push_token_import', () => {
    expect(attrError({ push_token_import: 1 }).message).toBe('push_token_import must be a boolean');
  });
});

describe('subscription_groups', () => {
  it('collects group states', () => {
    const subscription_groups = [
      { subscription_group_id: 'sg_1', subscription_state: 'subscribed' },
      { subscription_group_id: 'sg_2', subscription_state: 'unsubscribed' },
    ];
    expect(attrOk({ subscription_groups }).subscriptionGroups).toEqual(subscription_groups);
  });

  it('rejects an unknown state', () => {
    const subscription_groups = [{ subscription_group_id: 'sg_1', subscription_state: 'opted_in' }];
    expect(attrError({ subscription_groups }).message).toBe(
      'subscription_groups[0].subscription_state must be subscribed or unsubscribed',
    );
  });

  it('rejects a missing group id', () => {
    const subscription_groups = [{ subscription_state: 'subscribed' }];
    expect(attrError({ subscription_groups }).message).toBe(
      'subscription_groups[0].subscription_group_id must be a non-empty string',
    );
  });
});

describe('reserved keys', () => {
  it('ignores top-level alias_name and alias_label', () => {
    const input = attrOk({ alias_name: 'n', alias_label: 'l' });
    expect([input.custom, input.standard]).toEqual([[], {}]);
  });
});
