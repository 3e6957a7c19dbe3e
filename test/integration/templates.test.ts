import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { d1ContentBlockSource } from '../../src/templates/content-block-source';
import { d1CredentialSource } from '../../src/templates/credential-source';
import { call, createWorkspace, operator, type TestWorkspace } from '../fixtures/workspace';

async function get(ws: TestWorkspace, path: string): Promise<{ status: number; json: any }> {
  const res = await call(path, { key: ws.key });
  return { status: res.status, json: await res.json() };
}

/** Create a Content Block; answers its id. */
async function block(ws: TestWorkspace, body: Record<string, unknown>): Promise<string> {
  const res = await ws.post('/content_blocks/create', { content: '<p>Hi</p>', ...body });
  if (res.status !== 201) throw new Error(`block create failed: ${JSON.stringify(res.json)}`);
  return res.json.content_block_id;
}

/** Create an email template; answers its id. */
async function template(ws: TestWorkspace, body: Record<string, unknown> = {}): Promise<string> {
  const res = await ws.post('/templates/email/create', {
    template_name: 'Welcome',
    subject: 'Hello',
    body: '<p>Hello</p>',
    ...body,
  });
  if (res.status !== 201) throw new Error(`template create failed: ${JSON.stringify(res.json)}`);
  return res.json.email_template_id;
}

/** Braze's tag for a Content Block: `{{content_blocks.${name}}}`. */
const cbTag = (name: string) => `{{content_blocks.\${${name}}}}`;

const blockInfo = (ws: TestWorkspace, id: string) =>
  get(ws, `/content_blocks/info?content_block_id=${id}`);

/** Pin a row's last edit, so time windows are tested without waiting. */
async function setUpdatedAt(table: string, id: string, iso: string): Promise<void> {
  await env.DB.prepare(`UPDATE ${table} SET updated_at = ? WHERE id = ?`)
    .bind(Date.parse(iso), id)
    .run();
}

describe('POST /content_blocks/create', () => {
  it('creates an active HTML block and answers its id, Liquid tag and creation time', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/content_blocks/create', { name: 'footer', content: '<p>Bye</p>' });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      content_block_id: expect.any(String),
      liquid_tag: expect.any(String),
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      message: 'success',
    });
    expect(res.json.liquid_tag).toBe('{{content_blocks.${footer}}}');
    const info = await blockInfo(ws, res.json.content_block_id);
    expect(info.json).toMatchObject({ state: 'active', content_type: 'html', tags: [] });
  });

  it('creates a draft text block when asked', async () => {
    const ws = await createWorkspace();
    const id = await block(ws, { name: 'note', state: 'draft', content_type: 'text' });
    expect((await blockInfo(ws, id)).json).toMatchObject({ state: 'draft', content_type: 'text' });
  });

  it('accepts a name of exactly 100 characters and content of exactly 50 KB', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/content_blocks/create', {
      name: 'n'.repeat(100),
      content: 'x'.repeat(50 * 1024),
    });
    expect(res.status).toBe(201);
  });

  it.each([
    ['a name over 100 characters', { name: 'n'.repeat(101) }, 'name must be shorter than 100'],
    ['a name with a space or !', { name: 'hi there!' }, 'can only contain alphanumeric characters'],
    ['a missing name', { name: undefined }, 'Content Block name cannot be blank'],
    // 17,067 three-byte characters: under 50 K characters, over 50 KB.
    ['content over 50 KB in UTF-8', { content: '€'.repeat(17_067) }, 'smaller than 50kb'],
    ['blank content', { content: '  ' }, 'Content cannot be blank'],
    ['content that is not a string', { content: 5 }, 'Content must be a string'],
    ['a description over 250 characters', { description: 'd'.repeat(251) }, 'shorter than 250'],
    ['a state other than active or draft', { state: 'archived' }, 'either active or draft'],
    ['a content_type other than html or text', { content_type: 'mjml' }, 'either html or text'],
    ['tags that are not strings', { tags: [1] }, 'All tags must be strings'],
    ['tags that are not an array', { tags: 'promo' }, 'Tags must be an array'],
    ['a block that inserts itself', { content: `a ${cbTag('b')} b` }, 'referenced within itself'],
  ])('refuses %s', async (_case, fields, message) => {
    const ws = await createWorkspace();
    const res = await ws.post('/content_blocks/create', { name: 'b', content: 'x', ...fields });
    expect(res.status).toBe(400);
    expect(res.json.message).toContain(message);
  });

  it('refuses a name another block of the workspace already has', async () => {
    const ws = await createWorkspace();
    await block(ws, { name: 'header' });
    const res = await ws.post('/content_blocks/create', { name: 'header', content: 'again' });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe('Content Block with this name already exists');
  });

  it('allows a name that only another workspace uses', async () => {
    await block(await createWorkspace(), { name: 'shared' });
    const res = await (await createWorkspace()).post('/content_blocks/create', {
      name: 'shared',
      content: 'x',
    });
    expect(res.status).toBe(201);
  });

  it('refuses content whose Liquid does not parse, naming the problem', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/content_blocks/create', { name: 'broken', content: '{% if %}x' });
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/^content: Content has invalid Liquid/);
  });

  it('accepts Braze-only syntax the engine understands', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/content_blocks/create', {
      name: 'braze_syntax',
      content:
        '{{${first_name} | default: "you"}} {% abort_message("x") %}{{ "a" | url_param_escape }}',
    });
    expect(res.status).toBe(201);
  });

  it('accepts any tag strings, since Herald keeps no tag registry', async () => {
    const ws = await createWorkspace();
    const id = await block(ws, { name: 'tagged', tags: ['never-created', 'promo'] });
    expect((await blockInfo(ws, id)).json.tags).toEqual(['never-created', 'promo']);
  });
});

describe('POST /content_blocks/update', () => {
  it('changes only the fields sent', async () => {
    const ws = await createWorkspace();
    const id = await block(ws, { name: 'promo', description: 'Spring', tags: ['a'] });
    const res = await ws.post('/content_blocks/update', { content_block_id: id, content: 'New' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      content_block_id: id,
      liquid_tag: cbTag('promo'),
    });
    expect((await blockInfo(ws, id)).json).toMatchObject({
      name: 'promo',
      content: 'New',
      description: 'Spring',
      tags: ['a'],
      state: 'active',
    });
  });

  it('moves last_edited forward on every update, even when the clock has not', async () => {
    const ws = await createWorkspace();
    const id = await block(ws, { name: 'tick' });
    const ahead = new Date(Date.now() + 86_400_000).toISOString();
    await setUpdatedAt('content_blocks', id, ahead);
    await ws.post('/content_blocks/update', { content_block_id: id, content: 'Tock' });
    const edited = Date.parse((await blockInfo(ws, id)).json.last_edited);
    expect(edited).toBeGreaterThan(Date.parse(ahead));
  });

  it('renames a draft block', async () => {
    const ws = await createWorkspace();
    const id = await block(ws, { name: 'old_name', state: 'draft' });
    const res = await ws.post('/content_blocks/update', { content_block_id: id, name: 'new_name' });
    expect(res.status).toBe(200);
    expect(res.json.liquid_tag).toBe(cbTag('new_name'));
  });

  it('refuses to rename an active block', async () => {
    const ws = await createWorkspace();
    const id = await block(ws, { name: 'fixed' });
    const res = await ws.post('/content_blocks/update', { content_block_id: id, name: 'moved' });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe('Content Block name cannot be updated for active Content Blocks');
    expect((await blockInfo(ws, id)).json.name).toBe('fixed');
  });

  it('accepts the unchanged name of an active block', async () => {
    const ws = await createWorkspace();
    const id = await block(ws, { name: 'same' });
    const res = await ws.post('/content_blocks/update', {
      content_block_id: id,
      name: 'same',
      content: 'Edited',
    });
    expect(res.status).toBe(200);
  });

  it('refuses to move an active block back to draft', async () => {
    const ws = await createWorkspace();
    const id = await block(ws, { name: 'live' });
    const res = await ws.post('/content_blocks/update', { content_block_id: id, state: 'draft' });
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/^Active Content Block can not be updated to Draft/);
    expect((await blockInfo(ws, id)).json.state).toBe('active');
  });

  it('activates a draft block', async () => {
    const ws = await createWorkspace();
    const id = await block(ws, { name: 'soon', state: 'draft' });
    await ws.post('/content_blocks/update', { content_block_id: id, state: 'active' });
    expect((await blockInfo(ws, id)).json.state).toBe('active');
  });

  it('keeps a draft a draft when state is not sent', async () => {
    const ws = await createWorkspace();
    const id = await block(ws, { name: 'wip', state: 'draft' });
    await ws.post('/content_blocks/update', { content_block_id: id, content: 'More' });
    expect((await blockInfo(ws, id)).json.state).toBe('draft');
  });

  it('refuses to rename a draft to a name already taken', async () => {
    const ws = await createWorkspace();
    await block(ws, { name: 'taken' });
    const id = await block(ws, { name: 'free', state: 'draft' });
    const res = await ws.post('/content_blocks/update', { content_block_id: id, name: 'taken' });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe('Content Block with this name already exists');
  });

  it('refuses content over 50 KB', async () => {
    const ws = await createWorkspace();
    const id = await block(ws, { name: 'grow' });
    const res = await ws.post('/content_blocks/update', {
      content_block_id: id,
      content: 'x'.repeat(50 * 1024 + 1),
    });
    expect(res.status).toBe(400);
    expect(res.json.message).toContain('Content must be smaller than 50kb');
  });

  it('refuses an unknown content_block_id', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/content_blocks/update', {
      content_block_id: 'nope',
      content: 'x',
    });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe('Content Block ID is invalid for this workspace');
  });

  it('refuses an update with no field to change', async () => {
    const ws = await createWorkspace();
    const id = await block(ws, { name: 'idle' });
    const res = await ws.post('/content_blocks/update', { content_block_id: id });
    expect(res.status).toBe(400);
    expect(res.json.message).toContain('Give at least one field to update');
  });

  it("refuses another workspace's key and leaves the block unchanged", async () => {
    const owner = await createWorkspace();
    const id = await block(owner, { name: 'mine', content: 'Original' });
    const intruder = await createWorkspace();
    const res = await intruder.post('/content_blocks/update', {
      content_block_id: id,
      content: 'X',
    });
    expect(res.status).toBe(400);
    expect((await blockInfo(owner, id)).json.content).toBe('Original');
  });
});

describe('GET /content_blocks/info', () => {
  it('answers the block with its content, description, type, tags and times', async () => {
    const ws = await createWorkspace();
    const id = await block(ws, { name: 'card', description: 'Card', tags: ['x'] });
    const res = await blockInfo(ws, id);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      content_block_id: id,
      name: 'card',
      content: '<p>Hi</p>',
      description: 'Card',
      content_type: 'html',
      tags: ['x'],
      created_at: expect.any(String),
      last_edited: expect.any(String),
      inclusion_count: 0,
      state: 'active',
      message: 'success',
    });
  });

  it('adds inclusion_data only when include_inclusion_data is true', async () => {
    const ws = await createWorkspace();
    const id = await block(ws, { name: 'inc' });
    const res = await get(
      ws,
      `/content_blocks/info?content_block_id=${id}&include_inclusion_data=true`,
    );
    expect(res.json.inclusion_data).toEqual([]);
  });

  it('refuses include_inclusion_data other than true or false', async () => {
    const ws = await createWorkspace();
    const id = await block(ws, { name: 'inc' });
    const res = await get(
      ws,
      `/content_blocks/info?content_block_id=${id}&include_inclusion_data=yes`,
    );
    expect(res.status).toBe(400);
  });

  it('refuses a request without content_block_id', async () => {
    const ws = await createWorkspace();
    const res = await get(ws, '/content_blocks/info');
    expect(res.status).toBe(400);
    expect(res.json.message).toContain('Content Block ID cannot be blank');
  });

  it("does not show a block to another workspace's key", async () => {
    const id = await block(await createWorkspace(), { name: 'private' });
    const res = await blockInfo(await createWorkspace(), id);
    expect(res.status).toBe(400);
    expect(res.json.message).toBe('Content Block ID is invalid for this workspace');
  });
});

describe('GET /content_blocks/list', () => {
  it("lists the workspace's blocks with Braze's fields and no content", async () => {
    const ws = await createWorkspace();
    const id = await block(ws, { name: 'one', tags: ['t'] });
    await block(await createWorkspace(), { name: 'elsewhere' });
    const res = await get(ws, '/content_blocks/list');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      count: 1,
      content_blocks: [
        {
          content_block_id: id,
          name: 'one',
          content_type: 'html',
          liquid_tag: cbTag('one'),
          inclusion_count: 0,
          created_at: expect.any(String),
          last_edited: expect.any(String),
          tags: ['t'],
          state: 'active',
        },
      ],
      message: 'success',
    });
  });

  it("filters by modified_after and modified_before, both inclusive, in Braze's time format", async () => {
    const ws = await createWorkspace();
    const ids = [await block(ws, { name: 'a' }), await block(ws, { name: 'b' })];
    ids.push(await block(ws, { name: 'c' }));
    const times = ['2020-01-01T00:00:00Z', '2020-02-01T00:00:00Z', '2020-03-01T00:00:00Z'];
    for (const [i, id] of ids.entries()) await setUpdatedAt('content_blocks', id, times[i]!);
    const res = await get(
      ws,
      '/content_blocks/list?modified_after=2020-02-01T00:00:00.000000&modified_before=2020-03-01T00:00:00.000000',
    );
    expect(res.json.content_blocks.map((b: any) => b.name)).toEqual(['b', 'c']);
    const before = await get(ws, '/content_blocks/list?modified_before=2020-01-15T00:00:00Z');
    expect(before.json.content_blocks.map((b: any) => b.name)).toEqual(['a']);
  });

  it('pages with limit and offset, oldest edit first', async () => {
    const ws = await createWorkspace();
    for (const [i, name] of ['a', 'b', 'c'].entries()) {
      await setUpdatedAt(
        'content_blocks',
        await block(ws, { name }),
        `2021-0${i + 1}-01T00:00:00Z`,
      );
    }
    const first = await get(ws, '/content_blocks/list?limit=2');
    const second = await get(ws, '/content_blocks/list?limit=2&offset=2');
    expect(first.json.content_blocks.map((b: any) => b.name)).toEqual(['a', 'b']);
    expect(first.json.count).toBe(2);
    expect(second.json.content_blocks.map((b: any) => b.name)).toEqual(['c']);
  });

  it.each([
    ['a limit over 1000', 'limit=1001', 'Content Block number limit exceeds maximum of 1000'],
    ['a limit of 0', 'limit=0', 'Content Block number limit must be greater than 0'],
    ['a negative offset', 'offset=-1', 'Offset must not be negative'],
    ['a modified_after that is not a time', 'modified_after=yesterday', 'after time is invalid'],
    [
      'a modified_before that is not a time',
      'modified_before=2021-13-01',
      'before time is invalid',
    ],
    [
      'a modified_after later than modified_before',
      'modified_after=2021-02-01T00:00:00Z&modified_before=2021-01-01T00:00:00Z',
      'Modified after time must be earlier than or the same as modified before time.',
    ],
  ])('refuses %s', async (_case, query, message) => {
    const ws = await createWorkspace();
    const res = await get(ws, `/content_blocks/list?${query}`);
    expect(res.status).toBe(400);
    expect(res.json.message).toContain(message);
  });
});

describe('POST /templates/email/create', () => {
  it('creates a template and answers its id', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/templates/email/create', {
      template_name: 'Weekly',
      subject: 'This week',
      body: '<p>News</p>',
      plaintext_body: 'News',
      preheader: 'Read on',
      tags: ['newsletter'],
      should_inline_css: true,
    });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ email_template_id: expect.any(String), message: 'success' });
  });

  it('refuses a subject whose Liquid uses a filter Braze does not have', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/templates/email/create', {
      template_name: 'bad',
      subject: '{{ ${first_name} | camelize }}',
      body: 'b',
    });
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/Subject has invalid Liquid: undefined filter: camelize/);
  });

  it('refuses a template without a name', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/templates/email/create', { subject: 's', body: 'b' });
    expect(res.status).toBe(400);
    expect(res.json.message).toContain('Template name is required');
  });

  it('refuses should_inline_css sent as a string', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/templates/email/create', {
      template_name: 'n',
      subject: 's',
      body: 'b',
      should_inline_css: 'true',
    });
    expect(res.status).toBe(400);
    expect(res.json.message).toContain('Invalid value for should_inline_css');
  });

  it('refuses a body inserting a Content Block the workspace does not have', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/templates/email/create', {
      template_name: 'n',
      subject: 's',
      body: cbTag('missing'),
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      message: 'Email must have valid Content Block names',
      errors: ['Unknown Content Block: missing'],
    });
  });

  it('accepts a body inserting a Content Block of the workspace, even a draft', async () => {
    const ws = await createWorkspace();
    await block(ws, { name: 'footer', state: 'draft' });
    const res = await ws.post('/templates/email/create', {
      template_name: 'n',
      subject: 's',
      body: `<p>Hi</p>{{ content_blocks.\${footer} | id: 'f1' }}`,
    });
    expect(res.status).toBe(201);
  });
});

describe('POST /templates/email/update', () => {
  it('changes only the fields sent', async () => {
    const ws = await createWorkspace();
    const id = await template(ws, { preheader: 'Pre', tags: ['a'] });
    const res = await ws.post('/templates/email/update', { email_template_id: id, subject: 'New' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ email_template_id: id, message: 'success' });
    const info = await get(ws, `/templates/email/info?email_template_id=${id}`);
    expect(info.json).toMatchObject({
      template_name: 'Welcome',
      subject: 'New',
      body: '<p>Hello</p>',
      preheader: 'Pre',
      tags: ['a'],
    });
  });

  it('refuses an update with no field to change', async () => {
    const ws = await createWorkspace();
    const id = await template(ws);
    const res = await ws.post('/templates/email/update', { email_template_id: id });
    expect(res.status).toBe(400);
    expect(res.json.message).toContain('Give at least one field to update');
  });

  it('refuses an unknown email_template_id', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/templates/email/update', {
      email_template_id: 'nope',
      subject: 's',
    });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe('Email template ID is invalid for this workspace');
  });

  it("refuses another workspace's key and leaves the template unchanged", async () => {
    const owner = await createWorkspace();
    const id = await template(owner);
    const res = await (await createWorkspace()).post('/templates/email/update', {
      email_template_id: id,
      subject: 'Hijacked',
    });
    expect(res.status).toBe(400);
    const info = await get(owner, `/templates/email/info?email_template_id=${id}`);
    expect(info.json.subject).toBe('Hello');
  });
});

describe('GET /templates/email/info', () => {
  it("answers the template with Braze's fields", async () => {
    const ws = await createWorkspace();
    const id = await template(ws, { plaintext_body: 'Hello', should_inline_css: false });
    const res = await get(ws, `/templates/email/info?email_template_id=${id}`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      email_template_id: id,
      template_name: 'Welcome',
      description: '',
      subject: 'Hello',
      preheader: null,
      body: '<p>Hello</p>',
      plaintext_body: 'Hello',
      should_inline_css: false,
      tags: [],
      created_at: expect.any(String),
      updated_at: expect.any(String),
      message: 'success',
    });
  });

  it("does not show a template to another workspace's key", async () => {
    const id = await template(await createWorkspace());
    const res = await get(await createWorkspace(), `/templates/email/info?email_template_id=${id}`);
    expect(res.status).toBe(400);
  });
});

describe('GET /templates/email/list', () => {
  it("lists the workspace's templates with Braze's fields and no bodies", async () => {
    const ws = await createWorkspace();
    const id = await template(ws, { tags: ['t'] });
    await template(await createWorkspace());
    const res = await get(ws, '/templates/email/list');
    expect(res.json).toEqual({
      count: 1,
      templates: [
        {
          email_template_id: id,
          template_name: 'Welcome',
          created_at: expect.any(String),
          updated_at: expect.any(String),
          tags: ['t'],
        },
      ],
      message: 'success',
    });
  });

  it('filters by modified_after and modified_before, both inclusive', async () => {
    const ws = await createWorkspace();
    const names = ['a', 'b', 'c'];
    for (const [i, name] of names.entries()) {
      const id = await template(ws, { template_name: name });
      await setUpdatedAt('email_templates', id, `2022-0${i + 1}-01T00:00:00Z`);
    }
    const res = await get(
      ws,
      '/templates/email/list?modified_after=2022-01-01T00:00:00Z&modified_before=2022-02-01T00:00:00Z',
    );
    expect(res.json.templates.map((t: any) => t.template_name)).toEqual(['a', 'b']);
  });

  it('pages with limit and offset', async () => {
    const ws = await createWorkspace();
    for (const [i, name] of ['a', 'b', 'c'].entries()) {
      const id = await template(ws, { template_name: name });
      await setUpdatedAt('email_templates', id, `2022-0${i + 1}-01T00:00:00Z`);
    }
    const res = await get(ws, '/templates/email/list?limit=1&offset=1');
    expect(res.json.templates.map((t: any) => t.template_name)).toEqual(['b']);
  });

  it('refuses a limit that is not a number', async () => {
    const ws = await createWorkspace();
    const res = await get(ws, '/templates/email/list?limit=many');
    expect(res.status).toBe(400);
    expect(res.json.message).toContain('Template number limit is invalid');
  });
});

/** A D1 binding that counts the statements prepared through it. */
function countingDb(db: D1Database): { db: D1Database; statements: () => number } {
  let n = 0;
  const proxy = new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (prop === 'prepare') n++;
        return value.apply(target, args);
      };
    },
  });
  return { db: proxy, statements: () => n };
}

describe('d1ContentBlockSource', () => {
  it('answers an active block by name with its content and last edit', async () => {
    const ws = await createWorkspace();
    const id = await block(ws, { name: 'hero', content: '<h1>Hi</h1>' });
    const found = await d1ContentBlockSource(env.DB, ws.id).get('hero');
    const info = await blockInfo(ws, id);
    expect(found).toEqual({
      name: 'hero',
      content: '<h1>Hi</h1>',
      updatedAt: Date.parse(info.json.last_edited),
    });
  });

  it('answers null for a draft block', async () => {
    const ws = await createWorkspace();
    await block(ws, { name: 'hidden', state: 'draft' });
    expect(await d1ContentBlockSource(env.DB, ws.id).get('hidden')).toBeNull();
  });

  it("answers null for another workspace's block", async () => {
    await block(await createWorkspace(), { name: 'theirs' });
    const other = await createWorkspace();
    expect(await d1ContentBlockSource(env.DB, other.id).get('theirs')).toBeNull();
  });

  it('reads D1 once for a send rendering the block for many recipients', async () => {
    const ws = await createWorkspace();
    await block(ws, { name: 'shared' });
    const counted = countingDb(env.DB);
    const source = d1ContentBlockSource(counted.db, ws.id, { now: () => 1_000 });
    const renders = await Promise.all(Array.from({ length: 50 }, () => source.get('shared')));
    await source.get('shared');
    expect(renders.every((b) => b?.content === '<p>Hi</p>')).toBe(true);
    expect(counted.statements()).toBe(1);
  });

  it('sees an edit made elsewhere once the few seconds of caching have passed', async () => {
    const ws = await createWorkspace();
    const id = await block(ws, { name: 'news', content: 'Old' });
    let now = 10_000;
    const source = d1ContentBlockSource(env.DB, ws.id, { now: () => now });
    expect((await source.get('news'))?.content).toBe('Old');
    // Another isolate's write: straight to D1, so this isolate's cache is not told.
    await env.DB.prepare('UPDATE content_blocks SET content = ? WHERE id = ?')
      .bind('New', id)
      .run();
    now += 1_000;
    expect((await source.get('news'))?.content).toBe('Old');
    now += 5_000;
    expect((await source.get('news'))?.content).toBe('New');
  });
});

describe('Connected Content credentials', () => {
  const path = (ws: TestWorkspace, name = '') =>
    `/operator/workspaces/${ws.id}/connected_content/credentials${name ? `/${name}` : ''}`;
  const secret = { username: 'api-user', password: 's3cr3t-pa55' };

  it('refuses a REST API key in place of the operator token', async () => {
    const ws = await createWorkspace();
    const res = await call(path(ws, 'crm'), { method: 'PUT', key: ws.key, body: secret });
    expect(res.status).toBe(401);
  });

  it('refuses a request without the operator token', async () => {
    const ws = await createWorkspace();
    expect((await call(path(ws))).status).toBe(401);
  });

  it('stores a credential without ever answering its password', async () => {
    const ws = await createWorkspace();
    const res = await operator(path(ws, 'crm'), { method: 'PUT', body: secret });
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ name: 'crm', created: true, message: 'success' });
    expect(text).not.toContain(secret.password);
  });

  it('lists credential names only', async () => {
    const ws = await createWorkspace();
    await operator(path(ws, 'crm'), { method: 'PUT', body: secret });
    const res = await operator(path(ws));
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      credentials: [{ name: 'crm', created_at: expect.any(String) }],
      message: 'success',
    });
    expect(text).not.toContain(secret.password);
    expect(text).not.toContain(secret.username);
  });

  it('replaces a credential of the same name', async () => {
    const ws = await createWorkspace();
    await operator(path(ws, 'crm'), { method: 'PUT', body: secret });
    const res = await operator(path(ws, 'crm'), {
      method: 'PUT',
      body: { username: 'sk_live', password: '' },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).created).toBe(false);
    expect(await d1CredentialSource(env.DB, ws.id).get('crm')).toEqual({
      username: 'sk_live',
      password: '',
    });
  });

  it('deletes a credential, and answers 404 for one that does not exist', async () => {
    const ws = await createWorkspace();
    await operator(path(ws, 'crm'), { method: 'PUT', body: secret });
    expect((await operator(path(ws, 'crm'), { method: 'DELETE' })).status).toBe(200);
    expect(((await (await operator(path(ws))).json()) as any).credentials).toEqual([]);
    expect((await operator(path(ws, 'crm'), { method: 'DELETE' })).status).toBe(404);
  });

  it('refuses a name a template could not write after :basic_auth', async () => {
    const ws = await createWorkspace();
    const res = await operator(path(ws, 'two%20words'), { method: 'PUT', body: secret });
    expect(res.status).toBe(400);
  });

  it('answers 404 for an unknown workspace', async () => {
    const res = await operator('/operator/workspaces/ws_missing/connected_content/credentials');
    expect(res.status).toBe(404);
  });

  it('gives renders the credential of their own workspace only', async () => {
    const ws = await createWorkspace();
    await operator(path(ws, 'crm'), { method: 'PUT', body: secret });
    const other = await createWorkspace();
    expect(await d1CredentialSource(env.DB, ws.id).get('crm')).toEqual(secret);
    expect(await d1CredentialSource(env.DB, other.id).get('crm')).toBeNull();
  });
});
