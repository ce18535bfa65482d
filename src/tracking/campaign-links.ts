import type { CampaignPlan } from '../dsl/plan';
import { AppError } from '../errors';
import { latestVersions } from '../storage/campaign-versions';
import type { Database } from '../storage/db';
import { insertCampaignLink } from '../storage/tracking';
import { safeRedirectTarget } from './redirect-target';
import { clickUrl } from './tokens';
import { withUtm } from './utm';
import { hostAllowed } from '../lib/hosts';

export interface CampaignLinkInput {
  campaign: string;
  /** The channel: facebook, instagram, google, sms, … (lower-case word). */
  network: string;
  /** Where the link goes. */
  to: string;
}

export interface CampaignLink {
  id: number;
  campaign: string;
  network: string;
  /** The link to publish: PUBLIC_URL/c/TOKEN. */
  url: string;
  /** Where it redirects: `to`, normalised, with the UTM pairs. */
  target: string;
}

/** utm_medium by network: what analytics tools group these channels under. */
const MEDIUM: Record<string, string> = {
  facebook: 'social',
  instagram: 'social',
  tiktok: 'social',
  linkedin: 'social',
  x: 'social',
  twitter: 'social',
  pinterest: 'social',
  youtube: 'social',
  google: 'cpc',
  bing: 'cpc',
  sms: 'sms',
  whatsapp: 'messaging',
  email: 'email',
};

/**
 * A signed short link for a campaign on any channel (`almanac link create`, `POST /v1/links`):
 * the destination is parsed with the WHATWG URL parser and must pass `safeRedirectTarget`
 * (http/https, no userinfo, ≤ 2048 characters…) and, when LINK_ALLOWED_HOSTS is set, name one of
 * those hosts; it gets `utm_source=<network>`, `utm_medium` (social, cpc, sms… by network, else
 * referral) and `utm_campaign` (the campaign's `utm.campaign`, else its id) unless it has them.
 * Clicks on it are counted per campaign and network; an order landing with those UTMs is credited
 * to the campaign (the `utm` model) and reported per network. Bad input → 400 naming the field.
 */
export async function mintCampaignLink(
  database: Database,
  input: CampaignLinkInput,
  o: { publicUrl: string; signingKey: string; allowedHosts?: readonly string[] },
): Promise<CampaignLink> {
  const problems: Array<{ field: string; message: string }> = [];
  if (typeof input.network !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,39}$/.test(input.network))
    problems.push({ field: 'network', message: 'expected a lower-case channel name such as facebook, google or sms' });
  const safe = typeof input.to === 'string' ? safeRedirectTarget(input.to.trim()) : undefined;
  if (!safe?.ok)
    problems.push({ field: 'to', message: `expected an http(s) URL to send people to${safe && !safe.ok ? ` (${safe.reason})` : ''}` });
  else if (o.allowedHosts?.length && !hostAllowed(new URL(safe.url).hostname, o.allowedHosts))
    problems.push({ field: 'to', message: `the host is not one of LINK_ALLOWED_HOSTS (${o.allowedHosts.join(', ')})` });
  return database.db.transaction(async (tx) => {
    const version = (await latestVersions(tx)).find((v) => v.kind === 'campaign' && v.campaign === input.campaign);
    if (!version) problems.push({ field: 'campaign', message: `no campaign "${String(input.campaign).slice(0, 100)}" is applied` });
    if (problems.length || !safe?.ok || !version)
      throw new AppError('validation_failed', problems.map((p) => `${p.field}: ${p.message}`).join('; '), {
        details: { errors: problems },
      });
    const plan = version.plan as Pick<CampaignPlan, 'utm'>;
    const target = withUtm(safe.url, {
      source: input.network,
      medium: MEDIUM[input.network] ?? 'referral',
      campaign: plan.utm?.campaign ?? input.campaign,
    });
    const id = await insertCampaignLink(tx, { campaign: input.campaign, network: input.network, url: target });
    return { id, campaign: input.campaign, network: input.network, url: clickUrl(o.publicUrl, id, o.signingKey), target };
  });
}
