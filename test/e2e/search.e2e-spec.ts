import { Browser, listedNames } from '../support/crm';
import { htmlDecode, startTestApp, TestApp } from '../support/test-app';

/** Contact search by relevance with highlighted words, the typo fallback, and the header's /search. */
describe('search: relevance, highlighting, typos, global search', () => {
  let t: TestApp;
  let u: Browser;

  beforeAll(async () => {
    t = await startTestApp();
    u = await Browser.signUp(t, 'Sam Search');
    // created in an order unlike the expected ranking, so a list sorted by name or date would fail
    const notes = await u.createContact({ name: 'Alice Archer', notes: 'Met her at a rust meetup' });
    await u.createContact({ name: 'Zed Rustworth', company: 'Ferrous' });
    await u.createContact({ name: 'Bob Builder', company: 'Rust Foundation' });
    const tagged = await u.createContact({ name: 'Carol Coder' });
    await u.addTag(tagged, 'rust');
    await u.createContact({ name: 'Ada Lovelace', company: 'Analytical Engines' });
    await u.createContact({ name: '<b>Rusty</b> & "Quotes"', company: 'Markup <i>Inc</i>' });
    await u.logInteraction(notes, { type: 'call', summary: 'Talked about the Rust compiler and lunch' });
    // another account's contact that matches must never show
    const other = await Browser.signUp(t, 'Olga Other');
    await other.createContact({ name: 'Rust Intruder', company: 'Rust Corp' });
  }, 60_000);

  afterAll(() => t.drop());

  it('orders results by relevance: name matches, then company, then tags and notes', async () => {
    const html = (await u.get('/contacts?q=rust').expect(200)).text;
    const names = listedNames(html).map(htmlDecode);
    expect(names).toHaveLength(5);
    // the name matches (Zed Rustworth, <b>Rusty</b>) before the company match, before tag and notes matches
    expect(names.slice(0, 2).sort()).toEqual(['<b>Rusty</b> & "Quotes"', 'Zed Rustworth'].sort());
    expect(names[2]).toBe('Bob Builder');
    expect(names.slice(3).sort()).toEqual(['Alice Archer', 'Carol Coder']);
    expect(html).not.toContain('Rust Intruder');
    expect(html).toContain('5 matching');
    // "Best match" is the default order of a search and can be changed
    expect(html).toMatch(/<option value="relevance" selected>Sort: Best match<\/option>/);
    const byName = listedNames((await u.get('/contacts?q=rust&sort=name').expect(200)).text).map(htmlDecode);
    expect(byName).toEqual([...byName].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
  });

  it('highlights the matched words, escaping everything else', async () => {
    const html = (await u.get('/contacts?q=rust').expect(200)).text;
    expect(html).toContain('<span>Zed <mark>Rust</mark>worth</span>');
    expect(html).toContain('<mark>Rust</mark> Foundation');
    expect(html).toContain('<span class="tag"><mark>rust</mark></span>');
    // the notes say why Alice matched
    expect(html).toMatch(/class="match-snippet[^"]*">Met her at a <mark>rust<\/mark> meetup/);
    // markup in a name stays text: only our <mark> is markup
    expect(html).toContain('&lt;b&gt;<mark>Rust</mark>y&lt;/b&gt; &amp; &quot;Quotes&quot;');
    expect(html).not.toContain('<b>Rusty</b>');
    expect(html).not.toContain('<i>Inc</i>');
  });

  it('finds close matches of names and companies when a word has a typo', async () => {
    const html = (await u.get('/contacts?q=lovelase').expect(200)).text;
    expect(listedNames(html).map(htmlDecode)).toEqual(['Ada Lovelace']);
    expect(html).toContain('No exact matches for “lovelase”');
    const company = listedNames((await u.get('/contacts?q=analyticl').expect(200)).text).map(htmlDecode);
    expect(company).toEqual(['Ada Lovelace']);
    // a word that is close to nothing still finds nothing
    const none = (await u.get('/contacts?q=zzzzqqq').expect(200)).text;
    expect(listedNames(none)).toEqual([]);
    expect(none).toContain('No contacts match');
    // never another account's contacts, even as close matches
    expect((await u.get('/contacts?q=intrudr').expect(200)).text).not.toContain('Intruder');
  });

  it('says so when a page is past the end of the results', async () => {
    const html = (await u.get('/contacts?q=rust&page=9').expect(200)).text;
    expect(html).toContain('There is no page 9');
    expect(html).not.toContain('Add your first contact');
  });

  it('searches contacts, tags and interactions from the header', async () => {
    const html = (await u.get('/search?q=rust').expect(200)).text;
    expect(html).toMatch(/id="sr-contacts"[^>]*>Contacts <span class="count-pill">5<\/span>/);
    expect(html).toContain('<a class="tag" href="/contacts?tag&#x3D;rust"><mark>rust</mark></a>');
    expect(html).toMatch(/Talked about the <mark>Rust<\/mark> compiler/);
    expect(html).not.toContain('Rust Intruder');
    // the header's box keeps the words
    expect(html).toMatch(/id="global-q" type="search" name="q" value="rust"/);
    const empty = (await u.get('/search?q=nothingmatcheshere').expect(200)).text;
    expect(empty).toContain('Nothing matches “nothingmatcheshere”');
  });

  it('keeps the search index in step with edits and deletes', async () => {
    const id = await u.createContact({ name: 'Temp Zebra' });
    expect(listedNames((await u.get('/contacts?q=zebra').expect(200)).text)).toEqual(['Temp Zebra']);
    await u.editContact(id, { name: 'Temp Giraffe' });
    expect(listedNames((await u.get('/contacts?q=zebra').expect(200)).text)).toEqual([]);
    expect(listedNames((await u.get('/contacts?q=giraffe').expect(200)).text)).toEqual(['Temp Giraffe']);
    expect((await u.post(`/contacts/${id}/delete`)).status).toBe(303);
    expect(listedNames((await u.get('/contacts?q=giraffe').expect(200)).text)).toEqual([]);
  });
});
