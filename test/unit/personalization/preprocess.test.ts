import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { preprocess, rewriteReferences } from '../../../src/personalization/preprocess';

describe('preprocess', () => {
  it.each([
    ['{{${first_name}}}', '{{__braze["first_name"]}}'],
    ['{{ ${first_name} | default: "there" }}', '{{ __braze["first_name"] | default: "there" }}'],
    ['{{custom_attribute.${zip code}}}', '{{custom_attribute["zip code"]}}'],
    ['{{custom_attribute.${address.city}}}', '{{custom_attribute["address"]["city"]}}'],
    ['{{custom_attribute.${address}.city}}', '{{custom_attribute["address"].city}}'],
    ['{{subscribed_state.${7c1c-news}}}', '{{subscribed_state["7c1c-news"]}}'],
    ['{% if ${language} == "en" %}', '{% if __braze["language"] == "en" %}'],
  ])('rewrites the reference in %s', (source, expected) => {
    expect(preprocess(source)).toBe(expected);
  });

  it('drops redundant braces inside expression tags', () => {
    expect(preprocess('{% if {{custom_attribute.${x}}} == 1 %}')).toBe(
      '{% if custom_attribute["x"] == 1 %}',
    );
    expect(preprocess('{% assign v = {{custom_attribute.${x} | plus: 50}} %}')).toBe(
      '{% assign v = custom_attribute["x"] | plus: 50 %}',
    );
  });

  it('drops braces around a filter argument inside an output', () => {
    expect(preprocess('${{custom_attribute.${gift} | plus: {{balance}}}} left')).toBe(
      '${{custom_attribute["gift"] | plus: balance}} left',
    );
  });

  it('keeps braces in tags that render their own arguments', () => {
    const source = '{% message_extras :key {{key}} :value {{${first_name}}} %}';
    expect(preprocess(source)).toBe(
      '{% message_extras :key {{key}} :value {{__braze["first_name"]}} %}',
    );
  });

  it('turns a Content Block reference into the internal tag, keeping whitespace control', () => {
    expect(preprocess('{{content_blocks.${footer}}}')).toBe('{% content_blocks "footer" %}');
    expect(preprocess("{{ content_blocks.${footer} | id: 'f1' }}")).toBe(
      '{% content_blocks "footer" %}',
    );
    expect(preprocess('{{- content_blocks.${my block} -}}')).toBe(
      '{%- content_blocks "my block" -%}',
    );
  });

  it('leaves raw and comment blocks alone', () => {
    const source = '{% raw %}{{${first_name}}}{% endraw %}{% comment %}{{${x}}}{% endcomment %}';
    expect(preprocess(source)).toBe(source);
  });

  it('leaves references inside quoted strings and in plain text alone', () => {
    expect(preprocess("{{ '${first_name}' }} costs ${price}")).toBe(
      "{{ '${first_name}' }} costs ${price}",
    );
  });

  it('quotes a key holding a double quote with single quotes', () => {
    expect(rewriteReferences('custom_attribute.${say "hi"}')).toBe(`custom_attribute['say "hi"']`);
  });

  it('leaves an unclosed output for liquidjs to report', () => {
    expect(preprocess('Hi {{ ${first_name}')).toBe('Hi {{ ${first_name}');
  });
});

/** Characters that matter to the rewrite, so generated strings hit its branches often. */
const significant = fc.constantFrom(
  '{',
  '}',
  '%',
  '$',
  '-',
  "'",
  '"',
  ' ',
  '\n',
  '|',
  'a',
  'raw',
  'endraw',
  'comment',
  'if ',
  '.',
);

const noReference = (s: string) => !s.includes('${');

/** Text Liquid passes through: no braces, no `$`. */
const text = fc
  .string({ unit: fc.constantFrom('a', ' ', '\n', '%', '-', '.', 'é', '}') })
  .filter((s) => !s.startsWith('}') && !s.includes('}}') && !s.includes('%}'));
const expression = fc.string({
  unit: fc.constantFrom('x', ' ', '|', ':', "'", '"', '.', '-', '1'),
});
const piece = fc.oneof(
  text,
  expression.map((e) => `{{${e}}}`),
  fc
    .tuple(fc.constantFrom('if', 'assign', 'echo', 'unless', 'cycle', 'message_extras'), expression)
    .map(([name, args]) => `{% ${name} ${args} %}`),
);

describe('preprocess without Braze references', () => {
  it('leaves any string without ${ and {{ unchanged', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: significant }), fc.string({ unit: 'grapheme' })),
        (source) => {
          fc.pre(noReference(source) && !source.includes('{{'));
          expect(preprocess(source)).toBe(source);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('leaves templates of outputs, tags and text without ${ unchanged', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const source = pieces.join('');
        fc.pre(noReference(source));
        expect(preprocess(source)).toBe(source);
      }),
      { numRuns: 2000 },
    );
  });
});
