import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';

/** The DNS TXT record a user publishes to prove they control a domain. */
export const verificationRecordName = (domain: string) => `_devhub.${domain}`;

const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * What the user typed (`Ada.dev`, `https://ada.dev/`, `bücher.example`) as a lower-case ASCII
 * host name, or null when it is not a public domain name (IP addresses and localhost are refused).
 */
export function normalizeDomain(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  let value = raw.trim().toLowerCase();
  if (!value || value.length > 300) return null;
  value = value.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/[/?#].*$/, '').replace(/:\d+$/, '').replace(/\.$/, '');
  const ascii = domainToASCII(value);
  if (!ascii || isIP(ascii) || !HOSTNAME.test(ascii)) return null;
  if (ascii === 'localhost' || ascii.endsWith('.localhost')) return null;
  return ascii;
}

/** The host name of a `Host` header: lower-case, port and trailing dot removed. */
export function hostnameFromHeader(host: string | undefined): string {
  if (!host) return '';
  let h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1); // IPv6 literal
  h = h.replace(/:\d*$/, '').replace(/\.$/, '');
  return h;
}

/**
 * Whether a request's host could be someone's custom domain: anything that is not DevHub's own
 * host (BASE_URL), an IP address, localhost or a single-label name (internal health checks).
 */
export function isCustomDomainCandidate(hostname: string, baseHostname: string): boolean {
  if (!hostname || hostname === baseHostname) return false;
  if (hostname.startsWith('[') || isIP(hostname)) return false;
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return false;
  return hostname.includes('.');
}
