import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Profile, Strategy } from 'passport-github2';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import type { GithubProfile } from './auth.service';

/** GitHub App user tokens expire and come with a refresh token (OAuth App tokens have neither). */
export interface GithubTokenExtras {
  refreshToken?: string | null;
  tokenExpiresAt?: Date | null;
}

/** passport-github2's `allRawEmails` renames GitHub's `email` field to `value` */
interface RawEmail {
  value?: string;
  email?: string;
  primary?: boolean;
  verified?: boolean;
}

/**
 * GitHub OAuth through passport-github2. Every URL comes from GITHUB_OAUTH_URL / GITHUB_API_URL,
 * so GitHub Enterprise Server and the loopback fake in the tests work the same way. `state: true`
 * stores a random state in the session and checks it on the callback.
 */
@Injectable()
// callbackArity: passport-oauth2 then hands validate() the token response's params (expires_in, refresh_token)
export class GithubStrategy extends PassportStrategy(Strategy, 'github', true) {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({
      clientID: config.github.clientId ?? 'github-sign-in-disabled',
      clientSecret: config.github.clientSecret ?? 'github-sign-in-disabled',
      callbackURL: `${config.baseUrl}/auth/github/callback`,
      authorizationURL: `${config.github.oauthUrl}/login/oauth/authorize`,
      tokenURL: `${config.github.oauthUrl}/login/oauth/access_token`,
      userProfileURL: `${config.github.apiUrl}/user`,
      userEmailURL: `${config.github.apiUrl}/user/emails`,
      scope: ['read:user', 'user:email'],
      allRawEmails: true,
      // passport-oauth2 accepts `true` (random state kept in the session); the typings only know strings
      state: true as unknown as string,
    });
  }

  validate(accessToken: string, refreshToken: string | undefined, params: { expires_in?: number | string } | undefined, profile: Profile): GithubProfile & GithubTokenExtras {
    const json = (profile as Profile & { _json?: Record<string, unknown> })._json ?? {};
    const emails = ((profile.emails ?? []) as unknown as RawEmail[])
      .map((e) => ({ ...e, email: e.value ?? e.email }))
      .filter((e): e is RawEmail & { email: string } => typeof e.email === 'string');
    const verified = emails.filter((e) => e.verified);
    return {
      id: String(profile.id),
      login: profile.username ?? String(json.login ?? ''),
      name: profile.displayName || (json.name as string | null) || null,
      avatarUrl: (json.avatar_url as string | undefined) ?? null,
      accessToken,
      verifiedEmails: verified.map((e) => e.email.toLowerCase()),
      primaryEmail: verified.find((e) => e.primary)?.email.toLowerCase() ?? null,
      refreshToken: refreshToken || null,
      tokenExpiresAt: params?.expires_in ? new Date(Date.now() + Number(params.expires_in) * 1000) : null,
    };
  }
}
