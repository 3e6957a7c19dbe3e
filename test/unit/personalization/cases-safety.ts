import { type ConformanceCase, janetWith } from './fixtures';

/**
 * HTML handling (Braze does not auto-escape output) and the engine's safety limits: no prototype
 * reads, no file tags, a 1 MB output cap and a memory budget.
 */

const BIO = janetWith({ custom: { bio: '<b>Bold</b> & "quoted"' } });

const html: ConformanceCase[] = [
  {
    name: 'output is not HTML-escaped',
    template: '<p>{{custom_attribute.${bio}}}</p>',
    recipient: BIO,
    expected: '<p><b>Bold</b> & "quoted"</p>',
  },
  {
    name: 'escape escapes an attribute for HTML',
    template: '<p>{{custom_attribute.${bio} | escape}}</p>',
    recipient: BIO,
    expected: '<p>&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;quoted&quot;</p>',
  },
  {
    name: 'HTML in a Content Block is inserted as written',
    template: '{{content_blocks.${footer_html}}}',
    expected: '<p style="color:#999">Sent to janet@example.com &amp; friends</p>',
  },
  {
    name: 'an assigned link is inserted unescaped (Braze docs)',
    template:
      '{% assign url = "https://www.examplelink.com" %}<a href=\'{{url}}\'>Shop the collection</a>',
    expected: "<a href='https://www.examplelink.com'>Shop the collection</a>",
  },
  {
    name: 'text outside delimiters is left alone, dollar signs included',
    template: 'Price: ${price} {not liquid} 100% }} %}',
    expected: 'Price: ${price} {not liquid} 100% }} %}',
  },
];

const safety: ConformanceCase[] = [
  {
    name: 'constructor of a namespace renders empty',
    template: '[{{ custom_attribute.constructor }}]',
    expected: '[]',
  },
  {
    name: '__proto__ renders empty',
    template:
      "[{{ custom_attribute.__proto__ }}{{ custom_attribute['__proto__'] }}{{ __proto__ }}]",
    expected: '[]',
  },
  {
    name: 'methods of values are not readable',
    template:
      '[{{ x.toString }}{{ ${first_name}.constructor }}{{ custom_attribute.${Brands Viewed}.constructor.name }}]',
    expected: '[]',
  },
  {
    name: 'a prototype key in a reference renders empty',
    template: '[{{custom_attribute.${__proto__}}}{{custom_attribute.${constructor}}}]',
    expected: '[]',
  },
  {
    name: 'include is rejected',
    template: "{% include 'secrets' %}",
    expected: { error: /include/ },
  },
  { name: 'render is rejected', template: "{% render 'secrets' %}", expected: { error: /render/ } },
  { name: 'layout is rejected', template: "{% layout 'base' %}x", expected: { error: /layout/ } },
  {
    name: 'output over 1 MB fails',
    template: '{% for i in (1..110000) %}0123456789{% endfor %}',
    expected: { error: /larger than 1048576 bytes/ },
  },
  {
    name: 'a huge range fails on the memory limit',
    template: '{% for i in (1..100000000) %}{% endfor %}',
    expected: { error: /memory/ },
  },
  {
    name: 'doubling a string fails on the memory limit',
    template:
      "{% assign s = 'xxxxxxxxxx' %}{% for i in (1..30) %}{% assign s = s | append: s %}{% endfor %}",
    expected: { error: /memory/ },
  },
  {
    name: "growing a string with Braze's filters fails on the memory limit",
    template:
      '{% capture s %}\\{% endcapture %}{% for i in (1..40) %}{% assign s = s | json_escape %}{% endfor %}',
    expected: { error: /memory/ },
  },
];

export const safetyCases: ConformanceCase[] = [...html, ...safety];
