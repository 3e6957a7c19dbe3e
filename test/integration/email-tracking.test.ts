import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { launchCampaign } from '../fixtures/campaigns';
import { eventually } from '../fixtures/delivery';
import { emailWorkspace, hrefs, sentEmail, trackUsers } from '../fixtures/email';
import { createSegment, get, sinkReceived } from '../fixtures/segments';
import { BASE, exportUser, type TestWorkspace } from '../fixtures/workspace';

const BODY =
  '<html><body><p>Hi {{${first_name}}}</p>' +
  '<a href="https://example.com/sale?a=1&amp;b=2">Sale</a>' +
  '<a href="mailto:help@herald.test">Mail us</a><a href="tel:+15555550100">Call</a>' +
  '<a href="https://example.com/raw" clicktracking="off">Raw</a>' +
  '<a href="{{${set_user_to_unsubscribed_url}}}">Leave</a>' +
  '<a href="{{${unsubscribe_url}}}">Leave (legacy)</a>' +
  '<a href="{{${set_user_to_subscribed_url}}}">Stay</a>' +
  '{{${email_footer}}}</body></html>';

function emailMessage(appId: string) {
  return { app_id: appId, from: 'Team <team@herald.test>', subject: 'Hi', body: BODY };
}

/** Send one campaign email to `ada` through the sink; answers the email as the provider got it. */
async function sendCampaignEmail(
  attrs: Record<string, unknown> = {},
  beforeUsers?: (ws: TestWorkspace, campaignId: string) => Promise<void>,
) {
  const { ws, path, appId } = await emailWorkspace();
  const c = await launchCampaign(ws, { variants: [{ messages: { email: emailMessage(appId) } }] });
  // Profiles cache the workspace's segments for a few seconds: segments come before users.
  await beforeUsers?.(ws, c.id);
  await trackUsers(ws, [
    { external_id: 'ada', first_name: 'Ada', email: 'ada@example.com', ...attrs },
  ]);
  const res = await ws.post('/campaigns/trigger/send', {
    campaign_id: c.id,
    recipients: [{ external_user_id: 'ada' }],
  });
  expect(res.status).toBe(201);
  const got = await eventually(
    () => sinkReceived(path),
    (r) => r.length >= 1,
  );
  return { ws, campaignId: c.id as string, ...sentEmail(got[0]!.body) };
}

/** The URL with its token's signature changed. */
function forge(url: string): string {
  const forged = url.replace(/(\/t\/[ocu]\/[\w-]+\.)([\w-]{4})/, '$1AAAA');
  expect(forged).not.toBe(url);
  return forged;
}

function fetchPath(url: string, init: RequestInit = {}): Promise<Response> {
  expect(url.startsWith(`${BASE}/t/`)).toBe(true);
  return SELF.fetch(url, { redirect: 'manual', ...init });
}

async function emailStats(ws: TestWorkspace, campaignId: string, check: (s: any) => boolean) {
  const series = await eventually(
    () => get(ws, `/campaigns/data_series?campaign_id=${campaignId}&length=1`),
    (r) => check(r.json.data?.[0]?.messages?.email?.[0] ?? {}),
  );
  return series.json.data[0].messages.email[0];
}

describe('email open and click tracking', () => {
  it('rewrites http(s) links through a signed redirect and leaves other schemes and opted-out links', async () => {
    const { html } = await sendCampaignEmail();
    const links = hrefs(html);
    expect(links.filter((l) => l.startsWith(`${BASE}/t/c/`))).toHaveLength(1);
    expect(links).toContain('mailto:help@herald.test');
    expect(links).toContain('tel:+15555550100');
    expect(links).toContain('https://example.com/raw');
    // The list links are Herald's own pages and count their own clicks.
    expect(links.filter((l) => l.startsWith(`${BASE}/t/u/`))).toHaveLength(4);
    expect(html).toMatch(/<img src="https:\/\/herald\.test\/t\/o\/[^"]+\.gif"[^>]*\/><\/body>/);
  }, 30_000);

  it('records opens from the pixel, flags machine opens and counts opens and unique opens', async () => {
    const { ws, campaignId, html } = await sendCampaignEmail();
    const pixel = /<img src="([^"]+)"/.exec(html.slice(html.lastIndexOf('<img')))![1]!;
    const human = await fetchPath(pixel, {
      headers: { 'user-agent': 'Mozilla/5.0 (Macintosh) Firefox/130' },
    });
    expect(human.status).toBe(200);
    expect(human.headers.get('content-type')).toBe('image/gif');
    expect(human.headers.get('cache-control')).toContain('no-store');
    const gif = new Uint8Array(await human.arrayBuffer());
    expect(new TextDecoder().decode(gif.slice(0, 6))).toBe('GIF89a');
    const machine = await fetchPath(pixel, { headers: { 'user-agent': 'Mozilla/5.0' } });
    expect(machine.status).toBe(200);
    await machine.arrayBuffer();
    const stats = await emailStats(ws, campaignId, (s) => s.opens === 2);
    expect(stats).toMatchObject({ opens: 2, unique_opens: 1 });
  }, 30_000);

  it('answers the GIF to a forged or garbled pixel and records nothing', async () => {
    const { ws, campaignId, html } = await sendCampaignEmail();
    const pixel = /<img src="([^"]+)"/.exec(html.slice(html.lastIndexOf('<img')))![1]!;
    const forged = forge(pixel);
    for (const url of [forged, `${BASE}/t/o/garbage.gif`, `${BASE}/t/o/${'x'.repeat(5000)}`]) {
      const res = await fetchPath(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/gif');
      await res.arrayBuffer();
    }
    const series = await get(ws, `/campaigns/data_series?campaign_id=${campaignId}&length=1`);
    expect(series.json.data[0]?.messages?.email?.[0]?.opens ?? 0).toBe(0);
  }, 30_000);

  it('skips the pixel and link rewriting for profiles that disabled tracking', async () => {
    const { html } = await sendCampaignEmail({
      email_open_tracking_disabled: true,
      email_click_tracking_disabled: true,
    });
    expect(html).not.toContain('/t/o/');
    expect(hrefs(html)).toContain('https://example.com/sale?a=1&b=2');
    expect(html).not.toContain('/t/c/');
  }, 30_000);

  it('redirects a click to its destination, records it and puts the user in a clicked segment', async () => {
    let segment = '';
    const { ws, campaignId, html } = await sendCampaignEmail({}, async (w, id) => {
      segment = await createSegment(w, {
        filter: { message_engagement: { campaign_id: id, comparison: 'clicked' } },
      });
    });
    const click = hrefs(html).find((l) => l.startsWith(`${BASE}/t/c/`))!;
    const res = await fetchPath(click);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://example.com/sale?a=1&b=2');
    expect(res.headers.get('cache-control')).toContain('no-store');
    await fetchPath(click);
    const stats = await emailStats(ws, campaignId, (s) => s.clicks === 2);
    expect(stats).toMatchObject({ clicks: 2, unique_clicks: 1 });
    const segments = await eventually(
      () => get(ws, '/herald/users/segments?external_id=ada'),
      (r) => r.json.segments?.some((s: any) => s.segment_id === segment),
    );
    expect(segments.json.segments.map((s: any) => s.segment_id)).toContain(segment);
  }, 30_000);

  it('answers a friendly page, not a redirect, when the destination was changed', async () => {
    const { ws, campaignId, html } = await sendCampaignEmail();
    const click = hrefs(html).find((l) => l.startsWith(`${BASE}/t/c/`))!;
    const evil = click.replace(/u=[^&]+/, `u=${encodeURIComponent('https://evil.example/')}`);
    for (const url of [
      evil,
      click.replace(/&s=.*/, ''),
      click.replace(/\/t\/c\/[^?]+/, '/t/c/x.y'),
    ]) {
      const res = await fetchPath(url);
      expect(res.status).toBe(404);
      expect(res.headers.get('location')).toBeNull();
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(await res.text()).toContain('This link is not valid');
    }
    const series = await get(ws, `/campaigns/data_series?campaign_id=${campaignId}&length=1`);
    expect(series.json.data[0]?.messages?.email?.[0]?.clicks ?? 0).toBe(0);
  }, 30_000);
});

describe('email unsubscribe links', () => {
  it('shows a confirmation on GET without unsubscribing, and counts the click', async () => {
    const { ws, campaignId, html } = await sendCampaignEmail();
    const link = hrefs(html).find((l) => l.startsWith(`${BASE}/t/u/`))!;
    const res = await fetchPath(link);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<form method="post"');
    const stats = await emailStats(ws, campaignId, (s) => s.unique_clicks === 1);
    expect(stats).toMatchObject({ clicks: 1, unique_clicks: 1 });
    expect((await exportUser(ws, 'ada')).email_subscribe).not.toBe('unsubscribed');
  }, 30_000);

  it('unsubscribes on the form POST, lists the address and counts the unsubscribe', async () => {
    const { ws, campaignId, html } = await sendCampaignEmail({ email_subscribe: 'opted_in' });
    const link = hrefs(html).find((l) => l.startsWith(`${BASE}/t/u/`))!;
    const res = await fetchPath(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('You are unsubscribed');
    const user = await eventually(
      () => exportUser(ws, 'ada'),
      (u) => u.email_subscribe === 'unsubscribed',
    );
    expect(user.email_subscribe).toBe('unsubscribed');
    const stats = await emailStats(ws, campaignId, (s) => s.unsubscribes === 1);
    expect(stats.unsubscribes).toBe(1);
    const list = await get(ws, '/email/unsubscribes?email=ada@example.com');
    expect(list.json.emails).toEqual([
      { email: 'ada@example.com', unsubscribed_at: expect.stringMatching(/ \+0000$/) },
    ]);
  }, 30_000);

  it('takes an RFC 8058 one-click POST at the List-Unsubscribe URL', async () => {
    const { ws, headers } = await sendCampaignEmail();
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const url = /^<(.+)>$/.exec(headers['List-Unsubscribe']!)![1]!;
    const res = await fetchPath(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('Unsubscribed');
    const user = await eventually(
      () => exportUser(ws, 'ada'),
      (u) => u.email_subscribe === 'unsubscribed',
    );
    expect(user.email_subscribe).toBe('unsubscribed');
  }, 30_000);

  it('subscribes again through the subscribe link', async () => {
    const { ws, html } = await sendCampaignEmail();
    const leave = hrefs(html).find((l) => l.startsWith(`${BASE}/t/u/`))!;
    expect((await fetchPath(leave, { method: 'POST', body: '' })).status).toBe(200);
    await eventually(
      () => exportUser(ws, 'ada'),
      (u) => u.email_subscribe === 'unsubscribed',
    );
    const link = hrefs(html).find((l) => l.includes('?to=subscribed'))!;
    const res = await fetchPath(link, { method: 'POST', body: '' });
    expect(await res.text()).toContain('You are subscribed');
    const user = await eventually(
      () => exportUser(ws, 'ada'),
      (u) => u.email_subscribe === 'subscribed',
    );
    expect(user.email_subscribe).toBe('subscribed');
  }, 30_000);

  it('answers a friendly page to a forged unsubscribe link and changes nothing', async () => {
    const { ws, html } = await sendCampaignEmail();
    const link = hrefs(html).find((l) => l.startsWith(`${BASE}/t/u/`))!;
    const forged = forge(link);
    const res = await fetchPath(forged, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('This link is not valid');
    expect((await exportUser(ws, 'ada')).email_subscribe).not.toBe('unsubscribed');
  }, 30_000);
});
