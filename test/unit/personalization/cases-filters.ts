import type { MessageContext } from '../../../src/personalization/scope';
import { type ConformanceCase, janetWith } from './fixtures';

/**
 * The Shopify filters Braze supports (contract §6.3, Braze's filters.md), with Ruby Liquid 5's
 * results, and the Shopify filters Braze does not support, which must fail naming the filter.
 */

const CATALOG: MessageContext = {
  event_properties: {
    products: [
      { name: 'Shoe', price: 90, brand: 'Nike' },
      { name: 'sock', price: 5, brand: 'Puma' },
      { name: 'Cap', price: 20, brand: 'Nike' },
    ],
    sparse: [1, null, 2, null],
    empty_hash: {},
  },
};

const LETTERS = "{% assign letters = 'b,C,a,b' | split: ',' %}";

const arrays: ConformanceCase[] = [
  {
    name: 'join with a separator',
    template: `${LETTERS}{{ letters | join: '-' }}`,
    expected: 'b-C-a-b',
  },
  {
    name: 'join defaults to a space',
    template: `${LETTERS}{{ letters | join }}`,
    expected: 'b C a b',
  },
  {
    name: 'first and last of an array',
    template: `${LETTERS}{{ letters | first }}{{ letters | last }}`,
    expected: 'bb',
  },
  {
    name: 'first of a string is nil in Ruby Liquid',
    template: "[{{ 'abc' | first }}{{ 'abc' | last }}]",
    expected: '[]',
  },
  {
    name: 'compact drops nils',
    template: "{{ event_properties.${sparse} | compact | join: '-' }}",
    message: CATALOG,
    expected: '1-2',
  },
  {
    name: 'concat joins two arrays',
    template:
      "{% assign a = 'x,y' | split: ',' %}{% assign b = 'z' | split: ',' %}{{ a | concat: b | join: '' }}",
    expected: 'xyz',
  },
  {
    name: 'map takes one property of each element',
    template: "{{ event_properties.${products} | map: 'name' | join: ', ' }}",
    message: CATALOG,
    expected: 'Shoe, sock, Cap',
  },
  { name: 'reverse', template: `${LETTERS}{{ letters | reverse | join: '' }}`, expected: 'baCb' },
  { name: 'size of an array', template: `${LETTERS}{{ letters | size }}`, expected: '4' },
  { name: 'size of a string counts characters', template: "{{ 'héllo' | size }}", expected: '5' },
  {
    name: 'size of a hash counts its keys',
    template: '{{ custom_attribute.${address} | size }}',
    expected: '2',
  },
  {
    name: 'sort is case-sensitive',
    template: `${LETTERS}{{ letters | sort | join: '' }}`,
    expected: 'Cabb',
  },
  {
    name: 'sort_natural ignores case',
    template: `${LETTERS}{{ letters | sort_natural | join: '' }}`,
    expected: 'abbC',
  },
  {
    name: 'sort by a property',
    template: "{{ event_properties.${products} | sort: 'price' | map: 'name' | join: ',' }}",
    message: CATALOG,
    expected: 'sock,Cap,Shoe',
  },
  { name: 'uniq', template: `${LETTERS}{{ letters | uniq | join: '' }}`, expected: 'bCa' },
  {
    name: 'where keeps matching elements',
    template:
      "{{ event_properties.${products} | where: 'brand', 'Nike' | map: 'name' | join: ',' }}",
    message: CATALOG,
    expected: 'Shoe,Cap',
  },
  {
    name: 'find_index is not supported',
    template: "{{ event_properties.${products} | find_index: 'brand', 'Nike' }}",
    message: CATALOG,
    expected: { error: /find_index/ },
  },
];

const math: ConformanceCase[] = [
  { name: 'abs', template: "{{ -17 | abs }} {{ '-3.5' | abs }}", expected: '17 3.5' },
  { name: 'at_most', template: '{{ 4 | at_most: 5 }} {{ 4 | at_most: 3 }}', expected: '4 3' },
  { name: 'at_least', template: '{{ 4 | at_least: 5 }} {{ 4 | at_least: 3 }}', expected: '5 4' },
  {
    name: 'ceil',
    template: "{{ 1.2 | ceil }} {{ '3.5' | ceil }} {{ -1.5 | ceil }}",
    expected: '2 4 -1',
  },
  { name: 'floor', template: '{{ 1.9 | floor }} {{ -1.1 | floor }}', expected: '1 -2' },
  {
    name: 'divided_by two integers is integer division (Braze docs: 15 / 2)',
    template: '{{ 15 | divided_by: 2 }}',
    expected: '7',
  },
  {
    name: 'divided_by a float keeps the fraction (Braze docs: 15 / 2.0)',
    template: '{{ 15 | divided_by: 2.0 }}',
    expected: '7.5',
  },
  {
    name: 'integer division rounds toward negative infinity, as Ruby does',
    template: '{{ -7 | divided_by: 2 }}',
    expected: '-4',
  },
  {
    name: 'a decimal string divides as a float',
    template: "{{ '15.0' | divided_by: 2 }} {{ 10 | divided_by: '4' }}",
    expected: '7.5 2',
  },
  {
    name: 'integer division by zero fails',
    template: '{{ 1 | divided_by: 0 }}',
    expected: { error: /divided by 0/ },
  },
  { name: 'minus', template: '{{ 4 | minus: 2 }} {{ 16 | minus: 4.5 }}', expected: '2 11.5' },
  { name: 'plus', template: '{{ 4 | plus: 2 }} {{ 183.357 | plus: 12 }}', expected: '6 195.357' },
  {
    name: 'plus reads a string as Ruby to_i does',
    template: "{{ '12 items' | plus: 1 }} {{ 'abc' | plus: 1 }} {{ nil | plus: 1 }}",
    expected: '13 1 1',
  },
  { name: 'times', template: "{{ 3 | times: 2 }} {{ '2.5' | times: 3 }}", expected: '6 7.5' },
  { name: 'modulo', template: '{{ 3 | modulo: 2 }} {{ 24 | modulo: 7 }}', expected: '1 3' },
  {
    name: 'modulo takes the sign of the divisor, as Ruby does',
    template: '{{ -7 | modulo: 3 }} {{ 7 | modulo: -3 }}',
    expected: '2 -2',
  },
  {
    name: 'modulo by zero fails',
    template: '{{ 5 | modulo: 0 }}',
    expected: { error: /divided by 0/ },
  },
  {
    name: 'round halves away from zero',
    template: '{{ 1.2 | round }} {{ 2.5 | round }} {{ 3.5 | round }} {{ -2.5 | round }}',
    expected: '1 3 4 -3',
  },
  {
    name: 'round to decimal places',
    template: "{{ 183.357 | round: 2 }} {{ '4.5612' | round: 2 }} {{ 2.675 | round: 2 }}",
    expected: '183.36 4.56 2.68',
  },
  {
    name: 'round to tens and hundreds',
    template: '{{ 1250 | round: -2 }} {{ 1249 | round: -1 }}',
    expected: '1300 1250',
  },
  {
    name: 'a countdown divides and rounds (Braze docs)',
    template: '{{ 432000 | minus: 43200 | divided_by: 86400.00 | round }}',
    expected: '5',
  },
  {
    name: 'money pads to two decimals (Braze docs: 145)',
    template: '{{ 145 | money }}',
    expected: '145.00',
  },
  {
    name: 'money keeps the trailing zero (Braze docs: 17.8)',
    template: '${{custom_attribute.${account_balance} | money}}',
    recipient: janetWith({ custom: { account_balance: 17.8 } }),
    expected: '$17.80',
  },
  {
    name: 'money after plus: 0 (Braze docs)',
    template: '{% assign my_int = "350000.25" | plus: 0 %}{{ my_int | money }}',
    expected: '350000.25',
  },
  {
    name: 'money after dividing cents (Braze docs)',
    template: '${{ 145 | divided_by: 100.00 | money }}',
    expected: '$1.45',
  },
  {
    name: 'money_with_currency is not supported',
    template: '{{ 145 | money_with_currency }}',
    expected: { error: /money_with_currency/ },
  },
  {
    name: 'money_without_currency is not supported',
    template: '{{ 145 | money_without_currency }}',
    expected: { error: /money_without_currency/ },
  },
];

const TOM = "{% assign tom = 'Ground control to Major Tom.' %}";

const strings: ConformanceCase[] = [
  { name: 'upcase (Braze docs)', template: '{{"Big Sale" | upcase}}', expected: 'BIG SALE' },
  {
    name: 'filters apply left to right (Braze docs: upcase then remove)',
    template: '{{ "Big Sale" | upcase | remove: "BIG" }}',
    expected: ' SALE',
  },
  { name: 'downcase', template: "{{ 'Parker Moore' | downcase }}", expected: 'parker moore' },
  {
    name: 'capitalize lowers the rest',
    template: "{{ 'hello WORLD' | capitalize }}",
    expected: 'Hello world',
  },
  {
    name: 'append and prepend',
    template: "{{ 'sale' | append: '!' | prepend: 'Big ' }}",
    expected: 'Big sale!',
  },
  {
    name: 'remove and remove_first',
    template: "{{ 'rain rain go' | remove: 'rain' }}|{{ 'rain rain go' | remove_first: 'rain' }}",
    expected: '  go| rain go',
  },
  {
    name: 'replace and replace_first',
    template: "{{ 'a-b-c' | replace: '-', '+' }} {{ 'a-b-c' | replace_first: '-', '+' }}",
    expected: 'a+b+c a+b-c',
  },
  {
    name: 'slice of a string',
    template:
      "{{ 'Liquid' | slice: 0 }} {{ 'Liquid' | slice: 2, 5 }} {{ 'Liquid' | slice: -3, 2 }}",
    expected: 'L quid ui',
  },
  {
    name: 'slice of an array',
    template: `${LETTERS}{{ letters | slice: 1, 2 | join: '' }}`,
    expected: 'Ca',
  },
  {
    name: 'split drops trailing empty fields, as Ruby does',
    template: "{{ 'a,b,,' | split: ',' | size }}",
    expected: '2',
  },
  {
    name: 'split on a space splits on runs of whitespace, as Ruby does',
    template: "{{ '  one  two three ' | split: ' ' | join: ',' }}",
    expected: 'one,two,three',
  },
  { name: 'strip', template: "[{{ '  x y  ' | strip }}]", expected: '[x y]' },
  {
    name: 'strip_html removes tags, scripts and comments',
    template: "{{ '<p>Hi <b>there</b></p><script>alert(1)</script><!-- c -->!' | strip_html }}",
    expected: 'Hi there!',
  },
  {
    name: 'strip_newlines',
    template: '{% capture t %}a\nb\r\nc{% endcapture %}{{ t | strip_newlines }}',
    expected: 'abc',
  },
  {
    name: 'newline_to_br',
    template: '{% capture t %}a\nb{% endcapture %}{{ t | newline_to_br }}',
    expected: 'a<br />\nb',
  },
  {
    name: 'truncate counts the ellipsis',
    template: `${TOM}{{ tom | truncate: 20 }}|{{ tom | truncate: 25, ', and so on' }}|{{ tom | truncate: 20, '' }}`,
    expected: 'Ground control to...|Ground control, and so on|Ground control to Ma',
  },
  {
    name: 'truncatewords',
    template: `${TOM}{{ tom | truncatewords: 3 }}|{{ tom | truncatewords: 3, '--' }}`,
    expected: 'Ground control to...|Ground control to--',
  },
  {
    name: 'truncatewords leaves a string with no more words than asked untouched',
    template: "{{ 'a  b c' | truncatewords: 3 }}",
    expected: 'a  b c',
  },
  {
    name: 'url_decode',
    template: "{{ '%27Stop%21%27+said+Fred' | url_decode }}",
    expected: "'Stop!' said Fred",
  },
  {
    name: 'escape uses Ruby CGI entities',
    template: `{% capture h %}<a href="x">Tom & Jerry's</a>{% endcapture %}{{ h | escape }}`,
    expected: '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;',
  },
  {
    name: 'escape_once leaves existing entities alone',
    template: "{{ '1 &lt; 2 & 3 > 2 &#39;' | escape_once }}",
    expected: '1 &lt; 2 &amp; 3 &gt; 2 &#39;',
  },
  {
    name: 'camelize is not supported',
    template: "{{ 'a b' | camelize }}",
    expected: { error: /camelize/ },
  },
  {
    name: 'handleize is not supported',
    template: "{{ 'a b' | handleize }}",
    expected: { error: /handleize/ },
  },
  {
    name: 'pluralize is not supported',
    template: "{{ 2 | pluralize: 'item', 'items' }}",
    expected: { error: /pluralize/ },
  },
  {
    name: 'lstrip is not supported',
    template: "{{ ' a' | lstrip }}",
    expected: { error: /lstrip/ },
  },
  {
    name: 'rstrip is not supported',
    template: "{{ 'a ' | rstrip }}",
    expected: { error: /rstrip/ },
  },
  {
    name: 'format_address is not supported',
    template: '{{ custom_attribute.${address} | format_address }}',
    expected: { error: /format_address/ },
  },
  {
    name: 'highlight is not supported',
    template: "{{ 'a' | highlight: 'a' }}",
    expected: { error: /highlight/ },
  },
];

const defaults: ConformanceCase[] = [
  { name: 'default applies to nil', template: "{{ nil | default: 'x' }}", expected: 'x' },
  {
    name: 'default applies to an empty string',
    template: "{{ '' | default: 'x' }}",
    expected: 'x',
  },
  { name: 'default applies to false', template: "{{ false | default: 'x' }}", expected: 'x' },
  {
    name: 'default applies to an empty array',
    template: "{% assign none = '' | split: ',' %}{{ none | default: 'nothing' }}",
    expected: 'nothing',
  },
  {
    name: 'default applies to an empty hash',
    template: "{{ event_properties.${empty_hash} | default: 'nothing' }}",
    message: CATALOG,
    expected: 'nothing',
  },
  {
    name: 'default does not apply to a whitespace-only string',
    template: "[{{ '   ' | default: 'x' }}]",
    expected: '[   ]',
  },
  { name: 'default does not apply to zero', template: "{{ 0 | default: 'x' }}", expected: '0' },
  {
    name: 'default with allow_false keeps false',
    template: "{{ false | default: 'x', allow_false: true }}",
    expected: 'false',
  },
  {
    name: 'default applies to a missing custom attribute',
    template: "{{ custom_attribute.${never_set} | default: 'friend' }}",
    expected: 'friend',
  },
];

export const filterCases: ConformanceCase[] = [...arrays, ...math, ...strings, ...defaults];
