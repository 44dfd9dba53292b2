import type { ContactInput } from '../contacts/dto/contact-input.dto';
import { GITHUB_USERNAME } from '../contacts/dto/contact-input.dto';
import type { InteractionType } from '../contacts/interaction.entity';
import { DAY_MS, startOfDayInZone } from '../common/time';
import { Prng } from './prng';

/**
 * Word lists and a deterministic generator for plausible developer contacts. Used by the demo
 * seed (~200 people through the services) and by bench/contacts (20,000 rows written in bulk).
 *
 * Everything that could reach a real person stays fictional: companies are made up, e-mail
 * addresses and websites use the reserved `.example` top-level domain, and phone numbers are
 * from the ranges set aside for fiction (US 555-01xx, UK 020 7946 0xxx). GitHub and X handles are
 * plausible spellings of the generated names and may exist for real.
 */

interface Region {
  weight: number;
  first: string[];
  last: string[];
  cities: string[];
  phone?: (rng: Prng) => string;
}

const REGIONS: Record<string, Region> = {
  germany: {
    weight: 22,
    first: ['Lena', 'Jonas', 'Miriam', 'Felix', 'Hannah', 'Lukas', 'Clara', 'Tobias', 'Johanna', 'Moritz', 'Katrin', 'Niklas', 'Svenja', 'Florian', 'Annika', 'Matthias', 'Friederike', 'Sebastian', 'Mareike', 'Jan'],
    last: ['Becker', 'Hoffmann', 'Schäfer', 'Krüger', 'Wagner', 'Neumann', 'Schulz', 'Brandt', 'Vogel', 'Lorenz', 'Hartmann', 'Keller', 'Frank', 'Busch', 'Engel', 'Kraus', 'Winter', 'Haas', 'Roth', 'Albrecht'],
    cities: ['Berlin, Germany', 'Berlin, Germany', 'Berlin, Germany', 'Hamburg, Germany', 'Munich, Germany', 'Leipzig, Germany', 'Cologne, Germany', 'Vienna, Austria', 'Zürich, Switzerland'],
  },
  nordics: {
    weight: 7,
    first: ['Astrid', 'Mikkel', 'Ingrid', 'Oskar', 'Freja', 'Henrik', 'Sigrid', 'Emil', 'Aino', 'Eero', 'Liv', 'Magnus'],
    last: ['Lindqvist', 'Johansson', 'Nygaard', 'Virtanen', 'Halvorsen', 'Berg', 'Karlsson', 'Mäkinen', 'Dahl', 'Sørensen'],
    cities: ['Stockholm, Sweden', 'Copenhagen, Denmark', 'Oslo, Norway', 'Helsinki, Finland', 'Gothenburg, Sweden'],
  },
  uk: {
    weight: 10,
    first: ['Olivia', 'Harry', 'Amelia', 'George', 'Isla', 'Callum', 'Niamh', 'Rhys', 'Poppy', 'Declan', 'Freya', 'Owen'],
    last: ['Clarke', 'Hughes', 'Walsh', 'Patel', 'Murphy', 'Evans', 'Bennett', 'Doyle', 'Fletcher', 'Byrne', 'Khan', 'Whitaker'],
    cities: ['London, UK', 'London, UK', 'Manchester, UK', 'Edinburgh, UK', 'Bristol, UK', 'Dublin, Ireland', 'Cambridge, UK'],
    phone: (rng) => `+44 20 7946 0${rng.int(100, 999)}`,
  },
  westEurope: {
    weight: 10,
    first: ['Camille', 'Théo', 'Manon', 'Lucas', 'Inès', 'Bram', 'Sanne', 'Thijs', 'Élodie', 'Maxime', 'Fleur', 'Arnaud'],
    last: ['Dubois', 'Lefèvre', 'Moreau', 'Girard', 'de Vries', 'Janssen', 'Bakker', 'Peeters', 'Fontaine', 'Mercier', 'Visser', 'Laurent'],
    cities: ['Paris, France', 'Lyon, France', 'Amsterdam, Netherlands', 'Rotterdam, Netherlands', 'Brussels, Belgium', 'Ghent, Belgium'],
  },
  southEurope: {
    weight: 8,
    first: ['Giulia', 'Matteo', 'Lucía', 'Pablo', 'Beatriz', 'Tiago', 'Chiara', 'Alejandro', 'Sofia', 'Nikos', 'Marta', 'Andrea'],
    last: ['Rossi', 'Ferrari', 'García', 'Martínez', 'Silva', 'Costa', 'Romano', 'Fernández', 'Pereira', 'Papadopoulos', 'Conti', 'Navarro'],
    cities: ['Barcelona, Spain', 'Madrid, Spain', 'Lisbon, Portugal', 'Porto, Portugal', 'Milan, Italy', 'Turin, Italy', 'Athens, Greece'],
  },
  eastEurope: {
    weight: 9,
    first: ['Katarzyna', 'Piotr', 'Agnieszka', 'Tomasz', 'Oksana', 'Dmytro', 'Petra', 'Ondřej', 'Ioana', 'Andrei', 'Zsófia', 'Marek'],
    last: ['Kowalski', 'Nowak', 'Wiśniewska', 'Shevchenko', 'Bondarenko', 'Novák', 'Dvořák', 'Popescu', 'Ionescu', 'Horváth', 'Zieliński', 'Kovač'],
    cities: ['Warsaw, Poland', 'Kraków, Poland', 'Prague, Czechia', 'Kyiv, Ukraine', 'Lviv, Ukraine', 'Bucharest, Romania', 'Budapest, Hungary', 'Tallinn, Estonia'],
  },
  northAmerica: {
    weight: 18,
    first: ['Emily', 'Jordan', 'Marcus', 'Rachel', 'Tyler', 'Priya', 'Kevin', 'Danielle', 'Brandon', 'Aisha', 'Ethan', 'Megan', 'Jamal', 'Sarah', 'Chris', 'Alyssa'],
    last: ['Johnson', 'Nguyen', 'Rodriguez', 'Kim', 'Thompson', 'Okafor', 'Miller', 'Chen', 'Davis', 'Goldberg', 'Washington', 'Reyes', 'Sullivan', 'Park', 'Brooks', 'Cohen'],
    cities: ['San Francisco, CA', 'San Francisco, CA', 'Seattle, WA', 'New York, NY', 'New York, NY', 'Austin, TX', 'Portland, OR', 'Toronto, Canada', 'Montréal, Canada', 'Boston, MA', 'Denver, CO'],
    phone: (rng) => `+1 ${rng.pick(['415', '206', '212', '512', '503', '617'])} 555 01${String(rng.int(0, 99)).padStart(2, '0')}`,
  },
  latinAmerica: {
    weight: 5,
    first: ['Valentina', 'Mateo', 'Camila', 'Santiago', 'Gabriela', 'Diego', 'Fernanda', 'Joaquín'],
    last: ['Oliveira', 'Santos', 'González', 'Ramírez', 'Souza', 'Herrera', 'Castro', 'Vargas'],
    cities: ['São Paulo, Brazil', 'Buenos Aires, Argentina', 'Mexico City, Mexico', 'Bogotá, Colombia', 'Montevideo, Uruguay'],
  },
  india: {
    weight: 6,
    first: ['Aarav', 'Ananya', 'Rohan', 'Kavya', 'Vikram', 'Ishita', 'Arjun', 'Meera', 'Siddharth', 'Nisha'],
    last: ['Sharma', 'Iyer', 'Reddy', 'Gupta', 'Nair', 'Menon', 'Agarwal', 'Rao', 'Kulkarni', 'Banerjee'],
    cities: ['Bengaluru, India', 'Bengaluru, India', 'Pune, India', 'Hyderabad, India', 'Chennai, India', 'Singapore'],
  },
  eastAsia: {
    weight: 6,
    first: ['Yuki', 'Haruto', 'Sakura', 'Jiwoo', 'Minjun', 'Wei', 'Mei', 'Hao', 'Ren', 'Soyeon'],
    last: ['Tanaka', 'Sato', 'Watanabe', 'Park', 'Choi', 'Lin', 'Wang', 'Huang', 'Nakamura', 'Lee'],
    cities: ['Tokyo, Japan', 'Osaka, Japan', 'Seoul, South Korea', 'Taipei, Taiwan', 'Shanghai, China', 'Singapore'],
  },
  africa: {
    weight: 4,
    first: ['Chidi', 'Amara', 'Wanjiru', 'Kofi', 'Thandiwe', 'Tunde', 'Zainab', 'Sipho'],
    last: ['Adeyemi', 'Okonkwo', 'Mwangi', 'Mensah', 'Ndlovu', 'Balogun', 'Otieno', 'Dlamini'],
    cities: ['Lagos, Nigeria', 'Nairobi, Kenya', 'Cape Town, South Africa', 'Accra, Ghana', 'Kigali, Rwanda'],
  },
  oceania: {
    weight: 3,
    first: ['Ruby', 'Lachlan', 'Matilda', 'Hamish', 'Zoe', 'Nikau'],
    last: ['Mitchell', 'Taylor', 'Campbell', 'Walker', 'Ngata', 'Robertson'],
    cities: ['Sydney, Australia', 'Melbourne, Australia', 'Auckland, New Zealand', 'Brisbane, Australia'],
  },
};

type Stack = 'rust' | 'typescript' | 'go' | 'python' | 'elixir' | 'kotlin' | 'swift' | 'ruby' | 'java' | 'c++' | 'zig' | 'haskell';

const STACKS: ReadonlyArray<readonly [Stack, number]> = [
  ['typescript', 24],
  ['rust', 16],
  ['go', 15],
  ['python', 15],
  ['elixir', 4],
  ['kotlin', 5],
  ['swift', 4],
  ['ruby', 5],
  ['java', 5],
  ['c++', 3],
  ['zig', 2],
  ['haskell', 2],
];

type Persona = 'engineer' | 'platform' | 'lead' | 'founder' | 'devrel' | 'data' | 'indie' | 'investor' | 'recruiter';

const PERSONAS: ReadonlyArray<readonly [Persona, number]> = [
  ['engineer', 40],
  ['platform', 12],
  ['lead', 14],
  ['founder', 8],
  ['devrel', 8],
  ['data', 7],
  ['indie', 6],
  ['investor', 4],
  ['recruiter', 2],
];

const TITLES: Record<Persona, string[]> = {
  engineer: ['Software Engineer', 'Senior Software Engineer', 'Staff Engineer', 'Principal Engineer', 'Backend Engineer', 'Frontend Engineer', 'Full-stack Developer', 'Systems Engineer', 'Mobile Engineer', 'Compiler Engineer'],
  platform: ['Site Reliability Engineer', 'Platform Engineer', 'Infrastructure Engineer', 'Security Engineer', 'DevOps Lead'],
  lead: ['Engineering Manager', 'Tech Lead', 'Head of Platform', 'VP of Engineering', 'CTO', 'Director of Engineering'],
  founder: ['Founder & CEO', 'Co-founder & CTO', 'Founder'],
  devrel: ['Developer Advocate', 'Head of Developer Relations', 'Developer Experience Engineer', 'Technical Writer'],
  data: ['Data Engineer', 'ML Engineer', 'Research Engineer', 'Analytics Engineer'],
  indie: ['Open-source Maintainer', 'Independent Consultant', 'Freelance Developer'],
  investor: ['Partner', 'Principal', 'Venture Partner'],
  recruiter: ['Technical Recruiter', 'Talent Partner'],
};

export const COMPANIES = [
  'Fluxbase', 'Tidewave Labs', 'Quillstack', 'Northwind Cloud', 'Ferrous Labs', 'Lumen Analytics', 'Kestrel Security', 'Driftwood',
  'Brightloop', 'Cobaltline', 'Stackhaven', 'Nimbus Forge', 'Pinecrest Data', 'Harborlight', 'Copperleaf', 'Glasswing',
  'Orbital Pay', 'Tessellate', 'Wavelet', 'Sparrow CI', 'Runebook', 'Meridian Bank', 'Atlas Freight', 'Helio Robotics',
  'Saltmarsh', 'Vantage Health', 'Bluejay Maps', 'Emberline', 'Graphite Games', 'Oakridge Insurance', 'Polar Signals Co',
  'Cinder Studio', 'Mistral Mobility', 'Granite DB', 'Ridgeback', 'Fathom Labs', 'Kiln', 'Pebble Commerce',
] as const;

const INVESTORS = ['Lattice Ventures', 'Redwood Seed', 'Northstar Partners', 'Compile Capital'];
const RECRUITERS = ['TalentLoop', 'Hirewell Tech', 'Offsite Talent'];

export const DEMO_TAGS = [
  'rust', 'typescript', 'go', 'python', 'kubernetes', 'open-source', 'conference', 'speaker', 'hiring', 'investor',
  'mentor', 'former-colleague', 'client', 'devrel', 'berlin',
] as const;

export const CONFERENCES = ['RustConf', 'EuroRust', 'JSConf EU', 'KubeCon EU', 'GopherCon EU', 'PyCon DE', 'FOSDEM', 'NodeConf EU', 'DevOpsDays Berlin', 'React Summit', 'QCon London', 'ElixirConf EU', 'Strange Loop', 'Chaos Communication Congress'];
const MEETUPS = ['Rust Berlin', 'Berlin.js', 'Golang Berlin', 'PyBerlin', 'Kubernetes Berlin', 'SQLite users', 'Women Who Go', 'Clean Code Meetup'];

export const TOPICS = [
  'edge caching', 'observability budgets', 'monorepo tooling', 'SQLite in production', 'WASM components', 'on-call rotations',
  'hiring senior engineers', 'GraphQL federation', 'CRDTs', 'supply-chain security', 'LLM evals', 'developer onboarding',
  'zero-downtime migrations', 'OpenTelemetry', 'feature flags', 'pricing an open-source product', 'remote team rituals',
  'Postgres partitioning', 'incremental builds', 'platform teams', 'property-based testing', 'passkeys', 'eBPF tracing',
  'event sourcing', 'design systems', 'local-first apps', 'the cost of Kubernetes', 'the Rust async ecosystem', 'type-safe SQL',
];

/** What people build, as a noun phrase: "their {x}" or "a {x}" in sentences. */
const PROJECTS: Record<Stack, string[]> = {
  rust: ['async job queue', 'WASM runtime', 'query builder', 'embedded key-value store', 'TUI for Git'],
  typescript: ['TypeScript ORM', 'design-system kit', 'static site generator', 'edge-rendering framework', 'VS Code extension'],
  go: ['Kubernetes operator', 'HTTP router', 'Terraform provider', 'OpenTelemetry exporter', 'log shipper'],
  python: ['dataframe library', 'type-checker plugin', 'feature store', 'Django admin theme', 'LLM eval harness'],
  elixir: ['LiveView component library', 'job scheduler', 'Phoenix starter kit'],
  kotlin: ['Compose UI kit', 'Gradle plugin', 'Android SDK'],
  swift: ['iOS analytics SDK', 'offline-sync package', 'macOS menu-bar app'],
  ruby: ['Rails billing engine', 'background job library', 'webhooks gem'],
  java: ['JVM profiler', 'Kafka connector', 'Spring Boot starter'],
  'c++': ['game engine', 'SIMD JSON parser', 'audio plugin framework'],
  zig: ['build tool', 'allocator library', 'tiny HTTP server'],
  haskell: ['parser-combinator library', 'property-testing tool', 'Nix tooling'],
};

const AREAS = ['CLI', 'docs', 'CI pipeline', 'query planner', 'auth layer', 'test suite', 'release tooling', 'plugin API', 'benchmarks', 'migration guide'];
const BOOKS = ['Designing Data-Intensive Applications', 'The Staff Engineer’s Path', 'A Philosophy of Software Design', 'Team Topologies', 'Crafting Interpreters', 'Accelerate', 'Working in Public', 'Rust for Rustaceans'];
const FEATURES = ['OIDC login', 'streaming responses', 'ARM builds', 'a plugin system', 'offline mode', 'multi-region writes'];

export interface Person {
  first: string;
  last: string;
  name: string;
  region: string;
  persona: Persona;
  stack: Stack;
  company: string | null;
  title: string;
  location: string;
  handle: string;
  phone: string | null;
}

/** Lower-case ASCII letters and digits only ("Wiśniewska" → "wisniewska"). */
export function asciiSlug(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/ø/g, 'o')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss')
    .replace(/ł/g, 'l')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

const companyDomain = (company: string) => `${asciiSlug(company)}.example`;

/**
 * Makes people. Names, GitHub handles and e-mail addresses are unique within one generator
 * (duplicate e-mails or handles would make the app offer to merge them).
 */
export class PersonGenerator {
  private readonly names = new Set<string>();
  private readonly firstNames = new Map<string, number>();
  private readonly handles = new Set<string>();
  private readonly regionWeights = Object.entries(REGIONS).map(([k, r]) => [k, r.weight] as const);

  constructor(private readonly rng: Prng) {}

  person(allowRepeatNames = false): Person {
    const rng = this.rng;
    let region: string;
    let first: string;
    let last: string;
    let tries = 0;
    do {
      region = rng.weighted(this.regionWeights);
      first = rng.pick(REGIONS[region].first);
      last = rng.pick(REGIONS[region].last);
      // a page of contacts sorted by name should not read "Alyssa, Alyssa, Alyssa…"
    } while (!allowRepeatNames && (this.names.has(`${first} ${last}`) || (this.firstNames.get(first) ?? 0) >= 2) && ++tries < 50);
    const name = `${first} ${last}`;
    this.names.add(name);
    this.firstNames.set(first, (this.firstNames.get(first) ?? 0) + 1);
    const persona = rng.weighted(PERSONAS);
    const stack = rng.weighted(STACKS);
    const company =
      persona === 'investor' ? rng.pick(INVESTORS) : persona === 'recruiter' ? rng.pick(RECRUITERS) : persona === 'indie' ? (rng.chance(0.3) ? rng.pick(COMPANIES) : null) : rng.pick(COMPANIES);
    return {
      first,
      last,
      name,
      region,
      persona,
      stack,
      company,
      title: rng.pick(TITLES[persona]),
      location: rng.pick(REGIONS[region].cities),
      handle: this.uniqueHandle(first, last),
      phone: REGIONS[region].phone && rng.chance(0.35) ? REGIONS[region].phone!(rng) : null,
    };
  }

  private uniqueHandle(first: string, last: string): string {
    const f = asciiSlug(first);
    const l = asciiSlug(last);
    const rng = this.rng;
    const styles = [() => `${f}${l}`, () => `${f[0]}${l}`, () => `${f}-${l}`, () => `${f}${l[0]}`, () => `${l}${f[0]}`, () => `${f}${rng.int(70, 99)}`, () => `${f}-${rng.pick(['dev', 'codes', 'io', 'hq'])}`];
    for (let i = 0; i < 20; i++) {
      let h = rng.pick(styles)().slice(0, 39);
      if (i > 10) h = `${h.slice(0, 33)}${rng.int(1, 99999)}`;
      if (GITHUB_USERNAME.test(h) && !this.handles.has(h)) {
        this.handles.add(h);
        return h;
      }
    }
    let n = this.handles.size;
    while (this.handles.has(`${f}${l}${n}`.slice(0, 39))) n++;
    const h = `${f}${l}${n}`.slice(0, 39);
    this.handles.add(h);
    return h;
  }
}

/** The contact form's fields for a person, as the form validation would leave them. */
export function contactInputFor(rng: Prng, p: Person, extra: { notes?: string | null; isVip?: boolean; keepInTouchDays?: number | null } = {}): ContactInput {
  const f = asciiSlug(p.first);
  const l = asciiSlug(p.last);
  const hasEmail = rng.chance(0.6);
  const email = !hasEmail ? null : p.company && rng.chance(0.7) ? `${f}.${l}@${companyDomain(p.company)}` : `${p.handle}@mail.example`;
  return {
    name: p.name,
    email,
    phone: p.phone,
    company: p.company,
    title: p.title,
    location: p.location,
    githubUsername: p.persona === 'investor' || p.persona === 'recruiter' ? (rng.chance(0.2) ? p.handle : null) : rng.chance(0.88) ? p.handle : null,
    twitter: rng.chance(0.18) ? `${f}_${l}`.slice(0, 15) : null,
    linkedin: rng.chance(0.12) ? `${f}-${l}` : null,
    website: rng.chance(p.persona === 'indie' || p.persona === 'devrel' ? 0.7 : 0.2) ? `https://${f}${l}.example` : null,
    notes: extra.notes ?? null,
    isVip: extra.isVip ?? false,
    keepInTouchDays: extra.keepInTouchDays ?? null,
  };
}

/** The tags a person plausibly carries (0–4 of DEMO_TAGS). */
export function tagsFor(rng: Prng, p: Person): string[] {
  const tags = new Set<string>();
  if (['rust', 'typescript', 'go', 'python'].includes(p.stack) && rng.chance(0.7)) tags.add(p.stack);
  if (p.persona === 'platform' && rng.chance(0.7)) tags.add('kubernetes');
  if (p.persona === 'indie' || rng.chance(0.18)) tags.add('open-source');
  if (p.persona === 'devrel') tags.add(rng.chance(0.6) ? 'devrel' : 'speaker');
  if (p.persona === 'investor') tags.add('investor');
  if ((p.persona === 'lead' || p.persona === 'founder' || p.persona === 'recruiter') && rng.chance(0.45)) tags.add('hiring');
  if (rng.chance(0.12)) tags.add('conference');
  if (rng.chance(0.06)) tags.add('speaker');
  if (rng.chance(0.07)) tags.add('mentor');
  if (rng.chance(0.1)) tags.add('former-colleague');
  if ((p.persona === 'lead' || p.persona === 'founder') && rng.chance(0.3)) tags.add('client');
  if (p.location.startsWith('Berlin') && rng.chance(0.6)) tags.add('berlin');
  return [...tags];
}

interface Ctx {
  p: Person;
  other: string;
}

const fill = (rng: Prng, template: string, { p, other }: Ctx) =>
  template.replace(/\{(\w+)\}/g, (_, key: string) => {
    switch (key) {
      case 'first':
        return p.first;
      case 'company':
        return p.company ?? 'their client';
      case 'city':
        return p.location.split(',')[0];
      case 'topic':
        return rng.pick(TOPICS);
      case 'topic2':
        return rng.pick(TOPICS);
      case 'project':
        return `their ${rng.pick(PROJECTS[p.stack])}`;
      case 'aproject': {
        const x = rng.pick(PROJECTS[p.stack]);
        return `${/^[aeiouAEIO]/.test(x) ? 'an' : 'a'} ${x}`;
      }
      case 'lang':
        return p.stack === 'typescript' ? 'TypeScript' : p.stack === 'c++' ? 'C++' : p.stack[0].toUpperCase() + p.stack.slice(1);
      case 'conf':
        return rng.pick(CONFERENCES);
      case 'meetup':
        return rng.pick(MEETUPS);
      case 'area':
        return rng.pick(AREAS);
      case 'book':
        return rng.pick(BOOKS);
      case 'feature':
        return rng.pick(FEATURES);
      case 'ver':
        return `${rng.int(0, 3)}.${rng.int(1, 19)}`;
      case 'n':
        return String(rng.int(2, 6));
      case 'other':
        return other;
      default:
        return key;
    }
  });

const SUMMARIES: Record<Exclude<InteractionType, 'github'>, string[]> = {
  meeting: [
    'Coffee in {city}: talked about {topic}. They are thinking about leaving {company} next year.',
    'Lunch. Talked about {topic} and whether it fits {project}; promised to send them our notes.',
    'Pairing session on {project}; we fixed a flaky test in the {area} together.',
    '1:1 catch-up. New role on the platform team, mostly {topic} for now.',
    'Met at {conf}: long hallway chat about {topic} and {topic2}.',
    'Dinner with {first} and {other}. Good discussion on {topic}; {first} wants to write about it.',
    'Walked through the {company} architecture with {first}: {lang} services, now looking into {topic}.',
  ],
  call: [
    '30-minute call about {topic}. They want an intro to someone who has done {topic2} at scale.',
    'Video call: walked through the roadmap for {project}; v{ver} ships next month.',
    'Quick call about the open {lang} role at {company}. Hiring {n} people this quarter.',
    'Call: asked for advice on {topic}. Recommended “{book}”.',
    'Catch-up call. {company} is migrating to {lang}; {first} is leading it.',
    'Reference call for a candidate who worked with {first} at {company}.',
  ],
  email: [
    'Sent the slides from my talk on {topic}.',
    'They replied about the {conf} CFP: submitting a talk on {topic}.',
    'Intro e-mail to {other} about {topic}.',
    'Thanked them for reviewing the {area} changes; asked what they think of {topic}.',
    'Long e-mail thread about {topic}; they shared their internal write-up.',
    'Sent a draft of the newsletter issue on {topic} for a quote.',
  ],
  message: [
    'DM: shared an article on {topic}.',
    'Asked whether {project} supports {feature}. Answer: on the roadmap for v{ver}.',
    'Congratulated them on the v{ver} release of {project}.',
    'Signal: coordinating dinner at {conf}.',
    'Slack: they asked for a second pair of eyes on a {lang} PR touching the {area}.',
    'Quick ping about {topic}; they are heads-down until the launch.',
  ],
  event: [
    'Both spoke at {conf}; their talk on {topic} was the best of day two.',
    'Saw them at the {meetup} meetup; they demoed {project}.',
    'Hackathon at {company}: built a prototype for {topic} together.',
    'Panel on {topic} at {conf}, moderated by {first}.',
    'Workshop at {meetup}: {first} ran the {lang} session.',
  ],
  other: [
    'Reviewed a PR on {project} ({area}).',
    'Sent them a copy of “{book}”.',
    'Sponsored {project} on GitHub.',
    'Recommended {first} to {other} for a {lang} contract.',
  ],
};

const TYPE_WEIGHTS: ReadonlyArray<readonly [Exclude<InteractionType, 'github'>, number]> = [
  ['meeting', 22],
  ['call', 18],
  ['email', 22],
  ['message', 26],
  ['event', 9],
  ['other', 3],
];

export function interactionFor(rng: Prng, p: Person, other: string): { type: InteractionType; summary: string } {
  const type = rng.weighted(TYPE_WEIGHTS);
  return { type, summary: fill(rng, rng.pick(SUMMARIES[type]), { p, other }) };
}

const NOTES = [
  'Met at {conf}. Working on {aproject}.',
  'Prefers e-mail over DMs. Usually free on Friday afternoons.',
  'Introduced by {other}. Interested in {topic}.',
  'Maintains {aproject}; happy to review PRs that touch the {area}.',
  'Was hiring {n} {lang} engineers last quarter. Ask about the team before recommending anyone.',
  'Knows everyone in the {lang} community in {city}. Great person to ask for intros.',
  'Gave a great talk on {topic} at {conf}. Wants to turn it into a blog series.',
  'Vegetarian; likes bouldering. Be mindful of time zones: lives in {city}.',
  'Former colleague from {company}. Left to start something around {topic}.',
  'Asked to be kept in the loop on our {topic} work.',
];

export function notesFor(rng: Prng, p: Person, other: string): string {
  const first = fill(rng, rng.pick(NOTES), { p, other });
  return rng.chance(0.3) ? `${first}\n${fill(rng, rng.pick(NOTES), { p, other })}` : first;
}

const FOLLOW_UP_NOTES = [
  'Send the write-up on {topic}',
  'Ask how the {lang} hiring went',
  'Check in after {conf}',
  'Share feedback on the RFC for {project}',
  'Intro to {other}',
  'Follow up on the {company} proposal',
  'Ask for a quote for the newsletter',
  'Review their draft talk on {topic}',
  'Book a coffee when they are in Berlin',
  'Send the recording of my talk on {topic}',
  'Ask whether {project} needs a co-maintainer',
];

export function followUpNoteFor(rng: Prng, p: Person, other: string): string {
  return fill(rng, rng.pick(FOLLOW_UP_NOTES), { p, other });
}

/**
 * A moment in working hours (or the evening) on the day `offsetDays` from today in the user's
 * zone (negative: the past). Weekend days mostly move to the nearest weekday in the same direction.
 */
export function workingMoment(rng: Prng, now: Date, timeZone: string, offsetDays: number, evening = false): Date {
  let offset = offsetDays;
  const weekday = new Date(dayStart(now, timeZone, offset).getTime() + 12 * 3600_000).getUTCDay();
  if ((weekday === 0 || weekday === 6) && !evening && rng.chance(0.85)) {
    if (offset < 0) offset -= weekday === 6 ? 1 : 2;
    else if (offset > 0) offset += weekday === 6 ? 2 : 1;
  }
  const minutes = evening ? rng.int(18 * 60, 21 * 60) : rng.int(8 * 60 + 30, 18 * 60 + 30);
  return new Date(dayStart(now, timeZone, offset).getTime() + minutes * 60_000);
}

// startOfDayInZone builds Intl formatters on every call; a plan asks for the same few hundred days
const dayStarts = new Map<string, Date>();
function dayStart(now: Date, timeZone: string, offset: number): Date {
  const key = `${now.getTime()}|${timeZone}|${offset}`;
  let d = dayStarts.get(key);
  if (!d) {
    if (dayStarts.size > 10_000) dayStarts.clear();
    d = startOfDayInZone(now, timeZone, offset);
    dayStarts.set(key, d);
  }
  return d;
}

export interface DemoContactPlan {
  input: ContactInput;
  tags: string[];
  /** when the contact was added: before its first interaction */
  createdAt: Date;
  interactions: Array<{ type: InteractionType; occurredAt: Date; summary: string }>;
  /** manual follow-ups; `completedAt` set = done */
  followUps: Array<{ dueAt: Date; note: string; completedAt: Date | null }>;
}

export interface DemoPlanOptions {
  now: Date;
  timeZone: string;
  seed?: number;
  contacts?: number;
  cadences?: number;
}

const CADENCE_DAYS = [14, 21, 30, 30, 45, 60, 90];

/**
 * The whole demo data set as plain values: the same seed and `now` give the same plan. Times are
 * relative to `now` (a year of history, follow-ups due today), so a fresh seed always looks current.
 */
export function buildDemoPlan({ now, timeZone, seed = 20251201, contacts: count = 200, cadences = 30 }: DemoPlanOptions): DemoContactPlan[] {
  const rng = new Prng(seed);
  const gen = new PersonGenerator(rng);
  const people = Array.from({ length: count }, () => gen.person());
  const names = people.map((p) => p.name);
  const otherThan = (i: number) => names[(i + rng.int(1, count - 1)) % count];

  const vip = new Set(rng.sample([...people.keys()], Math.round(count * 0.08)));
  // VIPs are likelier to have a cadence: it is what a keep-in-touch reminder is for
  const cadenceOrder = [...rng.shuffle([...vip]), ...rng.shuffle([...people.keys()].filter((i) => !vip.has(i)))];
  const cadence = new Set(cadenceOrder.slice(0, Math.min(cadences, count)));
  // a few contacts were added in the last two weeks, so "Recently added" looks alive
  const recent = new Set(rng.sample([...people.keys()], Math.max(1, Math.round(count * 0.05))));

  const plans = people.map((p, i): DemoContactPlan => {
    const isRecent = recent.has(i);
    const firstDaysAgo = isRecent ? rng.int(1, 13) : rng.int(20, 360);
    const n = isRecent ? rng.int(1, 2) : vip.has(i) || cadence.has(i) ? rng.int(4, 10) : rng.weighted([[1, 14], [2, 16], [3, 16], [4, 14], [5, 12], [6, 9], [7, 7], [8, 5], [9, 4], [10, 3]] as const);
    // the latest interaction is the story's "last contact": anywhere from yesterday to the first one
    const days = new Set<number>([firstDaysAgo]);
    while (days.size < n) days.add(rng.int(0, firstDaysAgo));
    const interactions = [...days]
      .sort((a, b) => b - a)
      .map((daysAgo) => {
        const { type, summary } = interactionFor(rng, p, otherThan(i));
        let at = workingMoment(rng, now, timeZone, -daysAgo, type === 'event');
        if (at.getTime() > now.getTime() - 3600_000) at = new Date(now.getTime() - rng.int(2, 30) * 3600_000);
        return { type, occurredAt: at, summary };
      })
      .sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
    const firstAt = interactions[0].occurredAt.getTime();
    let createdAt = workingMoment(rng, now, timeZone, -Math.min(firstDaysAgo + rng.int(0, 21), 400));
    if (createdAt.getTime() >= firstAt) createdAt = new Date(firstAt - rng.int(1, 4) * 3600_000);
    return {
      input: contactInputFor(rng, p, {
        notes: rng.chance(0.32) ? notesFor(rng, p, otherThan(i)) : null,
        isVip: vip.has(i),
        keepInTouchDays: cadence.has(i) ? rng.pick(CADENCE_DAYS) : null,
      }),
      tags: tagsFor(rng, p),
      createdAt,
      interactions,
      followUps: [],
    };
  });

  // manual follow-ups in fixed numbers, so every section of /follow-ups has something in it
  const startOfToday = startOfDayInZone(now, timeZone);
  const order = rng.shuffle([...people.keys()]);
  let k = 0;
  const add = (times: number, make: (plan: DemoContactPlan) => { dueAt: Date; completedAt: Date | null }) => {
    for (let j = 0; j < times; j++) {
      const idx = order[k++ % order.length];
      const plan = plans[idx];
      plan.followUps.push({ ...make(plan), note: followUpNoteFor(rng, people[idx], otherThan(idx)) });
    }
  };
  const scaled = (n: number) => Math.max(1, Math.round((n * count) / 200));
  add(scaled(6), () => ({ dueAt: new Date(startOfToday.getTime() + rng.int(9 * 60, 17 * 60) * 60_000), completedAt: null }));
  add(scaled(12), () => ({ dueAt: workingMoment(rng, now, timeZone, -rng.int(1, 25)), completedAt: null }));
  add(scaled(34), () => ({ dueAt: workingMoment(rng, now, timeZone, rng.int(1, 45)), completedAt: null }));
  add(scaled(40), (plan) => {
    const ageDays = Math.floor((now.getTime() - plan.createdAt.getTime()) / DAY_MS);
    const dueAt = workingMoment(rng, now, timeZone, -rng.int(2, Math.max(2, ageDays - 3)));
    const completedAt = new Date(Math.min(dueAt.getTime() + rng.int(0, 48) * 3600_000, now.getTime() - 3600_000));
    return { dueAt, completedAt };
  });
  return plans;
}
