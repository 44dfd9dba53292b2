import { normalizeUsername, suggestUsername, usernameProblem } from './username';

describe('usernames', () => {
  it('accepts 3–39 of a-z 0-9 and inner hyphens, case-insensitively', () => {
    for (const ok of ['ada', 'ada-lovelace', 'a1b', 'x'.repeat(39), 'Grace-Hopper']) expect(usernameProblem(normalizeUsername(ok))).toBeNull();
    expect(normalizeUsername(' @Ada ')).toBe('ada');
  });

  it('refuses the wrong length, characters, edge hyphens and reserved words', () => {
    expect(usernameProblem('ab')).toMatch(/3 to 39/);
    expect(usernameProblem('x'.repeat(40))).toMatch(/3 to 39/);
    for (const bad of ['-ada', 'ada-', 'a_b', 'a.b', 'a b', 'émile']) expect(usernameProblem(bad)).toMatch(/letters a–z/);
    for (const reserved of ['admin', 'api', 'login', 'settings', 'static', 'sitemap']) expect(usernameProblem(reserved)).toMatch(/reserved/);
  });

  it('suggests one from the GitHub login or the name', () => {
    expect(suggestUsername('Octo-Cat', 'Mona')).toBe('octo-cat');
    expect(suggestUsername(null, 'Émile  Zola!')).toBe('emile-zola');
    expect(suggestUsername(null, 'Al')).toBe('');
    expect(suggestUsername(null, 'Admin')).toBe('');
  });
});
