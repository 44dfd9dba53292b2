import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { ApiError, DevHubClient } from '../client.js';
import { readConfig, removeConfigToken, writeConfig } from '../config.js';
import type { Context } from '../context.js';
import { CliError, UsageError } from '../errors.js';
import { c, details, line, note, printJson, spinner, success } from '../output.js';
import { action } from './action.js';

const KEY_PATTERN = /^dh_[A-Za-z0-9_]{30,}$/;

export function registerAuth(program: Command) {
  program
    .command('login')
    .description('log in: approve this machine in the browser (or pass a key with --token)')
    .option('--token <key>', 'use an existing API key (dh_…) from /settings/api-keys, for headless machines')
    .option('--no-browser', 'only print the URL to open')
    .addHelpText('after', '\nThe key is stored in ~/.devhub/config.json (mode 0600; DEVHUB_CONFIG moves it).')
    .action(action(login));

  program.command('logout').description('revoke this machine’s key on the server and forget it').action(action(logout));

  program.command('whoami').description('show the account, plan, time zone and server you are using').action(action(whoami));
}

async function login(ctx: Context, _args: [], opts: { token?: string; browser: boolean }) {
  const url = ctx.settings.url;
  if (opts.token !== undefined) {
    if (!KEY_PATTERN.test(opts.token)) throw new UsageError('That is not a DevHub API key (they look like dh_ followed by 36 letters and digits).');
    const me = await new DevHubClient(url, opts.token).call('get', '/api/me', {});
    save(ctx, url, opts.token, undefined);
    return done(ctx, me, url, undefined);
  }
  const deviceName = hostname();
  const request = await ctx.api.call('post', '/api/cli/auth-requests', { body: { deviceName } }, { auth: false });
  const say = ctx.json ? (t: string) => process.stderr.write(`${t}\n`) : line;
  say(`To log in, open this page in a browser where you are signed in to DevHub:\n\n  ${c.bold(request.verificationUrl)}\n\nand check that it shows the code ${c.bold(request.code)}.`);
  if (opts.browser && process.stdout.isTTY) openBrowser(request.verificationUrl);
  const wait = spinner('Waiting for approval in the browser (Ctrl-C to cancel)…');
  const deadline = Date.parse(request.expiresAt) + 30_000;
  try {
    for (;;) {
      await new Promise((r) => setTimeout(r, request.interval * 1000));
      const state = await ctx.api.call('post', '/api/cli/auth-requests/poll', { body: { pollToken: request.pollToken } }, { auth: false });
      if (state.status === 'approved' && state.apiKey) {
        wait.stop();
        const me = await new DevHubClient(url, state.apiKey).call('get', '/api/me', {});
        save(ctx, url, state.apiKey, state.keyName);
        return done(ctx, me, url, state.keyName);
      }
      if (state.status === 'refused') throw new CliError('The log-in was refused in the browser. Nothing was saved.');
      if (state.status === 'expired' || Date.now() > deadline) throw new CliError('The code expired (codes last 10 minutes). Run `devhub login` again.');
    }
  } finally {
    wait.stop();
  }
}

function save(ctx: Context, url: string, token: string, keyName: string | undefined) {
  const stored = readConfig(ctx.settings.configPath);
  writeConfig({ ...stored, url, token, ...(keyName ? { keyName } : {}) }, ctx.settings.configPath);
  if (ctx.settings.tokenSource === 'env') note('Note: DEVHUB_TOKEN is set in your environment and is used instead of the saved key.');
}

function done(ctx: Context, me: { name: string; email: string }, url: string, keyName: string | undefined) {
  if (ctx.json) return printJson({ url, keyName: keyName ?? null, user: me });
  success(`Logged in to ${url} as ${c.bold(me.name)} <${me.email}>${keyName ? ` with the key “${keyName}”` : ''}.`);
  line(`Saved to ${ctx.settings.configPath}. Try: devhub contacts ls`);
}

function openBrowser(url: string) {
  const graphical = process.platform === 'darwin' || process.platform === 'win32' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  if (!graphical) return;
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // no browser: the URL is printed above
  }
}

async function logout(ctx: Context) {
  const { token, tokenSource, configPath } = ctx.settings;
  if (!token) {
    if (ctx.json) return printJson({ revoked: false, forgotten: false });
    return line('Not logged in.');
  }
  let revoked = true;
  try {
    await ctx.api.call('delete', '/api/me/key', {});
  } catch (err) {
    // already revoked: nothing left to do on the server
    if (err instanceof ApiError && err.status === 401) revoked = true;
    else if (err instanceof ApiError && err.status === 403) {
      revoked = false;
      note('The server kept this key (it is read-only and cannot revoke itself): revoke it at /settings/api-keys.');
    } else throw err;
  }
  if (tokenSource === 'config') removeConfigToken(configPath);
  if (ctx.json) return printJson({ revoked, forgotten: tokenSource === 'config' });
  if (revoked) success('Logged out: the key is revoked on the server.');
  if (tokenSource === 'config') line(`Removed it from ${configPath}.`);
  else note('DEVHUB_TOKEN is set in your environment: unset it too.');
}

async function whoami(ctx: Context) {
  const me = await ctx.whoami();
  if (ctx.json) return printJson(me);
  const stored = readConfig(ctx.settings.configPath);
  line(
    details([
      ['Name', me.name],
      ['E-mail', me.email],
      ['Plan', `${me.plan} (${me.rateLimit.limit} requests per minute)`],
      ['Time zone', me.timezone],
      ['Key', `${me.scope} key${ctx.settings.tokenSource === 'env' ? ' from DEVHUB_TOKEN' : stored.keyName ? ` “${stored.keyName}”` : ''}`],
      ['Server', ctx.settings.url],
    ]),
  );
}
