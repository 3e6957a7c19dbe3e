import { describe, expect, it } from 'vitest';
import { bundleSdk } from '../../../sdk/build.mjs';

describe('the Web SDK bundle', () => {
  it('is under 15 KB gzipped, as an ES module', async () => {
    const { code, gzipped } = await bundleSdk();
    expect(gzipped).toBeLessThan(15 * 1024);
    const text = new TextDecoder().decode(code);
    // ESM with the public API exported.
    for (const name of ['initialize', 'changeUser', 'logCustomEvent', 'getFeatureFlag']) {
      expect(text).toMatch(new RegExp(`\\b${name}\\b`));
    }
    expect(text).toMatch(/export\s*\{/);
  });
});
