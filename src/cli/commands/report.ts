import { type CampaignReport, liftArms } from '../../reports/campaign';
import { reportRange } from '../../http/reports';
import { type Command, UsageError } from '../command';
import { adminFor, parseFlags } from '../project';

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)} %`);
const interval = (ci: { lower: number; upper: number } | null | undefined, f: (x: number) => string) =>
  ci ? `[${f(ci.lower)}, ${f(ci.upper)}]` : '';

/** Rows as aligned columns: the first column left, the rest right. */
export function table(head: string[], rows: Array<Array<string | number>>): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return (
    cells
      .map((r) =>
        r
          .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

/** The report as a marketer reads it in a terminal: the same numbers as `--json` and GET /v1/reports/:campaign. */
export function formatReport(r: CampaignReport): string {
  const out: string[] = [];
  const range = r.range.from || r.range.to ? ` (${r.range.from ?? '…'} – ${r.range.to ?? '…'})` : '';
  out.push(`${r.campaign} — ${r.name}${range}\n\n`);
  const sent = r.sends.sent ?? 0;
  out.push(
    table(
      ['delivery', 'count'],
      [
        ['sends', r.sends.total],
        ...Object.entries(r.sends)
          .filter(([k]) => k !== 'total')
          .map(([k, v]) => [`  ${k}`, v] as [string, number]),
        ['recipients', r.recipients],
        ['opens (human)', r.opens.human],
        ['opens (machine)', r.opens.machine],
        ['clicks (human)', r.clicks.human],
        ['clicks (bot)', r.clicks.bot],
        ['click rate (unique/sent)', sent ? pct(r.clicks.uniqueHuman / sent) : '–'],
        ['unsubscribes', r.unsubscribes],
        ['complaints', r.complaints],
      ],
    ),
  );
  out.push('\n');
  out.push(
    r.revenue.length
      ? table(
          ['revenue by model', 'currency', 'orders', 'revenue', 'per recipient'],
          r.revenue.map((m) => [m.model, m.currency, m.orders.toFixed(2), m.revenue.toFixed(2), m.revenuePerRecipient?.toFixed(2) ?? '–']),
        )
      : 'revenue: no attributed orders yet\n',
  );
  if (r.totals.length)
    out.push(
      '\n' +
        table(
          [`total in ${r.currency.shop}`, 'orders', 'revenue', 'per recipient', 'not converted'],
          r.totals.map((t) => [
            t.model,
            t.orders.toFixed(2),
            t.revenue.toFixed(2),
            t.revenuePerRecipient?.toFixed(2) ?? '–',
            t.unconverted.map((u) => `${u.revenue.toFixed(2)} ${u.currency}`).join(', '),
          ]),
        ),
    );
  out.push(`${r.currency.rule}\n\n`);
  if (!r.lift) out.push('lift: this campaign holds nobody out (holdout: 0 %)\n');
  else {
    const l = r.lift;
    out.push(
      table(
        ['holdout', 'contacts', 'converters', 'rate', '95 % CI', `revenue/contact${l.currency ? ` (${l.currency})` : ''}`],
        liftArms(l).map((a) => [
          a.label,
          a.contacts,
          a.converters,
          pct(a.rate),
          interval(a.rateCi, pct),
          a.revenuePerContact?.toFixed(2) ?? '–',
        ]),
      ),
    );
    if (l.absolute) out.push(`lift: ${pct(l.absolute.estimate)} points ${interval(l.absolute.ci, pct)} (${l.methods.absolute})\n`);
    if (l.relative) out.push(`relative lift: ${pct(l.relative.estimate)} ${interval(l.relative.ci, pct)} (${l.methods.relative})\n`);
    if (l.revenuePerContact)
      out.push(
        `revenue per contact: ${l.revenuePerContact.estimate.toFixed(2)} ${interval(l.revenuePerContact.ci, (x) => x.toFixed(2))} (${l.methods.revenuePerContact})\n`,
      );
    if (!l.enough) out.push(`not enough data yet: ${l.reason}\n`);
  }
  out.push('\n');
  if (r.funnel.runs.length === 0) out.push('journey: no runs yet\n');
  else
    out.push(
      table(
        ['journey step', 'status', 'phase', 'runs'],
        r.funnel.runs.map((f) => [f.step, f.status, f.phase ?? '', f.runs]),
      ),
    );
  if (r.funnel.sends.length)
    out.push(
      '\n' +
        table(
          ['template sent', 'step', 'status', 'sends', 'why held / not sent'],
          r.funnel.sends.map((s) => [s.template, s.step, s.status, s.sends, s.reason ?? '']),
        ),
    );
  if (r.networks.length)
    out.push(
      '\n' +
        table(
          ['network', 'clicks', 'bot clicks', 'orders (utm)', 'revenue', 'currency'],
          r.networks.map((n) => [n.network, n.clicks, n.botClicks, n.orders.toFixed(2), n.revenue.toFixed(2), n.currency ?? '']),
        ),
    );
  if (r.funnel.exits.length)
    out.push(
      '\n' +
        table(
          ['exit reason', 'runs'],
          r.funnel.exits.map((e) => [e.reason, e.runs]),
        ),
    );
  return out.join('');
}

export const reportCommand: Command = {
  summary: "print a campaign's report: sends, opens, clicks, revenue by attribution model, lift, funnel",
  usage: `almanac report CAMPAIGN [--json] [--from DATE] [--to DATE]

What the campaign sent and what came of it: sends by status and recipients, opens and clicks
(human and machine/bot apart), unsubscribes and complaints; revenue under every attribution
model side by side (last click — the default — first click, linear, time decay, UTM/landing;
never summed, and per currency, plus one total in SHOP_CURRENCY at CURRENCY_RATES when set);
revenue per recipient; holdout lift with 95 % intervals (or
"not enough data yet"); where runs are in the journey and why sends were held or not sent. --from/--to (YYYY-MM-DD or ISO instants)
limit sends, clicks and orders to that range. --json prints GET /v1/reports/CAMPAIGN. Through the
running server (or ALMANAC_URL) like plan and apply.`,
  async run(args, io) {
    const { flags, positional } = parseFlags(args, { booleans: ['json'], values: ['from', 'to'] });
    if (positional.length !== 1) throw new UsageError(positional.length ? `unexpected argument "${positional[1]}"` : 'which campaign?');
    let range: { from?: Date; to?: Date };
    try {
      range = reportRange((n) => (typeof flags[n] === 'string' ? (flags[n] as string) : undefined));
    } catch (err) {
      throw new UsageError(`--${(err as Error).message}`);
    }
    const report = await adminFor(io, 'report').report(positional[0]!, range);
    io.out(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return 0;
  },
};

export const attributionCommand: Command = {
  summary: 'attribution recompute [--campaign NAME] [--since DATE]: credit orders again from the raw clicks and opens',
  usage: `almanac attribution recompute [--campaign NAME] [--since DATE] [--json]

Marks orders to be credited again: the next ticks of the running server or worker rebuild their
credits under every model from the raw clicks, opens and landing UTMs, with each campaign's
current goal.attribution windows — so changing a window rewrites history. --since (YYYY-MM-DD or
an ISO instant) limits it to orders placed since then; --campaign to orders that campaign could be
credited with (already credited, naming it in utm_campaign, or of a contact it mailed). Prints how
many orders were marked. Through the running server (or ALMANAC_URL) like plan and apply.`,
  async run(args, io) {
    const { flags, positional } = parseFlags(args, { booleans: ['json'], values: ['campaign', 'since'] });
    if (positional[0] !== 'recompute' || positional.length > 1)
      throw new UsageError(
        positional[0] && positional[0] !== 'recompute' ? `unknown subcommand "${positional[0]}"` : 'expected: attribution recompute',
      );
    let since: Date | undefined;
    if (typeof flags.since === 'string') {
      try {
        since = reportRange((n) => (n === 'from' ? (flags.since as string) : undefined)).from;
      } catch {
        throw new UsageError(`--since: expected a date such as 2026-12-01 or an ISO instant (got "${flags.since}")`);
      }
    }
    const campaign = typeof flags.campaign === 'string' ? flags.campaign : undefined;
    const { orders } = await adminFor(io, 'attribution').recomputeAttribution({
      ...(since ? { since } : {}),
      ...(campaign ? { campaign } : {}),
    });
    io.out(flags.json ? `${JSON.stringify({ orders })}\n` : `${orders} order(s) marked: the next ticks credit them again\n`);
    return 0;
  },
};

export const linkCommand: Command = {
  summary: 'link create --campaign NAME --network N --to URL: a signed, UTM-tagged campaign link for any channel',
  usage: `almanac link create --campaign NAME --network facebook|instagram|google|sms|… --to URL [--json]

Mints PUBLIC_URL/c/TOKEN for a post, an ad or an SMS: it redirects to URL (checked: http/https,
no userinfo, at most 2048 characters, one of LINK_ALLOWED_HOSTS when set) with utm_source=NETWORK,
utm_medium (social, cpc, sms… by network) and utm_campaign (the campaign's utm.campaign, else its
id) added. Clicks are counted per campaign and network, and orders that land with those UTMs are
credited to the campaign (almanac report shows them per network). Through the running server (or
ALMANAC_URL) like plan and apply.`,
  async run(args, io) {
    const { flags, positional } = parseFlags(args, { booleans: ['json'], values: ['campaign', 'network', 'to'] });
    if (positional[0] !== 'create' || positional.length > 1)
      throw new UsageError(positional[0] && positional[0] !== 'create' ? `unknown subcommand "${positional[0]}"` : 'expected: link create');
    const missing = (['campaign', 'network', 'to'] as const).filter((k) => typeof flags[k] !== 'string');
    if (missing.length) throw new UsageError(`missing ${missing.map((k) => `--${k}`).join(', ')}`);
    const link = await adminFor(io, 'link').createLink({
      campaign: flags.campaign as string,
      network: flags.network as string,
      to: flags.to as string,
    });
    io.out(flags.json ? `${JSON.stringify(link, null, 2)}\n` : `${link.url}\n  → ${link.target}\n`);
    return 0;
  },
};
