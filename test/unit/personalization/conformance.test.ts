import { describe, expect, it } from 'vitest';
import { renderFields } from '../../../src/personalization/render';
import { buildScope } from '../../../src/personalization/scope';
import type { ContentBlockSource } from '../../../src/personalization/sources';
import { conformanceCases } from './conformance-cases';
import { CONTENT_BLOCKS, catalogSource, JANET, NOW } from './fixtures';

/**
 * The Liquid conformance table: every case renders through `renderFields` exactly as a send
 * would, with the recipient's scope from `buildScope`, a fixed clock and fixed Content Blocks and
 * catalogs, and must produce what Braze documents.
 */

const contentBlocks: ContentBlockSource = {
  get: async (name) =>
    name in CONTENT_BLOCKS ? { name, content: CONTENT_BLOCKS[name]!, updatedAt: 1 } : null,
};

describe('Liquid conformance', () => {
  it('has at least 150 cases, each with its own name', () => {
    const names = conformanceCases.map((c) => c.name);
    expect(conformanceCases.length).toBeGreaterThanOrEqual(150);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(conformanceCases)('$name', async (c) => {
    const recipient = c.recipient === undefined ? JANET : c.recipient;
    const outcome = await renderFields({
      fields: { body: c.template },
      scope: buildScope(recipient, c.message ?? {}),
      now: c.now ?? NOW,
      sources: { contentBlocks, catalogs: catalogSource },
    });
    const { expected } = c;
    if (typeof expected === 'string') {
      expect(outcome.aborted).toBeNull();
      expect(outcome.fields.body).toEqual({ ok: true, output: expected });
    } else if ('abort' in expected) {
      expect(outcome.aborted).toEqual({ field: 'body', reason: expected.abort });
      expect(outcome.fields.body).toBeUndefined();
    } else {
      expect(outcome.aborted).toBeNull();
      const body = outcome.fields.body;
      expect(body?.ok).toBe(false);
      expect(body && !body.ok ? body.error : '').toMatch(expected.error);
    }
    if (c.extras) expect(outcome.extras).toEqual(c.extras);
  });
});

describe('a message of several fields', () => {
  const render = (fields: Record<string, string>) =>
    renderFields({ fields, scope: buildScope(JANET, {}), now: NOW, sources: { contentBlocks } });

  it('stops at an abort: later fields are not rendered', async () => {
    const outcome = await render({
      subject: "{% abort_message('no subject') %}",
      body: 'Hello {{${first_name}}}',
    });
    expect(outcome.aborted).toEqual({ field: 'subject', reason: 'no subject' });
    expect(outcome.fields).toEqual({});
  });

  it('reports the field that aborted', async () => {
    const outcome = await render({ subject: 'Hi', body: '{% abort_message %}' });
    expect(outcome.aborted).toEqual({ field: 'body', reason: '{% abort_message %} called' });
  });

  it('collects message_extras across fields, the first value of a key winning', async () => {
    const outcome = await render({
      subject: '{% message_extras :key where :value subject %}',
      body: '{% message_extras :key where :value body %}{% message_extras :key lang :value {{${language}}} %}',
    });
    expect(outcome.extras).toEqual({ where: 'subject', lang: 'en' });
  });

  it('keeps assigned variables inside their field', async () => {
    const outcome = await render({
      subject: "{% assign code = 'A1' %}{{ code }}",
      body: '[{{ code }}]',
    });
    expect(outcome.fields).toEqual({
      subject: { ok: true, output: 'A1' },
      body: { ok: true, output: '[]' },
    });
  });
});
