import type { Condition } from './condition';

/**
 * A compiled campaign: what `almanac apply` stores in `campaign_versions.plan` and what the
 * journey engine runs. Only the compiler (src/dsl/compile/) makes one, and `revivePlan` reads one
 * back from the database; anything else is refused (the `$$almanac` marker, as graphile/worker's
 * `$$isParsed`). Plain JSON: dates are ISO strings, durations milliseconds.
 */
export const PLAN_MARKER = 'almanac.campaign-plan';
export const PLAN_VERSION = 1;

export type Purpose = string; // e.g. email.marketing, email.transactional

/** An event trigger's `within` when the file gives none: 24 hours. */
export const DEFAULT_TRIGGER_WITHIN_MS = 86_400_000;

export type Trigger =
  | {
      kind: 'event';
      event: string;
      where?: Condition;
      correlate?: string;
      /**
       * `within:` — the oldest an event may be when it arrives (arrival − `occurred_at`) and still
       * start a run; an older one starts none (event time, not processing time: a backfill or a
       * late replay does not mail people about last week). `null` is `within: any` (any age).
       * Always present on a compiled event trigger: DEFAULT_TRIGGER_WITHIN_MS when the file
       * gives none (and `revivePlan` fills it in on plans stored before it existed).
       */
      withinMs: number | null;
    }
  | {
      kind: 'schedule';
      /** RFC 5545 RRULE body without DTSTART, e.g. FREQ=WEEKLY;BYDAY=TU;BYHOUR=10 */
      rrule: string;
      /** `contact`: each contact's local time; otherwise an IANA zone. */
      timezone: 'contact' | string;
      /** Local date-times (YYYY-MM-DDTHH:mm) bounding the series. */
      start?: string;
      until?: string;
    }
  | { kind: 'at'; at: string; timezone: 'contact' | string }
  | { kind: 'segment'; change: 'enters' | 'leaves'; segment: string; condition: Condition };

export type ReEntry = { mode: 'never' } | { mode: 'always' } | { mode: 'after'; ms: number };

/**
 * Every step has a stable `key`: its `id:` when the author gave one, else its path from the
 * root, JSON-path style: `steps[1]`, `steps[2].on_timeout[0]`, `steps[2].on_timeout[0].branch[1].steps[0]`,
 * `….branch.otherwise[0]`, `….split.A[0]`. In-flight runs find their place in a new version by key.
 * `line`/`col` point into the source file, for messages.
 */
interface StepBase {
  key: string;
  line: number;
  col: number;
}

export type Step = StepBase &
  (
    | { kind: 'wait'; ms: number }
    /**
     * Wait for a correlated event (`where` on its properties). If it comes, continue after this
     * step; if `timeoutMs` passes first, run `onTimeout` and then continue after this step.
     */
    | { kind: 'wait_until'; event: string; timeoutMs: number; where?: Condition; onTimeout: Step[] }
    | { kind: 'send'; template: string; subject?: string; data?: Record<string, unknown> }
    /** First arm whose `when` holds runs, else `otherwise`; then continue after the branch. */
    | { kind: 'branch'; arms: Array<{ when: Condition; steps: Step[] }>; otherwise: Step[] }
    /** Sticky random split: a contact always lands in the same arm. Percents sum to 100. */
    | { kind: 'split'; arms: Array<{ name: string; percent: number; steps: Step[] }> }
    | { kind: 'update'; attributes: Record<string, unknown> }
    | { kind: 'emit'; event: string; properties?: Record<string, unknown> }
    /**
     * A signed outbound call (SMS gateway, CRM, Slack): POST `url` with `body` (its strings are
     * handlebars over what templates see), signed with the configured secret named `secret`
     * (else WEBHOOK_SECRET), exactly once per run and step. The run waits for it to settle, like
     * a send. `gate`: what holds or stops the call (defaults from the purpose, src/dsl/compile/webhook.ts).
     */
    | { kind: 'webhook'; url: string; body: WebhookBody; secret?: string; gate: WebhookGate }
    | { kind: 'exit' }
  );

/** A webhook step's body: JSON whose strings are handlebars templates. */
export type WebhookBody = Record<string, unknown> | unknown[];

/**
 * What a webhook call waits for or is stopped by, before it is made: `consent` (the campaign's
 * purpose, else suppressed), `quietHours` and `blackout` (the calendar's, held until allowed).
 * Frequency caps never apply to webhook calls.
 */
export interface WebhookGate {
  consent: boolean;
  quietHours: boolean;
  blackout: boolean;
}

export type StepKind = Step['kind'];

export interface CampaignPlan {
  readonly $$almanac: typeof PLAN_MARKER;
  readonly planVersion: typeof PLAN_VERSION;
  id: string;
  name: string;
  /** Source file relative to the project root, e.g. campaigns/abandoned-cart.yaml */
  file: string;
  purpose: Purpose;
  priority: number;
  trigger: Trigger;
  audience?: Condition;
  reEntry: ReEntry;
  exitOn: Array<{ event: string; where?: Condition }>;
  goal?: { event: string; attribution: { clickMs: number; openMs: number } };
  holdoutPercent: number;
  /** `utm:` — the UTM pairs tracked links of this campaign get (defaults: almanac / email / the campaign id, src/tracking/utm.ts). */
  utm?: { source?: string; medium?: string; campaign?: string; content?: string };
  /** On apply, move running runs to this version by step key (else they finish on theirs). */
  migrate: boolean;
  steps: Step[];
}

/** calendar.yaml, compiled. Times of day are minutes after local midnight. */
export interface CalendarPlan {
  timezone: string;
  quietHours?: { fromMinute: number; toMinute: number };
  blackout: Array<({ date: string } | { rrule: string }) & { reason: string }>;
  frequencyCaps: Array<{ purpose: Purpose | 'any'; max: number; perMs: number }>;
  onConflict: 'defer' | 'skip';
  seasons: Array<{ name: string; from: string; to: string }>;
  /**
   * The consent purposes the shop asks for (`purposes:`), as the preference centre and the
   * unsubscribe page show them: a label and a description per locale (`en` is the fallback;
   * a plain string in the file is `en`). Absent in plans stored before `purposes:` existed: read
   * as none, and pages then show the purpose id.
   */
  purposes?: PurposePlan[];
}

export interface PurposePlan {
  id: Purpose;
  label: Record<string, string>;
  description: Record<string, string>;
  /** A grant stays pending until the person confirms it by mail (double opt-in). */
  doubleOptIn: boolean;
}

/** A label or description in `locale` (`pl-PL` → `pl` → `en` → any). */
export function localised(texts: Record<string, string>, locale: string | null | undefined): string | undefined {
  const tag = (locale ?? '').toLowerCase();
  return texts[tag] ?? texts[tag.split(/[-_]/)[0]!] ?? texts.en ?? Object.values(texts)[0];
}

/** The calendar when none is applied (or calendar.yaml is empty): UTC, no rules. */
export const emptyCalendar = (): CalendarPlan => ({ timezone: 'UTC', blackout: [], frequencyCaps: [], onConflict: 'defer', seasons: [] });

/** Campaigns with this purpose (receipts, opt-in confirmations) need no marketing consent, carry no unsubscribe link and skip caps. */
export const TRANSACTIONAL_PURPOSE = 'email.transactional';

/**
 * The event ingestion stores in place of a `consent.granted` for a `double_opt_in` purpose (the
 * ledger holds it as pending); the confirmation campaign is triggered by it, and its mail carries
 * `{{send.confirm_url}}`. Only ingestion makes it; the API refuses it as input.
 */
export const CONSENT_REQUESTED = 'consent.requested';

/** A whole campaigns folder, compiled and cross-checked. */
export interface Project {
  campaigns: CampaignPlan[];
  segments: Record<string, Condition>;
  calendar: CalendarPlan;
  /** Template names found under templates/. */
  templates: string[];
  /** The raw text of each campaign file, keyed by campaign id (hashed for versions). */
  sources: Record<string, string>;
  /**
   * Every file under templates/ (`path` relative to it, with `/`), sorted by path: `apply` stores
   * each added, changed or removed one as a version (src/campaigns/diff.ts). Absent: the caller
   * sent no template files, and apply leaves the stored ones as they are.
   */
  templateFiles?: Array<{ path: string; text: string }>;
}

export function isCampaignPlan(value: unknown): value is CampaignPlan {
  const v = value as Partial<CampaignPlan> | null;
  return !!v && v.$$almanac === PLAN_MARKER && v.planVersion === PLAN_VERSION;
}

/**
 * Read a plan back from `campaign_versions.plan`.
 *
 * Fields added to the plan after it was first stored keep `planVersion` 1 and get their default
 * here, so every stored version stays runnable: an event trigger without `withinMs` (stored before
 * `within:` existed) reads as DEFAULT_TRIGGER_WITHIN_MS, as the same file compiles to today. The
 * stored JSON is not changed (nor is a campaign's content hash, which is of its file's text).
 */
export function revivePlan(json: unknown): CampaignPlan {
  if (!isCampaignPlan(json)) {
    throw new Error('not a compiled CampaignPlan: compile campaign files with compileProject() (src/dsl/compile)');
  }
  const trigger = json.trigger as Trigger & { withinMs?: number | null };
  if (trigger.kind === 'event' && trigger.withinMs === undefined) {
    return { ...json, trigger: { ...trigger, withinMs: DEFAULT_TRIGGER_WITHIN_MS } };
  }
  return json;
}
