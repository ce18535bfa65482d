import type { CalendarPlan } from '../dsl/plan';
import { instantToLocal } from './zone';

export type Season = CalendarPlan['seasons'][number];

/**
 * The seasons a day belongs to (`from` and `to` inclusive). `date` is `YYYY-MM-DD`, or an instant
 * read in the calendar's zone. The compiler forbids overlapping seasons, so this holds at most
 * one, but callers get a list and need not rely on that.
 */
export function seasonsOn(date: string | Date, calendar: CalendarPlan): Season[] {
  const day = typeof date === 'string' ? date : instantToLocal(date, calendar.timezone).date;
  return calendar.seasons.filter((s) => s.from <= day && day <= s.to);
}
