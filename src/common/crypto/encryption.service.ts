import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config.schema';

const VERSION = 'v1';

/**
 * AES-256-GCM for secrets at rest (GitHub tokens, webhook secrets).
 * Stored form: `v1:<base64 nonce>:<base64 tag>:<base64 ciphertext>`. The version names the key,
 * so a later key rotation can read old values while writing new ones.
 */
@Injectable()
export class EncryptionService {
  private readonly keys: Record<string, Buffer>;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'encryptionKey'>) {
    this.keys = { [VERSION]: config.encryptionKey };
  }

  encrypt(plain: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys[VERSION], nonce);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, nonce.toString('base64'), tag.toString('base64'), body.toString('base64')].join(':');
  }

  decrypt(stored: string): string {
    const [version, nonce, tag, body] = stored.split(':');
    const key = this.keys[version];
    if (!key || !nonce || !tag || body === undefined) throw new Error('Unreadable encrypted value');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  }
}
