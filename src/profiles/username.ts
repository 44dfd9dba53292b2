/**
 * Usernames: 3–39 characters of a-z 0-9 and "-", starting and ending with a letter or digit
 * (so `/@-x-` never happens). Stored lower-cased, so uniqueness ignores case.
 */
export const USERNAME_MIN = 3;
export const USERNAME_MAX = 39;
const PATTERN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** Paths and words that would collide with DevHub's own pages or mislead visitors. */
export const RESERVED_USERNAMES: ReadonlySet<string> = new Set([
  'about', 'account', 'accounts', 'admin', 'administrator', 'analytics', 'api', 'app', 'assets', 'auth',
  'billing', 'blog', 'cli', 'contact', 'contacts', 'dashboard', 'devhub', 'digest', 'docs', 'edit',
  'explore', 'favicon', 'follow-ups', 'followups', 'health', 'healthz', 'help', 'home', 'index',
  'insights', 'login', 'logout', 'mail', 'me', 'new', 'notifications', 'null', 'oauth', 'official',
  'privacy', 'profile', 'profiles', 'public', 'readyz', 'register', 'reset-password', 'forgot-password',
  'robots', 'root', 'search', 'security', 'settings', 'signin', 'signout', 'signup', 'sitemap', 'static',
  'status', 'staff', 'support', 'sync', 'system', 'tags', 'team', 'terms', 'undefined', 'user', 'users',
  'webhooks', 'well-known', 'www',
]);

export function normalizeUsername(raw: unknown): string {
  return typeof raw === 'string' ? raw.trim().replace(/^@/, '').toLowerCase() : '';
}

/** The message to show beside the field, or null when the (normalised) username is acceptable. */
export function usernameProblem(username: string): string | null {
  if (username.length < USERNAME_MIN || username.length > USERNAME_MAX) {
    return `Use ${USERNAME_MIN} to ${USERNAME_MAX} characters.`;
  }
  if (!PATTERN.test(username)) {
    return 'Use only letters a–z, digits and hyphens, starting and ending with a letter or digit.';
  }
  if (RESERVED_USERNAMES.has(username)) return 'This username is reserved. Choose another one.';
  return null;
}

/** A syntactically possible username in a URL (cheap check before touching the database). */
export function looksLikeUsername(value: string): boolean {
  return value.length >= USERNAME_MIN && value.length <= USERNAME_MAX && PATTERN.test(value.toLowerCase());
}

/** A first suggestion for a new profile: the GitHub login, else the name. */
export function suggestUsername(githubLogin: string | null, name: string): string {
  const base = (githubLogin ?? name)
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, USERNAME_MAX)
    .replace(/-+$/g, '');
  return base.length >= USERNAME_MIN && !RESERVED_USERNAMES.has(base) ? base : '';
}
