import { fileURLToPath } from 'node:url';
import rrulePkg from 'rrule';
import { compileProject } from '../../src/dsl/compile/index';
import type { CalendarPlan, CampaignPlan } from '../../src/dsl/plan';
import { localToInstant } from '../../src/calendar/zone';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** The instant `local` names in `zone` (tests read better in wall time). */
export const at = (local: string, zone: string): Date => localToInstant(local, zone);

/** A calendar with nothing in it but the zone, for tests that add one rule at a time. */
export const emptyCalendar = (over: Partial<CalendarPlan> = {}): CalendarPlan => ({
  timezone: 'Europe/Warsaw',
  blackout: [],
  frequencyCaps: [],
  onConflict: 'defer',
  seasons: [],
  ...over,
});

/** The sample project in campaigns/ and templates/, compiled by the real compiler. */
export async function sampleProject(): Promise<{ calendar: CalendarPlan; campaign: (id: string) => CampaignPlan }> {
  const root = (dir: string) => fileURLToPath(new URL(`../../${dir}`, import.meta.url));
  const result = await compileProject({ campaignsDir: root('campaigns'), templatesDir: root('templates') });
  if (!result.ok) throw new Error(`sample project does not compile: ${result.errors.map((e) => e.message).join('; ')}`);
  const { project } = result;
  return {
    calendar: project.calendar,
    campaign: (id) => {
      const plan = project.campaigns.find((c) => c.id === id);
      if (!plan) throw new Error(`no sample campaign ${id}`);
      return plan;
    },
  };
}

const { RRule } = rrulePkg;

/** rrule iterating from DTSTART with no shortcut: the slow reference floatingBetween must agree with. */
export function reference(rule: string, anchor: number, from: number, to: number): number[] {
  return new RRule({ ...RRule.parseString(rule), dtstart: new Date(anchor) }, true)
    .between(new Date(from), new Date(to), true)
    .map((d) => d.getTime())
    .filter((t) => t >= from && t < to);
}
