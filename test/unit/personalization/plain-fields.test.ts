import { describe, expect, it } from 'vitest';
import { engine } from '../../../src/personalization/engine';
import { renderFields } from '../../../src/personalization/render';
import { buildScope } from '../../../src/personalization/scope';
import { JANET, NOW } from './fixtures';

/** Fields without a Liquid delimiter skip the engine (render.ts `isPlainText`). */

const PLAIN = [
  'https://hooks.example.com/in?a=1&b=2',
  'application/json',
  'Bearer ${not_a_tag} {not liquid} 100%',
  '',
];

describe('renderFields with plain text', () => {
  it('outputs text without delimiters as the engine would, next to fields that render', async () => {
    const fields: Record<string, string> = { body: 'Hi {{${first_name}}}' };
    PLAIN.forEach((text, i) => {
      fields[`plain ${i}`] = text;
    });
    const outcome = await renderFields({ fields, scope: buildScope(JANET, {}), now: NOW });
    expect(outcome.fields.body).toEqual({ ok: true, output: `Hi ${JANET.standard.first_name}` });
    PLAIN.forEach((text, i) => {
      expect(outcome.fields[`plain ${i}`]).toEqual({
        ok: true,
        output: engine().parseAndRenderSync(text),
      });
    });
  });
});
