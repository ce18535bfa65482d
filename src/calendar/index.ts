/** The marketing calendar's pure core: zones, occurrences, quiet hours, blackouts, caps, ICS (the forecast reads it from src/forecast/). */
export {
  type LocalTime,
  addDays,
  instantToLocal,
  isValidZone,
  localToInstant,
  offsetMs,
  requireZone,
  wallToInstant,
  zoneOrFallback,
} from './zone';
export { DEFAULT_ANCHOR, OCCURRENCE_LIMIT } from './floating';
export { type BroadcastTrigger, type Range, expandForZones, expandTrigger, triggerZone } from './occurrences';
export { type QuietHours, inQuietWindow, releaseFromQuietHours } from './quiet-hours';
export { SEARCH_DAYS, blackoutDays, blackoutOn, blackoutsBetween, heldBy, nextAllowedInstant } from './blackout';
export { type Season, seasonsOn } from './seasons';
export {
  type CapCandidate,
  type CapDecision,
  type CapInput,
  type FrequencyCap,
  type RecentSend,
  allocateCaps,
  formatDuration,
} from './caps';
export { type IcsCalendar, type IcsEvent, fold, text as icsText, toIcs } from './ics';
