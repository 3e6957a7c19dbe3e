import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, linkHeader } from '../../../src/catalogs/cursor';

describe('catalog item cursors', () => {
  it('round-trips a position', () => {
    const c = { direction: 'before' as const, itemId: 'item_0-9' };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
  });

  it('encodes URL-safe base64', () => {
    expect(encodeCursor({ direction: 'after', itemId: '~~~' as string })).not.toMatch(/[+/]/);
  });

  it.each(['bad-cursor', '', btoa('skip:0'), btoa('after:'), btoa('after:a b'), '%%%'])(
    'refuses %j',
    (raw) => {
      expect(decodeCursor(raw)).toBeNull();
    },
  );
});

describe('linkHeader', () => {
  const at = (itemId: string) => ({ direction: 'after' as const, itemId });

  it('writes prev then next, comma-separated, as Braze does', () => {
    const h = linkHeader('/catalogs/c/items', {
      prev: { direction: 'before', itemId: 'a' },
      next: at('z'),
    });
    expect(h).toBe(
      `</catalogs/c/items?cursor=${btoa('before:a')}>; rel="prev",</catalogs/c/items?cursor=${btoa('after:z')}>; rel="next"`,
    );
  });

  it('leaves out a missing neighbour', () => {
    expect(linkHeader('/p', { prev: null, next: at('z') })).toBe(
      `</p?cursor=${btoa('after:z')}>; rel="next"`,
    );
  });

  it('is absent when there is neither', () => {
    expect(linkHeader('/p', { prev: null, next: null })).toBeNull();
  });
});
