import { describe, expect, it } from 'vitest';
import { ipAllowed, isValidCidr } from '../../../src/lib/cidr';

describe('ip allowlists', () => {
  it('allows every address when the list is empty', () => {
    expect(ipAllowed('1.2.3.4', [])).toBe(true);
    expect(ipAllowed(null, [])).toBe(true);
  });

  it('matches IPv4 blocks and single addresses', () => {
    expect(ipAllowed('10.1.2.3', ['10.0.0.0/8'])).toBe(true);
    expect(ipAllowed('11.1.2.3', ['10.0.0.0/8'])).toBe(false);
    expect(ipAllowed('192.0.2.7', ['192.0.2.7'])).toBe(true);
    expect(ipAllowed('192.0.2.8', ['192.0.2.7'])).toBe(false);
  });

  it('matches IPv6 blocks, including compressed forms', () => {
    expect(ipAllowed('2001:db8::1', ['2001:db8::/32'])).toBe(true);
    expect(ipAllowed('2001:db9::1', ['2001:db8::/32'])).toBe(false);
    expect(ipAllowed('::ffff:192.0.2.1', ['::ffff:192.0.2.0/120'])).toBe(true);
  });

  it('never matches across address families or on a missing address', () => {
    expect(ipAllowed('10.0.0.1', ['::/0'])).toBe(false);
    expect(ipAllowed(null, ['0.0.0.0/0'])).toBe(false);
  });

  it('validates entries', () => {
    expect(isValidCidr('10.0.0.0/8')).toBe(true);
    expect(isValidCidr('2001:db8::/129')).toBe(false);
    expect(isValidCidr('300.1.1.1')).toBe(false);
    expect(isValidCidr('10.0.0.0/8/1')).toBe(false);
  });
});
