import { type Node, isMap, isScalar, isSeq } from 'yaml';
import { hostAllowed } from '../../lib/hosts';
import { parseTemplate } from '../../render/hbs-syntax';
import type { Step, WebhookBody, WebhookGate } from '../plan';
import { deref, describe, error } from '../source';
import { didYouMean, listing } from '../suggest';
import { type Entries, placeOf, readBool, readMap, required, toJson } from './read';
import type { StepContext } from './step-context';

export type { WebhookRules } from './step-context';

type WebhookStep = Omit<Extract<Step, { kind: 'webhook' }>, 'key' | 'line' | 'col'>;

/** Plain http is for a receiver on this machine only (development, tests). */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];
const URL_MAX = 2048;
/** Names a secret goes by in WEBHOOK_SECRETS (the same rule as the variable's parser). */
const SECRET_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** Body keys whose literal value would be a credential written into the campaign file. */
const CREDENTIAL_KEY = /^(api[_-]?key|apikey|secret|client[_-]?secret|token|access[_-]?token|auth|authorization|password|passwd)$/i;
/** Receivers whose URL is itself the credential (anyone holding it may post): it must not be written in a campaign file. */
const SECRET_URLS: Array<[RegExp, string]> = [
  [/^hooks\.slack\.com$/, 'a Slack incoming-webhook URL'],
  [/^(discord|discordapp)\.com$/, 'a Discord webhook URL'],
  [/(^|\.)webhook\.office\.com$/, 'a Microsoft Teams webhook URL'],
];
/** Query parameters that carry credentials. */
const CREDENTIAL_PARAM = /^(api[_-]?key|apikey|key|secret|token|access[_-]?token|auth|sig|signature|password)$/i;

/**
 * `webhook: { url, body, secret, gate }`:
 *
 * - `url`: absolute `https://` (plain `http://` only to localhost / 127.0.0.1 / [::1]), no
 *   `user:password@`, no credentials in the query, at most 2048 characters, not a template (the
 *   host is fixed in the file; contact data goes in the body), a host of WEBHOOK_ALLOWED_HOSTS when set.
 * - `body`: a map or list (default `{}`); every string is a handlebars template over what mail
 *   templates see (`contact.*`, `trigger.*`, `cart.*`, `customer.*`, `campaign.*`), checked for
 *   syntax here; a string that is one `{{path}}` keeps its value's type (src/render/webhook-body.ts).
 * - `secret`: the NAME of a secret in WEBHOOK_SECRETS (absent: WEBHOOK_SECRET). A secret itself
 *   never belongs in a campaign file: `whsec_…` anywhere in the step, or a literal value under a
 *   credential-like body key (`token`, `api_key`, `password`…), is an error.
 * - `gate`: `consent`, `quiet_hours`, `blackout` (true/false). Defaults: on for a marketing
 *   purpose — the call stands for a message to the person, so it needs their consent for the
 *   campaign's purpose and waits out quiet hours and blackout days like mail — and off for
 *   `email.transactional`. Frequency caps never apply: they count mail.
 */
export function compileWebhook(cx: StepContext, e: Entries): WebhookStep | undefined {
  const { source } = cx;
  const w = readMap(source, placeOf(e, 'webhook'), 'webhook', ['url', 'body', 'secret', 'gate']);
  if (!w) return undefined;
  const urlNode = required(source, w, 'url', 'webhook', 'url: https://crm.example/hooks/almanac');
  const url = urlNode && readUrl(cx, urlNode);
  const body = w.has('body') ? readBody(cx, w.get('body') ?? w.keyNode('body') ?? null) : {};
  const secret = readSecret(cx, w);
  const gate = w.has('gate') ? readGate(cx, placeOf(w, 'gate')) : defaultGate(cx.marketing ?? true);
  if (!w.complete || url === undefined || body === undefined || secret === null || gate === undefined) return undefined;
  return { kind: 'webhook', url, body, ...(secret === undefined ? {} : { secret }), gate };
}

export const defaultGate = (marketing: boolean): WebhookGate => ({ consent: marketing, quietHours: marketing, blackout: marketing });

function readUrl(cx: StepContext, node: Node): string | undefined {
  const { source } = cx;
  const raw = isScalar(node) && typeof node.value === 'string' ? node.value.trim() : undefined;
  const example = 'url: https://crm.example/hooks/almanac';
  if (!raw) return error(source, node, `webhook url must be text, got ${describe(node)}`, `e.g. ${example}`);
  if (raw.includes('{{'))
    return error(source, node, 'webhook url is not a template', 'write the address as it is and put contact data in body:');
  if (raw.length > URL_MAX) return error(source, node, `webhook url is longer than ${URL_MAX} characters`, 'shorten it');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return error(source, node, `webhook url "${raw}" is not an absolute URL`, `e.g. ${example}`);
  }
  if (raw.includes('whsec_') || url.username || url.password)
    return error(
      source,
      node,
      'webhook url carries a credential',
      'never write secrets in a campaign file: Almanac signs each call with the secret named by secret: NAME (WEBHOOK_SECRETS)',
    );
  const param = [...url.searchParams.keys()].find((k) => CREDENTIAL_PARAM.test(k));
  if (param !== undefined)
    return error(
      source,
      node,
      `webhook url carries a credential in "${param}="`,
      'never write secrets in a campaign file: the receiver verifies the webhook-signature made with secret: NAME (WEBHOOK_SECRETS)',
    );
  const secretUrl = SECRET_URLS.find(([host]) => host.test(url.hostname))?.[1];
  const discord = url.hostname === 'discord.com' || url.hostname === 'discordapp.com';
  if (secretUrl && (!discord || url.pathname.startsWith('/api/webhooks/')))
    return error(
      source,
      node,
      `webhook url is ${secretUrl}, which is itself a secret`,
      'never write secrets in a campaign file: call a relay of your own that verifies the webhook-signature and forwards the message',
    );
  const loopback = LOOPBACK_HOSTS.includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    return error(
      source,
      node,
      `webhook url must use https, got ${url.protocol.replace(/:$/, '')}`,
      'write https://… (plain http only to localhost or 127.0.0.1, for development)',
    );
  const allowed = cx.webhooks?.allowedHosts ?? [];
  if (allowed.length && !hostAllowed(url.hostname, allowed))
    return error(
      source,
      node,
      `webhook host ${url.hostname} is outside WEBHOOK_ALLOWED_HOSTS (${allowed.join(', ')})`,
      'call an allowed host, or add this one to WEBHOOK_ALLOWED_HOSTS',
    );
  return url.href;
}

function readBody(cx: StepContext, node: Node | null): WebhookBody | undefined {
  const { source } = cx;
  const value = deref(source, node);
  if (!isMap(value) && !isSeq(value))
    return error(
      source,
      value ?? node,
      `webhook body must be a map or a list, got ${describe(value)}`,
      'e.g. body: { to: "{{contact.phone}}" }',
    );
  let ok = true;
  const visit = (raw: unknown, key: string | undefined) => {
    const n = deref(source, raw);
    if (isMap(n)) {
      for (const pair of n.items) visit(pair.value, isScalar(pair.key) ? String(pair.key.value) : undefined);
    } else if (isSeq(n)) {
      for (const item of n.items) visit(item, undefined);
    } else if (isScalar(n) && typeof n.value === 'string') {
      ok = checkString(cx, n, n.value, key) && ok;
    } else if (isScalar(n) && key !== undefined && CREDENTIAL_KEY.test(key) && n.value !== null) {
      ok = credential(cx, n, key);
    }
  };
  visit(value, undefined);
  return ok ? (toJson(source, value) as WebhookBody) : undefined;
}

function checkString(cx: StepContext, node: Node, text: string, key: string | undefined): boolean {
  const { source } = cx;
  if (text.includes('whsec_') || (key !== undefined && CREDENTIAL_KEY.test(key) && !text.includes('{{') && text.trim() !== ''))
    return credential(cx, node, key);
  const parsed = parseTemplate(text);
  if (!parsed.ok) {
    error(source, node, `webhook body text is not a valid handlebars template: ${parsed.message}`, 'close every {{ with }}');
    return false;
  }
  return true;
}

function credential(cx: StepContext, node: Node, key: string | undefined): false {
  error(
    cx.source,
    node,
    `webhook body ${key === undefined ? 'text' : `"${key}"`} holds what looks like a secret`,
    'never write secrets in a campaign file: Almanac signs each call with the secret named by secret: NAME (WEBHOOK_SECRETS); fill other credentials from data, e.g. "{{contact.push_token}}"',
  );
  return false;
}

/** The secret's name; undefined when absent; null when wrong (reported). */
function readSecret(cx: StepContext, w: Entries): string | undefined | null {
  const { source } = cx;
  const rules = cx.webhooks?.secrets;
  if (!w.has('secret')) {
    if (rules && !rules.hasDefault)
      return (
        error(
          source,
          w.node,
          'webhook step names no secret and WEBHOOK_SECRET is not set',
          rules.names.length ? `add secret: ${rules.names[0]}, or set WEBHOOK_SECRET` : 'set WEBHOOK_SECRET=whsec_…',
        ) ?? null
      );
    return undefined;
  }
  const node = placeOf(w, 'secret');
  const name = isScalar(node) && typeof node.value === 'string' ? node.value.trim() : undefined;
  const literal =
    name !== undefined &&
    (name.startsWith('whsec_') || /[+/=]/.test(name) || (name.length >= 24 && /\d/.test(name) && /[a-z]/i.test(name)));
  if (name === undefined || literal || !SECRET_NAME.test(name))
    return (
      error(
        source,
        node,
        literal
          ? 'webhook secret: takes the name of a secret, not the secret itself'
          : `webhook secret must be a name, got ${describe(node)}`,
        literal
          ? 'put it in WEBHOOK_SECRETS as NAME=whsec_… and write secret: NAME here (and rotate it: it has been in this file)'
          : 'e.g. secret: crm (lower-case letters, digits, - and _), a name from WEBHOOK_SECRETS',
      ) ?? null
    );
  if (rules && !rules.names.includes(name))
    return (
      error(
        source,
        node,
        `unknown webhook secret "${name}"`,
        didYouMean(
          name,
          rules.names,
          rules.names.length ? `WEBHOOK_SECRETS names ${listing([...rules.names])}` : `add ${name}=whsec_… to WEBHOOK_SECRETS`,
        ),
      ) ?? null
    );
  return name;
}

function readGate(cx: StepContext, node: Node | null): WebhookGate | undefined {
  const { source } = cx;
  const m = readMap(source, node, 'webhook gate', null);
  if (!m) return undefined;
  const gate = defaultGate(cx.marketing ?? true);
  const keys: Record<string, keyof WebhookGate> = { consent: 'consent', quiet_hours: 'quietHours', blackout: 'blackout' };
  let ok = true;
  for (const k of m.keys) {
    const field = keys[k];
    if (field === undefined) {
      ok = false;
      error(
        source,
        m.keyNode(k),
        `unknown key "${k}" in webhook gate`,
        k === 'caps'
          ? 'frequency caps never apply to webhook calls (they count mail); remove it'
          : didYouMean(k, Object.keys(keys), `webhook gate takes ${listing(Object.keys(keys))}`),
      );
      continue;
    }
    const value = readBool(source, placeOf(m, k), `webhook gate ${k}`);
    if (value === undefined) ok = false;
    else gate[field] = value;
  }
  return ok ? gate : undefined;
}
