import { Hono } from 'hono';
import { type ConfirmSubject, verifyConfirmToken } from '../consent/confirm-token';
import { localised } from '../dsl/plan';
import { AppError } from '../errors';
import { ingestInTransaction } from '../events/ingest';
import type { Metrics } from '../metrics';
import { latestCalendarPlan } from '../storage/campaign-versions';
import { consentRecord, currentConsent } from '../storage/consent';
import { getContacts } from '../storage/contacts';
import type { Database, Tx } from '../storage/db';
import { clickEvidence, consentPage, escapeHtml, noStore, pageLanguage } from './consent-page';

export interface ConfirmRouteDeps {
  database: Database;
  linkSigningKey: string;
  metrics: Metrics;
  now: () => Date;
  /** SUPPRESSION_KEY: the confirmed grant goes through ingestion, which lifts an `erased` suppression. */
  suppressionKey?: string;
}

const CONFIRMATIONS = 'almanac_consent_confirmations_total';
const CONFIRMATIONS_HELP = 'Double opt-in confirmation links used, by outcome (confirmed, already, expired, superseded)';

const words = {
  en: {
    title: 'Confirm your subscription',
    ask: (email: string, what: string) => `Confirm that ${email} wants to receive ${what}:`,
    button: 'Yes, subscribe me',
    note: 'Nothing happens until you press the button.',
    done: (what: string) => `Thank you — you are subscribed to ${what}. You can unsubscribe from any of our emails.`,
    already: (what: string) => `You are already subscribed to ${what}. Nothing more to do.`,
    expired: 'This confirmation link has expired. Sign up again and we will send you a new one.',
    superseded: 'This confirmation link is no longer valid: your subscription changed since it was sent. Sign up again if you want it.',
  },
  pl: {
    title: 'Potwierdź zapis',
    ask: (email: string, what: string) => `Potwierdź, że adres ${email} ma otrzymywać: ${what}.`,
    button: 'Tak, zapisz mnie',
    note: 'Nic się nie stanie, dopóki nie naciśniesz przycisku.',
    done: (what: string) => `Dziękujemy — zapisano Cię na: ${what}. Z każdej naszej wiadomości możesz się wypisać.`,
    already: (what: string) => `Już jesteś zapisany(-a) na: ${what}. Nic więcej nie trzeba robić.`,
    expired: 'Ten link potwierdzający wygasł. Zapisz się ponownie, a wyślemy nowy.',
    superseded:
      'Ten link potwierdzający jest już nieważny: od jego wysłania zmieniły się Twoje ustawienia. Zapisz się ponownie, jeśli chcesz.',
  },
};

/**
 * Where a confirmation link stands: `open` (its request is the newest ledger row of the purpose
 * and the link has not expired), `already` (the purpose is granted — by this link or otherwise),
 * `expired`, or `superseded` (a withdrawal or a newer request came after it).
 */
type Standing =
  { kind: 'open'; requestId: number; text: string | null; textVersion: string | null } | { kind: 'already' | 'expired' | 'superseded' };

async function standing(tx: Tx, s: ConfirmSubject, now: Date): Promise<Standing> {
  const [latest] = await currentConsent(tx, [s.contactId], { purposes: [s.purpose] });
  if (latest?.granted) return { kind: 'already' };
  if (!latest?.pending || latest.occurredAt.getTime() !== s.requestedAt.getTime()) return { kind: 'superseded' };
  if (now.getTime() > s.expiresAt.getTime()) return { kind: 'expired' };
  const request = await consentRecord(tx, latest.id);
  return { kind: 'open', requestId: latest.id, text: request?.text ?? null, textVersion: request?.textVersion ?? null };
}

/**
 * `GET /confirm/:token` and `POST /confirm/:token`: double opt-in (the token:
 * src/consent/confirm-token.ts; the request: src/events/double-opt-in.ts).
 *
 * - **GET changes nothing** (mail scanners fetch every link): it shows what the person is
 *   confirming — the purpose and the exact wording they agreed to — and a button that POSTs.
 * - **POST confirms**, in one transaction: while the link's request is still the newest ledger
 *   row of the purpose and the link has not expired, a `consent.granted` event goes through the
 *   one ingestion path (source `double_opt_in`, the request's text and version, the IP and user
 *   agent of this click, `confirms` = the pending row): the ledger row names the request it
 *   confirms, journeys on `consent.granted` start, the timeline shows it. Its dedupe key is the
 *   request, so a double click (or two at once) records one grant; later the link says "already
 *   subscribed" (200). Expired, or superseded by a withdrawal or a newer request: 410 and a page
 *   saying so, nothing recorded. A forged, altered or unknown token: 404, nothing recorded.
 */
export function confirmRoutes(deps: ConfirmRouteDeps) {
  const app = new Hono();
  deps.metrics.declare(CONFIRMATIONS, 'counter', CONFIRMATIONS_HELP);

  async function load(token: string) {
    const subject = verifyConfirmToken(token, deps.linkSigningKey);
    const [contact] = subject ? await getContacts(deps.database.db, [subject.contactId]) : [];
    if (!subject || !contact) throw new AppError('not_found', 'this confirmation link is not valid (it may have been mistyped)');
    const lang = pageLanguage(contact.locale);
    const declared = (await latestCalendarPlan(deps.database.db))?.purposes?.find((p) => p.id === subject.purpose);
    const label = (declared && localised(declared.label, lang)) ?? subject.purpose;
    return { subject, contact, lang, label };
  }

  const answer = (lang: 'en' | 'pl', kind: 'already' | 'expired' | 'superseded', label: string) => {
    const w = words[lang];
    const text = kind === 'already' ? w.already(label) : kind === 'expired' ? w.expired : w.superseded;
    return { html: consentPage(lang, w.title, `<p>${escapeHtml(text)}</p>`), status: kind === 'already' ? 200 : 410 } as const;
  };

  app.get('/confirm/:token', async (c) => {
    const { subject, contact, lang, label } = await load(c.req.param('token'));
    const now = deps.now();
    const s = await standing(deps.database.db, subject, now);
    noStore(c);
    if (s.kind !== 'open') {
      const { html, status } = answer(lang, s.kind, label);
      return c.html(html, status);
    }
    const w = words[lang];
    return c.html(
      consentPage(
        lang,
        w.title,
        `<p>${escapeHtml(w.ask(contact.email ?? '', label))}</p>` +
          (s.text ? `<blockquote>${escapeHtml(s.text)}</blockquote>` : '') +
          `<form method="post"><button type="submit" style="font-size:1rem;padding:.5rem 1rem">${escapeHtml(w.button)}</button></form>` +
          `<p><small>${escapeHtml(w.note)}</small></p>`,
      ),
    );
  });

  app.post('/confirm/:token', async (c) => {
    const { subject, contact, lang, label } = await load(c.req.param('token'));
    const now = deps.now();
    const evidence = clickEvidence(c);
    const outcome = await deps.database.db.transaction(async (tx) => {
      const s = await standing(tx, subject, now);
      if (s.kind !== 'open') return s.kind;
      const result = await ingestInTransaction(
        tx,
        [
          {
            dedupeKey: `double_opt_in:${s.requestId}`,
            type: 'consent.granted',
            occurredAt: now,
            contact: contact.externalId !== null ? { externalId: contact.externalId } : { email: contact.email! },
            properties: {
              purpose: subject.purpose,
              source: 'double_opt_in',
              ...(s.text === null ? {} : { text: s.text }),
              ...(s.textVersion === null ? {} : { text_version: s.textVersion }),
              ...(evidence.ip === null ? {} : { ip: evidence.ip }),
              ...(evidence.userAgent === null ? {} : { user_agent: evidence.userAgent }),
              confirms: s.requestId,
            },
          },
        ],
        { source: 'double_opt_in', now, confirms: s.requestId, ...(deps.suppressionKey ? { suppressionKey: deps.suppressionKey } : {}) },
      );
      return result.accepted ? ('confirmed' as const) : ('already' as const);
    });
    deps.metrics.inc(CONFIRMATIONS, CONFIRMATIONS_HELP, { outcome });
    noStore(c);
    if (outcome !== 'confirmed') {
      const { html, status } = answer(lang, outcome, label);
      return c.html(html, status);
    }
    const w = words[lang];
    return c.html(consentPage(lang, w.title, `<p role="status">${escapeHtml(w.done(label))}</p>`));
  });
  return app;
}
