import { Client } from 'pg';
import { apiUser, expectError } from '../support/api';
import { sql } from '../support/crm';
import { startTestApp, TestApp, waitFor } from '../support/test-app';
import { TransactionService } from '../../src/database/transaction.service';
import { DatabaseUnavailableError } from '../../src/database/database-errors';

const isPg = (t: TestApp) => t.dataSource.options.type === 'postgres';

/**
 * The database stops taking writes (SQLite: full, via max_page_count; PostgreSQL: the database turned
 * read-only under the pool). Every write answered 201 must be in the database after a restart, every
 * other write answers 503, /readyz says so, and it all recovers when the database can write again.
 */
describe('durability when the database cannot write', () => {
  // child processes and restarts: a budget for a loaded machine, not a speed check
  jest.setTimeout(180_000);

  let t: TestApp;

  afterEach(async () => {
    await t?.drop();
  });

  async function makeUnwritable(t: TestApp) {
    if (!isPg(t)) {
      const [{ page_count }] = await t.dataSource.query('PRAGMA page_count');
      await t.dataSource.query(`PRAGMA max_page_count = ${Number(page_count) + 2}`);
      return;
    }
    const name = new URL(t.config.databaseUrl).pathname.slice(1);
    const admin = new Client({ connectionString: t.config.databaseUrl });
    await admin.connect();
    await admin.query(`ALTER DATABASE ${name} SET default_transaction_read_only = on`);
    // the pool's connections reconnect and pick the setting up
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
    await admin.end();
  }

  async function makeWritable(t: TestApp) {
    if (!isPg(t)) {
      await t.dataSource.query('PRAGMA max_page_count = 1073741823');
      return;
    }
    const name = new URL(t.config.databaseUrl).pathname.slice(1);
    const admin = new Client({ connectionString: t.config.databaseUrl });
    await admin.connect();
    await admin.query(`SET default_transaction_read_only = off`);
    await admin.query(`ALTER DATABASE ${name} SET default_transaction_read_only = off`);
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
    await admin.end();
  }

  it('never acknowledges a write it did not store, fails /readyz while full and recovers', async () => {
    t = await startTestApp();
    const user = await apiUser(t);
    const acknowledged: string[] = [];
    for (let i = 0; i < 5; i++) acknowledged.push((await user.write.post('/api/contacts', { name: `Before ${i}` }).expect(201)).body.id);
    await t.agent().get('/readyz').expect(200);

    await makeUnwritable(t);
    let refused = 0;
    // fill what is left: some writes still fit, then every one is refused
    for (let i = 0; i < 400 && refused < 15; i++) {
      const res = await user.write.post('/api/contacts', { name: `During ${i}`, email: `during.${i}@example.com`, notes: 'n'.repeat(2000) });
      if (res.status === 201) acknowledged.push(res.body.id);
      else {
        expectError(res, 503, /nothing was saved/);
        expect(res.headers['retry-after']).toBe('5');
        refused++;
      }
    }
    expect(refused).toBe(15);
    // database errors are logged through the redacting logger, without the query's parameters
    const logs = t.logs.join('\n');
    expect(logs).toContain('query failed (');
    expect(logs).not.toMatch(/during\.\d+@example\.com|nnnnnnnnnn|During \d/);
    const ready = await waitFor(async () => {
      const r = await t.agent().get('/readyz');
      return r.status === 503 && r;
    }, '/readyz to fail while the database cannot write');
    expect(ready.body).toMatchObject({ status: 'unavailable', database: 'unwritable' });
    // pages get the error page, not a 500
    const page = await user.agent.get('/contacts/new');
    if (page.status === 200) {
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
      const form = await user.agent.post('/contacts').type('form').send({ _csrf: csrf, name: 'From a form', notes: 'n'.repeat(4000) });
      expect(form.status).toBe(503);
      expect(form.text).toContain('nothing was saved');
    }
    // the app's own reads show only what was committed
    const list = await user.read.get('/api/contacts?limit=100').expect(200);
    expect(list.body.total).toBe(acknowledged.length);

    await makeWritable(t);
    await waitFor(async () => (await t.agent().get('/readyz')).status === 200, '/readyz to recover', 10_000);
    acknowledged.push((await user.write.post('/api/contacts', { name: 'After' }).expect(201)).body.id);

    // after a restart every acknowledged contact is there, and nothing else
    await t.close();
    t = await startTestApp({}, t.db);
    const rows = await sql<{ id: string }>(t, `SELECT id FROM contacts WHERE user_id = ?`, [user.userId]);
    expect(rows.map((r) => r.id).sort()).toEqual([...acknowledged].sort());
  });

  it('turns a failed COMMIT into a 503-class error and starts the next unit of work clean', async () => {
    t = await startTestApp();
    const user = await apiUser(t);
    const tx = t.app.get(TransactionService);
    const contact = (await user.write.post('/api/contacts', { name: 'Parent' }).expect(201)).body.id;
    if (isPg(t)) {
      // a deferred check that only fails at COMMIT
      await t.dataSource.query(`CREATE TABLE commit_probe (id int, CONSTRAINT once UNIQUE (id) DEFERRABLE INITIALLY DEFERRED)`);
      await expect(tx.run((m) => m.query(`INSERT INTO commit_probe VALUES (1), (1)`))).rejects.toBeInstanceOf(DatabaseUnavailableError);
    } else {
      // a deferred foreign key fails only at COMMIT, and SQLite keeps the transaction open after it
      await expect(
        tx.run(async (m) => {
          await m.query('PRAGMA defer_foreign_keys = ON');
          await m.query(`INSERT INTO interactions (id, user_id, contact_id, type, occurred_at, summary) VALUES ('bad', ?, 'no-such-contact', 'call', CURRENT_TIMESTAMP, 'x')`, [user.userId]);
        }),
      ).rejects.toBeInstanceOf(DatabaseUnavailableError);
    }
    await user.write.post(`/api/contacts/${contact}/interactions`, { type: 'call', summary: 'after the failed commit' }).expect(201);
    await t.close();
    t = await startTestApp({}, t.db);
    const rows = await sql<{ summary: string }>(t, `SELECT summary FROM interactions WHERE contact_id = ?`, [contact]);
    expect(rows.map((r) => r.summary)).toEqual(['after the failed commit']);
  });
});
