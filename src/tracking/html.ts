/**
 * Email HTML tracking edits, pure: the open pixel as the last element inside `<body>` and
 * http(s) links rewritten through the click redirect (contract messaging §5.1). Other schemes
 * (`mailto:`, `tel:`, anchors) and links marked `clicktracking="off"` are left alone.
 */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

/** An attribute value as the browser reads it (the entities HTML editors write in URLs). */
export function decodeAttribute(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => ENTITIES[name] ?? '');
}

/** A value escaped for a double-quoted attribute. */
export function escapeAttribute(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Text escaped for HTML content. */
export function escapeHtml(value: string): string {
  return escapeAttribute(value).replace(/'/g, '&#39;');
}

/** The open pixel, last inside `<body>` (appended to a fragment that has none). */
export function appendPixel(html: string, src: string): string {
  const img =
    `<img src="${escapeAttribute(src)}" width="1" height="1" alt="" ` +
    'style="display:block;border:0;width:1px;height:1px;overflow:hidden" />';
  const close = html.toLowerCase().lastIndexOf('</body>');
  if (close < 0) return html + img;
  return html.slice(0, close) + img + html.slice(close);
}

/** `<a ... href="...">` and `<area ...>`: the tag, its quote and its href value. */
const LINK = /<(a|area)\b([^>]*?)\bhref\s*=\s*("([^"]*)"|'([^']*)')([^>]*)>/gi;

/** Whether a link's destination is tracked: absolute http(s) only. */
export function isTrackable(url: string): boolean {
  return /^https?:\/\/[^\s/]/i.test(url.trim());
}

function optedOut(attrs: string): boolean {
  return /\bclicktracking\s*=\s*["']?off\b/i.test(attrs);
}

/** The distinct trackable destinations in the HTML, as the browser would follow them. */
export function trackableLinks(html: string, skip: (url: string) => boolean): string[] {
  const out = new Set<string>();
  for (const m of html.matchAll(LINK)) {
    const url = decodeAttribute(m[4] ?? m[5] ?? '').trim();
    if (isTrackable(url) && !skip(url) && !optedOut(`${m[2]} ${m[6]}`)) out.add(url);
  }
  return [...out];
}

/** Replace each trackable link's href with its tracked URL (`wrapped`: destination → URL). */
export function rewriteLinks(html: string, wrapped: ReadonlyMap<string, string>): string {
  return html.replace(
    LINK,
    (whole, tag: string, before: string, _q, dq?: string, sq?: string, after?: string) => {
      const url = decodeAttribute(dq ?? sq ?? '').trim();
      const to = wrapped.get(url);
      if (to === undefined || optedOut(`${before} ${after}`)) return whole;
      return `<${tag}${before}href="${escapeAttribute(to)}"${after ?? ''}>`;
    },
  );
}

/**
 * Whether an open looks automated rather than a person: Apple Mail Privacy Protection fetches
 * every image through proxies that send a bare `Mozilla/5.0`, and prefetchers announce themselves
 * in `Purpose`/`Sec-Purpose`/`X-Purpose`. Returns why, or null.
 */
export function machineOpenReason(headers: Headers): string | null {
  const purpose = `${headers.get('sec-purpose') ?? ''} ${headers.get('purpose') ?? ''} ${
    headers.get('x-purpose') ?? ''
  } ${headers.get('x-moz') ?? ''}`.toLowerCase();
  if (/prefetch|preview/.test(purpose)) return 'prefetch';
  const ua = (headers.get('user-agent') ?? '').trim();
  if (ua === 'Mozilla/5.0') return 'apple_privacy_protection';
  if (/\b(bot|crawler|spider|scanner|barracuda|mimecast|proofpoint)\b/i.test(ua)) return 'scanner';
  if (ua === '') return 'no_user_agent';
  return null;
}
