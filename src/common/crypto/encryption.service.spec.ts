import { randomBytes } from 'node:crypto';
import { EncryptionService } from './encryption.service';

describe('EncryptionService', () => {
  const service = new EncryptionService({ encryptionKey: randomBytes(32) });

  it('round-trips a value with a version prefix and a fresh nonce each time', () => {
    const a = service.encrypt('gho_secret-token');
    const b = service.encrypt('gho_secret-token');
    expect(a).toMatch(/^v1:/);
    expect(a).not.toEqual(b);
    expect(a).not.toContain('gho_secret-token');
    expect(service.decrypt(a)).toBe('gho_secret-token');
  });

  it('refuses a tampered value or another key', () => {
    const stored = service.encrypt('hello');
    const parts = stored.split(':');
    const body = Buffer.from(parts[3], 'base64');
    body[0] ^= 1;
    parts[3] = body.toString('base64');
    expect(() => service.decrypt(parts.join(':'))).toThrow();
    expect(() => new EncryptionService({ encryptionKey: randomBytes(32) }).decrypt(stored)).toThrow();
  });
});
