import { Hono } from 'hono';
import { clickEvidence, consentPage, escapeHtml, noStore, pageLanguage } from './consent-page';
import { signPreferencesToken } from '../consent/preferences-token';
import { unsubscribeTokenSendId, verifyUnsubscribeToken } from '../consent/unsubscribe-token';
import { withdrawConsent } from '../consent/changes';
import { localised, TRANSACTIONAL_PURPOSE } from '../dsl/plan';
import { latestCalendarPlan } from '../storage/campaign-versions';
import { AppError } from '../errors';
import type { Metrics } from '../metrics';
import { currentConsent } from '../storage/consent';
import { getContacts } from '../storage/contacts';
import type { Database } from '../storage/db';
import { readSendForView } from '../storage/sends';

export interface UnsubscribeRouteDeps {
  database: Database;
  linkSigningKey: string;
  metrics: Metrics;
  now: () => Date;
}

const UNSUBSCRIBES = 'almanac_unsubscribes_total';
const UNSUBSCRIBES_HELP = 'Consent withdrawals through unsubscribe links, by how (one_click, page) and scope (purpose, all)';

/** The wording of the two pages, in the languages the sample templates speak; anything else reads English. */
const words = {
  en: {
    title: 'Unsubscribe',
    ask: (what: string) => `Stop receiving ${what}?`,
    one: (what: string) => `Unsubscribe from ${what}`,
    all: 'Unsubscribe from all marketing email',
    done: (what: string) => `You are unsubscribed from ${what}. No more of these emails will be sent to you.`,
    doneAll: 'You are unsubscribed from all marketing email. No more will be sent to you.',
    note: 'Nothing changes until you press a button.',
    prefs: 'Choose what you receive instead',
    all_what: 'all marketing email',
  },
  pl: {
    title: 'Wypisz się',
    ask: (what: string) => `Nie chcesz już otrzymywać: ${what}?`,
    one: (what: string) => `Wypisz mnie z: ${what}`,
    all: 'Wypisz mnie ze wszystkich wiadomości marketingowych',
    done: (what: string) => `Wypisano Cię z: ${what}. Nie wyślemy Ci już takich wiadomości.`,
    doneAll: 'Wypisano Cię ze wszystkich wiadomości marketingowych. Nie wyślemy Ci już żadnej.',
    note: 'Nic się nie zmieni, dopóki nie naciśniesz przycisku.',
    prefs: 'Wybierz, co chcesz otrzymywać',
    all_what: 'wszystkie wiadomości marketingowe',
  },
};

/**
 * `GET /u/:token` and `POST /u/:token` (RFC 8058; the token: src/consent/unsubscribe-token.ts).
 *
 * - **GET changes nothing.** Link scanners and mail security gateways fetch every URL in a message;
 *   they must not unsubscribe anyone. The page asks, with a button for the send's purpose and one
 *   for all marketing email (forms that POST back here).
 * - **POST withdraws at once**, in one transaction, before it answers: `List-Unsubscribe=One-Click`
 *   (what Gmail, Yahoo and Apple Mail send) or the page's `scope=purpose|all`. No cookie, no
 *   redirect, 200 every time: a repeat adds no ledger row (withdrawConsent). The ledger row says
 *   how (`unsubscribe_link`), what (one-click or the page, which send), from where (the first
 *   `X-Forwarded-For` address) and the user agent.
 * - A tampered, random or foreign token, or the send no longer existing: 404, nothing changed.
 */
export function unsubscribeRoutes(deps: UnsubscribeRouteDeps) {
  const app = new Hono();
  deps.metrics.declare(UNSUBSCRIBES, 'counter', UNSUBSCRIBES_HELP);

  async function subject(token: string) {
    const sendId = unsubscribeTokenSendId(token);
    const send = sendId === undefined ? undefined : await readSendForView(deps.database.db, sendId);
    const ok =
      send !== undefined &&
      send.purpose !== TRANSACTIONAL_PURPOSE &&
      verifyUnsubscribeToken(token, { sendId: send.id, contactId: send.contactId, purpose: send.purpose }, deps.linkSigningKey);
    if (!ok) throw new AppError('not_found', 'this unsubscribe link is not valid (it may have been mistyped)');
    const [contact] = await getContacts(deps.database.db, [send.contactId]);
    const lang = pageLanguage(contact?.locale);
    const declared = (await latestCalendarPlan(deps.database.db))?.purposes?.find((p) => p.id === send.purpose);
    const label = (declared && localised(declared.label, lang)) ?? send.purpose;
    return { send, lang, label };
  }

  app.get('/u/:token', async (c) => {
    const { send, lang, label } = await subject(c.req.param('token'));
    const w = words[lang];
    const what = label;
    const form = (scope: string, label: string) =>
      `<form method="post"><input type="hidden" name="scope" value="${scope}"><button type="submit" style="font-size:1rem;padding:.5rem 1rem;margin:.25rem 0">${escapeHtml(label)}</button></form>`;
    noStore(c);
    return c.html(
      consentPage(
        lang,
        w.title,
        `<p>${escapeHtml(w.ask(what))}</p>${form('purpose', w.one(what))}${form('all', w.all)}<p><small>${escapeHtml(w.note)}</small></p>` +
          `<p><a href="/preferences/${signPreferencesToken(send.contactId, deps.linkSigningKey)}">${escapeHtml(w.prefs)}</a></p>`,
      ),
    );
  });

  app.post('/u/:token', async (c) => {
    const { send, lang, label } = await subject(c.req.param('token'));
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const oneClick = form['List-Unsubscribe'] === 'One-Click';
    const all = !oneClick && form.scope === 'all';
    const now = deps.now();
    const changed = await deps.database.db.transaction(async (tx) => {
      const purposes = all
        ? [send.purpose, ...(await currentConsent(tx, [send.contactId])).map((s) => s.purpose)].filter((p) => p !== TRANSACTIONAL_PURPOSE)
        : [send.purpose];
      return withdrawConsent(tx, {
        contactId: send.contactId,
        purposes,
        source: 'unsubscribe_link',
        text: `${oneClick ? 'one-click unsubscribe (RFC 8058)' : 'unsubscribe page'} from send ${send.id} (${send.campaign}): ${all ? 'all marketing email' : send.purpose}`,
        ...clickEvidence(c),
        now,
      });
    });
    if (changed.length)
      deps.metrics.inc(UNSUBSCRIBES, UNSUBSCRIBES_HELP, { how: oneClick ? 'one_click' : 'page', scope: all ? 'all' : 'purpose' });
    const w = words[lang];
    noStore(c);
    return c.html(consentPage(lang, w.title, `<p>${escapeHtml(all ? w.doneAll : w.done(label))}</p>`), 200);
  });
  return app;
}
