/**
 * The bench's fake GitHub, in its own process (so its 50 ms answers and JSON work never count as
 * stalls of the DevHub process): 100 × 100 accounts with repositories, events and releases, and a
 * `mutate` command that changes a realistic share of them between sync passes.
 */
import { FakeGhEvent, startFakeGithub } from '../../test/fakes/fake-github';

type Msg = { id: number; cmd: 'setup'; users: number; contacts: number } | { id: number; cmd: 'mutate'; pass: number; now: number } | { id: number; cmd: 'stats' } | { id: number; cmd: 'clock'; now: number };

let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const chance = (p: number) => rnd() < p;

async function main() {
  const gh = await startFakeGithub({ latencyMs: Number(process.env.FAKE_LATENCY_MS ?? 50), recordRequests: false });
  let now = Date.now();
  gh.data.now = () => now;
  const logins: string[] = [];
  let eventId = 1;
  const event = (login: string, at: number): FakeGhEvent => ({ id: String(eventId++), type: chance(0.3) ? 'PullRequestEvent' : 'PushEvent', created_at: new Date(at).toISOString(), actor: { login }, repo: { name: `${login}/repo0` }, payload: {} });

  process.on('message', (m: Msg) => {
    const reply = (value: unknown) => process.send!({ id: m.id, value });
    if (m.cmd === 'setup') {
      const users: Array<{ login: string; token: string; contacts: string[] }> = [];
      for (let u = 0; u < m.users; u++) {
        const me = `owner${u}`;
        gh.data.setUser(me, { ownEvents: [] });
        const contacts: string[] = [];
        for (let c = 0; c < m.contacts; c++) {
          const login = `dev${u}x${c}`;
          const repos = Array.from({ length: 3 + (c % 5) }, (_, i) => ({ name: `repo${i}`, stargazers_count: Math.floor(rnd() * 200), language: 'TypeScript', created_at: '2022-01-01T00:00:00Z', pushed_at: new Date(now - Math.floor(rnd() * 60) * 86_400_000).toISOString() }));
          gh.data.setUser(login, {
            user: { name: `Dev ${u}.${c}`, company: `Company ${c % 17}`, location: 'Berlin', bio: 'Builds things', followers: Math.floor(rnd() * 300) },
            repos,
            events: Array.from({ length: 10 }, (_, i) => event(login, now - i * 86_400_000)),
            releases: { repo0: [{ id: eventId++, tag_name: 'v1.0.0' }] },
            social: [],
          });
          contacts.push(login);
          logins.push(login);
        }
        users.push({ login: me, token: gh.issueToken(me), contacts });
      }
      return reply({ apiUrl: gh.apiUrl, users });
    }
    if (m.cmd === 'clock') {
      now = m.now;
      return reply(null);
    }
    if (m.cmd === 'mutate') {
      now = m.now;
      // per contact between two passes (8 hours apart): who pushed, starred, changed a profile…
      const changed = { events: 0, repos: 0, profile: 0, releases: 0, newRepos: 0 };
      for (const login of logins) {
        const p = gh.data.user(login);
        if (chance(0.25)) {
          p.events = [event(login, now - 3_600_000), ...p.events].slice(0, 30);
          changed.events++;
        }
        if (chance(0.15)) {
          const r = p.repos[Math.floor(rnd() * p.repos.length)]!;
          r.stargazers_count = (r.stargazers_count ?? 0) + 1 + Math.floor(rnd() * 5);
          r.pushed_at = new Date(now - 3_600_000).toISOString();
          changed.repos++;
        }
        if (chance(0.1)) {
          p.user.followers = (p.user.followers ?? 0) + 1;
          if (chance(0.05)) p.user.company = `New Company ${Math.floor(rnd() * 1000)}`;
          changed.profile++;
        }
        if (chance(0.02)) {
          p.releases.repo0 = [{ id: eventId++, tag_name: `v1.${eventId}.0` }, ...(p.releases.repo0 ?? [])].slice(0, 5);
          p.repos[0]!.pushed_at = new Date(now - 3_600_000).toISOString();
          changed.releases++;
        }
        if (chance(0.01)) {
          p.repos.unshift({ name: `new${eventId++}`, stargazers_count: 0, created_at: new Date(now - 3_600_000).toISOString(), pushed_at: new Date(now - 3_600_000).toISOString() });
          changed.newRepos++;
        }
      }
      return reply(changed);
    }
    if (m.cmd === 'stats') return reply({ ...gh.apiCalls });
  });
  process.send!({ id: 0, value: 'ready' });
}

void main();
