import { ConfigError } from '../../config/config-error';

export interface SentryDsn {
  /** the DSN as sent in envelope headers: scheme, public key, host, path, project id (no legacy secret) */
  dsn: string;
  publicKey: string;
  projectId: string;
  /** `{scheme}://{host}[:port]{/path}/api/{projectId}/envelope/` */
  envelopeUrl: URL;
}

const EXPECTED = 'a Sentry DSN such as https://<public key>@o0.ingest.sentry.io/<project id>';

/**
 * `{scheme}://{publicKey}[:secret]@{host}[:port]{/path}/{projectId}`. loadConfig runs it on
 * SENTRY_DSN, so a DSN without the parts Sentry needs stops start-up. Errors never
 * repeat the value (the key does not belong in logs).
 */
export function parseDsn(raw: string): SentryDsn {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('SENTRY_DSN', EXPECTED);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('SENTRY_DSN', EXPECTED);
  if (!url.username) throw new ConfigError('SENTRY_DSN', `${EXPECTED} (the public key is missing)`);
  if (url.search || url.hash) throw new ConfigError('SENTRY_DSN', `${EXPECTED} (no query string or fragment)`);
  const segments = url.pathname.split('/').filter(Boolean);
  const projectId = segments.pop();
  if (!projectId || !/^[A-Za-z0-9_-]+$/.test(projectId)) throw new ConfigError('SENTRY_DSN', `${EXPECTED} (the project id is missing)`);
  const path = segments.length ? `/${segments.join('/')}` : '';
  const publicKey = decodeURIComponent(url.username);
  // url.host keeps an explicit port and drops the scheme's default one, as Sentry's SDKs do
  const origin = `${url.protocol}//${url.host}`;
  return {
    dsn: `${url.protocol}//${url.username}@${url.host}${path}/${projectId}`,
    publicKey,
    projectId,
    envelopeUrl: new URL(`${origin}${path}/api/${projectId}/envelope/`),
  };
}
