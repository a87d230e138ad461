import { describe, expect, it } from '@jest/globals';
import { clientKey } from './client-throttle.guard.js';

describe('clientKey', () => {
  it('counts an IPv4 client, also written IPv4-mapped, by its address', () => {
    expect(clientKey('203.0.113.7')).toBe('client:203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7')).toBe('client:::ffff:203.0.113.7');
  });

  it('counts an IPv6 client by its /64, however the address is written', () => {
    const key = 'client:2001:db8:1:2::/64';
    for (const ip of ['2001:db8:1:2::1', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:0DB8:0001:0002:0:0:0:a', '2001:db8:1:2:a:b::', '2001:db8:1:2::9%eth0']) {
      expect(clientKey(ip)).toBe(key);
    }
    expect(clientKey('2001:db8:1:3::1')).toBe('client:2001:db8:1:3::/64');
    expect(clientKey('::1')).toBe('client:0:0:0:0::/64');
    expect(clientKey('2001:db8::1')).toBe('client:2001:db8:0:0::/64');
  });
});
