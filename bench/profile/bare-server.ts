/**
 * The baseline for `npm run bench:profile`: a bare node:http server that renders the same
 * precompiled views/profiles/page.hbs (same helpers and partials) with the same view model DevHub
 * builds for an anonymous visitor, read once from the same SQLite file. No framework, no database
 * per request, no view counting: the floor DevHub is measured against.
 */
import { createServer } from 'node:http';
import Database from 'better-sqlite3';
import Handlebars from 'handlebars';
import { registerViewHelpers } from '../../src/common/views/view-helpers';
import { compileProfilePage, PROFILE_VIEWS_DIR, registerProfilePartials } from '../../src/profiles/profile-page.renderer';
import { profileUrl, qrLabel, toPageModel } from '../../src/profiles/profile.views';
import { PUBLIC_COLUMNS, toRecord } from '../../src/profiles/profiles.repository';
import { QrCodeService } from '../../src/profiles/qr-code.service';

async function main() {
  const username = process.env.BENCH_USERNAME!;
  const baseUrl = process.env.BASE_URL!;
  const db = new Database(process.env.BENCH_DB!, { readonly: true });
  const row = db
    .prepare(`SELECT ${PUBLIC_COLUMNS.join(', ')} FROM public_profiles p JOIN users u ON u.id = p.user_id WHERE p.username = ? AND p.is_public = 1`)
    .get(username) as Record<string, unknown>;
  db.close();
  const profile = toRecord(row);
  const url = profileUrl(baseUrl, profile.username);
  const qrSvg = await new QrCodeService().inlineSvg(url, qrLabel(url));
  const model = toPageModel(profile, baseUrl, { qrSvg, viewer: null });

  const handlebars = Handlebars.create();
  registerViewHelpers(handlebars, PROFILE_VIEWS_DIR);
  registerProfilePartials(handlebars);
  const template = compileProfilePage(handlebars);

  const path = `/@${username}`;
  createServer((req, res) => {
    if (req.url !== path) {
      res.writeHead(404).end();
      return;
    }
    const html = template(model);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
    res.end(html);
  }).listen(Number(process.env.PORT), '127.0.0.1');
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
