import { isIPv4, isIPv6 } from 'node:net';
import { expandIpv6 } from '../net/ipv6';

/**
 * What a client without an API key is counted under: its IPv4 address, or the /64 network of an
 * IPv6 address. One host usually holds a whole /64 and can rotate through its addresses at will,
 * so counting single IPv6 addresses would be no limit at all (and would grow the counters).
 */
export function clientKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  if (!isIPv6(ip.split('%')[0])) return ip;
  const groups = expandIpv6(ip);
  return groups ? `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64` : ip;
}
