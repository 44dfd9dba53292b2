import { Injectable, Logger } from '@nestjs/common';
import { UsersService } from '../auth/users.service';

export const DEMO_EMAIL = 'demo@devhub.local';
export const DEMO_PASSWORD = 'demo-password';

/** Fills the demo account. Safe to run again: the account is reset to its known password. */
@Injectable()
export class DemoSeedService {
  private readonly logger = new Logger('Seed');

  constructor(private readonly users: UsersService) {}

  async run(): Promise<{ userId: string; created: boolean }> {
    const existing = await this.users.findByEmail(DEMO_EMAIL);
    if (existing) {
      await this.users.setPassword(existing.id, DEMO_PASSWORD);
      this.logger.log('demo account already present; password reset to the documented one');
      return { userId: existing.id, created: false };
    }
    const user = await this.users.create({ email: DEMO_EMAIL, name: 'Demo Developer', password: DEMO_PASSWORD, signupSource: 'seed' });
    await this.users.updateProfile(user.id, { name: user.name, email: user.email, timezone: 'Europe/Berlin' });
    this.logger.log('demo account created');
    return { userId: user.id, created: true };
  }
}
