import { escapeMarkup } from '../common/views/escape';
import type { DigestView } from './digest.service';

const DAY_LABEL = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' });
const clockFormats = new Map<string, Intl.DateTimeFormat>();

/** "Friday, 4 December" for the digest's local day (a calendar day: no zone arithmetic needed). */
export function dayLabel(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return DAY_LABEL.format(new Date(Date.UTC(y!, m! - 1, d!)));
}

/** "07:15" in the user's time zone (formatters are costly to make: one per zone, kept). */
function timeIn(date: Date, timeZone: string): string {
  let f = clockFormats.get(timeZone);
  if (!f) {
    if (clockFormats.size > 500) clockFormats.clear();
    f = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone });
    clockFormats.set(timeZone, f);
  }
  return f.format(date);
}

/** The digest as an e-mail: plain text and HTML, dates in the user's time zone. */
export function digestMail(view: DigestView, userName: string, baseUrl: string, builtAt: Date) {
  const first = userName.trim().split(/\s+/)[0] || userName;
  const open = view.priorities.filter((p) => p.status === 'open');
  const n = open.length;
  const subject = n
    ? `Your digest for ${dayLabel(view.day)}: ${n} ${n === 1 ? 'person' : 'people'} to reach out to`
    : `Your digest for ${dayLabel(view.day)}: nobody needs you today`;
  const summary = n ? open.slice(0, 3).map((p) => p.contactName).join(', ') + (n > 3 ? ` and ${n - 3} more` : '') : 'Nothing is due today.';
  const link = `${baseUrl}/digest`;
  const when = `Built at ${timeIn(builtAt, view.timeZone)} (${view.timeZone})`;
  const by = view.engine === 'model' ? `written with ${view.model}` : 'written by the rule-based ranker';
  const text = [
    `Good morning ${first},`,
    '',
    n ? 'Who to reach out to today:' : 'Nobody needs a follow-up today. Enjoy the quiet.',
    '',
    ...open.flatMap((p, i) => [`${i + 1}. ${p.contactName}`, `   Why: ${p.reason}`, `   Do: ${p.action}`, `   Draft: ${p.draft}`, `   ${baseUrl}/contacts/${p.contactId}`, '']),
    view.fallbackReason ? `${view.fallbackReason}\n` : '',
    `Open the digest: ${link}`,
    `${when}, ${by}.`,
    'Change which e-mails you get at /settings/account.',
  ].join('\n');
  const e = escapeMarkup;
  const html = `<!doctype html><html><body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1f2328;max-width:640px;margin:0 auto;padding:16px">
<p>Good morning ${e(first)},</p>
<p>${n ? 'Who to reach out to today:' : 'Nobody needs a follow-up today. Enjoy the quiet.'}</p>
${n ? `<ol>${open.map((p) => `<li style="margin-bottom:12px"><a href="${e(`${baseUrl}/contacts/${p.contactId}`)}"><strong>${e(p.contactName)}</strong></a><br>${e(p.reason)}<br><em>${e(p.action)}</em><br><span style="color:#59636e">Draft: ${e(p.draft)}</span></li>`).join('')}</ol>` : ''}
${view.fallbackReason ? `<p style="color:#9a6700">${e(view.fallbackReason)}</p>` : ''}
<p><a href="${e(link)}">Open the digest</a></p>
<p style="color:#59636e;font-size:12px">${e(when)}, ${e(by)}. Change which e-mails you get at /settings/account.</p>
</body></html>`;
  return { subject, summary, text, html };
}
