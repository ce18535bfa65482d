import type { PauseStatus } from '../../storage/dispatch-pause';
import { type Command, UsageError } from '../command';
import { adminFor, parseFlags } from '../project';

const line = (p: PauseStatus) =>
  `  ${p.kind === 'account' ? 'account pause' : 'complaint-rate pause'} (holds ${p.holds === 'all' ? 'all sends' : 'marketing; transactional mail still goes'}) since ${p.since}: ${p.reason}\n`;

export const statusCommand: Command = {
  summary: 'say whether dispatch runs, and what holds it (account pause, complaint rate)',
  usage: `almanac status [--json]

Prints whether the dispatcher is sending, or which pauses hold it and why: the transport's
account pause (SES said the account cannot send: holds every send) and the complaint-rate
guard's (complaints per marketing send over COMPLAINT_RATE_MAX: holds marketing only). Both stay
until cleared with almanac resume. --json prints the same as GET /v1/admin/status. Through the
running server (or ALMANAC_URL) like plan and apply.`,
  async run(args, io) {
    const { flags, positional } = parseFlags(args, { booleans: ['json'] });
    if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
    const status = await adminFor(io, 'status').status();
    if (flags.json) io.out(`${JSON.stringify(status, null, 2)}\n`);
    else if (status.pauses.length === 0) io.out('dispatch: sending (no pause raised)\n');
    else io.out(`dispatch: PAUSED\n${status.pauses.map(line).join('')}Fix the cause, then run almanac resume.\n`);
    return 0;
  },
};

export const resumeCommand: Command = {
  summary: 'clear every dispatch pause (after fixing what raised it)',
  usage: `almanac resume [--json]

Clears the account pause and the complaint-rate pause in one transaction and prints what it
cleared; "nothing was paused" otherwise. Clearing a complaint-rate pause restarts its window, so
the complaints that raised it are not counted again (see README "SES feedback"). Through the
running server (or ALMANAC_URL) like plan and apply.`,
  async run(args, io) {
    const { flags, positional } = parseFlags(args, { booleans: ['json'] });
    if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
    const cleared = await adminFor(io, 'resume').resume();
    if (flags.json) io.out(`${JSON.stringify({ cleared }, null, 2)}\n`);
    else if (cleared.length === 0) io.out('nothing was paused: dispatch is sending\n');
    else io.out(`resumed: cleared\n${cleared.map(line).join('')}`);
    return 0;
  },
};
