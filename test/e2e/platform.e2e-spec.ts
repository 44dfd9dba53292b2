import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { createTestDatabase, csrfFrom, signUp, startTestApp, submitForm } from '../support/test-app';

describe('platform: sessions, migrations, concurrency', () => {
  it('keeps a signed-in session across an app restart', async () => {
    const first = await startTestApp();
    const agent = first.agent();
    await signUp(agent, { name: 'Restart Tester', email: 'restart@example.com' });
    const cookie = (await agent.get('/dashboard').expect(200)).request.cookies;
    await first.close();

    const second = await startTestApp({}, first.db);
    try {
      const res = await second.agent().get('/dashboard').set('Cookie', cookie).expect(200);
      expect(res.text).toContain('Restart Tester');
    } finally {
      await second.drop();
    }
  });

  it('runs every migration up, down and up again', async () => {
    const db = await createTestDatabase();
    const ds = new DataSource({ ...buildDataSourceOptions(db.url), logging: false });
    try {
      await ds.initialize();
      const applied = await ds.runMigrations({ transaction: 'each' });
      expect(applied.length).toBe(ds.migrations.length);
      expect(applied.length).toBeGreaterThan(0);
      const tables = async () => {
        const q = ds.options.type === 'postgres'
          ? `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'`
          : `SELECT name FROM sqlite_master WHERE type = 'table'`;
        return (await ds.query(q)).map((r: { name: string }) => r.name).filter((n: string) => !n.startsWith('sqlite_') && n !== 'migrations');
      };
      expect(await tables()).toEqual(expect.arrayContaining(['users', 'sessions', 'password_reset_tokens']));
      for (let i = 0; i < applied.length; i++) await ds.undoLastMigration({ transaction: 'each' });
      expect(await tables()).toEqual([]);
      const again = await ds.runMigrations({ transaction: 'each' });
      expect(again.length).toBe(applied.length);
      expect(await ds.showMigrations()).toBe(false);
    } finally {
      if (ds.isInitialized) await ds.destroy();
      await db.drop();
    }
  });

  it('serves many concurrent writes without transaction errors', async () => {
    const t = await startTestApp();
    try {
      const agents = Array.from({ length: 25 }, () => t.agent());
      const pages = await Promise.all(agents.map((a) => a.get('/signup').expect(200)));
      const results = await Promise.all(
        agents.map((a, i) =>
          a.post('/signup').type('form').send({ _csrf: csrfFrom(pages[i].text), name: `User ${i}`, email: `burst-${i}@example.com`, password: 'burst-password' }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(results.map(() => 303));
      const [{ n }] = await t.dataSource.query('SELECT COUNT(*) AS n FROM users');
      expect(Number(n)).toBe(25);
      const admins = await t.dataSource.query('SELECT id FROM users WHERE is_admin = true');
      expect(admins.length).toBe(1);
      // and each of them can edit their settings at once
      const edits = await Promise.all(
        agents.map(async (a, i) => submitForm(a, '/settings/account', '/settings/account', { name: `Renamed ${i}`, email: `burst-${i}@example.com`, timezone: 'Asia/Tokyo' })),
      );
      expect(edits.map((r) => r.status)).toEqual(edits.map(() => 303));
    } finally {
      await t.drop();
    }
  });
});
