import { describe, expect, it } from 'vitest';
import { sinkReceived, sinkRespond, sinkUrl } from '../fixtures/segments';
import { createWorkspace, operator, type TestWorkspace } from '../fixtures/workspace';

const RENDER = '/herald/templates/render';

/** A workspace whose templates may call the local sink (loopback is refused otherwise). */
function sinkWorkspace(): Promise<TestWorkspace> {
  return createWorkspace({ connected_content_allowlist: ['127.0.0.1'] });
}

function path(name: string): string {
  return `/cc/${name}/${crypto.randomUUID()}`;
}

async function render(ws: TestWorkspace, body: Record<string, unknown>) {
  const res = await ws.post(RENDER, body);
  expect(res.status).toBe(200);
  return res.json;
}

describe('POST /herald/templates/render', () => {
  it('renders standard and custom attributes of the user named by external_id', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      attributes: [
        {
          external_id: 'ada',
          first_name: 'Ada',
          email: 'ada@example.com',
          'favorite color': 'teal',
          signup: '2024-03-01T09:30:00Z',
        },
      ],
    });
    const out = await render(ws, {
      user: { external_id: 'ada' },
      fields: {
        subject: 'Hi {{${first_name}}}',
        body: '{{${email_address}}} likes {{custom_attribute.${favorite color}}} since {{custom_attribute.${signup} | date: "%Y"}}; id {{${user_id}}}',
      },
    });
    expect(out.fields.subject).toEqual({ output: 'Hi Ada' });
    expect(out.fields.body).toEqual({ output: 'ada@example.com likes teal since 2024; id ada' });
    expect(out.aborted).toBeNull();
  });

  it('finds the user by email as well', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      attributes: [{ external_id: 'bo', email: 'bo@example.com', first_name: 'Bo' }],
    });
    const out = await render(ws, {
      user: { email: 'bo@example.com' },
      fields: { body: '{{${first_name}}}' },
    });
    expect(out.fields.body).toEqual({ output: 'Bo' });
  });

  it('answers 404 for a user that does not exist', async () => {
    const ws = await createWorkspace();
    const res = await ws.post(RENDER, { user: { external_id: 'ghost' }, fields: { body: 'x' } });
    expect(res.status).toBe(404);
    expect(res.json.message).toBe('User not found');
  });

  it('does not find a user of another workspace', async () => {
    const a = await createWorkspace();
    const b = await createWorkspace();
    await a.post('/users/track', { attributes: [{ external_id: 'shared-id', first_name: 'A' }] });
    const res = await b.post(RENDER, { user: { external_id: 'shared-id' }, fields: { body: 'x' } });
    expect(res.status).toBe(404);
  });

  it('reports a failing field by name while the other fields render', async () => {
    const ws = await createWorkspace();
    const out = await render(ws, {
      fields: { subject: 'ok', body: '{{ "x" | camelize }}', footer: '{% if %}' },
    });
    expect(out.fields.subject).toEqual({ output: 'ok' });
    expect(out.fields.body.error).toMatch(/camelize/);
    expect(out.fields.footer.error).toBeTruthy();
  });

  it('reports abort_message with its field and reason', async () => {
    const ws = await createWorkspace();
    const out = await render(ws, {
      fields: {
        subject: 'fine',
        body: '{% if ${first_name} == blank %}{% abort_message("no name") %}{% endif %}Hi',
      },
    });
    expect(out.aborted).toEqual({ field: 'body', reason: 'no name' });
  });

  it('uses trigger, event and Canvas entry properties and campaign fields', async () => {
    const ws = await createWorkspace();
    const out = await render(ws, {
      trigger_properties: { coupon: 'SAVE10' },
      event_properties: { amount: 145 },
      canvas_entry_properties: { plan: 'pro' },
      campaign: { name: 'Fall', api_id: 'c1' },
      fields: {
        body: '{{api_trigger_properties.${coupon}}} {{event_properties.${amount} | money}} {{canvas_entry_properties.${plan}}} {{context.${plan}}} {{campaign.${name}}} {{campaign.${dispatch_id}}}',
      },
    });
    expect(out.fields.body).toEqual({
      output: 'SAVE10 145.00 pro pro Fall dispatch_id_for_unsent_campaign',
    });
  });

  it('renders with a pinned clock', async () => {
    const ws = await createWorkspace();
    const out = await render(ws, {
      now: '2026-07-04T15:00:00Z',
      fields: { body: "{{ 'now' | time_zone: 'America/New_York' | date: '%Y-%m-%d %H:%M %Z' }}" },
    });
    expect(out.fields.body).toEqual({ output: '2026-07-04 11:00 EDT' });
  });

  it('hashes with node:crypto inside workerd', async () => {
    const ws = await createWorkspace();
    const out = await render(ws, {
      fields: {
        body: '{{ "x" | md5 }} {{ "msg" | hmac_sha256_hex: "k" }} {{ "é" | base64_encode }}',
      },
    });
    expect(out.fields.body).toEqual({
      output:
        '9dd4e461268c8034f5c8564e155c67a6 bf1a0c1242929b6464a6c0a9ac6298a67e09bd1cd4ef1f182ce0141691fc17a0 w6k=',
    });
  });

  it('renders a stored email template by email_template_id', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', { attributes: [{ external_id: 'em', first_name: 'Em' }] });
    const created = await ws.post('/templates/email/create', {
      template_name: 'welcome',
      subject: 'Welcome {{${first_name}}}',
      body: '<p>Hi {{${first_name} | upcase}}</p>',
    });
    const out = await render(ws, {
      user: { external_id: 'em' },
      email_template_id: created.json.email_template_id,
    });
    expect(out.fields.subject).toEqual({ output: 'Welcome Em' });
    expect(out.fields.body).toEqual({ output: '<p>Hi EM</p>' });
  });

  it('refuses an email template of another workspace', async () => {
    const a = await createWorkspace();
    const b = await createWorkspace();
    const created = await a.post('/templates/email/create', {
      template_name: 't',
      subject: 's',
      body: 'b',
    });
    const res = await b.post(RENDER, { email_template_id: created.json.email_template_id });
    expect(res.status).toBe(400);
  });

  it('renders Content Blocks of its own workspace only', async () => {
    const a = await createWorkspace();
    const b = await createWorkspace();
    await a.post('/content_blocks/create', {
      name: 'footer',
      content: '{% assign sig = "A-team" %}Bye from A',
    });
    const out = await render(a, { fields: { body: '{{content_blocks.${footer}}} / {{sig}}' } });
    expect(out.fields.body).toEqual({ output: 'Bye from A / A-team' });
    const other = await render(b, { fields: { body: '{{content_blocks.${footer}}}' } });
    expect(other.fields.body.error).toMatch(/unknown Content Block "footer"/);
  });

  it('reads catalog items and selections, and re-renders Liquid in items with :rerender', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', { attributes: [{ external_id: 'cat', first_name: 'Cy' }] });
    const created = await ws.post('/catalogs', {
      catalogs: [
        {
          name: 'games',
          description: 'Games',
          fields: [
            { name: 'id', type: 'string' },
            { name: 'title', type: 'string' },
            { name: 'price', type: 'number' },
            { name: 'greet', type: 'string' },
          ],
        },
      ],
    });
    expect(created.status).toBe(201);
    const items = await ws.post('/catalogs/games/items', {
      items: [
        { id: 'g1', title: 'Chess', price: 5, greet: 'plain' },
        { id: 'g2', title: 'Go', price: 3, greet: 'Hi {{${first_name}}}' },
      ],
    });
    expect(items.status).toBe(202);
    const selection = await ws.post('/catalogs/games/selections', {
      selection: {
        name: 'cheap',
        filters: [{ field: 'price', operator: 'less than', value: 4 }],
        results_limit: 10,
        sort_field: 'price',
        sort_order: 'asc',
      },
    });
    expect(selection.status).toBeLessThan(300);
    const out = await render(ws, {
      user: { external_id: 'cat' },
      fields: {
        items:
          '{% catalog_items games g2 g1 missing %}{{items.size}}:{% for i in items %}{{i.title}}={{i.price}};{% endfor %}',
        selection:
          '{% catalog_selection_items games cheap %}{% for i in items %}{{i.title}}{% endfor %}',
        raw: '{% catalog_items games g2 %}{{items[0].greet}}',
        rerender: '{% catalog_items games g2 :rerender %}{{items[0].greet}}',
      },
    });
    expect(out.fields.items).toEqual({ output: '2:Go=3;Chess=5;' });
    expect(out.fields.selection).toEqual({ output: 'Go' });
    expect(out.fields.raw).toEqual({ output: 'Hi {{${first_name}}}' });
    expect(out.fields.rerender).toEqual({ output: 'Hi Cy' });
  });

  it('collects message_extras', async () => {
    const ws = await createWorkspace();
    const out = await render(ws, {
      trigger_properties: { sku: 'A-1' },
      fields: { body: '{% message_extras :key sku :value {{api_trigger_properties.${sku}}} %}x' },
    });
    expect(out.message_extras).toEqual({ sku: 'A-1' });
  });
});

describe('Connected Content', () => {
  it('saves a JSON response with its status code and sends Braze-style headers', async () => {
    const ws = await sinkWorkspace();
    const p = path('json');
    await sinkRespond(p, { body: '{"temp": 21, "city": "Paris"}' });
    const out = await render(ws, {
      fields: {
        body: `{% connected_content ${sinkUrl()}${p} :headers {"X-App": "herald"} :save w %}{{w.city}} {{w.temp}} {{w.__http_status_code__}}`,
      },
    });
    expect(out.fields.body).toEqual({ output: 'Paris 21 200' });
    const [req] = await sinkReceived(p);
    expect(req!.method).toBe('GET');
    expect(req!.headers['x-app']).toBe('herald');
    expect(req!.headers['user-agent']).toMatch(/^Herald Sender /);
    expect(req!.headers.accept).toBe('*/*');
  });

  it('inserts a text response inline when it is not saved', async () => {
    const ws = await sinkWorkspace();
    const p = path('text');
    await sinkRespond(p, { body: 'Fun fact.', content_type: 'text/plain' });
    const out = await render(ws, {
      fields: { body: `Today: {% connected_content ${sinkUrl()}${p} %}` },
    });
    expect(out.fields.body).toEqual({ output: 'Today: Fun fact.' });
  });

  it('keeps an unsaved JSON response in `connected`', async () => {
    const ws = await sinkWorkspace();
    const p = path('connected');
    await sinkRespond(p, { body: '{"ok": "yes"}' });
    const out = await render(ws, {
      fields: {
        body: `{% connected_content ${sinkUrl()}${p} %}{{connected.ok}}/{{connected.__http_status_code__}}`,
      },
    });
    expect(out.fields.body).toEqual({ output: 'yes/200' });
  });

  it('renders Liquid in the URL, escaped with url_param_escape', async () => {
    const ws = await sinkWorkspace();
    await ws.post('/users/track', { attributes: [{ external_id: 'q', email: 'a+b@example.com' }] });
    const p = path('liquid-url');
    await render(ws, {
      user: { external_id: 'q' },
      fields: {
        body: `{% connected_content ${sinkUrl()}${p}?email={{\${email_address} | url_param_escape}} %}`,
      },
    });
    const res = await fetch(`${sinkUrl()}/__received?path=${encodeURIComponent(p)}`);
    expect(((await res.json()) as unknown[]).length).toBe(1);
  });

  it('caches a GET for the same URL and skips the cache with :no_cache', async () => {
    const ws = await sinkWorkspace();
    const p = path('cache');
    const url = `${sinkUrl()}${p}`;
    await render(ws, {
      fields: {
        a: `{% connected_content ${url} :save r %}`,
        b: `{% connected_content ${url} :save r %}`,
      },
    });
    expect(await sinkReceived(p)).toHaveLength(1);
    const out = await render(ws, {
      fields: { c: `{% connected_content ${url} :no_cache :save r %}` },
    });
    expect(await sinkReceived(p)).toHaveLength(2);
    expect(out.connected_content_calls[0].cached).toBe(false);
  });

  it('does not share cached responses between workspaces', async () => {
    const a = await sinkWorkspace();
    const b = await sinkWorkspace();
    const p = path('cache-ws');
    const field = { body: `{% connected_content ${sinkUrl()}${p} :save r %}` };
    await render(a, { fields: field });
    await render(b, { fields: field });
    expect(await sinkReceived(p)).toHaveLength(2);
  });

  it('posts a form body, and a JSON body when the content type says so; POST is not cached', async () => {
    const ws = await sinkWorkspace();
    const p = path('post');
    const url = `${sinkUrl()}${p}`;
    await render(ws, {
      fields: {
        a: `{% connected_content ${url} :method post :body a=1&b=two :save r %}`,
        b: `{% connected_content ${url} :method post :body a=1&b=two :content_type application/json :save r %}`,
      },
    });
    const got = await sinkReceived(p);
    expect(got.map((r) => r.body)).toEqual(['a=1&b=two', '{"a":"1","b":"two"}']);
    expect(got[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(got[1]!.headers['content-type']).toBe('application/json');
  });

  it('caches a POST when :cache_max_age is given', async () => {
    const ws = await sinkWorkspace();
    const p = path('post-cache');
    const tag = `{% connected_content ${sinkUrl()}${p} :method post :body x=1 :cache_max_age 900 :save r %}`;
    await render(ws, { fields: { a: tag, b: tag } });
    expect(await sinkReceived(p)).toHaveLength(1);
  });

  it('refuses loopback addresses unless the workspace allowlists them', async () => {
    const ws = await createWorkspace();
    const p = path('refused');
    const out = await render(ws, {
      fields: { body: `[{% connected_content ${sinkUrl()}${p} %}]` },
    });
    expect(out.fields.body).toEqual({ output: '[]' });
    expect(out.connected_content_calls[0].error).toMatch(/ports 80 and 443|private/);
    expect(await sinkReceived(p)).toHaveLength(0);
  });

  it('refuses private addresses on the default port', async () => {
    const ws = await createWorkspace();
    const out = await render(ws, {
      fields: { body: '{% connected_content http://169.254.169.254/latest %}' },
    });
    expect(out.connected_content_calls[0].error).toMatch(/private address/);
  });

  it('inserts nothing for a 404 and sets no status code', async () => {
    const ws = await sinkWorkspace();
    const p = path('404');
    await sinkRespond(p, { status: 404, body: '{"error": "nope"}' });
    const out = await render(ws, {
      fields: {
        body: `[{% connected_content ${sinkUrl()}${p} :save r %}{{r.__http_status_code__}}]`,
      },
    });
    expect(out.fields.body).toEqual({ output: '[]' });
  });

  it('inserts nothing when the server fails and :retry is not given', async () => {
    const ws = await sinkWorkspace();
    const p = path('500');
    await sinkRespond(p, { status: 500, body: 'boom', content_type: 'text/plain' });
    const out = await render(ws, {
      fields: { body: `[{% connected_content ${sinkUrl()}${p} %}]` },
    });
    expect(out.fields.body).toEqual({ output: '[]' });
    expect(out.aborted).toBeNull();
    expect(await sinkReceived(p)).toHaveLength(1);
  });

  it('retries five times with :retry and then aborts the message', async () => {
    const ws = await sinkWorkspace();
    const p = path('retry');
    await sinkRespond(p, { status: 502, body: 'bad gateway', content_type: 'text/plain' });
    const out = await render(ws, {
      fields: { body: `{% connected_content ${sinkUrl()}${p} :retry %}` },
    });
    expect(out.aborted.reason).toMatch(/Connected Content failed after retries: HTTP 502/);
    expect(await sinkReceived(p)).toHaveLength(5);
  });

  it('gives up on a response slower than 2 seconds', async () => {
    const ws = await sinkWorkspace();
    const p = path('slow');
    await sinkRespond(p, { body: '{"late": true}', delay_ms: 2_500 });
    const out = await render(ws, {
      fields: { body: `[{% connected_content ${sinkUrl()}${p} :save r %}{{r.late}}]` },
    });
    expect(out.fields.body).toEqual({ output: '[]' });
    expect(out.connected_content_calls[0].error).toMatch(/no response within 2000 ms/);
  });

  it('refuses a response larger than 1 MB', async () => {
    const ws = await sinkWorkspace();
    const p = path('big');
    await sinkRespond(p, { body: 'x'.repeat(1_048_577), content_type: 'text/plain' });
    const out = await render(ws, {
      fields: { body: `[{% connected_content ${sinkUrl()}${p} %}]` },
    });
    expect(out.fields.body).toEqual({ output: '[]' });
    expect(out.connected_content_calls[0].error).toMatch(/larger than 1 MB/);
  });

  it('sends a stored credential with :basic_auth and fails on an unknown one', async () => {
    const ws = await sinkWorkspace();
    const put = await operator(
      `/operator/workspaces/${ws.id}/connected_content/credentials/partner`,
      {
        method: 'PUT',
        body: { username: 'user', password: 'secret' },
      },
    );
    expect(put.status).toBeLessThan(300);
    const p = path('auth');
    const out = await render(ws, {
      fields: {
        a: `{% connected_content ${sinkUrl()}${p} :basic_auth partner :save r %}`,
        b: `{% connected_content ${sinkUrl()}${p}?2 :basic_auth missing :save r %}`,
      },
    });
    const [req] = await sinkReceived(p);
    expect(req!.headers.authorization).toBe(`Basic ${btoa('user:secret')}`);
    expect(out.connected_content_calls[1].error).toMatch(/unknown credential missing/);
  });
});
