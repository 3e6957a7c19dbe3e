import { Context, Drop, type Liquid, toValueSync } from 'liquidjs';
import { describe, expect, it } from 'vitest';
import type { Json } from '../../../src/ingestion/types';
import { compile } from '../../../src/personalization/compile-cache';
import {
  engine,
  LimitedEmitter,
  MAX_FIELD_OUTPUT_BYTES,
} from '../../../src/personalization/engine';
import { compileFast } from '../../../src/personalization/fast-render';
import { renderFields } from '../../../src/personalization/render';
import { buildScope, type Recipient } from '../../../src/personalization/scope';
import { NOW } from './fixtures';

/**
 * The render fast path (fast-render.ts) against liquidjs: for every template the fast path takes
 * and every scope, its output is byte-identical to liquidjs's, or it declines and liquidjs
 * renders.
 */

/** liquidjs's render of one field, as render.ts does it when there is no fast path. */
function liquidRender(liquid: Liquid, source: string, scope: Record<string, unknown>): string {
  const ctx = new Context({ ...scope }, liquid.options, { sync: true }, { liquid });
  const emitter = new LimitedEmitter();
  toValueSync(liquid.renderer.renderTemplates(compile(liquid, source), ctx, emitter));
  return emitter.buffer;
}

const FAST_TEMPLATES = [
  'Hi {{${first_name}}}!',
  '{{${first_name}}} {{${last_name}}}',
  '{{custom_attribute.${plan}}}',
  '{{ custom_attribute.${plan} | upcase }}',
  '{{custom_attribute.${plan} | downcase}}',
  '{{custom_attribute.${plan} | downcase | upcase}}',
  "Hi {{${first_name} | default: 'there'}}",
  "{{${first_name} | default: ''}}",
  '{{custom_attribute.${score} | default: 0}}',
  '{{custom_attribute.${score} | default: -1.5}}',
  '{{custom_attribute.${score} | default: "n/a" | upcase}}',
  "{{custom_attribute.${plan} | upcase | default: 'none'}}",
  '{{custom_attribute.${nested.deep}}}',
  '{{custom_attribute.${nested.deep.deeper}}}',
  '{{custom_attribute.${favorite color}}}',
  '{{custom_attribute.${missing}}}{{custom_attribute.${missing.x}}}',
  '{{event_properties.${x}}}|{{api_trigger_properties.${x}}}',
  '{{campaign.${dispatch_id}}} {{campaign.${api_id}}}',
  '{{custom_attribute.constructor}}{{constructor}}{{custom_attribute.__proto__}}',
  'a  {{- ${first_name} -}}  b',
  'a {{-custom_attribute.${plan}}} \n b',
  '\n\t{{ ${first_name} -}}\n\n{{- ${last_name} }}\n',
  'Olá {{${first_name}}} — ✓ 😀 <b>"{{custom_attribute.${plan}}}"</b>',
  '{"user":"{{${user_id}}}","greeting":"Hi {{${first_name} | default: \'there\'}}",' +
    '"city":"{{${city}}}","plan":"{{custom_attribute.${plan} | upcase}}",' +
    '"score":{{custom_attribute.${score} | default: 0}},"dispatch":"{{campaign.${dispatch_id}}}"}',
];

/** Templates the fast path must leave to liquidjs. */
const SLOW_TEMPLATES = [
  '{% if ${first_name} %}x{% endif %}',
  '{{ "literal" }}',
  '{{ 3 }}',
  '{{ custom_attribute.${plan} | append: "x" }}',
  '{{ custom_attribute.${plan} | default: custom_attribute.${score} }}',
  '{{ custom_attribute.${plan} | default: nil }}',
  "{{ custom_attribute.${plan} | default: 'x', allow_false: true }}",
  '{{ custom_attribute.${tags}.size }}',
  '{{ custom_attribute.${tags}.first }}',
  '{{ custom_attribute.${tags}[0] }}',
  '{{ custom_attribute[${first_name}] }}',
  '{{ ${first_name} == "a" }}',
  '{% assign a = 1 %}{{a}}',
  '{% raw %}{{${first_name}}}{% endraw %}',
];

class NameDrop extends Drop {
  override valueOf(): string {
    return 'from a drop';
  }
}

const VALUES: [string, unknown][] = [
  ['plain string', 'Ana'],
  ['HTML and quotes', `<b class="x">Tom & 'Jerry'</b>`],
  ['unicode', 'Zoë 😀 中文 \u0000 \u2028'],
  ['empty string', ''],
  ['blank string', '   '],
  ['Liquid-looking string', '{{ not rendered }} {% if %}'],
  ['zero', 0],
  ['negative zero', -0],
  ['integer', 42],
  ['negative', -17],
  ['float', 1.5],
  ['float sum', 0.1 + 0.2],
  ['negative float', -3.25],
  ['large', 2 ** 60],
  ['huge', 1e21],
  ['tiny', 1e-7],
  ['not a number', Number.NaN],
  ['infinity', Number.POSITIVE_INFINITY],
  ['true', true],
  ['false', false],
  ['null', null],
  ['missing', undefined],
  ['array', ['a', 1, null]],
  ['empty array', []],
  ['hash', { a: 1, b: 'two' }],
  ['empty hash', {}],
  ['time', { __time: '2024-03-10T15:04:05.000Z' }],
  ['drop', new NameDrop()],
];

function scopeWith(value: unknown): Record<string, unknown> {
  const custom: Recipient['custom'] = {};
  const set = (key: string, v: unknown) => {
    if (v === undefined) return;
    const time = v !== null && typeof v === 'object' && '__time' in v;
    custom[key] = time
      ? { type: 'time', value: (v as { __time: string }).__time }
      : { type: 'string', value: v as Json };
  };
  set('plan', value);
  set('score', value);
  set('favorite color', value);
  custom.nested = { type: 'object', value: { deep: value as Json } };
  const recipient: Recipient = {
    brazeId: 'b1',
    externalId: 'u-1',
    standard: {
      first_name: value as Json,
      last_name: value as Json,
      home_city: value as Json,
    },
    custom,
    subscriptionGroups: {},
    randomBucket: 7,
    lastUsedAppAt: null,
  };
  return buildScope(recipient, {
    campaign: { api_id: 'c-1', dispatch_id: 'd-1' },
    event_properties: value === undefined ? {} : { x: value as Json },
    api_trigger_properties: value === undefined ? {} : { x: value as Json },
  });
}

describe('the render fast path', () => {
  it('takes every template made of text and plain outputs', () => {
    for (const source of FAST_TEMPLATES) {
      expect(compileFast(engine(), compile(engine(), source)), source).not.toBeNull();
    }
  });

  it('leaves tags, literals, operators, other filters and special keys to liquidjs', () => {
    for (const source of SLOW_TEMPLATES) {
      expect(compileFast(engine(), compile(engine(), source)), source).toBeNull();
    }
  });

  it('renders byte-identically to liquidjs over many templates and values, or declines', () => {
    let fast = 0;
    let declined = 0;
    for (const source of FAST_TEMPLATES) {
      const program = compileFast(engine(), compile(engine(), source))!;
      for (const [name, value] of VALUES) {
        const scope = scopeWith(value);
        const expected = liquidRender(engine(), source, scope);
        const output = program(scope);
        if (output === undefined) declined++;
        else {
          fast++;
          expect(output, `${source} with ${name}`).toBe(expected);
        }
      }
    }
    expect(fast).toBeGreaterThan(FAST_TEMPLATES.length * 15);
    expect(declined).toBeGreaterThan(0);
  });

  it('declines arrays, hashes, times and drops', () => {
    const program = compileFast(engine(), compile(engine(), '{{custom_attribute.${plan}}}'))!;
    for (const name of ['array', 'empty array', 'hash', 'empty hash', 'time', 'drop']) {
      const value = VALUES.find(([n]) => n === name)![1];
      expect(program(scopeWith(value)), name).toBeUndefined();
    }
  });

  it('declines a lookup through something that is not a plain hash', () => {
    const program = compileFast(
      engine(),
      compile(engine(), '{{custom_attribute.${plan.length}}}'),
    )!;
    // liquidjs reads a string's own `length`: not a plain read of data, so left to it.
    expect(liquidRender(engine(), '{{custom_attribute.${plan.length}}}', scopeWith('abc'))).toBe(
      '3',
    );
    expect(program(scopeWith('abc'))).toBeUndefined();
    expect(program(scopeWith(['a']))).toBeUndefined();
  });

  it('declines an output past the field limit, which liquidjs fails', () => {
    const big = 'é'.repeat(MAX_FIELD_OUTPUT_BYTES / 2 + 1);
    const program = compileFast(engine(), compile(engine(), '{{${first_name}}}'))!;
    expect(program(scopeWith(big))).toBeUndefined();
    expect(program(scopeWith('é'.repeat(1000)))).toBe('é'.repeat(1000));
  });

  it('gives renderFields the same fields as liquidjs for every template and value', async () => {
    for (const source of [...FAST_TEMPLATES, ...SLOW_TEMPLATES.slice(0, 4)]) {
      for (const [name, value] of VALUES) {
        const scope = scopeWith(value);
        const outcome = await renderFields({ fields: { body: source }, scope, now: NOW });
        expect(outcome.fields.body, `${source} with ${name}`).toEqual({
          ok: true,
          output: liquidRender(engine(), source, scope),
        });
      }
    }
  });

  it('fails an oversized field with the engine message on the fast-path template', async () => {
    const big = 'x'.repeat(MAX_FIELD_OUTPUT_BYTES + 1);
    const outcome = await renderFields({
      fields: { body: '{{${first_name}}}' },
      scope: scopeWith(big),
      now: NOW,
    });
    expect(outcome.fields.body).toEqual({
      ok: false,
      error: expect.stringMatching(/larger than 1048576 bytes/),
    });
  });
});
