import type { Command } from 'commander';
import QRCode from 'qrcode';
import type { Context } from '../context.js';
import { c, line, printJson } from '../output.js';
import { action } from './action.js';

export function registerProfile(program: Command) {
  program.command('profile').description('your public profile’s URL, and its QR code drawn in the terminal').option('--no-qr', 'only the URL').action(action(profile));
}

async function profile(ctx: Context, _: [], o: { qr: boolean }) {
  const p = await ctx.api.call('get', '/api/profile', {});
  if (ctx.json) return printJson(p);
  line(`${c.bold(p.displayName)}  ${p.url}`);
  if (!p.isPublic) line(c.yellow('Not public yet: others get a 404 until you publish it at /settings/profile.'));
  if (o.qr) line(`\n${await QRCode.toString(p.url, { type: 'terminal', small: true, errorCorrectionLevel: 'M' })}`);
}
