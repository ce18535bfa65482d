import { identifiersOf, parseIdentifier } from '../../contacts/identifiers';
import { hasOddCharacters } from '../../lib/odd-characters';
import type { ContactUpsert } from '../../storage/contacts';
import { addressField, emailField, guessed, localeField, timezoneField } from '../fields';

/**
 * One record of an import file → a contact upsert and its consent, or the problems that keep it
 * out (pure). Columns by name: `id` (external id), `email`, `phone`, `identifiers` (more names of
 * the person, src/contacts/identifiers.ts, separated by spaces or `;`), `timezone`, `locale`,
 * `country_code` / `province` / `city` (guess the zone and locale not given, kept nowhere); the consent
 * columns below; every other column (`first_name`, `last_name`, …) becomes an attribute. An
 * empty cell (or JSON null) is "not given": it leaves the stored value alone.
 *
 * Consent: `consent_email_marketing` (`true`/`false`, also `yes`/`no`, `1`/`0`). A grant is
 * recorded only with its evidence — `consent_text`, `consent_text_version`, `consent_source` and
 * `consent_at` (ISO 8601 with a zone) — optionally `consent_ip`, `consent_user_agent`; a grant
 * without all four is imported without consent (`withoutConsent`). `false` records a withdrawal
 * dated `consent_at` (else the import's time).
 */
export const CONSENT_COLUMNS = [
  'consent_email_marketing',
  'consent_text',
  'consent_text_version',
  'consent_source',
  'consent_at',
  'consent_ip',
  'consent_user_agent',
] as const;

export const IMPORT_PURPOSE = 'email.marketing';

/** Columns read as contact fields (the rest become attributes); postal address columns only guess the zone and locale. */
export const ADDRESS_COLUMNS = ['country_code', 'province', 'city'] as const;
export const KNOWN_COLUMNS: readonly string[] = [
  'id',
  'email',
  'phone',
  'identifiers',
  'timezone',
  'locale',
  ...ADDRESS_COLUMNS,
  ...CONSENT_COLUMNS,
];

/**
 * The column a header names: a known column matched without regard to case, surrounding spaces,
 * or spaces and dashes for underscores (`Email`, ` Consent At `, `country-code`); any other
 * header as written (an attribute).
 */
export function columnOf(header: string): string {
  const folded = header
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  return KNOWN_COLUMNS.includes(folded) ? folded : header.trim();
}

export interface RowProblem {
  line: number;
  column: string;
  message: string;
}

export interface ImportConsent {
  granted: boolean;
  text: string | null;
  textVersion: string | null;
  source: string;
  ip: string | null;
  userAgent: string | null;
  occurredAt: Date;
}

export interface ImportRow {
  line: number;
  /** The row's strongest identifier (`external:app:ID`, else a phone, else `email:ADDRESS`): duplicates in the file share it (last row wins). */
  key: string;
  contact: ContactUpsert;
  consent?: ImportConsent;
  /** A marketing grant without its evidence: imported without consent. */
  withoutConsent: boolean;
}

const EARLIEST = Date.parse('2000-01-01T00:00:00Z');

function given(v: unknown): boolean {
  return v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');
}

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'object' ? JSON.stringify(v) : String(v));

/**
 * Checking a zone builds an `Intl.DateTimeFormat` (tens of microseconds): a list has few distinct
 * zones, so one import remembers each answer (`zones`, per import — never module-wide).
 */
export interface RowCaches {
  zones: Map<string, { ok: true; zone: string } | { ok: false; message: string }>;
}

export const newRowCaches = (): RowCaches => ({ zones: new Map() });

function checkZone(raw: unknown, caches: RowCaches | undefined) {
  const key = typeof raw === 'string' ? raw.trim() : undefined;
  const known = key === undefined ? undefined : caches?.zones.get(key);
  if (known) return known;
  const r = timezoneField.safeParse(key ?? raw);
  const answer = r.success ? ({ ok: true, zone: r.data } as const) : ({ ok: false, message: r.error.issues[0]!.message } as const);
  if (key !== undefined && caches && caches.zones.size < 10_000) caches.zones.set(key, answer);
  return answer;
}

/** `now` bounds `consent_at` (at most 5 minutes ahead) and dates a withdrawal without one. */
export function interpretRecord(
  line: number,
  values: Record<string, unknown>,
  now: Date,
  caches?: RowCaches,
): { ok: true; row: ImportRow } | { ok: false; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const problem = (column: string, message: string) => problems.push({ line, column, message });
  const contact: ContactUpsert = {};
  const attributes: Record<string, unknown> = {};
  const address: Partial<Record<(typeof ADDRESS_COLUMNS)[number], string>> = {};

  for (const [column, raw] of Object.entries(values)) {
    if (!given(raw)) continue;
    if (typeof raw === 'string' && hasOddCharacters(raw)) {
      problem(column, 'contains a NUL or a lone surrogate, which cannot be stored');
      continue;
    }
    if (column === 'id') {
      const id = text(raw);
      if (id.length > 255) problem('id', 'expected at most 255 characters');
      else contact.externalId = id;
    } else if (column === 'email') {
      const r = emailField.safeParse(typeof raw === 'string' ? raw.trim() : raw);
      if (r.success) contact.email = r.data;
      else problem('email', r.error.issues[0]!.message);
    } else if (column === 'phone' || column === 'identifiers') {
      // `phone`: one number (E.164, spaces and dashes allowed); `identifiers`: several, separated by spaces or `;`.
      const raws =
        column === 'phone'
          ? [`phone:${text(raw)}`]
          : text(raw)
              .split(/[\s;]+/)
              .filter(Boolean);
      for (const one of raws) {
        const r = parseIdentifier(one);
        if (r.ok) contact.identifiers = [...(contact.identifiers ?? []), r.value];
        else problem(column, column === 'phone' ? 'expected a phone number in E.164 form, such as +48601234567' : `${one}: ${r.message}`);
      }
    } else if ((ADDRESS_COLUMNS as readonly string[]).includes(column)) {
      address[column as (typeof ADDRESS_COLUMNS)[number]] = text(raw);
    } else if (column === 'timezone') {
      const r = checkZone(raw, caches);
      if (r.ok) contact.timezone = r.zone;
      else problem('timezone', r.message);
    } else if (column === 'locale') {
      const r = localeField.safeParse(typeof raw === 'string' ? raw.trim() : raw);
      if (r.success) contact.locale = r.data;
      else problem('locale', r.error.issues[0]!.message);
    } else if (!(CONSENT_COLUMNS as readonly string[]).includes(column)) {
      if (column === '__proto__' || hasOddCharacters(column)) problem(column, 'not a usable attribute name');
      else attributes[column] = typeof raw === 'string' ? raw.trim() : raw;
    }
  }
  if (
    contact.externalId === undefined &&
    contact.email === undefined &&
    contact.identifiers === undefined &&
    !problems.some((p) => ['email', 'id', 'phone', 'identifiers'].includes(p.column))
  ) {
    problem('id', 'a row needs an id or an email (or a phone or identifiers)');
  }

  // A postal address guesses the zone and locale the row does not state (as for events: src/contacts/zone.ts).
  if (Object.keys(address).length) {
    const where = addressField.safeParse(address);
    if (!where.success) problem('country_code', 'expected an ISO 3166-1 country code such as PL or US');
    else
      Object.assign(
        contact,
        guessed({
          ...(contact.timezone && { timezone: contact.timezone }),
          ...(contact.locale && { locale: contact.locale }),
          address: where.data,
        }),
      );
  }
  const consent = interpretConsent(values, now, problem);
  if (problems.length) return { ok: false, problems };
  if (Object.keys(attributes).length) contact.attributes = attributes;
  return {
    ok: true,
    row: {
      line,
      key: identifiersOf(contact)[0]!,
      contact,
      ...(consent.consent && { consent: consent.consent }),
      withoutConsent: consent.withoutConsent,
    },
  };
}

function interpretConsent(
  values: Record<string, unknown>,
  now: Date,
  problem: (column: string, message: string) => void,
): { consent?: ImportConsent; withoutConsent: boolean } {
  const flag = values.consent_email_marketing;
  const at = values.consent_at;
  let occurredAt: Date | undefined;
  if (given(at)) {
    const s = text(at);
    const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(s) ? Date.parse(s) : NaN;
    if (Number.isNaN(ms)) problem('consent_at', 'expected an ISO 8601 timestamp with a zone, such as 2026-05-01T10:00:00Z');
    else if (ms < EARLIEST || ms > now.getTime() + 5 * 60_000) problem('consent_at', 'expected a time between 2000-01-01 and now');
    else occurredAt = new Date(ms);
  }
  if (!given(flag)) return { withoutConsent: false };
  const f = typeof flag === 'boolean' ? String(flag) : text(flag).toLowerCase();
  const granted = ['true', 'yes', '1'].includes(f) ? true : ['false', 'no', '0'].includes(f) ? false : undefined;
  if (granted === undefined) {
    problem('consent_email_marketing', 'expected true or false');
    return { withoutConsent: false };
  }
  const str = (v: unknown) => (given(v) ? text(v) : null);
  const evidence = {
    text: str(values.consent_text),
    textVersion: str(values.consent_text_version),
    source: str(values.consent_source),
    ip: str(values.consent_ip),
    userAgent: str(values.consent_user_agent),
  };
  if (!granted) {
    if (given(at) && !occurredAt) return { withoutConsent: false };
    return {
      consent: { granted: false, ...evidence, source: evidence.source ?? 'import', occurredAt: occurredAt ?? now },
      withoutConsent: false,
    };
  }
  if (!occurredAt || evidence.text === null || evidence.textVersion === null || evidence.source === null) {
    return { withoutConsent: true };
  }
  return { consent: { granted: true, ...evidence, source: evidence.source, occurredAt }, withoutConsent: false };
}
