import { escapeMarkup } from '../common/views/escape';
import type { BioFormat } from './public-profile.entity';

/**
 * Bios are written as plain text (line breaks kept, URLs linked) or in a small Markdown subset:
 * paragraphs, line breaks, `- ` lists, **bold**, *italic* / _italic_, `code`, [text](https://…)
 * and bare URLs. Everything is escaped first; the only tags produced are p, br, ul, li, strong,
 * em, code and a (http, https or mailto only, rel="nofollow ugc noopener"). Nothing a bio contains
 * can open another tag, attribute or script.
 */
export const BIO_MAX = 2000;


const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;

/** Trailing punctuation belongs to the sentence, not the URL ("see https://x.dev."). */
function trimUrl(url: string): string {
  let u = url.replace(/[.,;:!?'"]+$/, '');
  while (u.endsWith(')') && (u.match(/\(/g)?.length ?? 0) < (u.match(/\)/g)?.length ?? 0)) u = u.slice(0, -1).replace(/[.,;:!?]+$/, '');
  return u;
}

function anchor(href: string, textHtml: string): string {
  return `<a href="${escapeMarkup(href)}" rel="nofollow ugc noopener">${textHtml}</a>`;
}

/** Escapes text and links its URLs; `rest` formats the text between URLs (already escaped). */
function autolink(raw: string, rest: (escaped: string) => string = (s) => s): string {
  let out = '';
  let last = 0;
  for (const m of raw.matchAll(URL_RE)) {
    const url = trimUrl(m[0]);
    const start = m.index!;
    out += rest(escapeMarkup(raw.slice(last, start)));
    out += anchor(url, escapeMarkup(url));
    last = start + url.length;
  }
  return out + rest(escapeMarkup(raw.slice(last)));
}

function emphasis(escaped: string): string {
  return escaped
    .replace(/\*\*([^*<\n]+?)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*])\*([^*<\s][^*<\n]*?)\*(?!\*)/g, '$1<em>$2</em>')
    .replace(/(^|[^A-Za-z0-9_])_([^_<\s][^_<\n]*?)_(?![A-Za-z0-9_])/g, '$1<em>$2</em>');
}

const MD_LINK = /\[([^\]\n]{1,200})\]\(((?:https?:\/\/|mailto:)[^\s()<>"'`]+)\)/gi;

function markdownInline(raw: string): string {
  // code spans first: nothing inside them is formatted
  return raw
    .split(/(`[^`\n]+`)/)
    .map((part, i) => {
      if (i % 2 === 1) return `<code>${escapeMarkup(part.slice(1, -1))}</code>`;
      let out = '';
      let last = 0;
      for (const m of part.matchAll(MD_LINK)) {
        out += autolink(part.slice(last, m.index), emphasis);
        out += anchor(m[2]!, emphasis(escapeMarkup(m[1]!)));
        last = m.index! + m[0].length;
      }
      return out + autolink(part.slice(last), emphasis);
    })
    .join('');
}

const LIST_ITEM = /^\s*[-*]\s+(.*)$/;

function paragraphs(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .trim()
    .split(/\n\s*\n/)
    .map((p) => p.replace(/^\n+|\n+$/g, ''))
    .filter((p) => p.trim().length > 0);
}

export function renderBio(bio: string | null | undefined, format: BioFormat): string {
  if (!bio) return '';
  const blocks = paragraphs(bio.slice(0, BIO_MAX));
  if (format !== 'markdown') {
    return blocks.map((p) => `<p>${p.split('\n').map((line) => autolink(line)).join('<br>')}</p>`).join('');
  }
  return blocks
    .map((p) => {
      // consecutive "- " lines form a list; the lines around them stay a paragraph with breaks
      let html = '';
      let run: string[] = [];
      let inList = false;
      const close = () => {
        if (!run.length) return;
        html += inList ? `<ul>${run.map((l) => `<li>${markdownInline(LIST_ITEM.exec(l)![1]!)}</li>`).join('')}</ul>` : `<p>${run.map((l) => markdownInline(l)).join('<br>')}</p>`;
        run = [];
      };
      for (const line of p.split('\n')) {
        const item = LIST_ITEM.test(line);
        if (item !== inList) close();
        inList = item;
        run.push(line);
      }
      close();
      return html;
    })
    .join('');
}

/** The bio as one line of plain text (meta description, vCard note, JSON-LD), Markdown stripped. */
export function bioPlainText(bio: string | null | undefined, format: BioFormat): string {
  if (!bio) return '';
  let text = bio.replace(/\r\n?/g, '\n');
  if (format === 'markdown') {
    text = text
      .replace(MD_LINK, '$1')
      .replace(/`([^`\n]+)`/g, '$1')
      .replace(/\*\*([^*\n]+)\*\*/g, '$1')
      .replace(/(^|[^*])\*([^*\n]+)\*/g, '$1$2')
      .replace(/(^|[^A-Za-z0-9_])_([^_\n]+)_(?![A-Za-z0-9_])/g, '$1$2')
      .replace(/^\s*[-*]\s+/gm, '');
  }
  return text.replace(/\s+/g, ' ').trim();
}

/** Cuts at a word boundary and adds an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s.,;:!?-]+$/, '')}…`;
}
