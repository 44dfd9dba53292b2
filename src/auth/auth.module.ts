import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountController } from './account.controller';
import { EmailVerificationToken } from './email-verification-token.entity';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { GithubAuthController, GithubAuthGuard } from './github-auth.controller';
import { GithubStrategy } from './github.strategy';
import { GithubTokensService } from './github-tokens.service';
import { LoginThrottleService } from './login-throttle.service';
import { PasswordResetToken } from './password-reset-token.entity';
import { SessionRow } from './session.entity';
import { DatabaseSessionStore } from './session.store';
import { User } from './user.entity';
import { UsersService } from './users.service';

@Module({
  imports: [PassportModule, TypeOrmModule.forFeature([User, SessionRow, PasswordResetToken, EmailVerificationToken])],
  controllers: [AuthController, GithubAuthController, AccountController],
  providers: [AuthService, UsersService, LoginThrottleService, DatabaseSessionStore, GithubStrategy, GithubAuthGuard, GithubTokensService],
  exports: [UsersService, AuthService, DatabaseSessionStore, GithubTokensService],
})
export class AuthModule {}
