import { randomInt } from 'node:crypto';

/** Consonants only (no vowels, so no words; no 0/O or 1/I to confuse): 20^8 ≈ 2.6·10^10 codes. */
const ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

/** `XXXX-XXXX`, typed by a person or read off a terminal. */
export function generateUserCode(): string {
  let code = '';
  for (let i = 0; i < 8; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** What a person may type ("bcdf ghjk", "bcdf-ghjk") in the canonical form, or null if it cannot be a code. */
export function normaliseUserCode(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 32) return null;
  const chars = input.toUpperCase().replace(/[\s-]/g, '');
  if (chars.length !== 8 || [...chars].some((c) => !ALPHABET.includes(c))) return null;
  return `${chars.slice(0, 4)}-${chars.slice(4)}`;
}

/** A host name as the key's name shows it: printable, one line, at most 60 characters. */
export function cleanDeviceName(input: string): string {
  const clean = input.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 60);
  return clean || 'unknown device';
}
