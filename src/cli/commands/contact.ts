import { AppError } from '../../errors';
import type { ErasureReport } from '../../consent/erase';
import { type Command, UsageError } from '../command';
import { adminFor, parseFlags } from '../project';
import { formatTimeline } from './contact-show';
import { mergeIdOf } from '../../contacts/unmerge';

const notFound = (id: string) => new AppError('not_found', `no contact with external id "${id}"`, { details: { contact: id } });

/** The counts of an erasure, one `kind: n` per line, in a fixed order. */
function countLines(report: ErasureReport): string {
  return Object.entries(report.counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, n]) => `  ${kind}: ${n}\n`)
    .join('');
}

export const contactCommand: Command = {
  summary: 'GDPR: export everything held about a contact, or erase them; show their timeline (why did they get this mail?)',
  usage: `almanac contact show ID [--json]
       almanac contact ID [--json]
       almanac contact export ID
       almanac contact erase ID [--yes] [--json]
       almanac contact unmerge MERGE_ID [--json]

show prints the contact's timeline: profile, lifecycle stage, consent ledger, suppressions,
runs with every send (step, template, status, and why it was held, suppressed, failed or
cancelled), clicks, opens, orders with the campaigns credited, and everything merged in time
order, each send with the campaign, run, step and trigger event that caused it; and every
identifier the person is known by and every merge that joined contacts into this one. ID is the
external id, any whole identifier (email:…, shopify:SHOP:ID, phone:+…, external:SOURCE:ID), an
email, or #N for the numeric contact id. --json prints the same as
GET /v1/contacts/:id/timeline. It changes nothing.

export prints, as JSON, everything held about the contact with external id ID: profile,
identifiers, events, consent ledger, runs, sends, clicks, opens, orders, segments, the
suppressions of their address and the outbox messages addressed to them. It changes nothing.

erase deletes the contact and everything about them in one transaction: active runs end
(exit reason "erased"), queued and deferred sends are cancelled, the contact row with its
events, consent ledger, runs, sends, clicks, opens and segment memberships is deleted, and so
are the outbox messages addressed to them; orders stay, no longer linked to anyone. The address
is kept only as an HMAC suppression (reason "erased"), lifted by a consent granted later, and
the erasure is logged without personal data. Without --yes it only says what it would delete
(exit 2). A second erase of the same ID finds nobody (exit 1).

unmerge reverts a merge (its id is in show's merges): the merged contact comes back under its
old id with its identifiers and everything the merge moved (runs, sends, events, orders, clicks,
opens, consent); the withdrawals and suppressions the merge added go; what happened after the
merge stays with the survivor, runs the merge ended stay ended, and the two are not merged again
automatically.

Through the running server (or ALMANAC_URL) like plan and apply.`,
  async run(args, io) {
    const { flags, positional } = parseFlags(args, { booleans: ['yes', 'json'] });
    if (positional[0] === 'unmerge') {
      const [, id, extra] = positional;
      if (!id) throw new UsageError('name the merge: almanac contact unmerge MERGE_ID');
      if (extra) throw new UsageError(`unexpected argument "${extra}"`);
      if (flags.yes) throw new UsageError('unmerge takes only --json');
      const report = await adminFor(io, 'contact').unmerge(mergeIdOf(id));
      io.out(
        flags.json
          ? `${JSON.stringify(report, null, 2)}\n`
          : `reverted merge ${report.merge_id}: contact #${report.restored_contact_id} is back beside #${report.survivor_contact_id}\n` +
              Object.entries(report.moved_back)
                .filter(([, n]) => n > 0)
                .map(([k, n]) => `  ${k}: ${n}\n`)
                .join(''),
      );
      return 0;
    }
    if (positional[0] !== 'export' && positional[0] !== 'erase') {
      const [ref, extra] = positional[0] === 'show' ? positional.slice(1) : positional;
      if (!ref) throw new UsageError('expected "show ID", "export ID" or "erase ID"');
      if (extra) throw new UsageError(`unexpected argument "${extra}"`);
      if (flags.yes) throw new UsageError('show takes only --json');
      const timeline = await adminFor(io, 'contact').contactTimeline(ref);
      if (!timeline) throw new AppError('not_found', `no contact with external id or id "${ref}"`, { details: { contact: ref } });
      io.out(flags.json ? `${JSON.stringify(timeline, null, 2)}\n` : formatTimeline(timeline));
      return 0;
    }
    const [action, id, extra] = positional;
    if (!id) throw new UsageError(`name the contact's external id: almanac contact ${action} ID`);
    if (extra) throw new UsageError(`unexpected argument "${extra}"`);
    if (action === 'export') {
      if (flags.yes || flags.json) throw new UsageError('export takes no options (it always prints JSON)');
      const data = await adminFor(io, 'contact').exportContact(id);
      if (!data) throw notFound(id);
      io.out(`${JSON.stringify(data, null, 2)}\n`);
      return 0;
    }
    const admin = adminFor(io, 'contact');
    if (!flags.yes) {
      const preview = await admin.eraseContact(id, { dryRun: true });
      if (!preview) throw notFound(id);
      io.err(
        `almanac contact: not erasing without --yes. This would delete contact "${id}" and:\n${countLines(preview)}` +
          `and keep ${preview.suppressed ? 'only an HMAC suppression of the address (reason "erased")' : 'nothing of an address (it has none)'}; orders stay, unlinked.\n` +
          `Run again with --yes to erase.\n`,
      );
      return 2;
    }
    const report = await admin.eraseContact(id, { dryRun: false });
    if (!report) throw notFound(id);
    if (flags.json) {
      io.out(
        `${JSON.stringify({ id: report.id, erased: report.erased, counts: report.counts, suppressed: report.suppressed }, null, 2)}\n`,
      );
    } else {
      io.out(
        `erased contact "${id}":\n${countLines(report)}` +
          (report.suppressed
            ? 'address kept only as an HMAC suppression (reason "erased")\n'
            : 'no address suppression written (no email, or already suppressed)\n'),
      );
    }
    return 0;
  },
};
