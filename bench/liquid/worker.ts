/**
 * The Liquid benchmark's Worker (see bench/lib/liquid.mjs): Herald's Braze-dialect engine and plain
 * liquidjs render equivalent realistic email templates inside workerd. Time cannot be read inside
 * workerd while code runs, so the Node side times each request; these endpoints only do the work.
 */
import { Liquid } from 'liquidjs';
import { clearCompileCache, compile } from '../../src/personalization/compile-cache';
import { createEngine } from '../../src/personalization/engine';
import { renderFields } from '../../src/personalization/render';
import { buildScope, type Recipient } from '../../src/personalization/scope';

const FOOTER =
  '<footer>Sent to {{${email_address}}}. <a href="https://example.com/u">Unsubscribe</a></footer>';
const PLAIN_FOOTER =
  '<footer>Sent to {{email_address}}. <a href="https://example.com/u">Unsubscribe</a></footer>';

/** 10 attributes, 2 loops, 3 filters (upcase, date, capitalize), one Content Block. */
const HERALD = `<html><body>
<h1>Hi {{\${first_name}}} {{\${last_name}}},</h1>
<p>Your plan: {{custom_attribute.\${plan} | upcase}}, {{custom_attribute.\${points}}} points, {{\${city}}}, {{\${country}}}.</p>
<p>Member since {{custom_attribute.\${signup} | date: '%B %Y'}}; language {{\${language}}}; tier {{custom_attribute.\${tier}}}.</p>
<ul>{% for item in custom_attribute.\${cart} %}<li>{{item.name}}: {{item.price}}</li>{% endfor %}</ul>
<ul>{% for tag in custom_attribute.\${interests} %}<li>{{tag | capitalize}}</li>{% endfor %}</ul>
{{content_blocks.\${footer}}}
</body></html>`;

const PLAIN = `<html><body>
<h1>Hi {{first_name}} {{last_name}},</h1>
<p>Your plan: {{custom_attribute.plan | upcase}}, {{custom_attribute.points}} points, {{city}}, {{country}}.</p>
<p>Member since {{custom_attribute.signup | date: '%B %Y'}}; language {{language}}; tier {{custom_attribute.tier}}.</p>
<ul>{% for item in custom_attribute.cart %}<li>{{item.name}}: {{item.price}}</li>{% endfor %}</ul>
<ul>{% for tag in custom_attribute.interests %}<li>{{tag | capitalize}}</li>{% endfor %}</ul>
{% render 'footer', email_address: email_address %}
</body></html>`;

const cart = Array.from({ length: 5 }, (_, i) => ({ name: `Item ${i}`, price: 10 + i }));
const interests = ['hiking', 'jazz', 'coffee', 'travel', 'books'];

const recipient: Recipient = {
  brazeId: '65f0c0ffee0000000000abcd',
  externalId: 'bench-user',
  standard: {
    first_name: 'Ada',
    last_name: 'Lovelace',
    email: 'ada@example.com',
    home_city: 'London',
    country: 'GB',
    language: 'en',
  },
  custom: {
    plan: { type: 'string', value: 'pro' },
    points: { type: 'number', value: 1234 },
    signup: { type: 'time', value: '2024-03-01T09:30:00.000Z' },
    tier: { type: 'string', value: 'gold' },
    cart: { type: 'object_array', value: cart },
    interests: { type: 'array', value: interests },
  },
  subscriptionGroups: {},
  randomBucket: 1,
  lastUsedAppAt: null,
};

const plainScope = {
  first_name: 'Ada',
  last_name: 'Lovelace',
  email_address: 'ada@example.com',
  city: 'London',
  country: 'GB',
  language: 'en',
  custom_attribute: {
    plan: 'pro',
    points: 1234,
    signup: '2024-03-01T09:30:00.000Z',
    tier: 'gold',
    cart,
    interests,
  },
};

const herald = createEngine();
// cache: true so plain liquidjs parses the footer partial once, as Herald compiles its block once.
const plain = new Liquid({ templates: { footer: PLAIN_FOOTER }, timezoneOffset: 0, cache: true });
const heraldScope = buildScope(recipient, {});
const contentBlocks = { get: async () => ({ name: 'footer', content: FOOTER, updatedAt: 0 }) };
const plainParsed = plain.parse(PLAIN);
const NOW = Date.UTC(2026, 10, 23);

async function renderHerald(): Promise<string> {
  const out = await renderFields({
    fields: { body: HERALD },
    scope: heraldScope,
    now: NOW,
    sources: { contentBlocks },
    liquid: herald,
  });
  const body = out.fields.body!;
  if (!body.ok) throw new Error(body.error);
  return body.output;
}

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const engine = url.searchParams.get('engine');
    const n = Number(url.searchParams.get('n') ?? '1');
    let bytes = 0;
    if (url.pathname === '/render') {
      for (let i = 0; i < n; i++) {
        bytes += (
          engine === 'herald' ? await renderHerald() : await plain.render(plainParsed, plainScope)
        ).length;
      }
    } else if (url.pathname === '/parse') {
      // A nonce per template defeats Herald's compiled-template cache: every parse is cold.
      for (let i = 0; i < n; i++) {
        const nonce = `<!-- ${crypto.randomUUID()} -->`;
        if (engine === 'herald') {
          clearCompileCache(herald);
          bytes += compile(herald, HERALD + nonce).length;
        } else bytes += plain.parse(PLAIN + nonce).length;
      }
    } else if (url.pathname === '/outputs') {
      return Response.json({
        herald: await renderHerald(),
        plain: await plain.render(plainParsed, plainScope),
      });
    } else {
      return new Response('not found', { status: 404 });
    }
    return Response.json({ bytes });
  },
};
