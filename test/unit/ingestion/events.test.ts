import { describe, expect, it } from 'vitest';
import { event, NOW, oneEvent, trackOk } from './helpers';

function props(properties: unknown) {
  return oneEvent(event({ properties }));
}

describe('event objects', () => {
  it('normalises a valid event', () => {
    const { input, errors } = oneEvent(
      event({ app_id: 'app-1', properties: { movie: 'The Sad Egg' } }),
    );
    expect(errors).toEqual([]);
    expect(input).toEqual({
      index: 0,
      identifier: { kind: 'external_id', value: 'u1' },
      updateExistingOnly: false,
      name: 'played',
      time: Date.parse('2024-05-01T10:00:00Z'),
      appId: 'app-1',
      properties: { movie: 'The Sad Egg' },
    });
  });

  it('defaults appId to null and properties to an empty object', () => {
    const { input } = oneEvent(event());
    expect([input?.appId, input?.properties]).toEqual([null, {}]);
  });

  it('rejects a non-string app_id', () => {
    expect(oneEvent(event({ app_id: 7 })).errors[0]).toMatchObject({
      type: 'invalid_field',
      message: 'app_id must be a string',
    });
  });

  it('rejects a missing name', () => {
    expect(oneEvent(event({ name: undefined })).errors[0]).toMatchObject({
      type: 'invalid_field',
      message: 'name must be a non-empty string',
    });
  });

  it('rejects an empty name', () => {
    expect(oneEvent(event({ name: '' })).errors[0]?.message).toBe(
      'name must be a non-empty string',
    );
  });

  it('accepts a 255-character name', () => {
    expect(oneEvent(event({ name: 'n'.repeat(255) })).input?.name).toHaveLength(255);
  });

  it('rejects a 256-character name', () => {
    expect(oneEvent(event({ name: 'n'.repeat(256) })).errors[0]).toMatchObject({
      type: 'string_too_long',
      message: 'name must be at most 255 characters',
    });
  });

  it('keeps duplicate events as distinct objects', () => {
    const result = trackOk({ events: [event(), event()] });
    expect(result.events.map((e) => e.index)).toEqual([0, 1]);
  });
});

describe('event time', () => {
  it('converts an offset time to epoch milliseconds', () => {
    const { input } = oneEvent(event({ time: '2013-07-16T19:20:45+01:00' }));
    expect(input?.time).toBe(Date.parse('2013-07-16T18:20:45Z'));
  });

  it("accepts yyyy-MM-dd'T'HH:mm:ss:SSSZ", () => {
    const { input } = oneEvent(event({ time: '2020-05-28T10:00:00:123Z' }));
    expect(input?.time).toBe(Date.parse('2020-05-28T10:00:00.123Z'));
  });

  it('clamps a future time to now', () => {
    expect(oneEvent(event({ time: '2999-01-01T00:00:00Z' })).input?.time).toBe(NOW);
  });

  it('keeps a time exactly at now', () => {
    expect(oneEvent(event({ time: new Date(NOW).toISOString() })).input?.time).toBe(NOW);
  });

  it('rejects a missing time', () => {
    expect(oneEvent(event({ time: undefined })).errors[0]).toMatchObject({
      type: 'invalid_time',
      message: 'time is required',
    });
  });

  it('rejects a numeric time', () => {
    expect(oneEvent(event({ time: 1700000000 })).errors[0]?.message).toBe(
      'time must be an ISO 8601 string',
    );
  });

  it('rejects an unparseable time, quoting it', () => {
    expect(oneEvent(event({ time: 'last tuesday' })).errors[0]).toMatchObject({
      type: 'invalid_time',
      message: 'time is not a recognised date format: last tuesday',
    });
  });
});

describe('event properties', () => {
  it('keeps numbers, booleans, strings, null, arrays and objects', () => {
    const properties = {
      n: 1.5,
      b: true,
      s: 'x',
      z: null,
      a: [1, 'two', false],
      o: { studio: 'FilmStudio', cast: [{ name: 'Actor1' }] },
    };
    expect(props(properties).input?.properties).toEqual(properties);
  });

  it('keeps a datetime string as a value', () => {
    expect(props({ at: '2020-01-01T00:00:00Z' }).input?.properties).toEqual({
      at: '2020-01-01T00:00:00Z',
    });
  });

  it('treats null properties as empty', () => {
    expect(props(null).input?.properties).toEqual({});
  });

  it('rejects properties that are an array', () => {
    expect(props([1]).errors[0]).toMatchObject({
      type: 'invalid_field',
      message: 'properties must be an object',
    });
  });

  it('rejects an empty property name', () => {
    expect(props({ '': 1 }).errors[0]).toMatchObject({
      type: 'invalid_property',
      message: 'Property names must not be empty',
    });
  });

  it('rejects a property name starting with $', () => {
    expect(props({ $price: 1 }).errors[0]?.message).toBe(
      'Property name $price must not start with $',
    );
  });

  it.each(['time', 'event_name'])('rejects the reserved property name %s', (name) => {
    expect(props({ [name]: 1 }).errors[0]).toMatchObject({
      type: 'invalid_property',
      message: `Property name ${name} is reserved`,
    });
  });

  it('accepts a 255-character property name', () => {
    expect(props({ ['p'.repeat(255)]: 1 }).errors).toEqual([]);
  });

  it('rejects a 256-character property name', () => {
    expect(props({ ['p'.repeat(256)]: 1 }).errors[0]?.type).toBe('invalid_property');
  });

  it('rejects a string value longer than 255 characters, naming the property', () => {
    expect(props({ review: 'r'.repeat(256) }).errors[0]).toMatchObject({
      type: 'string_too_long',
      message: 'Property review must be at most 255 characters',
    });
  });

  it('rejects a long string nested inside an object', () => {
    expect(props({ o: { deep: 'r'.repeat(256) } }).errors[0]?.message).toBe(
      'Property o.deep must be at most 255 characters',
    );
  });

  it('rejects a datetime inside an array', () => {
    expect(props({ dates: ['a', '2020-01-01T00:00:00Z'] }).errors[0]).toMatchObject({
      type: 'invalid_property',
      message: 'Property dates[1] is a date, which arrays may not contain',
    });
  });

  it('allows a datetime inside an object that sits in an array', () => {
    expect(props({ shows: [{ at: '2020-01-01T00:00:00Z' }] }).errors).toEqual([]);
  });

  it('keeps the first 256 properties and drops the rest silently', () => {
    const properties: Record<string, number> = {};
    for (let i = 0; i < 300; i++) properties[`p${i}`] = i;
    const { input, errors } = props(properties);
    expect(errors).toEqual([]);
    expect(Object.keys(input?.properties ?? {})).toEqual(
      Array.from({ length: 256 }, (_, i) => `p${i}`),
    );
  });

  it('does not validate properties beyond the first 256', () => {
    const properties: Record<string, unknown> = {};
    for (let i = 0; i < 256; i++) properties[`p${i}`] = i;
    properties.$dropped = 'r'.repeat(1000);
    expect(props(properties).errors).toEqual([]);
  });

  it('accepts nested properties up to 100 KB', () => {
    const list = Array.from({ length: 390 }, () => 'x'.repeat(250));
    expect(props({ list }).errors).toEqual([]);
  });

  it('rejects nested properties over 100 KB', () => {
    const list = Array.from({ length: 420 }, () => 'x'.repeat(250));
    expect(props({ list }).errors[0]).toMatchObject({
      type: 'properties_too_large',
      message: 'properties must be at most 100 KB when they contain arrays or objects',
    });
  });

  it('does not apply the size cap to flat properties', () => {
    const properties: Record<string, string> = {};
    for (let i = 0; i < 256; i++) properties[`p${i}`] = 'x'.repeat(255);
    expect(props(properties).errors).toEqual([]);
  });
});
