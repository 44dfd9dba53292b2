import { DevHubClient } from './client.js';
import { loadSettings, type Settings } from './config.js';
import type { Schemas } from './generated/api.js';

export interface GlobalOptions {
  json?: boolean;
  url?: string;
}

/** What every command gets: settings, an API client, the output mode. */
export class Context {
  readonly settings: Settings;
  readonly api: DevHubClient;
  private me?: Promise<Schemas['MeResponseDto']>;

  constructor(readonly options: GlobalOptions) {
    this.settings = loadSettings(options.url);
    this.api = new DevHubClient(this.settings.url, this.settings.token);
  }

  get json(): boolean {
    return Boolean(this.options.json);
  }

  whoami(): Promise<Schemas['MeResponseDto']> {
    return (this.me ??= this.api.call('get', '/api/me', {}));
  }

  /** The account's time zone: natural dates are read there. */
  async timeZone(): Promise<string> {
    return (await this.whoami()).timezone || 'UTC';
  }
}
