/** A tiny cookie-keeping form client: benches sign up and log in through the same forms a person uses. */
export class FormClient {
  private jar = '';
  constructor(private readonly base: string) {}

  /** The cookies the server set last, as a `cookie` header (for autocannon). */
  get cookie(): string {
    return this.jar;
  }

  async get(path: string): Promise<string> {
    const res = await fetch(this.base + path, { headers: { cookie: this.jar }, redirect: 'manual' });
    this.keep(res);
    return res.text();
  }

  /** Loads `pagePath` for its CSRF token and cookie, posts `fields` to `action`, returns the status. */
  async submit(pagePath: string, action: string, fields: Record<string, string>): Promise<number> {
    const page = await this.get(pagePath);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
    if (!csrf) throw new Error(`no _csrf on ${pagePath}`);
    const res = await fetch(this.base + action, {
      method: 'POST',
      headers: { cookie: this.jar, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
      redirect: 'manual',
    });
    this.keep(res);
    return res.status;
  }

  private keep(res: Response) {
    const set = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
    if (set.length) this.jar = set.join('; ');
  }
}
