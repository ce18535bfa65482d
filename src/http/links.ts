import { Hono } from 'hono';
import { AppError } from '../errors';
import type { Database } from '../storage/db';
import { type CampaignLinkInput, mintCampaignLink } from '../tracking/campaign-links';
import { parseJson } from './events-input';
import { apiKey } from './middleware/api-key';

export interface LinkMinting {
  publicUrl: string;
  signingKey: string;
  /** LINK_ALLOWED_HOSTS (empty: any host). */
  allowedHosts: readonly string[];
}

/** `{ campaign, network, to }` from a JSON body, or a 400 naming what is wrong. */
export async function linkInput(text: string, jsonMaxDepth?: number): Promise<CampaignLinkInput> {
  const body = parseJson(text, jsonMaxDepth === undefined ? {} : { maxDepth: jsonMaxDepth });
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new AppError('validation_failed', '(body): expected { campaign, network, to }', { details: { errors: [{ field: '(body)' }] } });
  const b = body as Record<string, unknown>;
  const missing = (['campaign', 'network', 'to'] as const).filter((k) => typeof b[k] !== 'string');
  if (missing.length)
    throw new AppError('validation_failed', missing.map((k) => `${k}: required (a string)`).join('; '), {
      details: { errors: missing.map((field) => ({ field, message: 'required (a string)' })) },
    });
  return { campaign: b.campaign as string, network: b.network as string, to: b.to as string };
}

/**
 * `POST /v1/links` (bearer API key): mint a signed campaign link for another channel —
 * `{ campaign, network, to }` → 201 `{ id, campaign, network, url, target }` (src/tracking/campaign-links.ts).
 */
export function linkRoutes(deps: { database: Database; apiKeys: readonly string[]; minting: LinkMinting; jsonMaxDepth?: number }) {
  const app = new Hono();
  app.post('/v1/links', apiKey({ keys: deps.apiKeys }), async (c) =>
    c.json(await mintCampaignLink(deps.database, await linkInput(await c.req.text(), deps.jsonMaxDepth), deps.minting), 201),
  );
  return app;
}
