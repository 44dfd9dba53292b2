/** The eight 16-bit groups of an IPv6 address (zone id dropped, a trailing dotted IPv4 part read), or null. */
export function expandIpv6(ip: string): number[] | null {
  let addr = ip.toLowerCase().split('%')[0];
  // a trailing dotted IPv4 part (::ffff:1.2.3.4)
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(addr);
  if (v4) {
    const parts = v4[2].split('.').map(Number);
    addr = `${v4[1]}${((parts[0] << 8) | parts[1]).toString(16)}:${((parts[2] << 8) | parts[3]).toString(16)}`;
  }
  const [head, tail] = addr.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined ? (tail ? tail.split(':') : []) : [];
  const missing = 8 - h.length - t.length;
  if (addr.includes('::') ? missing < 0 : h.length !== 8) return null;
  const groups = [...h, ...Array(addr.includes('::') ? missing : 0).fill('0'), ...t].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : null;
}
