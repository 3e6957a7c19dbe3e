import { describe, expect, it } from 'vitest';
import { postmarkMetadata, tokenFromMetadata } from '../../src/channels/email/postmark';
import { derToRaw } from '../../src/channels/email/sendgrid-signature';
import {
  appendPixel,
  machineOpenReason,
  rewriteLinks,
  trackableLinks,
} from '../../src/tracking/html';

describe('email HTML tracking edits', () => {
  it('puts the pixel last inside body, or at the end of a fragment', () => {
    expect(appendPixel('<html><body><p>x</p></body></html>', 'https://h/p.gif')).toMatch(
      /<p>x<\/p><img src="https:\/\/h\/p\.gif"[^>]*\/><\/body><\/html>$/,
    );
    expect(appendPixel('<p>x</p>', 'https://h/p.gif')).toMatch(/^<p>x<\/p><img /);
  });

  it('rewrites only http(s) links, decoding and re-escaping entities', () => {
    const html =
      '<a href="https://a.example/?x=1&amp;y=2">A</a><a href=\'mailto:m@x.y\'>M</a>' +
      '<a class="b" href="http://b.example" clicktracking="off">B</a><a href="#top">T</a>';
    const links = trackableLinks(html, () => false);
    expect(links).toEqual(['https://a.example/?x=1&y=2']);
    const out = rewriteLinks(html, new Map([[links[0]!, 'https://h/t/c/tok?u=a&s=b']]));
    expect(out).toContain('<a href="https://h/t/c/tok?u=a&amp;s=b">A</a>');
    expect(out).toContain('mailto:m@x.y');
    expect(out).toContain('href="http://b.example"');
  });

  it('flags Apple Mail Privacy Protection and prefetch as machine opens', () => {
    expect(machineOpenReason(new Headers({ 'user-agent': 'Mozilla/5.0' }))).toBe(
      'apple_privacy_protection',
    );
    expect(machineOpenReason(new Headers({ 'user-agent': 'X', 'sec-purpose': 'prefetch' }))).toBe(
      'prefetch',
    );
    expect(
      machineOpenReason(new Headers({ 'user-agent': 'Mozilla/5.0 (Windows NT 10.0) Firefox/130' })),
    ).toBeNull();
  });
});

describe('provider plumbing', () => {
  it('turns a DER ECDSA signature into raw r‖s, padding and trimming the integers', () => {
    const r = [0x00, 0x80, ...new Array(31).fill(1)];
    const s = [0x05];
    const der = Uint8Array.from([
      0x30,
      4 + r.length + s.length,
      0x02,
      r.length,
      ...r,
      0x02,
      1,
      ...s,
    ]);
    const raw = derToRaw(der)!;
    expect(raw).toHaveLength(64);
    expect(raw[0]).toBe(0x80);
    expect(raw[63]).toBe(5);
    expect(raw[32]).toBe(0);
    expect(derToRaw(Uint8Array.from([0x31, 0]))).toBeNull();
  });

  it("splits the token over Postmark's 80-character metadata values and joins it back", () => {
    const token = 'a'.repeat(200);
    const meta = postmarkMetadata({ herald_token: token, topic: 'x' });
    expect(Object.values(meta).every((v) => v.length <= 80)).toBe(true);
    expect(meta.herald_token).toBeUndefined();
    expect(tokenFromMetadata(meta)).toBe(token);
  });
});
