import { Hono } from 'hono';
import { recordConsentChanges } from '../consent/changes';
import { clickEvidence, escapeHtml as escape, pageLanguage } from './consent-page';
import { verifyPreferencesToken } from '../consent/preferences-token';
import { localised, type PurposePlan, TRANSACTIONAL_PURPOSE } from '../dsl/plan';
import { AppError } from '../errors';
import { latestCalendarPlan } from '../storage/campaign-versions';
import { currentConsent } from '../storage/consent';
import { getContacts } from '../storage/contacts';
import type { Database } from '../storage/db';

export interface PreferenceRouteDeps {
  database: Database;
  linkSigningKey: string;
  now: () => Date;
}

/** The version of the page's wording, recorded with every choice made on it. */
export const PREFERENCES_TEXT_VERSION = 'preference-centre-1';

const words = {
  en: {
    title: 'Email preferences',
    intro: (email: string) => `Choose what we send to ${email}. Changes apply at once.`,
    legend: 'I want to receive',
    save: 'Save preferences',
    all: 'Unsubscribe from all marketing email',
    saved: 'Your preferences are saved.',
    savedAll: 'You are unsubscribed from all marketing email.',
    grant: (label: string) => `I want to receive: ${label}`,
    withdraw: (label: string) => `I no longer want to receive: ${label}`,
    nothing: 'There is nothing to choose yet.',
  },
  pl: {
    title: 'Ustawienia wiadomości',
    intro: (email: string) => `Wybierz, co mamy wysyłać na adres ${email}. Zmiany działają od razu.`,
    legend: 'Chcę otrzymywać',
    save: 'Zapisz ustawienia',
    all: 'Wypisz mnie ze wszystkich wiadomości marketingowych',
    saved: 'Zapisano Twoje ustawienia.',
    savedAll: 'Wypisano Cię ze wszystkich wiadomości marketingowych.',
    grant: (label: string) => `Chcę otrzymywać: ${label}`,
    withdraw: (label: string) => `Nie chcę już otrzymywać: ${label}`,
    nothing: 'Nie ma jeszcze nic do wyboru.',
  },
};

const STYLE = `body{font-family:system-ui,sans-serif;max-width:38rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#18181b}
fieldset{border:1px solid #d4d4d8;border-radius:8px;padding:1rem}legend{font-weight:600;padding:0 .25rem}
.choice{display:flex;gap:.75rem;align-items:flex-start;margin:.75rem 0}.choice input{width:1.25rem;height:1.25rem;margin-top:.15rem}
.choice label{font-weight:600}.choice p{margin:.1rem 0 0;color:#52525b;font-weight:400}
button{font-size:1rem;padding:.6rem 1.1rem;margin:.75rem .5rem 0 0;border-radius:6px;border:1px solid #3f3f46;background:#18181b;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#18181b}:focus-visible{outline:3px solid #2563eb;outline-offset:2px}
[role=status]{background:#ecfdf5;border:1px solid #6ee7b7;border-radius:6px;padding:.5rem .75rem}`;

/**
 * `GET/POST /preferences/:token` — the preference centre (token: src/consent/preferences-token.ts).
 * The page lists the purposes calendar.yaml declares (`purposes:`, labelled in the contact's
 * language: English and Polish here, like the templates) plus any other the person has a ledger
 * row for, each a labelled checkbox with its current state; "Save" records every change and
 * "Unsubscribe from all" withdraws every purpose. Each change is a ledger row with source
 * `preference_centre`, the exact wording agreed to and its version, IP (first X-Forwarded-For)
 * and user agent. Plain HTML forms: works without JavaScript, with the keyboard and a screen
 * reader (fieldset and legend, a label per checkbox, a status line after saving). Double opt-in
 * purposes are granted here directly: the link reached the person through their own mailbox, which is
 * what a confirmation mail proves (src/http/confirm.ts); "Unsubscribe from all" also withdraws pending requests.
 */
export function preferenceRoutes(deps: PreferenceRouteDeps) {
  const app = new Hono();

  async function load(token: string) {
    const contactId = verifyPreferencesToken(token, deps.linkSigningKey);
    const [contact] = contactId === undefined ? [] : await getContacts(deps.database.db, [contactId]);
    if (!contact) throw new AppError('not_found', 'this preferences link is not valid (it may have been mistyped)');
    const lang = pageLanguage(contact.locale);
    const declared = (await latestCalendarPlan(deps.database.db))?.purposes ?? [];
    const states = await currentConsent(deps.database.db, [contact.id]);
    const ids = [...new Set([...declared.map((p) => p.id), ...states.map((s) => s.purpose)])].filter((p) => p !== TRANSACTIONAL_PURPOSE);
    const purposes = ids.map((id) => {
      const plan: PurposePlan | undefined = declared.find((p) => p.id === id);
      return {
        id,
        label: (plan && localised(plan.label, lang)) ?? id,
        description: plan ? (localised(plan.description, lang) ?? '') : '',
        granted: states.find((s) => s.purpose === id)?.granted ?? false,
      };
    });
    return { contact, lang, purposes };
  }

  function render(lang: 'en' | 'pl', email: string, purposes: Awaited<ReturnType<typeof load>>['purposes'], status?: string) {
    const w = words[lang];
    const choices = purposes
      .map(
        (p, i) =>
          `<div class="choice"><input type="checkbox" id="p${i}" name="purpose" value="${escape(p.id)}"${p.granted ? ' checked' : ''}` +
          `${p.description ? ` aria-describedby="p${i}-d"` : ''}><div><label for="p${i}">${escape(p.label)}</label>` +
          `${p.description ? `<p id="p${i}-d">${escape(p.description)}</p>` : ''}</div></div>`,
      )
      .join('');
    return (
      `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
      `<meta name="robots" content="noindex"><title>${escape(w.title)}</title><style>${STYLE}</style></head><body><main>` +
      `<h1>${escape(w.title)}</h1>${status ? `<p role="status">${escape(status)}</p>` : ''}<p>${escape(w.intro(email))}</p>` +
      (purposes.length
        ? `<form method="post"><fieldset><legend>${escape(w.legend)}</legend>${choices}</fieldset>` +
          `<button type="submit" name="action" value="save">${escape(w.save)}</button>` +
          `<button type="submit" name="action" value="all" class="secondary">${escape(w.all)}</button></form>`
        : `<p>${escape(w.nothing)}</p>`) +
      `</main></body></html>`
    );
  }

  const headers = {
    'Cache-Control': 'no-store',
    'X-Robots-Tag': 'noindex, nofollow',
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'",
  };

  app.get('/preferences/:token', async (c) => {
    const { contact, lang, purposes } = await load(c.req.param('token'));
    return c.html(render(lang, contact.email ?? '', purposes), 200, headers);
  });

  app.post('/preferences/:token', async (c) => {
    const { contact, lang, purposes } = await load(c.req.param('token'));
    const form = await c.req.parseBody({ all: true }).catch(() => ({}) as Record<string, unknown>);
    const all = form.action === 'all';
    const checked = new Set([form.purpose ?? []].flat().map(String));
    const wanted = Object.fromEntries(purposes.map((p) => [p.id, !all && checked.has(p.id)]));
    const labels = new Map(purposes.map((p) => [p.id, p.label]));
    const w = words[lang];
    await deps.database.db.transaction((tx) =>
      recordConsentChanges(tx, {
        contactId: contact.id,
        wanted,
        source: 'preference_centre',
        text: (purpose, granted) => (granted ? w.grant : w.withdraw)(labels.get(purpose) ?? purpose),
        textVersion: `${PREFERENCES_TEXT_VERSION}:${lang}`,
        ...clickEvidence(c),
        now: deps.now(),
        cancelPending: all,
      }),
    );
    const after = purposes.map((p) => ({ ...p, granted: wanted[p.id]! }));
    return c.html(render(lang, contact.email ?? '', after, all ? w.savedAll : w.saved), 200, headers);
  });
  return app;
}
