import { randomBytes } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const PREFIX = 'dh_';
const BODY_LENGTH = 30;
const CHECKSUM_LENGTH = 6;

/** CRC-32 (IEEE) of the text's UTF-8 bytes: node:zlib's, no table of our own. */
export function crc32(text: string): number {
  return zlibCrc32(text);
}

function base62(n: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

function randomBase62(length: number): string {
  // rejection sampling keeps every character equally likely
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248 && out.length < length) out += BASE62[b % 62];
    }
  }
  return out;
}

/**
 * `dh_` + 30 random base62 characters + a 6-character base62 CRC32 of them, like GitHub's token
 * format: secret scanners can recognise the prefix and check the checksum without a database.
 */
export function generateApiKey(): string {
  const body = randomBase62(BODY_LENGTH);
  return `${PREFIX}${body}${base62(crc32(body), CHECKSUM_LENGTH)}`;
}

/** Shape and checksum only: lets obviously wrong keys be refused without a database lookup. */
export function isWellFormedApiKey(key: string): boolean {
  if (!key.startsWith(PREFIX) || key.length !== PREFIX.length + BODY_LENGTH + CHECKSUM_LENGTH) return false;
  const body = key.slice(PREFIX.length, PREFIX.length + BODY_LENGTH);
  const checksum = key.slice(PREFIX.length + BODY_LENGTH);
  if (!/^[0-9A-Za-z]+$/.test(body + checksum)) return false;
  return base62(crc32(body), CHECKSUM_LENGTH) === checksum;
}

export const visiblePrefix = (key: string) => key.slice(0, 10);
