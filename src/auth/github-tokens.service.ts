import { Injectable } from '@nestjs/common';
import { EncryptionService } from '../common/crypto/encryption.service';
import { TransactionService } from '../database/transaction.service';
import { User } from './user.entity';

export interface GithubTokenPair {
  accessToken: string;
  refreshToken: string | null;
  /** when the access token stops working (GitHub App user tokens: 8 h); null = does not expire */
  expiresAt: Date | null;
}

/**
 * The user's GitHub token pair, encrypted at rest in `users` (AuthService writes the access token
 * when an account is linked; the refresh token and expiry are written here). The GitHub sync reads
 * and renews them through this service only.
 */
@Injectable()
export class GithubTokensService {
  constructor(
    private readonly tx: TransactionService,
    private readonly crypto: EncryptionService,
  ) {}

  async get(userId: string): Promise<GithubTokenPair | null> {
    const u = await this.tx.manager.getRepository(User).findOne({
      where: { id: userId },
      select: { id: true, githubTokenEncrypted: true, githubRefreshTokenEncrypted: true, githubTokenExpiresAt: true },
    });
    if (!u?.githubTokenEncrypted) return null;
    return {
      accessToken: this.crypto.decrypt(u.githubTokenEncrypted),
      refreshToken: u.githubRefreshTokenEncrypted ? this.crypto.decrypt(u.githubRefreshTokenEncrypted) : null,
      expiresAt: u.githubTokenExpiresAt ? new Date(u.githubTokenExpiresAt) : null,
    };
  }

  /** After a sign-in or link: the refresh token and expiry that came with the access token (if any). */
  async storeRefresh(userId: string, refreshToken: string | null | undefined, expiresAt: Date | null | undefined): Promise<void> {
    await this.tx.run((m) =>
      m.getRepository(User).update({ id: userId }, { githubRefreshTokenEncrypted: refreshToken ? this.crypto.encrypt(refreshToken) : null, githubTokenExpiresAt: expiresAt ?? null }),
    );
  }

  /** A refreshed pair replaces the old one (both encrypted). */
  async replace(userId: string, pair: GithubTokenPair): Promise<void> {
    await this.tx.run((m) =>
      m.getRepository(User).update(
        { id: userId },
        {
          githubTokenEncrypted: this.crypto.encrypt(pair.accessToken),
          githubRefreshTokenEncrypted: pair.refreshToken ? this.crypto.encrypt(pair.refreshToken) : null,
          githubTokenExpiresAt: pair.expiresAt,
        },
      ),
    );
  }

  /** Disconnect: the tokens are deleted; the GitHub identity stays for sign-in. */
  async clear(userId: string): Promise<void> {
    await this.tx.run((m) => m.getRepository(User).update({ id: userId }, { githubTokenEncrypted: null, githubRefreshTokenEncrypted: null, githubTokenExpiresAt: null }));
  }
}
