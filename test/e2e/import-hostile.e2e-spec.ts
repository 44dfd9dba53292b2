import { monitorEventLoopDelay } from 'node:perf_hooks';
import { hostileCsv, largeCsv } from '../../bench/import/hostile-files';
import { ImportParser } from '../../src/import-export/import-parser';
import { csrfFrom, signUp, startTestApp, TestApp } from '../support/test-app';

/**
 * The review's hostile upload: parsed in a worker thread, refused at the 201st column with a clear
 * message, and a preview shown again is read back, not parsed again. The worst event-loop delay
 * is measured (PRINT_FIGURES=1 prints it); speed itself is asserted in bench/, not here.
 */
describe('hostile uploads do not stall the instance', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.drop();
  });
  afterEach(() => jest.restoreAllMocks());

  async function upload(agent: ReturnType<TestApp['agent']>, file: Buffer) {
    const token = csrfFrom((await agent.get('/settings/account').expect(200)).text);
    return agent.post(`/settings/account/import?_csrf=${encodeURIComponent(token)}`).attach('file', file, 'contacts.csv');
  }

  it('refuses a 5 MB CSV with ~600,000 header columns with a clear message while /healthz keeps answering', async () => {
    const agent = t.agent();
    await signUp(agent, { name: 'Hostile' });
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const probes: number[] = [];
    let done = false;
    const prober = (async () => {
      while (!done) probes.push((await t.agent().get('/healthz')).status);
    })();
    const res = await upload(agent, hostileCsv());
    done = true;
    await prober;
    delay.disable();
    expect(res.status).toBe(422);
    expect(res.text).toContain('Line 1 has more than 200 columns.');
    expect(res.text).toContain('Nothing was imported');
    expect(probes.length).toBeGreaterThan(0);
    expect(new Set(probes)).toEqual(new Set([200]));
    expect(Number((await t.dataSource.query('SELECT COUNT(*) AS n FROM pending_imports'))[0].n)).toBe(0);
    if (process.env.PRINT_FIGURES) process.stdout.write(`hostile upload: worst event-loop delay ${Math.round(delay.max / 1e6)} ms, ${probes.length} /healthz answers meanwhile\n`);
  }, 120_000);

  it('shows a preview again without parsing the file again', async () => {
    const agent = t.agent();
    await signUp(agent, { name: 'Previewer' });
    const res = await upload(agent, largeCsv(2000));
    expect(res.status).toBe(303);
    const parser = t.app.get(ImportParser);
    const parses = [jest.spyOn(parser, 'parseUpload'), jest.spyOn(parser, 'parseText')];
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    for (let i = 0; i < 3; i++) {
      const page = await agent.get(res.headers.location).expect(200);
      expect(page.text).toContain('Review import');
    }
    delay.disable();
    for (const spy of parses) expect(spy).not.toHaveBeenCalled();
    if (process.env.PRINT_FIGURES) process.stdout.write(`preview shown 3 times: worst event-loop delay ${Math.round(delay.max / 1e6)} ms\n`);
  });
});
