import { bioPlainText, renderBio, truncate } from './bio';

describe('bio rendering', () => {
  it('keeps line breaks and paragraphs in plain text and links URLs', () => {
    expect(renderBio('Hello\nworld\n\nSee https://ada.dev/notes.', 'text')).toBe(
      '<p>Hello<br>world</p><p>See <a href="https://ada.dev/notes" rel="nofollow ugc noopener">https://ada.dev/notes</a>.</p>',
    );
  });

  it('escapes everything a hostile bio contains', () => {
    const hostile = `</script><script>alert(1)</script> "quotes" 'single' {{constructor}} <img src=x onerror=alert(1)>`;
    for (const format of ['text', 'markdown'] as const) {
      const html = renderBio(hostile, format);
      expect(html).not.toMatch(/<script|<img|<\/script/i);
      expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).toContain('&quot;quotes&quot;');
      expect(html).toContain('{{constructor}}');
    }
  });

  it('never links javascript: or data: URLs and keeps attribute values quoted', () => {
    const md = renderBio('[click](javascript:alert(1)) [x](data:text/html,hi) [ok](https://a.dev/?q="><b>)', 'markdown');
    expect(md).not.toContain('href="javascript');
    expect(md).not.toContain('href="data');
    expect(md).not.toMatch(/<b>/);
    const plain = renderBio('https://a.dev/"onmouseover="alert(1)', 'text');
    expect(plain).toContain('href="https://a.dev/"');
    expect(plain).not.toContain('" onmouseover');
  });

  it('renders the Markdown subset', () => {
    expect(renderBio('**Bold** and *it* and _also_ and `co*de*` and [site](https://x.dev)', 'markdown')).toBe(
      '<p><strong>Bold</strong> and <em>it</em> and <em>also</em> and <code>co*de*</code> and <a href="https://x.dev" rel="nofollow ugc noopener">site</a></p>',
    );
    expect(renderBio('- one\n- two https://t.dev', 'markdown')).toBe(
      '<ul><li>one</li><li>two <a href="https://t.dev" rel="nofollow ugc noopener">https://t.dev</a></li></ul>',
    );
    expect(renderBio('Now:\n- a\n- b\nthanks', 'markdown')).toBe('<p>Now:</p><ul><li>a</li><li>b</li></ul><p>thanks</p>');
    // snake_case and URLs with underscores are left alone
    expect(renderBio('my_var_name https://x.dev/a_b_c', 'markdown')).toBe(
      '<p>my_var_name <a href="https://x.dev/a_b_c" rel="nofollow ugc noopener">https://x.dev/a_b_c</a></p>',
    );
    // Markdown syntax in a plain-text bio stays text
    expect(renderBio('**not bold**', 'text')).toBe('<p>**not bold**</p>');
  });

  it('produces properly nested markup from unbalanced emphasis', () => {
    for (const src of ['**a *b** c*', '*a **b* c**', '_a *b_ c*', '**x**y**']) {
      const html = renderBio(src, 'markdown');
      const tags = [...html.matchAll(/<(\/?)(strong|em)>/g)].map((m) => (m[1] ? '-' : '+') + m[2]);
      const stack: string[] = [];
      for (const t of tags) {
        if (t[0] === '+') stack.push(t.slice(1));
        else expect(stack.pop()).toBe(t.slice(1));
      }
      expect(stack).toEqual([]);
    }
  });

  it('strips Markdown for the plain-text summary and truncates on a word', () => {
    expect(bioPlainText('**Hi**, I build [tools](https://t.dev)\n- `rust`', 'markdown')).toBe('Hi, I build tools rust');
    expect(truncate('one two three four five six seven', 20)).toBe('one two three four…');
    expect(truncate('short', 20)).toBe('short');
  });
});
