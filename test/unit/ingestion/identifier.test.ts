import { describe, expect, it } from 'vitest';
import { attr, event, oneEvent, onePurchase, purchase, trackOk } from './helpers';

const alias = { alias_name: 'device123', alias_label: 'my_device' };

describe('identifier precedence', () => {
  it('uses external_id alone', () => {
    expect(attr({ external_id: 'u1' }).input?.identifier).toEqual({
      kind: 'external_id',
      value: 'u1',
    });
  });

  it('uses braze_id alone', () => {
    expect(attr({ braze_id: '5fbd99bac125ca40511f2cb1' }).input?.identifier).toEqual({
      kind: 'braze_id',
      value: '5fbd99bac125ca40511f2cb1',
    });
  });

  it('uses user_alias alone', () => {
    expect(attr({ user_alias: alias }).input?.identifier).toEqual({
      kind: 'user_alias',
      name: 'device123',
      label: 'my_device',
    });
  });

  it('uses email alone', () => {
    expect(attr({ email: 'a@example.com' }).input?.identifier).toEqual({
      kind: 'email',
      value: 'a@example.com',
    });
  });

  it('uses phone alone', () => {
    expect(attr({ phone: '+15555550100' }).input?.identifier).toEqual({
      kind: 'phone',
      value: '+15555550100',
    });
  });

  it('prefers external_id over braze_id', () => {
    expect(attr({ braze_id: 'b1', external_id: 'u1' }).input?.identifier.kind).toBe('external_id');
  });

  it('prefers braze_id over user_alias', () => {
    expect(attr({ user_alias: alias, braze_id: 'b1' }).input?.identifier.kind).toBe('braze_id');
  });

  it('prefers user_alias over email', () => {
    expect(attr({ email: 'a@example.com', user_alias: alias }).input?.identifier.kind).toBe(
      'user_alias',
    );
  });

  it('prefers email over phone', () => {
    expect(attr({ phone: '+1555', email: 'a@example.com' }).input?.identifier.kind).toBe('email');
  });

  it('writes email as a field when external_id identifies the profile', () => {
    const input = attr({ external_id: 'u1', email: 'a@example.com' }).input;
    expect(input?.standard).toEqual({ email: 'a@example.com' });
  });

  it('writes phone as a field when email identifies the profile', () => {
    const input = attr({ email: 'a@example.com', phone: '+1555' }).input;
    expect(input?.standard).toEqual({ phone: '+1555' });
  });

  it('does not write the identifying email as a field', () => {
    expect(attr({ email: 'a@example.com' }).input?.standard).toEqual({});
  });

  it('treats email: null beside another identifier as a removal, not an identifier', () => {
    const input = attr({ email: null, phone: '+1555' }).input;
    expect(input?.identifier).toEqual({ kind: 'phone', value: '+1555' });
    expect(input?.standard).toEqual({ email: null });
  });

  it('does not fall back to a lower identifier when the preferred one is malformed', () => {
    const { input, errors } = attr({ external_id: 42, email: 'a@example.com' });
    expect(input).toBeUndefined();
    expect(errors[0]).toEqual({
      type: 'invalid_identifier',
      input_array: 'attributes',
      index: 0,
      message: 'external_id must be a non-empty string',
    });
  });

  it('never stores braze_id or user_alias as custom attributes', () => {
    const input = attr({ external_id: 'u1', braze_id: 'b1', user_alias: alias }).input;
    expect(input?.custom).toEqual([]);
  });
});

describe('identifier errors', () => {
  it('rejects an object without any identifier', () => {
    const { errors } = attr({ first_name: 'Jon' });
    expect(errors).toEqual([
      {
        type: 'missing_identifier',
        input_array: 'attributes',
        index: 0,
        message: 'Object must include one of external_id, braze_id, user_alias, email or phone',
      },
    ]);
  });

  it('rejects an object whose only identifier is a null email', () => {
    expect(attr({ email: null }).errors[0]?.type).toBe('missing_identifier');
  });

  it('rejects an empty external_id', () => {
    expect(attr({ external_id: '' }).errors[0]?.message).toBe(
      'external_id must be a non-empty string',
    );
  });

  it('rejects a whitespace-only external_id', () => {
    expect(attr({ external_id: '   ' }).errors[0]?.type).toBe('invalid_identifier');
  });

  it('accepts an external_id of 512 characters', () => {
    expect(attr({ external_id: 'x'.repeat(512) }).input).toBeDefined();
  });

  it('rejects an external_id of 513 characters', () => {
    expect(attr({ external_id: 'x'.repeat(513) }).errors[0]?.message).toBe(
      'external_id must be at most 512 characters',
    );
  });

  it('rejects a null external_id, which cannot be removed', () => {
    expect(attr({ external_id: null }).errors[0]?.type).toBe('invalid_identifier');
  });

  it('rejects a numeric braze_id', () => {
    expect(attr({ braze_id: 5 }).errors[0]?.message).toBe('braze_id must be a non-empty string');
  });

  it('rejects a user_alias that is not an object', () => {
    expect(attr({ user_alias: 'device123' }).errors[0]?.message).toBe(
      'user_alias must be an object with alias_name and alias_label',
    );
  });

  it('rejects a user_alias without alias_label', () => {
    expect(attr({ user_alias: { alias_name: 'n' } }).errors[0]?.message).toBe(
      'user_alias.alias_label must be a non-empty string',
    );
  });

  it('rejects an alias_name longer than 255 characters', () => {
    const { errors } = attr({ user_alias: { alias_name: 'n'.repeat(256), alias_label: 'l' } });
    expect(errors[0]?.message).toBe('user_alias.alias_name must be at most 255 characters');
  });

  it('rejects an identifying email without an @', () => {
    expect(attr({ email: 'not-an-address' }).errors[0]).toMatchObject({
      type: 'invalid_identifier',
      message: 'email must be a valid email address',
    });
  });

  it('rejects an empty identifying phone', () => {
    expect(attr({ phone: '' }).errors[0]?.message).toBe('phone must be a non-empty string');
  });

  it('rejects an event without an identifier', () => {
    const { input, errors } = oneEvent({ name: 'e', time: '2024-01-01' });
    expect(input).toBeUndefined();
    expect(errors[0]?.type).toBe('missing_identifier');
  });

  it('rejects a purchase without an identifier', () => {
    const { errors } = onePurchase(purchase({ external_id: undefined }));
    expect(errors[0]).toMatchObject({ type: 'missing_identifier', input_array: 'purchases' });
  });

  it('drops only the object with a bad identifier and keeps the others', () => {
    const result = trackOk({ events: [event({ external_id: '' }), event({ external_id: 'u2' })] });
    expect(result.events.map((e) => e.index)).toEqual([1]);
    expect(result.errors.map((e) => e.index)).toEqual([0]);
  });
});

describe('_update_existing_only', () => {
  it('defaults to false for external_id', () => {
    expect(attr({ external_id: 'u1' }).input?.updateExistingOnly).toBe(false);
  });

  it('defaults to true for user_alias', () => {
    expect(attr({ user_alias: alias }).input?.updateExistingOnly).toBe(true);
  });

  it('defaults to true for braze_id', () => {
    expect(attr({ braze_id: 'b1' }).input?.updateExistingOnly).toBe(true);
  });

  it('defaults to false for email', () => {
    expect(attr({ email: 'a@example.com' }).input?.updateExistingOnly).toBe(false);
  });

  it('defaults to false for phone', () => {
    expect(attr({ phone: '+1555' }).input?.updateExistingOnly).toBe(false);
  });

  it('honours an explicit false on an alias object so an alias-only user can be created', () => {
    const input = attr({ user_alias: alias, _update_existing_only: false }).input;
    expect(input?.updateExistingOnly).toBe(false);
  });

  it('honours an explicit true on an external_id object', () => {
    expect(attr({ external_id: 'u1', _update_existing_only: true }).input?.updateExistingOnly).toBe(
      true,
    );
  });

  it('defaults to true for an alias event', () => {
    const { input } = oneEvent(event({ external_id: undefined, user_alias: alias }));
    expect(input?.updateExistingOnly).toBe(true);
  });

  it('honours an explicit false on an alias purchase', () => {
    const { input } = onePurchase(
      purchase({ external_id: undefined, user_alias: alias, _update_existing_only: false }),
    );
    expect(input?.updateExistingOnly).toBe(false);
  });

  it('rejects a non-boolean value', () => {
    expect(attr({ external_id: 'u1', _update_existing_only: 'true' }).errors[0]).toMatchObject({
      type: 'invalid_field',
      message: '_update_existing_only must be a boolean',
    });
  });

  it('is not stored as a custom attribute', () => {
    expect(attr({ external_id: 'u1', _update_existing_only: true }).input?.custom).toEqual([]);
  });
});
