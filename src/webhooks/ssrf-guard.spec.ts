import { isForbiddenAddress, resolveSafeTarget } from './ssrf-guard';

describe('SSRF guard', () => {
  it.each([
    '127.0.0.1', '127.1.2.3', '10.0.0.1', '172.16.5.4', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '100.100.100.200',
    '0.0.0.0', '224.0.0.1', '239.255.255.250', '255.255.255.255', '240.0.0.1',
    '::1', '::', 'fc00::1', 'fd00:ec2::254', 'fe80::1', 'ff02::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '64:ff9b::a9fe:a9fe', '2002:7f00:1::1', '::127.0.0.1',
    '::ffff:0:127.0.0.1', '::ffff:0:a9fe:a9fe', '2001:0:4136:e378:8000:63bf:3fff:fdd2', '64:ff9b:1::a00:1',
  ])('refuses %s', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(true);
  });

  it.each(['93.184.216.34', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:93.184.216.34'])('allows %s', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(false);
  });

  it('refuses a name that resolves privately, and any unresolvable name', async () => {
    const resolver = async (host: string) => (host === 'evil.test' ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '93.184.216.34', family: 4 }]);
    await expect(resolveSafeTarget(new URL('http://evil.test/x'), false, resolver)).rejects.toThrow('The address of evil.test is not allowed as a webhook target.');
    await expect(resolveSafeTarget(new URL('http://ok.test/x'), false, resolver)).resolves.toEqual({ address: '93.184.216.34', family: 4 });
    await expect(resolveSafeTarget(new URL('http://[::ffff:127.0.0.1]/'), false, resolver)).rejects.toThrow();
    await expect(resolveSafeTarget(new URL('http://nowhere.test/'), false, async () => { throw Object.assign(new Error('x'), { code: 'ENOTFOUND' }); })).rejects.toThrow('Cannot resolve');
    await expect(resolveSafeTarget(new URL('http://127.0.0.1:9/'), true, resolver)).resolves.toEqual({ address: '127.0.0.1', family: 4 });
  });
});
