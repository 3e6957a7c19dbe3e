import { createHmac } from 'node:crypto';
import { type ConformanceCase, janetWith } from './fixtures';

/**
 * Braze's own filters (contract §6.3, Braze's advanced_filters.md). Hash and HMAC answers are the
 * ones Braze's documentation prints, or RFC 2202 / RFC 4231 test vectors; where neither gives one
 * (HMAC-SHA-512 of Braze's example), Node's crypto computes it here.
 */

const hmacHex = (algorithm: string, key: string, data: string) =>
  createHmac(algorithm, key).update(data).digest('hex');

const RFC_DATA = 'what do ya want for nothing?';

const hashes: ConformanceCase[] = [
  {
    name: 'md5 (Braze docs)',
    template: "{{'hey' | md5}}",
    expected: '6057f13c496ecf7fd777ceb9e79ae285',
  },
  {
    name: 'sha1 (Braze docs)',
    template: "{{'hey' | sha1}}",
    expected: '7f550a9f4c44173a37664d938f1355f0f92a47a7',
  },
  {
    name: 'sha2 is SHA-256 (Braze docs)',
    template: "{{'hey' | sha2}}",
    expected: 'fa690b82061edfd2852629aeba8a8977b57e40fcb77d1a7a28b26cba62591204',
  },
  {
    name: 'md5 of nil hashes the empty string',
    template: '{{ nil | md5 }}',
    expected: 'd41d8cd98f00b204e9800998ecf8427e',
  },
  {
    name: 'hmac_sha1_hex (Braze docs)',
    template: "{{'hey' | hmac_sha1_hex: 'secret_key'}}",
    expected: '2a3969bed25bfeefb00aca4063eb9590b4df8f0e',
  },
  {
    name: 'hmac_sha1 is the legacy name of hmac_sha1_hex',
    template: "{{'hey' | hmac_sha1: 'secret_key'}}",
    expected: '2a3969bed25bfeefb00aca4063eb9590b4df8f0e',
  },
  {
    name: 'hmac_sha1_base64 (Braze docs)',
    template: "{{'hey' | hmac_sha1_base64: 'secret_key'}}",
    expected: 'KjlpvtJb/u+wCspAY+uVkLTfjw4=',
  },
  {
    name: 'hmac_sha256_hex (Braze docs)',
    template: "{{'hey' | hmac_sha256_hex: 'secret_key'}}",
    expected: '8df897f8da3d7992fe57c8dbc6f27578cfbf2dcc4d0fbb4000b8c924841d508e',
  },
  {
    name: 'hmac_sha256 gives the hex signature',
    template: "{{'hey' | hmac_sha256: 'secret_key'}}",
    expected: '8df897f8da3d7992fe57c8dbc6f27578cfbf2dcc4d0fbb4000b8c924841d508e',
  },
  {
    name: 'hmac_sha256_base64 (Braze docs)',
    template: "{{'hey' | hmac_sha256_base64: 'secret_key'}}",
    expected: 'jfiX+No9eZL+V8jbxvJ1eM+/LcxND7tAALjJJIQdUI4=',
  },
  {
    name: 'hmac_sha512 of the Braze example',
    template: "{{'hey' | hmac_sha512: 'secret_key'}}",
    expected: hmacHex('sha512', 'secret_key', 'hey'),
  },
  {
    name: 'hmac_sha1_hex, RFC 2202 test case 2',
    template: `{{ '${RFC_DATA}' | hmac_sha1_hex: 'Jefe' }}`,
    expected: 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79',
  },
  {
    name: 'hmac_sha256_hex, RFC 4231 test case 2',
    template: `{{ '${RFC_DATA}' | hmac_sha256_hex: 'Jefe' }}`,
    expected: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  },
  {
    name: 'hmac_sha512, RFC 4231 test case 2',
    template: `{{ '${RFC_DATA}' | hmac_sha512: 'Jefe' }}`,
    expected:
      '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
  },
  {
    name: 'hmac of an attribute with the key as an argument',
    template: "{{ ${email_address} | hmac_sha256_hex: 'k3y' }}",
    expected: hmacHex('sha256', 'k3y', 'janet@example.com'),
  },
  {
    name: 'base64_encode (Braze docs)',
    template: "{{'blah' | base64_encode}}",
    expected: 'YmxhaA==',
  },
  {
    name: 'base64_encode encodes UTF-8',
    template: "{{'héllo ✓' | base64_encode}}",
    expected: 'aMOpbGxvIOKckw==',
  },
  {
    name: 'base64_decode reverses base64_encode',
    template: "{{'héllo ✓' | base64_encode | base64_decode}}",
    expected: 'héllo ✓',
  },
];

const urls: ConformanceCase[] = [
  {
    name: 'url_escape (Braze docs)',
    template: "{{'hey<>hi' | url_escape}}",
    expected: 'hey%3C%3Ehi',
  },
  {
    name: 'url_escape keeps URL syntax and escapes spaces',
    template: "{{ 'https://example.com/a b?q=1&r=[2]' | url_escape }}",
    expected: 'https://example.com/a%20b?q=1&r=[2]',
  },
  {
    name: 'url_escape escapes # and %, as Ruby URI.escape does',
    template: "{{ '50% #1' | url_escape }}",
    expected: '50%25%20%231',
  },
  {
    name: 'url_escape encodes UTF-8',
    template: "{{ 'café' | url_escape }}",
    expected: 'caf%C3%A9',
  },
  {
    name: 'url_param_escape escapes the ampersand (Braze docs)',
    template: "{{'hey<&>hi' | url_param_escape}}",
    expected: 'hey%3C%26%3Ehi',
  },
  {
    name: 'url_param_escape escapes everything a query value cannot hold',
    template: "{{ 'a b/c=d?e' | url_param_escape }}",
    expected: 'a%20b%2Fc%3Dd%3Fe',
  },
  {
    name: 'url_param_escape of an attribute in a link',
    template: 'https://x.example/?e={{${email_address} | url_param_escape}}',
    recipient: janetWith({ standard: { email: 'jane+tag@example.com' } }),
    expected: 'https://x.example/?e=jane%2Btag%40example.com',
  },
  {
    name: 'url_encode turns spaces into + (Braze docs)',
    template: "{{ 'google search' | url_encode }}",
    expected: 'google+search',
  },
  {
    name: 'url_encode escapes reserved characters',
    template: "{{ 'a&b=c/d' | url_encode }}",
    expected: 'a%26b%3Dc%2Fd',
  },
];

const PARSED = `{% assign my_data_string = '[{"id":"1","store_name":"demo-store"}]' %}{% assign my_data = my_data_string | json_parse %}`;
const HASH = `{% assign hash = '{"a": 42, "b": 0}' | json_parse %}`;

const data: ConformanceCase[] = [
  {
    name: 'property_accessor (Braze docs)',
    template: `${HASH}{{hash | property_accessor: 'a'}}`,
    expected: '42',
  },
  {
    name: 'property_accessor with a key from a custom attribute',
    template: `${HASH}{{ hash | property_accessor: custom_attribute.\${slot} }}`,
    recipient: janetWith({ custom: { slot: 'b' } }),
    expected: '0',
  },
  {
    name: 'property_accessor of a missing key is empty',
    template: `${HASH}[{{ hash | property_accessor: 'zz' }}]`,
    expected: '[]',
  },
  {
    name: 'number_with_delimiter (Braze docs)',
    template: '{{ 123456 | number_with_delimiter }}',
    expected: '123,456',
  },
  {
    name: 'number_with_delimiter keeps decimals and signs',
    template:
      "{{ 1234567.891 | number_with_delimiter }} {{ -9876543 | number_with_delimiter }} {{ 999 | number_with_delimiter }} {{ '1000000' | number_with_delimiter }}",
    expected: '1,234,567.891 -9,876,543 999 1,000,000',
  },
  {
    name: 'json_escape escapes quotes and backslashes',
    template: `{% capture s %}He said "hi" \\ bye{% endcapture %}{"text": "{{ s | json_escape }}"}`,
    expected: '{"text": "He said \\"hi\\" \\\\ bye"}',
  },
  {
    name: 'json_escape escapes newlines',
    template: '{% capture s %}a\nb{% endcapture %}{{ s | json_escape }}',
    expected: 'a\\nb',
  },
  {
    name: 'json_parse gives a loopable array (Braze docs)',
    template: `${PARSED}{% for item in my_data %}Item ID: {{ item.id }}, Item Name: {{ item.store_name }}{% endfor %}`,
    expected: 'Item ID: 1, Item Name: demo-store',
  },
  {
    name: 'as_json_string serialises parsed data back (Braze docs)',
    template: `${PARSED}{% assign json_string = my_data | as_json_string %}{{json_string}}`,
    expected: '[{"id":"1","store_name":"demo-store"}]',
  },
  {
    name: 'as_json_string of an array attribute',
    template: '{{ custom_attribute.${Brands Viewed} | as_json_string }}',
    expected: '["Nike","Adidas","Converse","Puma"]',
  },
  {
    name: 'as_json_string of nil is null',
    template: '{{ custom_attribute.${never_set} | as_json_string }}',
    expected: 'null',
  },
  {
    name: 'json_parse of invalid JSON fails',
    template: "{{ '{not json' | json_parse }}",
    expected: { error: /json_parse/ },
  },
];

export const brazeFilterCases: ConformanceCase[] = [...hashes, ...urls, ...data];
