import { randomBytes, scrypt as scryptCb, timingSafeEqual, ScryptOptions } from 'node:crypto';

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/**
 * OWASP's scrypt parameters: N=2^17, r=8, p=1 (128 MiB per hash). The test suite, which hashes
 * hundreds of passwords on a shared machine, may lower N through DEVHUB_TEST_SCRYPT_N, honoured only
 * with NODE_ENV=test; everything else (and the hasher's own spec) uses OWASP's figures.
 */
export const OWASP_PARAMS = { N: 2 ** 17, r: 8, p: 1 };
const testN = process.env.NODE_ENV === 'test' ? Number(process.env.DEVHUB_TEST_SCRYPT_N) : NaN;
export const PARAMS = Number.isInteger(testN) && testN >= 2 ** 10 ? { ...OWASP_PARAMS, N: testN } : OWASP_PARAMS;
const KEYLEN = 32;
/** 128 * N * r bytes, plus headroom; also room for a stored hash made with larger parameters than today's */
const maxmem = (n: number, r: number) => 128 * n * r * 2;

export async function hashPassword(password: string, params = PARAMS): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { ...params, maxmem: maxmem(params.N, params.r) });
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  if (!stored) return false;
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const N = Number(n);
  const R = Number(r);
  // a corrupt or hostile row must not ask for gigabytes
  if (!(N >= 2 && N <= 2 ** 20 && R >= 1 && R <= 32)) return false;
  const key = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N, r: R, p: Number(p), maxmem: maxmem(N, R) });
  return timingSafeEqual(key, expected);
}

/** Whether a stored hash was made with weaker parameters than today's (re-hashed at the next log-in). */
export function needsRehash(stored: string | null | undefined): boolean {
  if (!stored) return false;
  const [scheme, n, r, p] = stored.split('$');
  return scheme !== 'scrypt' || Number(n) < PARAMS.N || Number(r) < PARAMS.r || Number(p) < PARAMS.p;
}

/** Spends the same time as a real check, so a wrong e-mail and a wrong password look alike. */
let dummyHash: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('not-a-real-password');
  await verifyPassword(password, await dummyHash);
}
