import type { AnalyticsViews } from '../reports/analytics';
import type { CampaignLink } from '../tracking/campaign-links';
import type { CampaignReport } from '../reports/campaign';
import { AppError, type ErrorCode } from '../errors';
import type { CalendarView } from '../forecast/view';
import type { PreviewSubject } from '../render/preview-source';
import type { AdminReport } from '../campaigns/admin';
import type { ErasureReport } from '../consent/erase';
import type { UnmergeReport } from '../contacts/unmerge';
import type { ContactExport } from '../consent/export';
import type { ContactTimeline } from '../reports/contact-timeline';
import type { DispatchStatus, PauseStatus } from '../storage/dispatch-pause';
import type { AdminApi } from './admin';
import { remoteImport } from './admin-remote-import';

export interface RemoteAdminOptions {
  /** The server's base URL, e.g. http://127.0.0.1:8787 (ALMANAC_URL, or the one the server announced). */
  url: string;
  /** Sent as `Authorization: Bearer KEY`: one of the server's ADMIN_API_KEYS, or its local token. */
  key: string;
  fetch?: typeof fetch;
}

/**
 * The admin API of a running server (`/v1/admin/*`, src/http/admin.ts). The server compiles the
 * sources again and answers what the local adapter would; its error bodies `{ error: { code,
 * message, details } }` come back as the same AppError (so the CLI prints the server's message),
 * and a server that cannot be reached is one line naming the URL.
 */
export function createRemoteAdmin(options: RemoteAdminOptions): AdminApi {
  const base = options.url.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;

  async function call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; value: T }> {
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${options.key}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      throw new AppError('unavailable', `cannot reach the Almanac server at ${base}: ${reason(err)}`, { cause: err });
    }
    const text = await res.text().catch(() => '');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (res.ok && value !== undefined) return { status: res.status, value: value as T };
    const error = (value as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
    if (!res.ok && error && typeof error.message === 'string') {
      const code = (typeof error.code === 'string' ? error.code : 'internal') as ErrorCode;
      // A refused key says which server refused it; every other message is the server's own, as the local run would print it.
      const message = res.status === 401 ? `the Almanac server at ${base} refused the key: ${error.message}` : error.message;
      throw new AppError(code, message, { status: res.status, details: error.details });
    }
    throw new AppError(
      'unavailable',
      res.ok
        ? `the Almanac server at ${base} answered ${method} ${path} with something that is not JSON`
        : `the Almanac server at ${base} answered ${method} ${path} with ${res.status} ${res.statusText}`.trimEnd(),
    );
  }

  return {
    via: base,
    async plan(sources, options) {
      const f = options?.forecast;
      const forecast = f && { days: f.days, ...(f.from === undefined ? {} : { from: f.from }), now: f.now.toISOString() };
      return (await call<AdminReport>('POST', '/v1/admin/plan', forecast ? { ...sources, forecast } : sources)).value;
    },
    apply: async (sources) => (await call<AdminReport>('POST', '/v1/admin/apply', sources)).value,
    async calendar(range, now) {
      const query = new URLSearchParams({ from: range.from, to: range.to, now: now.toISOString() });
      return (await call<{ applied: boolean; view?: CalendarView }>('GET', `/v1/admin/calendar?${query}`)).value;
    },
    async previewSubject(idOrEmail, triggerType) {
      const query = triggerType === undefined ? '' : `?${new URLSearchParams({ trigger: triggerType })}`;
      try {
        return (await call<PreviewSubject>('GET', `/v1/admin/preview-subject/${encodeURIComponent(idOrEmail)}${query}`)).value;
      } catch (err) {
        // The route's own 404 names the contact; any other (an older server without the route) stays an error.
        if (err instanceof AppError && err.status === 404 && (err.details as { contact?: unknown } | undefined)?.contact === idOrEmail) {
          return undefined;
        }
        throw err;
      }
    },
    exportContact: (externalId) =>
      orAbsent(externalId, () => call<ContactExport>('GET', `/v1/admin/contacts/${encodeURIComponent(externalId)}/export`)),
    contactTimeline: (ref) => orAbsent(ref, () => call<ContactTimeline>('GET', `/v1/admin/contacts/${encodeURIComponent(ref)}/timeline`)),
    eraseContact: (externalId, { dryRun }) =>
      orAbsent(externalId, () =>
        dryRun
          ? call<ErasureReport>('GET', `/v1/admin/contacts/${encodeURIComponent(externalId)}/erasure`)
          : call<ErasureReport>('DELETE', `/v1/admin/contacts/${encodeURIComponent(externalId)}`),
      ),
    unmerge: async (mergeId) => (await call<UnmergeReport>('POST', `/v1/admin/contact-merges/${mergeId}/revert`)).value,
    status: async () => (await call<DispatchStatus>('GET', '/v1/admin/status')).value,
    resume: async () => (await call<PauseStatus[]>('POST', '/v1/admin/resume')).value,
    createLink: async (input) => (await call<CampaignLink>('POST', '/v1/admin/links', input)).value,
    recomputeAttribution: async (options) =>
      (
        await call<{ orders: number }>('POST', '/v1/admin/attribution/recompute', {
          ...(options.since ? { since: options.since.toISOString() } : {}),
          ...(options.campaign ? { campaign: options.campaign } : {}),
        })
      ).value,
    analytics: async (period, now) =>
      (
        await call<AnalyticsViews>(
          'GET',
          `/v1/admin/analytics?now=${encodeURIComponent(now.toISOString())}${period ? `&period=${period}` : ''}`,
        )
      ).value,
    importContacts: (request) => remoteImport({ base, key: options.key, fetch: doFetch }, request),
    report: async (campaign, range) => {
      const q = new URLSearchParams();
      if (range.from) q.set('from', range.from.toISOString());
      if (range.to) q.set('to', range.to.toISOString());
      const query = q.size ? `?${q}` : '';
      return (await call<CampaignReport>('GET', `/v1/admin/reports/${encodeURIComponent(campaign)}${query}`)).value;
    },
  };
}

/** The contact routes' own 404 (it names the contact) is "absent"; any other error (an older server without the route) stays one. */
async function orAbsent<T>(externalId: string, fn: () => Promise<{ value: T }>): Promise<T | undefined> {
  try {
    return (await fn()).value;
  } catch (err) {
    if (err instanceof AppError && err.status === 404 && (err.details as { contact?: unknown } | undefined)?.contact === externalId) {
      return undefined;
    }
    throw err;
  }
}

/** Why a fetch failed, in a few words: `connect ECONNREFUSED 127.0.0.1:8787`, `getaddrinfo ENOTFOUND host`. */
function reason(err: unknown): string {
  const cause = (err as { cause?: { message?: unknown; code?: unknown } } | undefined)?.cause;
  const text =
    (typeof cause?.message === 'string' && cause.message) ||
    (typeof cause?.code === 'string' && cause.code) ||
    (err instanceof Error ? err.message : String(err));
  return text.split('\n')[0]!;
}
