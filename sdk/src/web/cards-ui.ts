/** The default Content Card feed: accessible markup, no framework. */

import {
  type Card,
  type ContentCards,
  current,
  dismissCard,
  logContentCardClick,
  logContentCardImpressions,
  refreshCards,
  subscribeToContentCardsUpdates,
} from '../cards';
import { must } from '../core';
import { el, injectStyle, safeUrl } from './dom';

const CSS =
  '.hd-feed{display:grid;gap:.75rem;max-width:36rem;font:inherit}' +
  '.hd-card{position:relative;border:1px solid #8888;border-radius:8px;padding:.75rem 2.5rem .75rem .9rem;background:Canvas;color:CanvasText}' +
  '.hd-card[data-unread]{border-left:4px solid #3a6ff7}' +
  '.hd-card h3{margin:0 0 .25rem;font-size:1rem}.hd-card p{margin:0 0 .4rem}' +
  '.hd-card img{display:block;max-width:100%;border-radius:6px;margin-bottom:.5rem}' +
  '.hd-x{position:absolute;top:.4rem;right:.4rem;border:0;background:none;color:inherit;font-size:1.25rem;line-height:1;cursor:pointer;padding:.25rem .5rem}' +
  '.hd-x:focus-visible,.hd-card a:focus-visible{outline:3px solid #3a6ff7;outline-offset:2px}';

const feeds = new WeakMap<Element, () => void>();

/**
 * Render the feed into `parent` and keep it current: impressions are logged when a card is half
 * visible, clicks when its link is followed, and its × button dismisses it. `filter` may reorder
 * or drop cards (Braze's filterFunction). `hideContentCards(parent)` removes it.
 */
export function showContentCards(
  parent: Element = document.body,
  filter?: (cards: Card[]) => Card[],
): void {
  const s = must();
  hideContentCards(parent);
  injectStyle('hd-cards', CSS);
  const feed = el('section', { class: 'hd-feed', 'aria-label': 'Messages' });
  const observer =
    typeof IntersectionObserver === 'function'
      ? new IntersectionObserver(
          (entries) => {
            const shown = entries.filter((e) => e.isIntersecting);
            for (const e of shown) observer?.unobserve(e.target);
            const ids = new Set(shown.map((e) => (e.target as HTMLElement).dataset.card));
            logContentCardImpressions(current(s).cards.filter((c) => ids.has(c.id)));
          },
          { threshold: 0.5 },
        )
      : null;
  const render = (data: ContentCards) => {
    observer?.disconnect();
    const list = filter ? filter(data.cards) : data.cards;
    if (list.length === 0) {
      feed.replaceChildren(el('p', { class: 'hd-empty' }, "You're all caught up."));
      return;
    }
    feed.replaceChildren(...list.map((card) => cardNode(card, observer)));
    if (!observer) logContentCardImpressions(list);
  };
  const unsubscribe = subscribeToContentCardsUpdates(render);
  feeds.set(parent, () => {
    unsubscribe();
    observer?.disconnect();
    feed.remove();
  });
  parent.append(feed);
  render(current(s));
  void refreshCards(s);
}

export function hideContentCards(parent: Element = document.body): void {
  feeds.get(parent)?.();
  feeds.delete(parent);
}

function cardNode(card: Card, observer: IntersectionObserver | null): HTMLElement {
  const node = el('article', { class: `hd-card hd-${card.type.toLowerCase()}` });
  node.dataset.card = card.id;
  if (!card.viewed) node.dataset.unread = '';
  if (card.pinned) node.dataset.pinned = '';
  if (card.imageUrl && safeUrl(card.imageUrl)) {
    node.append(el('img', { src: card.imageUrl, alt: card.type === 'BANNER' ? card.title : '' }));
  }
  if (card.type !== 'BANNER') {
    node.append(el('h3', {}, card.title), el('p', {}, card.description));
  }
  const href = card.url && safeUrl(card.url);
  if (href) {
    const link = el('a', { href }, card.linkText || card.title);
    link.addEventListener('click', () => logContentCardClick(card));
    node.append(link);
  }
  if (card.dismissible) {
    const x = el('button', {
      type: 'button',
      class: 'hd-x',
      'aria-label': `Dismiss ${card.title}`,
    });
    x.textContent = '×';
    x.addEventListener('click', () => dismissCard(card));
    node.append(x);
  }
  observer?.observe(node);
  return node;
}
