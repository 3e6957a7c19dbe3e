// Shared by the admin pages (ES module, no build step): building elements, and calling the
// REST API with the key the marketer pasted, kept for the browser tab only.

/** Build an element; children are nodes or strings (inserted as text, never as HTML). */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

const KEY = 'herald.key';

/**
 * Bind the page's API-key field to the tab's session storage (shared by the admin pages, gone
 * with the tab) and answer a `call(method, path, body?)` that sends it and throws the API's
 * message when the answer is not 2xx.
 */
export function apiClient(keyInput) {
  keyInput.value = sessionStorage.getItem(KEY) ?? '';
  keyInput.addEventListener('change', () => sessionStorage.setItem(KEY, keyInput.value));
  return async function call(method, path, body) {
    const res = await fetch(path, {
      method,
      headers: { Authorization: `Bearer ${keyInput.value}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json().catch(() => ({ message: `HTTP ${res.status}` }));
    if (!res.ok) throw new Error(json.message ?? `HTTP ${res.status}`);
    return json;
  };
}
