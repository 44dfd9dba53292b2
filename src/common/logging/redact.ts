const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const PHONE = /\+\d[\d ()-]{7,}\d|\b\d{3}[ -]\d{3}[ -]\d{4}\b/g;
const BEARER = /\b(Bearer|token|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
const KNOWN_TOKENS = /\b(dh_|ghp_|gho_|ghu_|ghs_|github_pat_|whsec_|sk-)[A-Za-z0-9_+/=-]{6,}/g;
const SECRET_PARAMS = /([?&](?:token|code|state|password|secret|key|access_token)=)[^&\s]+/gi;

/** Scrubs e-mail addresses, phone numbers and tokens from a string before it reaches a log line. */
export function redact(text: string): string {
  return text
    .replace(KNOWN_TOKENS, '$1[redacted]')
    .replace(BEARER, '$1 [redacted]')
    .replace(SECRET_PARAMS, '$1[redacted]')
    .replace(EMAIL, '[email]')
    .replace(PHONE, '[phone]');
}

const SECRET_KEYS = /pass|secret|token|cookie|authorization|email|phone|notes?$|key$/i;

export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object' || depth > 4) return value;
  if (value instanceof Error) return { name: value.name, message: redact(value.message), stack: value.stack && redact(value.stack) };
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.test(k) ? '[redacted]' : redactValue(v, depth + 1);
  return out;
}
