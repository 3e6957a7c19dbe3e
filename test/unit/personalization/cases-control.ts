import { API_ONLY, type ConformanceCase, janetWith } from './fixtures';

/**
 * Liquid's tags (contract §6.1), Braze's control tags `abort_message` and `message_extras`
 * (§6.4, Braze's aborting_messages.md and message_extras.md) and Content Blocks (§6.6).
 */

const tags: ConformanceCase[] = [
  {
    name: 'if, elsif and else',
    template:
      '{% if custom_attribute.${balance} > 100 %}gold{% elsif custom_attribute.${balance} > 10 %}silver{% else %}bronze{% endif %}',
    expected: 'silver',
  },
  {
    name: 'comparison without a space after the operator (Braze docs: total_spend)',
    template:
      '{% if {{custom_attribute.${total_spend}}} >0 %}Surprise!{% else %}Need a sign?{% endif %}',
    recipient: API_ONLY,
    expected: 'Need a sign?',
  },
  {
    name: 'and/or evaluate right to left, as Ruby Liquid does',
    template: '{% if false and false or true %}T{% else %}F{% endif %}',
    expected: 'F',
  },
  {
    name: 'string conditions with != blank and and (Braze docs: recent_game)',
    template:
      "{% if {{custom_attribute.${recent_game}}} == 'Awkward Dinner Party' %}dinner{% elsif {{custom_attribute.${recent_game}}} != blank and {{custom_attribute.${recent_game}}} != 'Proxy War 3: War of Thirst' %}Limited Time Deal!{% else %}Hey!{% endif %}",
    recipient: janetWith({ custom: { recent_game: 'Chess' } }),
    expected: 'Limited Time Deal!',
  },
  {
    name: 'contains on a string',
    template: "{% if ${email_address} contains '@example.com' %}internal{% endif %}",
    expected: 'internal',
  },
  {
    name: 'unless',
    template: '{% unless custom_attribute.${vip} %}regular{% else %}vip{% endunless %}',
    expected: 'vip',
  },
  {
    name: 'case with when lists',
    template:
      "{% case ${country} %}{% when 'CA', 'US' %}North America{% when 'FR' or 'DE' %}Europe{% else %}elsewhere{% endcase %}",
    expected: 'North America',
  },
  {
    name: 'for with limit, offset and forloop',
    template: '{% for i in (1..5) limit:2 offset:1 %}{{ forloop.index }}:{{ i }} {% endfor %}',
    expected: '1:2 2:3 ',
  },
  {
    name: 'for reversed',
    template: '{% for i in (1..3) reversed %}{{ i }}{% endfor %}',
    expected: '321',
  },
  {
    name: 'for with break and continue',
    template:
      '{% for i in (1..6) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 5 %}{% break %}{% endif %}{{ i }}{% endfor %}',
    expected: '134',
  },
  {
    name: 'for over an empty array runs else',
    template: '{% for b in custom_attribute.${never_set} %}{{ b }}{% else %}none{% endfor %}',
    expected: 'none',
  },
  {
    name: 'range with a variable bound',
    template: '{% assign n = 3 %}{% for i in (1..n) %}{{ i }}{% endfor %}',
    expected: '123',
  },
  {
    name: 'capture',
    template: '{% capture greeting %}Hi {{${first_name}}}{% endcapture %}{{ greeting | upcase }}',
    expected: 'HI JANET',
  },
  {
    name: 'echo with a reference and a filter',
    template: '{% echo ${first_name} | append: "!" %}',
    expected: 'Janet!',
  },
  {
    name: 'the liquid tag with a comment line',
    template: '{% liquid\n# set up\nassign n = custom_attribute.${balance}\necho n | plus: 1\n%}',
    expected: '26',
  },
  {
    name: 'increment and decrement share a counter',
    template: '{% increment c %}{% increment c %}{% decrement c %}',
    expected: '011',
  },
  {
    name: 'cycle',
    template: "{% for i in (1..3) %}{% cycle 'odd', 'even' %} {% endfor %}",
    expected: 'odd even odd ',
  },
  {
    name: 'whitespace control on tags',
    template: 'a {%- if true -%} b {%- endif -%} c',
    expected: 'abc',
  },
  {
    name: 'whitespace control across lines',
    template: 'Line one\n{%- assign x = 1 -%}\n  Line two',
    expected: 'Line oneLine two',
  },
  {
    name: 'whitespace control on outputs',
    template: 'Hi {{- ${first_name} -}} !',
    expected: 'HiJanet!',
  },
  {
    name: 'raw keeps Liquid and references as text',
    template: '{% raw %}{{ ${first_name} }} {% if %}{% endraw %}',
    expected: '{{ ${first_name} }} {% if %}',
  },
  {
    name: 'comment renders nothing',
    template: 'a{% comment %}{{${first_name}}} {% if x %}{% endcomment %}b',
    expected: 'ab',
  },
  { name: 'inline comment renders nothing', template: 'a{% # a note %}b', expected: 'ab' },
  { name: 'an unclosed tag fails', template: '{% if true %}x', expected: { error: /not closed/ } },
  {
    name: 'an unknown tag fails naming it',
    template: '{% frobnicate %}',
    expected: { error: /frobnicate/ },
  },
];

const aborts: ConformanceCase[] = [
  {
    name: 'abort_message() logs the default reason',
    template: '{% abort_message() %}',
    expected: { abort: '{% abort_message %} called' },
  },
  {
    name: 'abort_message without parentheses',
    template: '{% abort_message %}',
    expected: { abort: '{% abort_message %} called' },
  },
  {
    name: 'abort_message with a reason (Braze docs)',
    template: "{% abort_message('language was nil') %}",
    expected: { abort: 'language was nil' },
  },
  {
    name: 'abort_message with a double-quoted reason',
    template: '{% abort_message("not sent because the store is open") %}',
    expected: { abort: 'not sent because the store is open' },
  },
  {
    name: 'abort in the else of a language check (Braze docs)',
    template:
      "{% if ${language} == 'en' %}Send this message in English!{% else %}{% abort_message() %}{% endif %}",
    recipient: janetWith({ standard: { language: 'fr' } }),
    expected: { abort: '{% abort_message %} called' },
  },
  {
    name: 'the message sends when the abort branch is not taken (Braze docs)',
    template:
      "{% if ${language} == 'en' %}Send this message in English!{% else %}{% abort_message() %}{% endif %}",
    expected: 'Send this message in English!',
  },
  {
    name: 'abort with a space before the parentheses (Braze docs: time_zone)',
    template:
      "{% if {{${time_zone}}} =='America/Los_Angeles' %}Stream now!{% else %}{% abort_message () %}{% endif %}",
    expected: { abort: '{% abort_message %} called' },
  },
  {
    name: 'abort after output discards the output',
    template: "Hello {{${first_name}}}{% abort_message('late') %}",
    expected: { abort: 'late' },
  },
  {
    name: 'abort inside a loop',
    template:
      "{% for b in custom_attribute.${Brands Viewed} %}{% if b == 'Converse' %}{% abort_message('saw Converse') %}{% endif %}{% endfor %}",
    expected: { abort: 'saw Converse' },
  },
  {
    name: 'the abort reason is plain text, not Liquid',
    template: '{% abort_message(${first_name}) %}',
    expected: { error: /abort_message/ },
  },
];

const BIG = '{% capture big %}{% for i in (1..100) %}xxxxxxxxxx{% endfor %}{% endcapture %}';

const extras: ConformanceCase[] = [
  {
    name: 'message_extras collects a pair and prints nothing (Braze docs)',
    template: '{% message_extras :key test :value 123 %}',
    expected: '',
    extras: { test: '123' },
  },
  {
    name: 'message_extras with variables as key and value (Braze docs)',
    template:
      "{% assign value = '123' %} {% assign key = 'test' %} {% message_extras :key {{key}} :value {{value}} %}",
    expected: '  ',
    extras: { test: '123' },
  },
  {
    name: 'message_extras with an attribute value',
    template:
      '{% message_extras :key lang :value {{${language}}} %}{% message_extras :key name :value {{${first_name}}} %}',
    expected: '',
    extras: { lang: 'en', name: 'Janet' },
  },
  {
    name: 'message_extras keeps the first value of a duplicate key',
    template: '{% message_extras :key k :value first %}{% message_extras :key k :value second %}',
    expected: '',
    extras: { k: 'first' },
  },
  {
    name: 'message_extras trims values',
    template: "{% assign v = '  padded  ' %}{% message_extras :key k :value {{v}} %}",
    expected: '',
    extras: { k: 'padded' },
  },
  {
    name: 'message_extras in a branch not taken adds nothing',
    template: '{% if false %}{% message_extras :key k :value v %}{% endif %}sent',
    expected: 'sent',
    extras: {},
  },
  {
    name: 'message_extras with the value before the key adds nothing and still sends',
    template: '{% message_extras :value 123 :key test %}sent',
    expected: 'sent',
    extras: {},
  },
  {
    name: 'message_extras stops at 1 KB of keys and values',
    template: `${BIG}{% message_extras :key a :value {{big}} %}{% message_extras :key b :value {{big}} %}{% message_extras :key c :value z %}`,
    expected: '',
    extras: { a: 'x'.repeat(1000), b: 'x'.repeat(22) },
  },
];

const blocks: ConformanceCase[] = [
  {
    name: 'a Content Block renders in place',
    template: '{{content_blocks.${greeting}}} Welcome.',
    expected: 'Hi Janet! Welcome.',
  },
  {
    name: 'a Content Block renders for a user without the attribute',
    template: '{{content_blocks.${greeting}}}',
    recipient: API_ONLY,
    expected: 'Hi there!',
  },
  {
    name: "a Content Block's assigns are visible after it",
    template: '{{content_blocks.${set_vars}}}Use {{ promo_code }} for {{ discount }}% off',
    expected: 'Use SPRING24 for 15% off',
  },
  {
    name: 'a Content Block may include one more',
    template: '{{content_blocks.${two_levels}}}',
    expected: '<[inner]>',
  },
  {
    name: 'a third level of Content Blocks renders nothing',
    template: '{{content_blocks.${outer}}}',
    expected: '[outer [middle ]]',
  },
  {
    name: 'a Content Block cycle fails naming the chain',
    template: '{{content_blocks.${loop_a}}}',
    expected: { error: /loop_a → loop_b → loop_a/ },
  },
  {
    name: 'a Content Block that includes itself fails',
    template: '{{content_blocks.${loop_self}}}',
    expected: { error: /loop_self → loop_self/ },
  },
  {
    name: 'an unknown Content Block fails naming it',
    template: '{{content_blocks.${no_such_block}}}',
    expected: { error: /no_such_block/ },
  },
  {
    name: 'whitespace control around a Content Block',
    template: 'x {{- content_blocks.${inner} -}} y',
    expected: 'x[inner]y',
  },
  {
    name: 'a Content Block used twice renders twice',
    template: '{{content_blocks.${inner}}}{{content_blocks.${inner}}}',
    expected: '[inner][inner]',
  },
];

export const controlCases: ConformanceCase[] = [...tags, ...aborts, ...extras, ...blocks];
