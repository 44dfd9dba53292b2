import { isbot } from 'isbot';

/**
 * Who is not a visitor: crawlers, link-preview fetchers (Slack, Discord, WhatsApp, X, LinkedIn,
 * Mastodon, iMessage …), monitoring, scripts and headless browsers. The pattern list is `isbot`'s,
 * a maintained package that tracks new bots; an empty user agent counts as a bot too.
 */
export function isBotUserAgent(userAgent: string | undefined): boolean {
  if (!userAgent || userAgent.trim().length < 8) return true;
  return isbot(userAgent);
}

/** Prefetches and prerenders are not views: the person may never open the page. */
export function isPrefetch(headers: Record<string, string | string[] | undefined>): boolean {
  const purpose = String(headers['sec-purpose'] ?? headers['purpose'] ?? headers['x-purpose'] ?? headers['x-moz'] ?? '').toLowerCase();
  return purpose.includes('prefetch') || purpose.includes('preview') || purpose.includes('prerender');
}
