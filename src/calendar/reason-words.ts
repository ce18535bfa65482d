/**
 * Why a send was held or skipped, in a marketer's words (the stored reason stays the short code
 * reports group by): `cap:any:1/1d` → `frequency cap: at most 1 email per 1d across campaigns`,
 * `cap:email.marketing:3/7d` → `frequency cap: at most 3 email.marketing emails per 7d`,
 * `yield:abandoned-cart:cap:any:1/1d` → the cap's words + `: the slot is kept for abandoned-cart, …`
 * (priority look-ahead), `blackout: Christmas` → `blackout day (Christmas)`, a trigger that
 * started nothing (`audience`, `re_entry`, `already_running`) → `not entered: …`, a send
 * cancelled because its run ended (`run exited: exit_on:order.created`) → `its run ended first
 * (left: order.created happened (exit_on))`; anything else as it is.
 */
export function reasonWords(reason: string): string {
  const kept = /^yield:([^:]+):(.+)$/.exec(reason);
  if (kept) return `${reasonWords(kept[2]!)}: the slot is kept for ${kept[1]}, a higher-priority send due within the window`;
  const cap = /^cap:([^:]+):(\d+)\/(\S+)$/.exec(reason);
  if (cap) {
    const [, purpose, max, per] = cap;
    const n = Number(max);
    const what = purpose === 'any' ? `${n === 1 ? 'email' : 'emails'}` : `${purpose} ${n === 1 ? 'email' : 'emails'}`;
    return `frequency cap: at most ${n} ${what} per ${per}${purpose === 'any' ? ' across campaigns' : ''}`;
  }
  const blackout = /^blackout: (.+)$/.exec(reason);
  if (blackout) return `blackout day (${blackout[1]})`;
  const notEntered: Record<string, string> = {
    audience: 'not entered: outside the audience',
    re_entry: 'not entered: the re-entry rule (in this campaign before)',
    already_running: 'not entered: a run of this campaign for the same correlation key is in flight',
  };
  const ended = /^run (exited|completed|failed|holdout): (.+)$/.exec(reason);
  if (ended) return `its run ended first (${ended[1] === 'completed' ? 'completed' : exitWords(ended[2]!)})`;
  return notEntered[reason] ?? reason;
}

/** Why a run ended, in words (the stored exit reason stays the code). */
export function exitWords(reason: string): string {
  const on = /^exit_on:\s*(.+)$/.exec(reason);
  if (on) return `left: ${on[1]} happened (exit_on)`;
  const removed = /^step_(removed|missing):(.+)$/.exec(reason);
  if (removed) return `ended: its step ${removed[2]} is gone from the campaign's new version`;
  const words: Record<string, string> = {
    exit_step: 'ended at an exit step',
    erased: 'ended: the contact was erased (GDPR)',
    merged: 'ended: the contact was merged into another, whose run of this campaign goes on',
    step_limit: 'ended: too many steps in one go (a loop?)',
  };
  return words[reason] ?? reason;
}
