import type { ContactSignal, ContactSignals } from '../contacts/contact-signals.service';
import { DAY_MS } from '../common/time';
import { buildDigestPrompt, parseDigestAnswer, scrub } from './digest-prompt';
import type { DigestInsight } from './insight-source';
import { rankCandidates } from './ranker';

const now = new Date('2026-12-04T08:00:00Z');
const endOfToday = new Date('2026-12-05T00:00:00Z');
const daysAgo = (n: number) => new Date(now.getTime() - n * DAY_MS);

function contact(id: string, name: string, extra: Partial<ContactSignal> = {}): ContactSignal {
  return { id, name, company: null, title: null, isVip: false, keepInTouchDays: null, lastInteractionAt: null, createdAt: daysAgo(400), ...extra };
}

function signals(contacts: ContactSignal[], extra: Partial<ContactSignals> = {}): ContactSignals {
  return { contacts, dueFollowUps: [], recentInteractionCounts: new Map(), ...extra };
}

const insight = (contactId: string, type: DigestInsight['type'], title: string, ageDays = 1): DigestInsight => ({
  id: `i-${contactId}-${type}`,
  contactId,
  type,
  title,
  description: null,
  url: null,
  createdAt: daysAgo(ageDays),
  acknowledged: false,
});

describe('rule-based ranker', () => {
  it('writes a reason a person understands for a new release', () => {
    const [c] = rankCandidates({
      now,
      endOfToday,
      signals: signals([contact('a', 'Ada Lovelace', { lastInteractionAt: daysAgo(94) })]),
      insights: [insight('a', 'new_release', 'Ada released v2.0 of fastjson')],
      held: new Set(),
    });
    expect(c!.reason).toBe('Ada released v2.0 of fastjson yesterday; you last spoke 94 days ago.');
    expect(c!.action).toBe('Congratulate them on the release.');
    expect(c!.draft).toContain('Hi Ada');
    expect(c!.score).toBe(c!.parts.reduce((s, p) => s + p.points, 0));
  });

  it('covers every source, ranks overdue follow-ups first, is deterministic and capped at 10', () => {
    const contacts = [
      contact('f', 'Fiona Followup'),
      contact('c', 'Cade Cadence', { keepInTouchDays: 30, lastInteractionAt: daysAgo(40) }),
      contact('v', 'Vera Vip', { isVip: true, lastInteractionAt: daysAgo(120) }),
      contact('r', 'Rita Recent', { createdAt: daysAgo(5) }),
      contact('g', 'Gus Again'),
      contact('j', 'Just Talked', { isVip: true, lastInteractionAt: daysAgo(1) }),
      ...Array.from({ length: 20 }, (_, i) => contact(`x${i}`, `Extra ${String(i).padStart(2, '0')}`, { isVip: true, lastInteractionAt: daysAgo(50) })),
    ];
    const input = {
      now,
      endOfToday,
      signals: signals(contacts, {
        dueFollowUps: [
          { id: 'fu1', contactId: 'f', dueAt: daysAgo(3), isCadence: false },
          { id: 'fu2', contactId: 'c', dueAt: daysAgo(10), isCadence: true },
        ],
        recentInteractionCounts: new Map([['r', 0]]),
      }),
      insights: [insight('g', 'active_again', 'Gus is active again')],
      held: new Set<string>(),
    };
    const first = rankCandidates(input);
    expect(first).toHaveLength(10);
    expect(first[0]!.contactId).toBe('f');
    expect(first[0]!.kinds).toEqual(['followup_overdue']);
    const kinds = new Set(rankCandidates(input, 100).flatMap((c) => c.kinds));
    expect([...kinds].sort()).toEqual(['active_again', 'cadence_lapsed', 'followup_overdue', 'met_recently', 'vip_quiet']);
    expect(rankCandidates(input, 100).some((c) => c.contactId === 'j')).toBe(false); // just talked, nothing due
    expect(rankCandidates(input)).toEqual(first);
    // held contacts are left out
    expect(rankCandidates({ ...input, held: new Set(['f']) }).some((c) => c.contactId === 'f')).toBe(false);
  });
});

describe('digest prompt', () => {
  it('scrubs e-mails, phones, links and tokens and cuts to length', () => {
    expect(scrub('mail a.b@c.example or +1 (555) 010-4242, https://x.example/p?t=1 ghp_abcdefghijklmnop', 200)).toBe('mail [email] or [number], [link] [token]');
    expect(scrub('word '.repeat(60), 10)).toHaveLength(10);
  });

  it('names contacts by alias and maps the answer back; unknown aliases and bad JSON are refused', () => {
    const [c] = rankCandidates({ now, endOfToday, signals: signals([contact('id-1', 'Ada Lovelace', { isVip: true, lastInteractionAt: daysAgo(90) })]), insights: [], held: new Set() });
    const prompt = buildDigestPrompt([c!], new Map([['id-1', { tags: ['rust'], lastInteraction: { type: 'call', occurredAt: daysAgo(90), summary: 'hello ada@x.example' } }]]), '2026-12-04');
    expect(prompt.user).not.toContain('id-1');
    expect(prompt.user).not.toContain('Lovelace');
    expect(prompt.user).not.toContain('ada@x.example');
    expect(parseDigestAnswer('{"priorities":[{"contact":"C1","reason":"r","draft":"d"}]}', prompt.aliases)).toEqual([{ contactId: 'id-1', reason: 'r', draft: 'd' }]);
    expect(() => parseDigestAnswer('{"priorities":[{"contact":"C7","reason":"r","draft":"d"}]}', prompt.aliases)).toThrow(/not in the list/);
    expect(() => parseDigestAnswer('{"priorities":', prompt.aliases)).toThrow(/not JSON/);
  });
});
