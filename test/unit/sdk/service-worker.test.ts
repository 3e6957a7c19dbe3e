import { describe, expect, it } from 'vitest';
import { bundleServiceWorker } from '../../../sdk/build.mjs';
import { clickTarget, notificationOf } from '../../../sdk/src/web/notification';

describe('the push service worker', () => {
  const payload = {
    title: 'Hi Ada',
    body: 'Your order shipped',
    icon: 'https://cdn.test/i.png',
    url: 'https://shop.test/orders/1',
    actions: [{ action: 'button_0', title: 'Track', type: 'URI', url: 'https://shop.test/track' }],
    herald: { token: 't', open_url: 'https://herald.test/t/push/t/open' },
  };

  it("shows Herald's web_push payload as a notification", () => {
    const [title, options] = notificationOf(payload);
    expect(title).toBe('Hi Ada');
    expect(options).toMatchObject({
      body: 'Your order shipped',
      icon: 'https://cdn.test/i.png',
      requireInteraction: false,
      actions: [{ action: 'button_0', title: 'Track' }],
      data: payload,
    });
  });

  it("opens the chosen action's URL, else the message's", () => {
    expect(clickTarget(payload, 'button_0')).toBe('https://shop.test/track');
    expect(clickTarget(payload, '')).toBe('https://shop.test/orders/1');
  });

  it('builds as a classic script', async () => {
    const code = new TextDecoder().decode(await bundleServiceWorker());
    expect(code).not.toMatch(/\bexport\b/);
    expect(code).toContain('notificationclick');
  });
});
