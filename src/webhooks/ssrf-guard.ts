import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { expandIpv6 } from '../common/net/ipv6';

/**
 * Address ranges a webhook may never reach unless WEBHOOK_ALLOW_PRIVATE=true: loopback, private,
 * link-local (incl. cloud metadata 169.254.169.254), CGNAT, unspecified, multicast, broadcast,
 * reserved, unique-local IPv6, and IPv6 forms that embed an IPv4 address.
 */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
blocked.addAddress('255.255.255.255', 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['100::', 64],
  ['2001:db8::', 32],
  ['2001::', 32], // Teredo: tunnels to an IPv4 address hidden in the last 32 bits
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215)
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** The IPv4 address embedded in an IPv4-mapped/-compatible, NAT64 or 6to4 IPv6 address. */
function embeddedIpv4(ip: string): string | null {
  const g = expandIpv6(ip);
  if (!g) return null;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0)) return v4(g[6], g[7]); // ::ffff:a.b.c.d, ::a.b.c.d
  if (g.slice(0, 4).every((x) => x === 0) && g[4] === 0xffff && g[5] === 0) return v4(g[6], g[7]); // ::ffff:0:a.b.c.d (SIIT, RFC 6052 §2.1)
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return v4(g[6], g[7]); // 64:ff9b::/96
  if (g[0] === 0x2002) return v4(g[1], g[2]); // 6to4
  return null;
}

export function isForbiddenAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return blocked.check(ip, 'ipv4');
  if (family === 6) {
    const inner = embeddedIpv4(ip);
    if (inner !== null) return inner === '0.0.0.0' && expandIpv6(ip)!.every((x) => x === 0) ? true : blocked.check(inner, 'ipv4');
    return blocked.check(ip, 'ipv6');
  }
  return true; // not an address at all: refuse
}

export class ForbiddenTargetError extends Error {
  constructor(
    message: string,
    /** the name resolved to a private or reserved address (rather than not resolving at all) */
    readonly forbiddenAddress = false,
  ) {
    super(message);
    this.name = 'ForbiddenTargetError';
  }
}

export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

/**
 * Resolves the host of a webhook URL once and checks every address. Returns the address the
 * socket must connect to; refuses when any address is forbidden or the name cannot be resolved.
 */
export async function resolveSafeTarget(url: URL, allowPrivate: boolean, resolver: Resolver = systemResolver): Promise<{ address: string; family: 4 | 6 }> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host);
  let addresses: LookupAddress[];
  if (literal) addresses = [{ address: host, family: literal }];
  else {
    try {
      addresses = await resolver(host);
    } catch (err) {
      throw new ForbiddenTargetError(`Cannot resolve ${host}: ${(err as NodeJS.ErrnoException).code ?? 'lookup failed'}`);
    }
  }
  if (!addresses.length) throw new ForbiddenTargetError(`Cannot resolve ${host}`);
  if (!allowPrivate) {
    const bad = addresses.find((a) => isForbiddenAddress(a.address));
    // which address it resolved to stays out of the message: it would map the internal network
    if (bad) throw new ForbiddenTargetError(`The address of ${host} is not allowed as a webhook target.`, true);
  }
  const chosen = addresses[0];
  return { address: chosen.address, family: chosen.family === 6 ? 6 : 4 };
}
