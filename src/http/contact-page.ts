import type { ContactSearchResult } from '../reports/contact-search';
import type { ContactTimeline } from '../reports/contact-timeline';
import { dash, timelineTables } from '../reports/contact-timeline-tables';
import { escapeHtml as esc } from './consent-page';
import { page, table } from './report-page';

/**
 * `GET /contacts/:id` and `GET /contacts?q=`: a contact's timeline and the search that finds it,
 * for a marketer asking "why did this person get this mail?". Every value is escaped; links
 * carry the `?key=` forward (see ./calendar-auth.ts) through `link`.
 */
const LEFT = '<style>th,td{text-align:left}th[scope=row]{white-space:nowrap}.why{color:#52525b;font-size:.9rem}</style>';
/** A table, or one line saying there is nothing of that kind. */
const rowsOr = (caption: string, head: string[], rows: Array<Array<string | number>>) =>
  rows.length ? table(caption, head, rows) : `<p class="note">${esc(caption)}: none.</p>`;
export const contactRef = (c: { id: string | null; contact_id: number }) => c.id ?? `#${c.contact_id}`;
const contactPath = (c: { id: string | null; contact_id: number }) => `/contacts/${encodeURIComponent(contactRef(c))}`;

const LOCALE_SOURCE: Record<string, string> = {
  explicit: 'stated',
  accept_language: "the browser's language",
  address: 'guessed from the address',
};

export function contactPage(t: ContactTimeline, link: (path: string) => string): string {
  const c = t.contact;
  const title = c.email ?? c.id ?? `#${c.contact_id}`;
  const tables = timelineTables(t);
  const tiles = [
    ['lifecycle stage', dash(t.lifecycle_stage)],
    ['orders', String(t.orders.length)],
    ['runs', String(t.runs.length)],
    ['sends', String(tables.sends.rows.length)],
    ['clicks (human)', String(t.clicks.filter((k) => !k.bot).length)],
  ];
  const entries =
    `<table id="timeline"><caption>What happened, in order (times UTC)</caption><thead><tr><th scope="col">when</th><th scope="col">what</th><th scope="col">kind</th></tr></thead><tbody>` +
    t.entries
      .map(
        (e) =>
          `<tr class="entry entry-${esc(e.kind)}"><th scope="row">${esc(e.at)}</th><td>${esc(e.summary)}` +
          (e.why ? `<div class="why">why: ${esc(e.why)}</div>` : '') +
          `</td><td>${esc(e.kind)}</td></tr>`,
      )
      .join('') +
    `</tbody></table>`;
  return page(
    `Contact ${title}`,
    LEFT +
      `<p><a href="${esc(link('/contacts'))}">← all contacts</a></p><h1>${esc(title)}</h1>` +
      `<div class="tiles">${tiles.map(([k, x]) => `<div class="tile"><b>${esc(x!)}</b><span>${esc(k!)}</span></div>`).join('')}</div>` +
      table(
        'Profile',
        ['field', 'value'],
        [
          ['contact id', c.contact_id],
          ['external id', dash(c.id)],
          ['email', dash(c.email)],
          ['phone', dash(c.phone)],
          [
            'timezone',
            c.timezone
              ? `${c.timezone} (${c.timezone_source === 'address' ? 'guessed from the address' : 'stated'})`
              : "none: the calendar's zone",
          ],
          ['locale', c.locale ? `${c.locale} (${LOCALE_SOURCE[c.locale_source ?? 'explicit'] ?? 'stated'})` : '–'],
          ['attributes', JSON.stringify(c.attributes)],
          ['created', c.created_at],
          ['updated', c.updated_at],
          ...(t.analytics
            ? [
                ['stage since', dash(t.analytics.stage_since)],
                ['revenue', t.analytics.revenue.toFixed(2)],
                ['RFM', dash(t.analytics.rfm)],
              ]
            : []),
          ['segments', t.segments.map((s) => s.segment).join(', ') || '–'],
        ],
      ) +
      rowsOr('Identifiers: every name this person is known by', tables.identifiers.head, tables.identifiers.rows) +
      (t.merges.length ? rowsOr('Merges: contacts found to be this person', tables.merges.head, tables.merges.rows) : '') +
      `<h2>Timeline</h2>${entries}` +
      (t.truncated.length ? `<p class="note">Only the newest rows of: ${esc(t.truncated.join(', '))}.</p>` : '') +
      `<h2>Runs and sends</h2>` +
      rowsOr('Runs: campaign, status, where they are, why they started and ended', tables.runs.head, tables.runs.rows) +
      rowsOr(
        'Sends: the step of each run, its template, status and why it was held, suppressed, failed or cancelled',
        tables.sends.head,
        tables.sends.rows,
      ) +
      `<h2>Consent and suppression</h2>` +
      rowsOr(
        'Consent ledger',
        ['when', 'purpose', 'state', 'text', 'version', 'source'],
        t.consent.map((r) => [r.occurred_at, r.purpose, r.state, dash(r.text), dash(r.text_version), r.source]),
      ) +
      (t.suppressions === null
        ? `<p class="note">Suppressions not checked (no email, or SUPPRESSION_KEY not configured).</p>`
        : rowsOr(
            'Suppressions of the address',
            ['since', 'reason', 'scope', 'source'],
            t.suppressions.map((s) => [s.created_at, s.reason, s.scope, s.source]),
          )) +
      `<h2>Engagement</h2>` +
      rowsOr(
        'Clicks',
        ['when', 'url', 'campaign', 'bot'],
        t.clicks.map((k) => [k.at, dash(k.url), dash(k.campaign), k.bot ? `yes${k.bot_reason ? ` (${k.bot_reason})` : ''}` : 'no']),
      ) +
      rowsOr(
        'Opens',
        ['when', 'campaign', 'by'],
        t.opens.map((x) => [x.at, dash(x.campaign), x.machine ? `machine${x.reason ? ` (${x.reason})` : ''}` : 'human']),
      ) +
      `<h2>Orders</h2>` +
      rowsOr('Orders and the campaigns each attribution model credited', tables.orders.head, tables.orders.rows) +
      `<h2>Events</h2>` +
      rowsOr(
        'Events (key properties)',
        ['when', 'type', 'source', 'properties'],
        t.events.map((e) => [e.occurred_at, e.type, e.source, JSON.stringify(e.properties)]),
      ),
  );
}

export function contactListPage(r: ContactSearchResult, link: (path: string) => string, key: string | undefined): string {
  const rows = r.contacts
    .map(
      (c) =>
        `<tr><th scope="row"><a href="${esc(link(contactPath(c)))}">${esc(contactRef(c))}</a></th>` +
        `<td>${esc(dash(c.email))}</td><td>${esc(dash(c.name))}</td><td>${esc(dash(c.lifecycle_stage))}</td><td>${esc(c.created_at)}</td></tr>`,
    )
    .join('');
  const next = r.next
    ? `<p><a rel="next" href="${esc(link(`/contacts?q=${encodeURIComponent(r.q)}&after=${encodeURIComponent(r.next)}`))}">next page →</a></p>`
    : '';
  return page(
    'Contacts',
    LEFT +
      `<h1>Contacts</h1><form method="get" action="/contacts" role="search">` +
      `<label>Email, external id or name <input type="search" name="q" value="${esc(r.q)}"></label>` +
      (key ? `<input type="hidden" name="key" value="${esc(key)}">` : '') +
      ` <button type="submit">Search</button></form>` +
      `<table id="contacts"><caption>${esc(r.q ? `Contacts matching "${r.q}"` : 'All contacts')}</caption>` +
      `<thead><tr><th scope="col">contact</th><th scope="col">email</th><th scope="col">name</th><th scope="col">stage</th><th scope="col">created</th></tr></thead>` +
      `<tbody>${rows}</tbody></table>` +
      (r.contacts.length ? '' : '<p class="note">Nobody matches.</p>') +
      next,
  );
}
