/** Small DOM helpers shared by the default content card and in-app message renderers. */

/** An element with attributes and text content. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Add a stylesheet once per page. */
export function injectStyle(id: string, css: string): void {
  if (document.getElementById(id)) return;
  const style = el('style', { id }, css);
  document.head.append(style);
}

/** The URL when it is http(s) or relative to the page; null for `javascript:` and the like. */
export function safeUrl(url: string): string | null {
  try {
    const u = new URL(url, location.href);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}
