import { ipAllowed, isValidCidr } from '../lib/cidr';

/**
 * Where Connected Content may call (contract §6.5, §10.6): http(s) on ports 80 and 443, never a
 * private, loopback or link-local address, unless the workspace allowlists the host. The WHATWG
 * URL parser has already normalised odd IPv4 spellings (`2130706433`, `0x7f.1`) to dotted quads,
 * so checking the parsed hostname is enough for literal addresses. Names that resolve to private
 * addresses cannot be checked from a Worker (no DNS API); Cloudflare's network does not route
 * Worker subrequests to private ranges, which covers that case in production.
 */

const PRIVATE_BLOCKS = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  '::1/128',
  '::ffff:0:0/96',
  '64:ff9b::/96',
  'fc00::/7',
  'fe80::/10',
  'ff00::/8',
];

const PRIVATE_NAMES = /(^|\.)(localhost|local|internal|localdomain|home\.arpa)$/i;

export type AddressCheck = { ok: true; url: URL } | { ok: false; reason: string };

/**
 * True when an allowlist entry names this URL: `host`, `host:port`, or an IP/CIDR covering a
 * literal address (any port).
 */
function allowlisted(url: URL, allowlist: readonly string[]): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return allowlist.some((raw) => {
    const entry = raw.trim().toLowerCase();
    if (entry === host || entry === `${host}:${port}` || entry === `[${host}]:${port}`) return true;
    return isValidCidr(entry) && ipAllowed(host, [entry]);
  });
}

/** Decide whether a Connected Content URL may be called. */
export function checkAddress(raw: string, allowlist: readonly string[]): AddressCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: `not a valid URL: ${raw}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: `only http and https are allowed, not ${url.protocol}` };
  }
  if (url.username || url.password) {
    return { ok: false, reason: 'credentials in the URL are not allowed; use :basic_auth' };
  }
  if (allowlisted(url, allowlist)) return { ok: true, url };
  if (url.port !== '' && url.port !== '80' && url.port !== '443') {
    return { ok: false, reason: `only ports 80 and 443 are allowed, not ${url.port}` };
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (PRIVATE_NAMES.test(host) || (!host.includes('.') && !host.includes(':'))) {
    return { ok: false, reason: `private host ${host} is not allowed` };
  }
  if (isValidCidr(host) && ipAllowed(host, PRIVATE_BLOCKS)) {
    return { ok: false, reason: `private address ${host} is not allowed` };
  }
  return { ok: true, url };
}
