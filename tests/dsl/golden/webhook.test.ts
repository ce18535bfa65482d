import { describe, expect, it } from 'vitest';
import { compileSources } from '../../../src/dsl/compile/index';
import type { WebhookRules } from '../../../src/dsl/compile/webhook';
import { formatDiagnostic } from '../../../src/dsl/diagnostics';
import { walkSteps } from '../../../src/dsl/walk';
import { campaignWords } from '../../../src/campaigns/words';
import { templates, yaml } from '../fixtures/project';

/** A campaign whose steps are given (lines 1–4 are the head, steps start at line 5). */
const campaign = (steps: string, purpose = 'email.marketing') =>
  `campaign: cart\npurpose: ${purpose}\ntrigger: { event: checkout.started }\nsteps:\n${steps}`;

function compile(text: string, webhooks?: WebhookRules) {
  return compileSources([{ path: 'campaigns/cart.yaml', text }], templates, webhooks ? { webhooks } : {});
}
const messages = (text: string, webhooks?: WebhookRules) => {
  const r = compile(text, webhooks);
  return [...(r.ok ? [] : r.errors), ...r.warnings].map(formatDiagnostic);
};
const webhookOf = (text: string, webhooks?: WebhookRules) => {
  const r = compile(text, webhooks);
  if (!r.ok) throw new Error(r.errors.map(formatDiagnostic).join('\n'));
  return [...walkSteps(r.project.campaigns[0]!.steps)].find((s) => s.kind === 'webhook')!;
};

describe('the webhook step', () => {
  it('compiles url, body, secret and the gate defaults of a marketing purpose; plan words name the call', () => {
    const text = campaign(
      yaml`
      - id: sms-nudge
        webhook:
          url: https://sms.example/v1/messages
          body:
            to: "{{contact.phone}}"
            text: "Your cart of {{cart.total}} {{cart.currency}} is waiting"
            items: "{{cart.items}}"
          secret: sms
    `.replace(/^/gm, '  '),
    );
    const step = webhookOf(text);
    expect(step).toMatchObject({
      key: 'sms-nudge',
      kind: 'webhook',
      url: 'https://sms.example/v1/messages',
      body: { to: '{{contact.phone}}', text: 'Your cart of {{cart.total}} {{cart.currency}} is waiting', items: '{{cart.items}}' },
      secret: 'sms',
      gate: { consent: true, quietHours: true, blackout: true },
    });
    const r = compile(text);
    expect(r.ok && campaignWords(r.project.campaigns[0]!).join('\n')).toContain(
      'call webhook POST https://sms.example/v1/messages (signed with sms; needs consent, waits out quiet hours/blackout)',
    );
  });

  it('transactional purposes default to no gate; gate keys override; http is allowed to localhost only; body defaults to {}', () => {
    const tx = webhookOf(campaign('  - webhook: { url: "http://127.0.0.1:9999/hook" }\n', 'email.transactional'));
    expect(tx).toMatchObject({ url: 'http://127.0.0.1:9999/hook', body: {}, gate: { consent: false, quietHours: false, blackout: false } });
    expect(tx).not.toHaveProperty('secret');
    const own = webhookOf(campaign('  - webhook: { url: "https://crm.example/h", gate: { quiet_hours: false } }\n'));
    expect(own).toMatchObject({ gate: { consent: true, quietHours: false, blackout: true } });
  });

  const cases: Array<[string, string, string[], WebhookRules?]> = [
    [
      'plain http to another host',
      '  - webhook: { url: "http://crm.example/h" }\n',
      [
        'campaigns/cart.yaml:5:21 webhook url must use https, got http — write https://… (plain http only to localhost or 127.0.0.1, for development)',
      ],
    ],
    [
      'a relative url',
      '  - webhook: { url: /hooks/crm }\n',
      ['campaigns/cart.yaml:5:21 webhook url "/hooks/crm" is not an absolute URL — e.g. url: https://crm.example/hooks/almanac'],
    ],
    [
      'a url template',
      '  - webhook: { url: "https://crm.example/contacts/{{contact.id}}" }\n',
      ['campaigns/cart.yaml:5:21 webhook url is not a template — write the address as it is and put contact data in body:'],
    ],
    [
      'credentials in the url',
      '  - webhook: { url: "https://bot:hunter2@crm.example/h" }\n',
      [
        'campaigns/cart.yaml:5:21 webhook url carries a credential — never write secrets in a campaign file: Almanac signs each call with the secret named by secret: NAME (WEBHOOK_SECRETS)',
      ],
    ],
    [
      'a token in the query',
      '  - webhook: { url: "https://crm.example/h?api_key=abc123" }\n',
      [
        'campaigns/cart.yaml:5:21 webhook url carries a credential in "api_key=" — never write secrets in a campaign file: the receiver verifies the webhook-signature made with secret: NAME (WEBHOOK_SECRETS)',
      ],
    ],
    [
      'a Slack incoming-webhook URL (the URL is the credential)',
      '  - webhook: { url: "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX" }\n',
      [
        'campaigns/cart.yaml:5:21 webhook url is a Slack incoming-webhook URL, which is itself a secret — never write secrets in a campaign file: call a relay of your own that verifies the webhook-signature and forwards the message',
      ],
    ],
    [
      'the secret itself instead of its name',
      '  - webhook:\n      url: https://crm.example/h\n      secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n',
      [
        'campaigns/cart.yaml:7:15 webhook secret: takes the name of a secret, not the secret itself — put it in WEBHOOK_SECRETS as NAME=whsec_… and write secret: NAME here (and rotate it: it has been in this file)',
      ],
    ],
    [
      'a literal token in the body',
      '  - webhook:\n      url: https://crm.example/h\n      body: { to: "{{contact.phone}}", api_key: sk_live_51Hx }\n',
      [
        'campaigns/cart.yaml:7:49 webhook body "api_key" holds what looks like a secret — never write secrets in a campaign file: Almanac signs each call with the secret named by secret: NAME (WEBHOOK_SECRETS); fill other credentials from data, e.g. "{{contact.push_token}}"',
      ],
    ],
    [
      'a broken template in the body, at its string',
      '  - webhook:\n      url: https://crm.example/h\n      body:\n        text: "Hi {{contact.first_name"\n',
      [
        'campaigns/cart.yaml:8:15 webhook body text is not a valid handlebars template: syntax error: got an unexpected character, expected ID — close every {{ with }}',
      ],
    ],
    [
      'caps in the gate',
      '  - webhook: { url: "https://crm.example/h", gate: { caps: true } }\n',
      [
        'campaigns/cart.yaml:5:54 unknown key "caps" in webhook gate — frequency caps never apply to webhook calls (they count mail); remove it',
      ],
    ],
    [
      'a misspelt key',
      '  - webhook: { url: "https://crm.example/h", bdy: {} }\n',
      ['campaigns/cart.yaml:5:46 unknown key "bdy" in webhook — did you mean "body"?'],
    ],
    [
      'no url',
      '  - webhook: { body: {} }\n',
      ['campaigns/cart.yaml:5:14 webhook is missing "url" — add url: https://crm.example/hooks/almanac'],
    ],
    [
      'a host outside WEBHOOK_ALLOWED_HOSTS',
      '  - webhook: { url: "https://evil.example/h" }\n',
      [
        'campaigns/cart.yaml:5:21 webhook host evil.example is outside WEBHOOK_ALLOWED_HOSTS (crm.example) — call an allowed host, or add this one to WEBHOOK_ALLOWED_HOSTS',
      ],
      { allowedHosts: ['crm.example'] },
    ],
    [
      'a secret name the environment does not have',
      '  - webhook: { url: "https://crm.example/h", secret: crn }\n',
      ['campaigns/cart.yaml:5:54 unknown webhook secret "crn" — did you mean "crm"?'],
      { allowedHosts: [], secrets: { names: ['crm'], hasDefault: false } },
    ],
    [
      'no secret named and no WEBHOOK_SECRET',
      '  - webhook: { url: "https://crm.example/h" }\n',
      ['campaigns/cart.yaml:5:14 webhook step names no secret and WEBHOOK_SECRET is not set — add secret: crm, or set WEBHOOK_SECRET'],
      { allowedHosts: [], secrets: { names: ['crm'], hasDefault: false } },
    ],
  ];

  it.each(cases)('%s: file:line:col and a fix', (_title, steps, expected, rules) => {
    expect(messages(campaign(steps), rules)).toEqual(expected);
  });

  it('the allow-list takes subdomains; a loopback receiver must be listed like any host', () => {
    const rules = { allowedHosts: ['crm.example'] };
    expect(messages(campaign('  - webhook: { url: "https://eu.crm.example/h" }\n'), rules)).toEqual([]);
    expect(messages(campaign('  - webhook: { url: "http://localhost:8080/h" }\n'), rules)).toEqual([
      'campaigns/cart.yaml:5:21 webhook host localhost is outside WEBHOOK_ALLOWED_HOSTS (crm.example) — call an allowed host, or add this one to WEBHOOK_ALLOWED_HOSTS',
    ]);
    expect(messages(campaign('  - webhook: { url: "http://localhost:8080/h" }\n'), { allowedHosts: ['localhost'] })).toEqual([]);
  });
});
