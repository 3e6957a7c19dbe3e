import type { Json } from '../../../src/ingestion/types';
import type { MessageContext, Recipient } from '../../../src/personalization/scope';
import type { CatalogItem, CatalogSource } from '../../../src/personalization/sources';

/**
 * The fixed clock of the conformance suite: Sunday 10 March 2024, 15:04:05.123 UTC, the day US
 * clocks sprang forward (at 07:00 UTC), so 10:04 in Chicago (CDT) and 11:04 in New York (EDT).
 */
export const NOW = Date.UTC(2024, 2, 10, 15, 4, 5, 123);

/** One case of the table: a template, who it renders for, and what Braze would produce. */
export interface ConformanceCase {
  name: string;
  template: string;
  /** Defaults to JANET; `null` renders with no recipient at all. */
  recipient?: Recipient | null;
  message?: MessageContext;
  /** Epoch ms; defaults to NOW. */
  now?: number;
  /** The output, an error whose message matches, or an abort with this reason. */
  expected: string | { error: RegExp } | { abort: string };
  /** `{% message_extras %}` pairs the render must collect, when the case is about them. */
  extras?: Record<string, string>;
}

/** A custom attribute of type `time`, as the profile stores it (an ISO string). */
export interface TimeValue {
  time: string;
}

export const at = (iso: string): TimeValue => ({ time: iso });

function typeOf(value: Json): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'object';
  return typeof value;
}

function customEntry(value: Json | TimeValue): { type: string; value: Json } {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'time' in value) {
    return { type: 'time', value: (value as TimeValue).time };
  }
  return { type: typeOf(value as Json), value: value as Json };
}

/** Janet: a user with every standard attribute set, a few custom ones, and a recent session. */
export const JANET: Recipient = {
  brazeId: '65f0c0ffee0000000000b001',
  externalId: 'janet-1',
  standard: {
    first_name: 'Janet',
    last_name: 'Doe',
    email: 'janet@example.com',
    phone: '+15555550100',
    dob: '1990-03-12',
    home_city: 'Chicago',
    country: 'US',
    language: 'en',
    time_zone: 'America/Chicago',
    gender: 'F',
    email_subscribe: 'opted_in',
    push_subscribe: 'subscribed',
  },
  custom: {
    'zip code': customEntry('60601'),
    'Brands Viewed': customEntry(['Nike', 'Adidas', 'Converse', 'Puma']),
    balance: customEntry(25),
    vip: customEntry(true),
    address: customEntry({ city: 'Chicago', geo: { lat: 41.88 } }),
    signup: customEntry(at('2021-06-03T17:13:41.000Z')),
  },
  subscriptionGroups: {
    '7c1c7f38-news': 'subscribed',
    '9a2b4c6d-sms': 'unsubscribed',
  },
  randomBucket: 4242,
  lastUsedAppAt: Date.UTC(2024, 2, 1, 9, 30),
};

/** A user imported through the API: an external id and nothing else (no device, no session). */
export const API_ONLY: Recipient = {
  brazeId: '65f0c0ffee0000000000b002',
  externalId: 'api-only-7',
  standard: {},
  custom: {},
  subscriptionGroups: {},
  randomBucket: 17,
  lastUsedAppAt: null,
};

/** Janet with some standard fields and custom attributes replaced (`null` leaves one out). */
export function janetWith(changes: {
  standard?: Record<string, Json | null>;
  custom?: Record<string, Json | TimeValue>;
}): Recipient {
  const standard: Recipient['standard'] = { ...JANET.standard };
  for (const [k, v] of Object.entries(changes.standard ?? {})) {
    if (v === null) delete standard[k];
    else standard[k] = v;
  }
  const custom = { ...JANET.custom };
  for (const [k, v] of Object.entries(changes.custom ?? {})) custom[k] = customEntry(v);
  return { ...JANET, standard, custom };
}

/** Content Blocks the suite's renders can insert, by name. */
export const CONTENT_BLOCKS: Record<string, string> = {
  greeting: 'Hi {{${first_name} | default: "there"}}!',
  set_vars: '{% assign promo_code = "SPRING24" %}{% assign discount = 15 %}',
  outer: '[outer {{content_blocks.${middle}}}]',
  middle: '[middle {{content_blocks.${inner}}}]',
  inner: '[inner]',
  two_levels: '<{{content_blocks.${inner}}}>',
  loop_a: 'a{{content_blocks.${loop_b}}}',
  loop_b: 'b{{content_blocks.${loop_a}}}',
  loop_self: 'me{{content_blocks.${loop_self}}}',
  footer_html: '<p style="color:#999">Sent to {{${email_address}}} &amp; friends</p>',
};

/** Catalogs the suite's renders can read (contract §8.4's examples), by catalog and item id. */
export const CATALOGS: Record<string, CatalogItem[]> = {
  Games: [
    { id: '1234', title: 'Tales', price: 7.49, city: 'Chicago' },
    { id: '1235', title: 'Sky Quest', price: 24.99, city: 'Boston' },
    { id: '1236', title: 'Dune Run', price: 12, city: 'Chicago' },
  ],
  Messages: [{ id: 'greet_msg', Welcome_Message: 'Hi {{${first_name}}}, welcome back!' }],
  en: [{ id: 'fall_campaign', headline: 'Fall is here' }],
};

/**
 * Selections, standing in for D1's: `cheap_games` (price under 20, by price) and `near_me`, whose
 * filter value is Liquid (`{{${city}}}`) rendered for the recipient.
 */
export const catalogSource: CatalogSource = {
  async items(catalog, ids) {
    const items = CATALOGS[catalog] ?? [];
    return ids.flatMap((id) => items.filter((item) => item.id === id));
  },
  async selection(catalog, selection, renderValue) {
    const items = CATALOGS[catalog] ?? [];
    if (catalog !== 'Games') return [];
    if (selection === 'cheap_games') {
      return items
        .filter((i) => (i.price as number) < 20)
        .sort((a, b) => (a.price as number) - (b.price as number));
    }
    if (selection === 'near_me') {
      const city = await renderValue('{{${city}}}');
      return items.filter((i) => i.city === city);
    }
    return [];
  },
};
