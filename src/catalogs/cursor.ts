import { NAME_PATTERN } from './validate-catalog';

/**
 * Opaque cursors for `GET /catalogs/{name}/items`. Braze's are base64 of an offset; Herald's are
 * base64 of a keyset position (`after:<id>` or `before:<id>`), so a page costs the same however
 * deep it is and items written meanwhile never shift the pages.
 */
export type Cursor = { direction: 'after' | 'before'; itemId: string };

/** Items per page (contract §10.9 #140). */
export const PAGE_SIZE = 50;

/** Encode a cursor as URL-safe base64 (padding kept, as Braze's cursors have it). */
export function encodeCursor(c: Cursor): string {
  return btoa(`${c.direction}:${c.itemId}`).replaceAll('+', '-').replaceAll('/', '_');
}

/** Decode a cursor; null when it is not one Herald issued. */
export function decodeCursor(raw: string): Cursor | null {
  let text: string;
  try {
    text = atob(raw.replaceAll('-', '+').replaceAll('_', '/'));
  } catch {
    return null;
  }
  const m = /^(after|before):(.+)$/.exec(text);
  if (!m || !NAME_PATTERN.test(m[2]!) || m[2]!.length > 250) return null;
  return { direction: m[1] as Cursor['direction'], itemId: m[2]! };
}

/**
 * Braze's `Link` header: `<path?cursor=…>; rel="prev",<path?cursor=…>; rel="next"`, with either
 * part left out when there is no such page. Null when there is neither.
 */
export function linkHeader(
  path: string,
  links: { prev: Cursor | null; next: Cursor | null },
): string | null {
  const parts: string[] = [];
  if (links.prev) parts.push(`<${path}?cursor=${encodeCursor(links.prev)}>; rel="prev"`);
  if (links.next) parts.push(`<${path}?cursor=${encodeCursor(links.next)}>; rel="next"`);
  return parts.length > 0 ? parts.join(',') : null;
}
