/**
 * IP allowlists for API keys (contract §7): a list of addresses or CIDR blocks, IPv4 or IPv6.
 * An empty list allows every address.
 */

function parseIPv4(ip: string): bigint | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    n = (n << 8n) | BigInt(v);
  }
  return n;
}

function parseIPv6(ip: string): bigint | null {
  let addr = ip;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4 = addr.match(/^(.*:)(\d+\.\d+\.\d+\.\d+)$/);
  if (v4) {
    const n = parseIPv4(v4[2]!);
    if (n === null) return null;
    addr = `${v4[1]}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const halves = addr.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    n = (n << 16n) | BigInt(Number.parseInt(g, 16));
  }
  return n;
}

type Parsed = { family: 4 | 6; value: bigint };

function parseIp(ip: string): Parsed | null {
  const v4 = parseIPv4(ip);
  if (v4 !== null) return { family: 4, value: v4 };
  const v6 = parseIPv6(ip);
  return v6 === null ? null : { family: 6, value: v6 };
}

/** True when `entry` is a valid address or CIDR block. */
export function isValidCidr(entry: string): boolean {
  const [ip, bits, ...rest] = entry.split('/');
  if (rest.length > 0 || !ip) return false;
  const parsed = parseIp(ip);
  if (!parsed) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (parsed.family === 4 ? 32 : 128);
}

/** True when `ip` falls in any entry of `allowlist`, or the allowlist is empty. */
export function ipAllowed(ip: string | null, allowlist: readonly string[]): boolean {
  if (allowlist.length === 0) return true;
  if (!ip) return false;
  const addr = parseIp(ip);
  if (!addr) return false;
  return allowlist.some((entry) => {
    const [net, bitsText] = entry.split('/');
    const block = net ? parseIp(net) : null;
    if (!block || block.family !== addr.family) return false;
    const width = addr.family === 4 ? 32 : 128;
    const bits = bitsText === undefined ? width : Number(bitsText);
    const shift = BigInt(width - bits);
    return addr.value >> shift === block.value >> shift;
  });
}
