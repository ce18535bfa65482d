/**
 * The UTM pairs of the page an order's buyer landed on (Shopify's `landing_site`, often a path
 * such as `/products/mug?utm_campaign=black-friday`; `properties.landing_url` on `order.created`):
 * an order is credited to the campaign its `utm_campaign` names even without a tracked click
 * (the `utm` model, src/attribution/models.ts). Pure; a value that does not parse keeps only
 * the URL. Values are cut at 200 characters (they are labels, not data).
 */
export interface LandingUtm {
  landingUrl: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
}

export function landingUtm(raw: unknown): LandingUtm {
  const none: LandingUtm = { landingUrl: null, utmSource: null, utmMedium: null, utmCampaign: null };
  if (typeof raw !== 'string' || raw.trim() === '') return none;
  const landingUrl = raw.slice(0, 2048);
  let url: URL;
  try {
    url = new URL(landingUrl, 'https://landing.invalid');
  } catch {
    return { ...none, landingUrl };
  }
  const param = (name: string) => {
    const v = url.searchParams.get(name)?.trim();
    return v ? v.slice(0, 200) : null;
  };
  return { landingUrl, utmSource: param('utm_source'), utmMedium: param('utm_medium'), utmCampaign: param('utm_campaign') };
}
