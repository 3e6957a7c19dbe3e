import { escapeHtml } from './html';

/**
 * The pages a person sees after following a tracking link: small, self-contained HTML (no
 * scripts, no external assets), never indexed or cached, never an error envelope.
 */

export const NO_STORE = {
  'cache-control': 'no-store, no-cache, must-revalidate, private, max-age=0',
  pragma: 'no-cache',
  expires: '0',
};

/** A page with a heading, a paragraph and optional extra markup (a form). */
export function page(input: { title: string; text: string; extra?: string; status: number }) {
  const html =
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    '<meta name="robots" content="noindex,nofollow">' +
    `<title>${escapeHtml(input.title)}</title>` +
    '<style>body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;background:#f6f7f9;' +
    'color:#1f2937;display:flex;justify-content:center;padding:12vh 16px;margin:0}' +
    'main{max-width:420px;background:#fff;border-radius:12px;padding:32px;' +
    'box-shadow:0 1px 3px rgba(0,0,0,.1)}h1{font-size:22px;margin:0 0 12px}' +
    'p{line-height:1.5}button{font:inherit;background:#1f2937;color:#fff;border:0;' +
    'border-radius:8px;padding:10px 18px;cursor:pointer}</style></head>' +
    `<body><main><h1>${escapeHtml(input.title)}</h1><p>${escapeHtml(input.text)}</p>` +
    `${input.extra ?? ''}</main></body></html>`;
  return new Response(html, {
    status: input.status,
    headers: {
      ...NO_STORE,
      'content-type': 'text/html; charset=utf-8',
      'x-robots-tag': 'noindex',
      'referrer-policy': 'no-referrer',
    },
  });
}

/** The page for a link that is not (or no longer) valid. */
export function invalidLinkPage(): Response {
  return page({
    title: 'This link is not valid',
    text:
      'The link you followed could not be verified. It may have been copied incompletely. ' +
      'Please use the link exactly as it appears in the message.',
    status: 404,
  });
}
