import { describe, expect, it } from 'vitest';
import { attr, attrError, attrOk } from './helpers';

function custom(fields: Record<string, unknown>) {
  return attrOk(fields).custom;
}

describe('custom attribute names', () => {
  it('rejects an empty name', () => {
    expect(attrError({ '': 1 })).toMatchObject({
      type: 'invalid_attribute_name',
      message: 'Custom attribute names must not be empty',
    });
  });

  it('rejects a name starting with $', () => {
    expect(attrError({ $score: 1 }).message).toBe(
      'Custom attribute name $score must not start with $',
    );
  });

  it('accepts a 255-character name', () => {
    expect(custom({ ['k'.repeat(255)]: 1 })).toHaveLength(1);
  });

  it('rejects a 256-character name', () => {
    expect(attrError({ ['k'.repeat(256)]: 1 }).type).toBe('invalid_attribute_name');
  });

  it('accepts a name with spaces and dots at the top level', () => {
    expect(custom({ 'favourite team.name': 'x' })[0]).toMatchObject({ key: 'favourite team.name' });
  });
});

describe('scalar custom attributes', () => {
  it('sets a string', () => {
    expect(custom({ nickname: 'JJ' })).toEqual([
      { op: 'set', key: 'nickname', type: 'string', value: 'JJ' },
    ]);
  });

  it('keeps leading and trailing spaces in a string', () => {
    expect(custom({ nickname: ' JJ ' })[0]).toMatchObject({ value: ' JJ ' });
  });

  it('accepts a 255-character string', () => {
    expect(custom({ bio: 'b'.repeat(255) })[0]).toMatchObject({ type: 'string' });
  });

  it('rejects a 256-character string, naming the key', () => {
    expect(attrError({ bio: 'b'.repeat(256) })).toMatchObject({
      type: 'string_too_long',
      message: 'bio must be at most 255 characters',
    });
  });

  it('sets an integer', () => {
    expect(custom({ score: 12 })).toEqual([{ op: 'set', key: 'score', type: 'number', value: 12 }]);
  });

  it('sets a float', () => {
    expect(custom({ ratio: 0.25 })[0]).toMatchObject({ type: 'number', value: 0.25 });
  });

  it('rejects a non-finite number', () => {
    expect(attrError({ ratio: Number.POSITIVE_INFINITY }).type).toBe('invalid_attribute_value');
  });

  it('sets a boolean', () => {
    expect(custom({ vip: false })).toEqual([
      { op: 'set', key: 'vip', type: 'boolean', value: false },
    ]);
  });

  it('unsets an attribute with null', () => {
    expect(custom({ vip: null })).toEqual([{ op: 'unset', key: 'vip' }]);
  });

  it('keeps the order in which attributes were sent', () => {
    expect(custom({ b: 1, a: 2, c: 3 }).map((op) => op.key)).toEqual(['b', 'a', 'c']);
  });
});

describe('date custom attributes', () => {
  it('converts an ISO datetime string to a time', () => {
    expect(custom({ signup: '2020-05-28T10:00:00+02:00' })).toEqual([
      { op: 'set', key: 'signup', type: 'time', value: '2020-05-28T08:00:00.000Z' },
    ]);
  });

  it('converts a date-looking string like 12/1/2021 to a time', () => {
    expect(custom({ renewal: '12/1/2021' })[0]).toMatchObject({
      type: 'time',
      value: '2021-12-01T00:00:00.000Z',
    });
  });

  it('converts 12-1-2021 to a time', () => {
    expect(custom({ renewal: '12-1-2021' })[0]).toMatchObject({ type: 'time' });
  });

  it('keeps a numeric string as a string', () => {
    expect(custom({ zip: '10001' })[0]).toMatchObject({ type: 'string', value: '10001' });
  });

  it('keeps a date after year 3000 as a string', () => {
    expect(custom({ far: '3001-01-01' })[0]).toMatchObject({ type: 'string', value: '3001-01-01' });
  });

  it('keeps a date with a negative year as a string', () => {
    expect(custom({ ancient: '-000100-01-01' })[0]).toMatchObject({ type: 'string' });
  });

  it('converts a date in year 3000 to a time', () => {
    expect(custom({ far: '3000-12-31' })[0]).toMatchObject({ type: 'time' });
  });

  it('converts a top-level $time wrapper to a time', () => {
    expect(custom({ renewal: { $time: '2021-12-01' } })).toEqual([
      { op: 'set', key: 'renewal', type: 'time', value: '2021-12-01T00:00:00.000Z' },
    ]);
  });
});

describe('inc', () => {
  it('increments by a positive integer', () => {
    expect(custom({ logins: { inc: 3 } })).toEqual([{ op: 'inc', key: 'logins', by: 3 }]);
  });

  it('decrements by a negative integer', () => {
    expect(custom({ credits: { inc: -2 } })).toEqual([{ op: 'inc', key: 'credits', by: -2 }]);
  });

  it('rejects a fractional increment', () => {
    expect(attrError({ logins: { inc: 1.5 } })).toMatchObject({
      type: 'invalid_attribute_value',
      message: 'logins.inc must be an integer',
    });
  });

  it('rejects a string increment', () => {
    expect(attrError({ logins: { inc: '1' } }).message).toBe('logins.inc must be an integer');
  });
});

describe('scalar arrays', () => {
  it('sets a whole array', () => {
    expect(custom({ tags: ['a', 'b'] })).toEqual([
      { op: 'set', key: 'tags', type: 'array', value: ['a', 'b'] },
    ]);
  });

  it('removes duplicates keeping the first occurrence order', () => {
    expect(custom({ food: ['hotdog', 'hotdog', 'pizza', 'hotdog'] })[0]).toMatchObject({
      value: ['hotdog', 'pizza'],
    });
  });

  it('treats a number and its string form as different values', () => {
    expect(custom({ mixed: [1, '1', 1, true] })[0]).toMatchObject({ value: [1, '1', true] });
  });

  it('sets an empty array', () => {
    expect(custom({ tags: [] })[0]).toMatchObject({ type: 'array', value: [] });
  });

  it('keeps date-looking strings in an array as strings', () => {
    expect(custom({ days: ['2020-01-01'] })[0]).toMatchObject({ value: ['2020-01-01'] });
  });

  it('rejects an array value longer than 255 characters', () => {
    expect(attrError({ tags: ['x'.repeat(256)] })).toMatchObject({
      type: 'string_too_long',
      message: 'tags values must be at most 255 characters',
    });
  });

  it('rejects an array mixing scalars and objects', () => {
    expect(attrError({ tags: ['a', { b: 1 }] })).toMatchObject({
      type: 'invalid_attribute_value',
      message: 'tags must hold only strings, numbers and booleans, or only objects',
    });
  });

  it('rejects an array holding null', () => {
    expect(attrError({ tags: ['a', null] }).type).toBe('invalid_attribute_value');
  });

  it('rejects nested arrays', () => {
    expect(attrError({ tags: [['a']] }).type).toBe('invalid_attribute_value');
  });
});

describe('add and remove', () => {
  it('adds and removes values in one operation', () => {
    expect(custom({ films: { add: ['a'], remove: ['b'] } })).toEqual([
      { op: 'array', key: 'films', add: ['a'], remove: ['b'] },
    ]);
  });

  it('accepts add alone', () => {
    expect(custom({ films: { add: ['a', 2] } })).toEqual([
      { op: 'array', key: 'films', add: ['a', 2], remove: [] },
    ]);
  });

  it('accepts remove alone', () => {
    expect(custom({ films: { remove: [true] } })).toEqual([
      { op: 'array', key: 'films', add: [], remove: [true] },
    ]);
  });

  it('rejects add that is not an array', () => {
    expect(attrError({ films: { add: 'a' } }).message).toBe('films.add must be an array');
  });

  it('rejects objects inside add', () => {
    expect(attrError({ films: { add: [{ id: 1 }] } }).type).toBe('invalid_attribute_value');
  });

  it('rejects a removed value longer than 255 characters', () => {
    expect(attrError({ films: { remove: ['y'.repeat(256)] } }).type).toBe('string_too_long');
  });
});

describe('nested objects', () => {
  const song = { name: 'Solo', plays: 3, album: { year: 1960, tags: ['a', 1] }, live: null };

  it('sets a nested object', () => {
    expect(custom({ song })).toEqual([{ op: 'set', key: 'song', type: 'object', value: song }]);
  });

  it('merges a nested object when _merge_objects is true', () => {
    expect(custom({ _merge_objects: true, song: { year: 1960 } })).toEqual([
      { op: 'merge_object', key: 'song', value: { year: 1960 } },
    ]);
  });

  it('replaces a nested object when _merge_objects is false', () => {
    expect(custom({ _merge_objects: false, song: { year: 1960 } })[0]).toMatchObject({
      op: 'set',
      type: 'object',
    });
  });

  it('rejects a non-boolean _merge_objects', () => {
    expect(attrError({ _merge_objects: 'yes', song: {} }).message).toBe(
      '_merge_objects must be a boolean',
    );
  });

  it('converts a $time wrapper inside a nested object to ISO UTC', () => {
    expect(custom({ song: { released: { $time: '1960-05-28T10:00:00+01:00' } } })[0]).toMatchObject(
      {
        value: { released: { $time: '1960-05-28T09:00:00.000Z' } },
      },
    );
  });

  it('keeps an unwrapped date string inside a nested object as a string', () => {
    expect(custom({ song: { released: '1960-05-28' } })[0]).toMatchObject({
      value: { released: '1960-05-28' },
    });
  });

  it('accepts a nested object of exactly 100 KB', () => {
    const filler = 'f'.repeat(255);
    const value: Record<string, string> = {};
    let i = 0;
    // Grow towards 100 KB, then pad the last key so JSON.stringify is exactly 102,400 bytes.
    while (JSON.stringify(value).length < 102_400 - 400) value[`k${i++}`] = filler;
    const gap = 102_400 - JSON.stringify({ ...value, pad: '' }).length;
    value.pad = 'p'.repeat(gap);
    expect(JSON.stringify(value).length).toBe(102_400);
    expect(custom({ blob: value })[0]).toMatchObject({ type: 'object' });
  });
});

describe('invalid nested attributes', () => {
  function dropped(fields: Record<string, unknown>) {
    const { input, errors } = attr({ external_id: 'u1', first_name: 'Jon', keep: 1, ...fields });
    return { input, errors };
  }

  it('drops the attribute and records a non-fatal error for a null $time', () => {
    const { input, errors } = dropped({ song: { released: { $time: null } } });
    expect(input?.custom).toEqual([{ op: 'set', key: 'keep', type: 'number', value: 1 }]);
    expect(errors).toEqual([
      {
        type: 'invalid_nested_attribute',
        input_array: 'attributes',
        index: 0,
        message: 'song was not updated: song.released.$time must be a date string',
      },
    ]);
  });

  it('still applies the standard fields of the object', () => {
    const { input } = dropped({ song: { released: { $time: 'soon' } } });
    expect(input?.standard).toEqual({ first_name: 'Jon' });
  });

  it('drops the attribute for an unparseable $time', () => {
    const { errors } = dropped({ song: { released: { $time: 'soon' } } });
    expect(errors[0]?.message).toBe(
      'song was not updated: song.released.$time is not a recognised date',
    );
  });

  it('drops the attribute for a nested date after year 3000', () => {
    const { errors } = dropped({ song: { released: { $time: '3001-01-01' } } });
    expect(errors[0]?.message).toBe(
      'song was not updated: song.released.$time must have a year from 0 to 3000',
    );
  });

  it('drops the attribute for a top-level $time that is unparseable', () => {
    const { input, errors } = dropped({ renewal: { $time: 'never' } });
    expect(input?.custom.map((op) => op.key)).toEqual(['keep']);
    expect(errors[0]?.type).toBe('invalid_nested_attribute');
  });

  it.each([
    ['a space', 'play count'],
    ['a dot', 'play.count'],
    ['a dollar sign', 'play$count'],
    ['a leading dollar sign', '$count'],
    ['nothing', ''],
  ])('drops the attribute for a nested key containing %s', (_label, key) => {
    const { input, errors } = dropped({ song: { [key]: 1 } });
    expect(input?.custom.map((op) => op.key)).toEqual(['keep']);
    expect(errors[0]?.type).toBe('invalid_nested_attribute');
  });

  it('drops the attribute for a nested key longer than 255 characters', () => {
    const { errors } = dropped({ song: { ['k'.repeat(256)]: 1 } });
    expect(errors[0]?.type).toBe('invalid_nested_attribute');
  });

  it('drops the attribute for a nested string longer than 255 characters', () => {
    const { errors } = dropped({ song: { lyrics: 'l'.repeat(256) } });
    expect(errors[0]?.message).toBe(
      'song was not updated: song.lyrics must be at most 255 characters',
    );
  });

  it('drops a nested object larger than 100 KB', () => {
    const value: Record<string, string> = {};
    for (let i = 0; i < 450; i++) value[`k${i}`] = 'v'.repeat(250);
    const { errors } = dropped({ blob: value });
    expect(errors[0]?.message).toBe('blob was not updated: blob must be at most 100 KB');
  });

  it('reports one error per dropped attribute', () => {
    const { errors } = dropped({ a: { 'x y': 1 }, b: { c: { $time: null } } });
    expect(errors.map((e) => e.message.split(' ')[0])).toEqual(['a', 'b']);
  });
});

describe('arrays of objects', () => {
  const pets = [
    { id: 1, type: 'dog', born: { $time: '2020-01-01' } },
    { id: 2, type: 'cat' },
  ];

  it('sets a whole array of objects', () => {
    expect(custom({ pets })).toEqual([
      {
        op: 'set',
        key: 'pets',
        type: 'object_array',
        value: [
          { id: 1, type: 'dog', born: { $time: '2020-01-01T00:00:00.000Z' } },
          { id: 2, type: 'cat' },
        ],
      },
    ]);
  });

  it('drops an array of objects larger than 100 KB', () => {
    const big = Array.from({ length: 450 }, (_, i) => ({ id: i, note: 'n'.repeat(250) }));
    const { input, errors } = attr({ external_id: 'u1', pets: big });
    expect(input?.custom).toEqual([]);
    expect(errors[0]?.type).toBe('invalid_nested_attribute');
  });

  it('drops an array of objects with an invalid key in one item', () => {
    const { errors } = attr({ external_id: 'u1', pets: [{ id: 1 }, { 'pet name': 'x' }] });
    expect(errors[0]?.message).toMatch(/^pets was not updated: pets\[1\] has key pet name/);
  });

  it('parses $add, $update and $remove together', () => {
    const ops = custom({
      _merge_objects: true,
      pets: {
        $add: [{ id: 3, type: 'dog', name: 'Doug' }],
        $update: [
          { $identifier_key: 'id', $identifier_value: 4, $new_object: { breed: 'goldfish' } },
        ],
        $remove: [{ $identifier_key: 'type', $identifier_value: 'dog' }],
      },
    });
    expect(ops).toEqual([
      {
        op: 'object_array',
        key: 'pets',
        remove: [{ idKey: 'type', idValue: 'dog' }],
        update: [{ idKey: 'id', idValue: 4, patch: { breed: 'goldfish' } }],
        add: [{ id: 3, type: 'dog', name: 'Doug' }],
        merge: true,
      },
    ]);
  });

  it('marks $update as a replace when _merge_objects is absent', () => {
    const ops = custom({
      pets: { $update: [{ $identifier_key: 'id', $identifier_value: 4, $new_object: { a: 1 } }] },
    });
    expect(ops[0]).toMatchObject({ op: 'object_array', merge: false });
  });

  it('converts $time inside $add items', () => {
    const ops = custom({ pets: { $add: [{ born: { $time: '2021-02-03' } }] } });
    expect(ops[0]).toMatchObject({ add: [{ born: { $time: '2021-02-03T00:00:00.000Z' } }] });
  });

  it('drops the operation when a $remove item has no $identifier_key', () => {
    const { errors } = attr({ external_id: 'u1', pets: { $remove: [{ $identifier_value: 1 }] } });
    expect(errors[0]).toMatchObject({
      type: 'invalid_nested_attribute',
      message: 'pets was not updated: pets.$remove[0].$identifier_key must be a non-empty string',
    });
  });

  it('drops the operation when a $remove item has no $identifier_value', () => {
    const { errors } = attr({ external_id: 'u1', pets: { $remove: [{ $identifier_key: 'id' }] } });
    expect(errors[0]?.message).toBe(
      'pets was not updated: pets.$remove[0].$identifier_value is missing',
    );
  });

  it('drops the operation when an $update item has no $new_object', () => {
    const pets = { $update: [{ $identifier_key: 'id', $identifier_value: 1 }] };
    const { errors } = attr({ external_id: 'u1', pets });
    expect(errors[0]?.message).toBe('pets was not updated: pets.$update[0].$new_object is missing');
  });

  it('drops the whole operation when one $add item has a bad $time', () => {
    const pets = { $add: [{ id: 1 }, { born: { $time: null } }], $remove: [] };
    const { input, errors } = attr({ external_id: 'u1', pets });
    expect(input?.custom).toEqual([]);
    expect(errors).toHaveLength(1);
  });

  it('drops the operation when $add is not an array', () => {
    const { errors } = attr({ external_id: 'u1', pets: { $add: { id: 1 } } });
    expect(errors[0]?.message).toBe('pets was not updated: pets.$add must be an array');
  });

  it('drops the operation when an $add item is not an object', () => {
    const { errors } = attr({ external_id: 'u1', pets: { $add: ['dog'] } });
    expect(errors[0]?.message).toBe('pets was not updated: pets.$add items must be objects');
  });
});
