/**
 * The baseline for bench/api: node:http and better-sqlite3, nothing else. It answers
 * GET /api/contacts?limit=&offset= for one user with the same JSON DevHub sends (same fields,
 * tags included, same envelope), from the same database file, with the same three queries
 * (page, count, tags of the page). No auth, no throttling, no framework.
 *
 *   BENCH_DB=/path/bench.db BENCH_USER_ID=… PORT=… node -r ./test/support/swc-register.js bench/api/bare-server.ts
 */
import { createServer } from 'node:http';
import Database from 'better-sqlite3';

const db = new Database(process.env.BENCH_DB!, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const userId = process.env.BENCH_USER_ID!;

const page = db.prepare(
  `SELECT id, name, email, phone, company, title, location, github_username, twitter, linkedin, website, notes,
          is_vip, keep_in_touch_days, last_interaction_at, activity_score, created_at, updated_at
     FROM contacts WHERE user_id = ? ORDER BY sort_name ASC, id ASC LIMIT ? OFFSET ?`,
);
// the same trigger-kept counter DevHub reads for an unfiltered list
const count = db.prepare('SELECT n FROM contact_counts WHERE user_id = ?').pluck();
const tagStatements = new Map<number, Database.Statement>();
const tagsOf = (n: number) => {
  let s = tagStatements.get(n);
  if (!s) {
    s = db.prepare(
      `SELECT ct.contact_id AS contactId, t.id AS id, t.name AS name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id
        WHERE ct.contact_id IN (${Array(n).fill('?').join(',')}) ORDER BY t.name_key ASC`,
    );
    tagStatements.set(n, s);
  }
  return s;
};

// SQLite keeps UTC "YYYY-MM-DD HH:MM:SS.SSS": ISO 8601 by string surgery, as DevHub does
const SQLITE_UTC = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/;
const iso = (v: string | null) => (v ? (SQLITE_UTC.test(v) ? `${v.slice(0, 10)}T${v.slice(11)}Z` : new Date(`${v.replace(' ', 'T')}Z`).toISOString()) : null);

interface Row {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  company: string | null;
  title: string | null;
  location: string | null;
  github_username: string | null;
  twitter: string | null;
  linkedin: string | null;
  website: string | null;
  notes: string | null;
  is_vip: number;
  keep_in_touch_days: number | null;
  last_interaction_at: string | null;
  activity_score: number | null;
  created_at: string;
  updated_at: string;
}

createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (req.method !== 'GET' || url.pathname !== '/api/contacts') {
    res.writeHead(404).end();
    return;
  }
  const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 20) || 20, 1), 100);
  const offset = Math.max(Number(url.searchParams.get('offset') ?? 0) || 0, 0);
  const rows = page.all(userId, limit, offset) as Row[];
  const total = (count.get(userId) as number | undefined) ?? 0;
  const tags = new Map<string, Array<{ id: string; name: string }>>(rows.map((r) => [r.id, []]));
  if (rows.length) {
    for (const t of tagsOf(rows.length).all(...rows.map((r) => r.id)) as Array<{ contactId: string; id: string; name: string }>) {
      tags.get(t.contactId)!.push({ id: t.id, name: t.name });
    }
  }
  const data = rows.map((r) => ({
    id: r.id,
    name: r.name,
    email: r.email,
    phone: r.phone,
    company: r.company,
    title: r.title,
    location: r.location,
    githubUsername: r.github_username,
    twitter: r.twitter,
    linkedin: r.linkedin,
    website: r.website,
    notes: r.notes,
    isVip: Boolean(r.is_vip),
    keepInTouchDays: r.keep_in_touch_days,
    lastInteractionAt: iso(r.last_interaction_at),
    activityScore: r.activity_score,
    tags: tags.get(r.id)!,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  }));
  const body = JSON.stringify({ data, total, limit, offset });
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}).listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
