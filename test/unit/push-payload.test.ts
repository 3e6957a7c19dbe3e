import { describe, expect, it } from 'vitest';
import { AndroidPushMessage, ApplePushMessage, WebPushMessage } from '../../src/campaigns/messages';
import { apnsPush, fcmMessage, webPushPayload } from '../../src/channels/push/payload';
import { parsePushToken } from '../../src/profiles/push-devices';

const tracking = { token: 'tok.mac', openUrl: 'https://herald.test/t/push/tok.mac/open' };
const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('push token shapes', () => {
  it('reads a browser PushSubscription JSON as a Web Push endpoint with its keys', () => {
    const json = JSON.stringify({
      endpoint: 'https://push.example/send/abc',
      expirationTime: null,
      keys: { p256dh: 'BKey', auth: 'secret' },
    });
    expect(parsePushToken(json)).toEqual({
      kind: 'web',
      token: 'https://push.example/send/abc',
      p256dh: 'BKey',
      auth: 'secret',
    });
  });

  it('reads 64 hex characters as an APNs token and anything else as an FCM token', () => {
    expect(parsePushToken('AB'.repeat(32)).kind).toBe('apns');
    expect(parsePushToken('AB'.repeat(32)).token).toBe('ab'.repeat(32));
    expect(parsePushToken('fcm:APA91bH-token_value').kind).toBe('fcm');
    expect(parsePushToken('{"endpoint":"ftp://x"}').kind).toBe('fcm');
  });
});

describe('web push payload', () => {
  it('carries the rendered title and body, options, extras and the tracking block', () => {
    const message = WebPushMessage.parse({
      title: 'T',
      alert: 'A',
      custom_uri: 'https://shop.test/x',
      image_url: 'https://cdn.test/i.png',
      require_interaction: true,
      time_to_live: 60,
      extra: { k: 'v' },
      buttons: [{ text: 'Open', action: 'URI', uri: 'https://shop.test/b' }],
    });
    const built = webPushPayload({
      message,
      rendered: { title: 'Hi Ada', alert: 'Hello', custom_uri: 'https://shop.test/ada' },
      tracking,
    });
    expect(built).toEqual({
      ok: true,
      value: {
        ttl: 60,
        payload: {
          title: 'Hi Ada',
          body: 'Hello',
          icon: 'https://cdn.test/i.png',
          url: 'https://shop.test/ada',
          require_interaction: true,
          actions: [{ action: 'button_0', title: 'Open', type: 'URI', url: 'https://shop.test/b' }],
          extra: { k: 'v' },
          herald: { token: 'tok.mac', open_url: tracking.openUrl },
        },
      },
    });
  });
});

describe('web push payload limit', () => {
  it('aborts a message that does not fit one encrypted 4 KB record', () => {
    const message = WebPushMessage.parse({ title: 'T', alert: 'x'.repeat(4_000) });
    const built = webPushPayload({
      message,
      rendered: { title: 'T', alert: 'x'.repeat(4_000) },
      tracking,
    });
    expect(built).toEqual({ ok: false, reason: expect.stringMatching(/over the 3993-byte limit/) });
  });
});

describe('android (FCM) payload', () => {
  it('maps the message object onto FCM v1 notification, android and string data', () => {
    const message = AndroidPushMessage.parse({
      title: 'T',
      alert: 'A',
      extra: { n: 1, s: 'x' },
      priority: 1,
      android_priority: 'high',
      collapse_key: 'c',
      time_to_live: 30,
      notification_channel_id: 'news',
      accent_color: 0xff8800,
    });
    const built = fcmMessage({ message, rendered: { title: 'Hi', alert: 'Yo' }, tracking });
    expect(built).toEqual({
      ok: true,
      value: {
        notification: { title: 'Hi', body: 'Yo' },
        data: {
          n: '1',
          s: 'x',
          herald_token: 'tok.mac',
          herald_open_url: tracking.openUrl,
        },
        android: {
          priority: 'HIGH',
          ttl: '30s',
          collapse_key: 'c',
          notification: {
            channel_id: 'news',
            notification_priority: 'PRIORITY_HIGH',
            color: '#ff8800',
          },
        },
      },
    });
  });

  it('sends a data-only message for send_to_sync', () => {
    const message = AndroidPushMessage.parse({ send_to_sync: true, extra: { sync: 'now' } });
    const built = fcmMessage({ message, rendered: {}, tracking });
    expect(built.ok && built.value.notification).toBeUndefined();
    expect(built.ok && built.value.data.sync).toBe('now');
  });

  it('aborts a message over Braze’s 4,000-byte Android limit', () => {
    const message = AndroidPushMessage.parse({ title: 'T', alert: 'x'.repeat(4_000) });
    const built = fcmMessage({
      message,
      rendered: { title: 'T', alert: 'x'.repeat(4_000) },
      tracking,
    });
    expect(built).toEqual({ ok: false, reason: expect.stringMatching(/over the 4000-byte limit/) });
  });
});

describe('apple (APNs) payload', () => {
  it('builds aps from the alert object and options, with the header values', () => {
    const message = ApplePushMessage.parse({
      alert: { title: 'T', body: 'B' },
      badge: 3,
      sound: 'ping.caf',
      category: 'ab_cat_yes_no',
      collapse_id: 'c1',
      expiry: '2026-01-02T00:00:00Z',
      extra: { deal: 7 },
      custom_uri: 'app://x',
      notification_group_thread_id: 'th',
      interruption_level: 'time-sensitive',
    });
    const built = apnsPush({
      message,
      rendered: { 'alert.title': 'Hi Ada', 'alert.body': 'Body', custom_uri: 'app://ada' },
      tracking,
      now: NOW,
    });
    expect(built).toEqual({
      ok: true,
      value: {
        body: {
          deal: 7,
          aps: {
            alert: { title: 'Hi Ada', body: 'Body' },
            sound: 'ping.caf',
            badge: 3,
            category: 'ab_cat_yes_no',
            'thread-id': 'th',
            'interruption-level': 'time-sensitive',
          },
          herald: { uri: 'app://ada', token: 'tok.mac', open_url: tracking.openUrl },
        },
        pushType: 'alert',
        priority: 10,
        expiration: Date.parse('2026-01-02T00:00:00Z') / 1000,
        collapseId: 'c1',
      },
    });
  });

  it('sends a silent push as background with priority 5', () => {
    const message = ApplePushMessage.parse({ 'content-available': true });
    const built = apnsPush({ message, rendered: {}, tracking, now: NOW });
    expect(built.ok && [built.value.pushType, built.value.priority]).toEqual(['background', 5]);
    expect(built.ok && built.value.body.aps).toEqual({ 'content-available': 1 });
  });

  it('aborts a message over Braze’s 1,912-byte iOS limit', () => {
    const message = ApplePushMessage.parse({ alert: 'x'.repeat(1_900) });
    const built = apnsPush({ message, rendered: { alert: 'x'.repeat(1_900) }, tracking, now: NOW });
    expect(built).toEqual({ ok: false, reason: expect.stringMatching(/over the 1912-byte limit/) });
  });
});
