import { type Entry, yaml } from './entry';

/**
 * The words of docs/dsl.md, one entry per key of the schema surface (src/dsl/compile/surface/),
 * keyed by its path (src/dsl/compile/reference/schema-keys.ts says how paths are made). A key
 * added to the surface without an entry here fails tests/dsl/reference.test.ts, naming the path;
 * every example is compiled by that test through the real compiler. After editing, run
 * `npm run docs:dsl`.
 *
 * One file on purpose (over the usual size): it is the one place an author adds the words for a
 * new key, and the order here is not the order of the document (the schema's is).
 */
export const entries: Record<string, Entry> = {
  // ── campaign files ──────────────────────────────────────────────────────────────────────────
  campaign: {
    meaning:
      'One campaign per file, `campaigns/NAME.yaml`: what starts it (`trigger`), who may enter (`audience`, `re_entry`), what it does (`steps`) and how it is measured (`goal`, `holdout`). `campaign`, `purpose`, `trigger` and `steps` are required.',
    example: yaml`
      campaign: abandoned-cart
      name: Abandoned cart recovery
      purpose: email.marketing
      priority: 80
      trigger: { event: checkout.started, correlate: checkout_id }
      audience: { consent: email.marketing }
      re_entry: { after: 30d }
      exit_on:
        - event: order.created
      goal: { event: order.created }
      holdout: 10%
      steps:
        - wait: 1h
        - send: cart-reminder
    `,
  },
  'campaign.campaign': {
    meaning:
      "The campaign's id: it must equal the file name without `.yaml`. Versions, runs and reports are kept by it, so renaming it makes a new campaign.",
    example: 'campaign: abandoned-cart',
  },
  'campaign.name': {
    meaning: 'A human name for plans, reports and the calendar; default: the id.',
    example: 'name: Abandoned cart recovery',
  },
  'campaign.purpose': {
    meaning:
      'The consent purpose checked before every send, and what frequency caps count by. `email.transactional` (receipts, opt-in confirmations) needs no marketing consent and skips caps, quiet hours and blackouts, but never mails a suppressed address.',
    example: 'purpose: email.marketing',
  },
  'campaign.priority': {
    meaning:
      'Decides frequency-cap conflicts (default 50): when a cap lets fewer sends through than are due, higher priorities go first and the others follow `on_conflict`. It looks ahead: a send does not take the last slot a higher-priority send needs when that send is already certain (its run sleeps in the `wait` right before it) and due within the cap window.',
    example: 'priority: 80',
  },
  'campaign.trigger': {
    meaning: 'What starts a run for a contact: exactly one of the [triggers](#triggers).',
    example: yaml`
      trigger:
        event: checkout.started
    `,
  },
  'campaign.audience': {
    meaning:
      'Who may enter: a [condition](#conditions) checked when the trigger fires (with the triggering event under `trigger.` and `cart.`). Consent is checked again before every send.',
    example: yaml`
      audience:
        all:
          - consent: email.marketing
          - attribute: email
            exists: true
    `,
  },
  'campaign.re_entry': {
    meaning:
      'Whether a contact who already had a run may enter again: `never` (the default: once), `always`, or `{ after: DURATION }` since their last entry. Either way one run per correlation key is active at a time.',
    example: 're_entry: { after: 30d }',
  },
  'campaign.re_entry.after': { meaning: 'How long after their last entry a contact may enter again.' },
  'campaign.exit_on': {
    meaning:
      "Events that end a run in flight and cancel its queued sends (with `correlate`, only events carrying the run's key): no reminder to someone who just bought.",
    example: yaml`
      exit_on:
        - event: order.created
        - event: consent.withdrawn
          where: { attribute: purpose, is: email.marketing }
    `,
  },
  'campaign.exit_on.event': { meaning: 'The event type that ends the run.' },
  'campaign.exit_on.where': {
    meaning: "Only events whose properties match: `attribute`, `all`, `any` or `not`, with paths into the event's properties.",
  },
  'campaign.goal': {
    meaning:
      'The conversion the campaign is credited with: goal events (orders) after a click or an open of its mail, within the attribution windows. Reports and holdout lift count it.',
    example: yaml`
      goal:
        event: order.created
        attribution: { click: 5d, open: 1d }
    `,
  },
  'campaign.goal.event': { meaning: 'The event that counts as a conversion, usually `order.created`.' },
  'campaign.goal.attribution': { meaning: 'How long after a click or an open a conversion is still credited to the campaign.' },
  'campaign.goal.attribution.click': { meaning: 'The window after a click: default `5d`, at most `90d`.' },
  'campaign.goal.attribution.open': { meaning: 'The window after an open: default `1d`, at most `90d`.' },
  'campaign.holdout': {
    meaning:
      'The share of entering contacts kept out, 0–99 % (default 0 %): they get a run recorded as `holdout` and no mail, and the report compares them for lift.',
    example: 'holdout: 10%',
  },
  'campaign.migrate': {
    meaning:
      'On `almanac apply`, move runs in flight to the step with the same key in this version; runs whose step is gone exit (`step_removed:KEY`). Default `false`: runs finish on the version they started on.',
    example: 'migrate: true',
  },
  'campaign.utm': {
    meaning:
      "UTM pairs of the campaign's tracked links (default `utm_source=almanac`, `utm_medium=email`, `utm_campaign=` the id); each value letters, digits and `. _ ~ + -`, up to 100.",
    example: 'utm: { source: newsletter, medium: email, campaign: black-friday, content: hero }',
  },
  'campaign.utm.source': { meaning: '`utm_source`.' },
  'campaign.utm.medium': { meaning: '`utm_medium`.' },
  'campaign.utm.campaign': {
    meaning: '`utm_campaign`: an order landing with it (or with the id) is credited to this campaign by the `utm` model.',
  },
  'campaign.utm.content': { meaning: '`utm_content`.' },
  'campaign.steps': {
    meaning: 'What a run does, in order: a list of [steps](#steps), at least one.',
    example: yaml`
      steps:
        - wait: 1h
        - send: cart-reminder
    `,
  },

  // ── triggers ────────────────────────────────────────────────────────────────────────────────
  trigger: {
    meaning:
      'Under `trigger:`, exactly one of these. A contact enters when it fires, they are in the `audience`, and `re_entry` allows it.',
  },
  'trigger.event': {
    meaning:
      'An event of this type arriving for a contact starts a run; its properties are `trigger.X` (and, for checkouts, `cart.X`) in conditions and templates.',
    example: yaml`
      trigger:
        event: checkout.started
        where: { attribute: total, gte: 20 }
        correlate: checkout_id
        within: 2h
    `,
  },
  'trigger.event.where': {
    meaning: "Only events whose properties match start a run: `attribute`, `all`, `any` or `not`, with paths into the event's properties.",
  },
  'trigger.event.correlate': {
    meaning:
      'A property whose value keys the run: later events belong to it only when they carry the same value (`wait_until`, `exit_on`), and one run per value is active at a time.',
  },
  'trigger.event.within': {
    meaning:
      'The oldest an event may be when it arrives (arrival − `occurred_at`) and still start a run: default `24h`; `any` for no limit. Older events are skipped and counted.',
  },
  'trigger.schedule': {
    meaning: 'A broadcast: at each occurrence of the rule, one run for every contact in the audience.',
    example: yaml`
      trigger:
        schedule:
          rrule: "FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0"
          timezone: contact
          start: 2026-11-01T00:00
          until: 2027-06-30T00:00
    `,
  },
  'trigger.schedule.rrule': {
    meaning: 'When: the hours and days of the series; a rule whose every occurrence in its first year is on a blackout day is an error.',
  },
  'trigger.schedule.timezone': {
    meaning: "The wall clock the rule runs on: `contact` (each contact's own), or a zone; default the calendar's zone.",
  },
  'trigger.schedule.start': { meaning: 'No occurrence before this (local) time.' },
  'trigger.schedule.until': { meaning: 'No occurrence after this (local) time; not before `start`.' },
  'trigger.at': {
    meaning: 'A one-off broadcast at this local date-time (an error when it falls on a blackout day).',
    example: yaml`
      trigger:
        at: 2026-11-27T10:00
        timezone: contact
    `,
  },
  'trigger.at.timezone': { meaning: "`contact` (10:00 in each contact's zone) or a zone; default the calendar's zone." },
  'trigger.segment': {
    meaning: 'A contact coming into or dropping out of a segment of segments.yaml (seen by the segment pass) starts a run.',
    example: yaml`
      trigger:
        segment: { enters: churning-customers }
    `,
  },
  'trigger.segment.enters': { meaning: 'When the contact starts matching the segment.' },
  'trigger.segment.leaves': {
    meaning: 'When the contact stops matching it.',
    example: yaml`
      trigger:
        segment: { leaves: vip }
    `,
  },

  // ── steps ───────────────────────────────────────────────────────────────────────────────────
  step: {
    meaning:
      'The items of `steps:`, `on_timeout:`, branch arms and split arms, run one at a time, top to bottom. Each has a stable key, its `id:` or else its path (`steps[2].on_timeout[0]`), by which runs in flight find their place in a new version.',
  },
  'step.id': {
    meaning:
      'A stable key for the step, unique in the campaign: with `migrate: true` runs keep their place when steps move around it; the keys of its children start with it.',
    example: yaml`
      - id: first-reminder
        send: cart-reminder
    `,
  },
  'step.wait': { meaning: 'Pause the run for this long.', example: '- wait: 1h' },
  'step.wait_until': {
    meaning:
      "Wait for an event of the contact (of the run's correlation key): when it comes, go on after this step; when `timeout` passes first, run `on_timeout`, then go on.",
    example: yaml`
      - wait_until: { event: email.clicked, timeout: 24h, where: { attribute: url, contains: checkout } }
        on_timeout:
          - send: cart-discount
    `,
  },
  'step.wait_until.event': { meaning: 'The event type waited for.' },
  'step.wait_until.timeout': { meaning: 'How long to wait, counted from when the step starts.' },
  'step.wait_until.where': { meaning: 'Only an event whose properties match (`attribute`, `all`, `any`, `not`).' },
  'step.wait_until.on_timeout': { meaning: 'Steps run when the timeout passes first; written beside `wait_until`, not under it.' },
  'step.send': {
    meaning:
      'Mail the contact a template (`templates/NAME/` with `subject.hbs` and `html.hbs` or `text.hbs`) when consent, suppression, quiet hours, blackouts and caps allow; the next step starts once the send is settled.',
    example: yaml`
      - send: win-back-miss-you
        subject: "We miss you, {{default contact.first_name \"friend\"}}"
        data: { coupon: COMEBACK15 }
    `,
  },
  'step.send.subject': { meaning: "Replaces the template's `subject.hbs`; a handlebars text, checked when compiled." },
  'step.send.data': { meaning: 'Values the template reads as `{{data.X}}`.' },
  'step.branch': {
    meaning:
      'The first arm whose `when` holds for the contact runs its steps, else `otherwise` (last, optional); then the run goes on after the branch.',
    example: yaml`
      - branch:
          - when: { attribute: cart.total, gte: 100 }
            steps:
              - send: cart-discount
          - otherwise:
              - send: cart-last-call
    `,
  },
  'step.branch.when': {
    meaning: 'A [condition](#conditions) over the contact (and `trigger.`, `cart.`), checked when the branch is reached.',
  },
  'step.branch.when.steps': { meaning: "The arm's steps." },
  'step.branch.otherwise': { meaning: 'Steps when no arm holds; the last arm.' },
  'step.split': {
    meaning:
      'A sticky random split: a contact always lands in the same arm. `NAME: [steps]` takes an equal share of what the arms with a percent leave, `NAME: { percent, steps }` its own share, `NAME: 10%` is a control group with no steps; the shares add up to 100 %.',
    example: yaml`
      - split:
          A:
            - send: win-back-miss-you
          B: { percent: 40%, steps: [ { send: win-back-last-chance } ] }
          control: 10%
    `,
  },
  'step.split.percent': { meaning: "The arm's share, more than 0 % and at most 100 %." },
  'step.split.steps': { meaning: "The arm's steps." },
  'step.update': {
    meaning: "Set the contact's attributes (read as `attributes.X` in conditions), e.g. to remember an outcome.",
    example: '- update: { welcome_outcome: nudged, score: 3 }',
  },
  'step.emit': {
    meaning:
      'Record an event of this type for the contact: it may trigger or resume other campaigns (a cycle of campaigns emitting each other is an error).',
    example: yaml`
      - emit: cart.reminded
        properties: { channel: email }
    `,
  },
  'step.emit.properties': { meaning: "The event's properties." },
  'step.webhook': {
    meaning:
      "POST a signed JSON body to a system Almanac does not send through itself (an SMS gateway, a CRM), exactly once per run and step: recorded like a send, retried with backoff on a 5xx, 408, 429, timeout or network error with the same `webhook-id` (the receiver's idempotency key), failed for good on any other answer; the run goes on once the call is settled. `simulate` shows it as `would_call` and never calls.",
    example: yaml`
      - id: sms-nudge
        webhook:
          url: https://sms.example/v1/messages
          secret: sms
          body:
            to: "{{contact.phone}}"
            text: "Your cart of {{cart.total}} {{cart.currency}} is waiting"
          gate: { quiet_hours: false }
    `,
  },
  'step.webhook.url': {
    meaning:
      'Where to POST: `https://` (plain `http://` only to `localhost`, `127.0.0.1` or `[::1]`), no `user:password@` or credentials in the query, at most 2048 characters, not a template (contact data goes in `body`); a host of `WEBHOOK_ALLOWED_HOSTS` when that is set. A URL that is itself a credential (Slack, Discord, Teams webhooks) is an error.',
  },
  'step.webhook.body': {
    meaning:
      "The JSON request body, a map or a list (default `{}`). Every string is a handlebars template over what mail templates see (`contact.*`, `trigger.*`, `cart.*`, `customer.*`, `campaign.*`, `webhook.id`); a string that is exactly one `{{path}}` keeps its value's type (a number, a list). `whsec_` anywhere, or a literal value under a key such as `token`, `api_key` or `password`, is an error.",
  },
  'step.webhook.secret': {
    meaning:
      'The **name** of the secret the call is signed with (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`), from `WEBHOOK_SECRETS`; absent: `WEBHOOK_SECRET`. Never the secret itself: that is an error.',
  },
  'step.webhook.gate': {
    meaning:
      'What holds or stops the call before it is made. Defaults: all `true` for a marketing purpose (the call stands for a message to the person), all `false` for `email.transactional`. Frequency caps never apply to webhook calls.',
    example: '- webhook: { url: https://crm.example/hooks/almanac, gate: { consent: true, quiet_hours: false, blackout: true } }',
  },
  'step.webhook.gate.consent': {
    meaning:
      "Needs the contact's consent for the campaign's `purpose`; without it the call is `suppressed` (never made) and the run goes on.",
  },
  'step.webhook.gate.quiet_hours': { meaning: "Waits out the calendar's quiet hours, in the contact's zone (else the calendar's)." },
  'step.webhook.gate.blackout': { meaning: "Waits out the calendar's blackout days." },
  'step.exit': {
    meaning: 'End the run here: `- exit`, `exit: true` or `exit:`. Steps after it in the same list never run (a warning).',
    example: '- exit',
  },

  // ── conditions ──────────────────────────────────────────────────────────────────────────────
  condition: {
    meaning:
      "One language for `audience:`, segments, branch `when:` and `where:`: a map with one head key, combined with `all`, `any` and `not`. In a `where:` (an event's properties) only `attribute`, `all`, `any` and `not`, with paths into the properties. The examples are written as an `audience:`.",
  },
  'condition.all': {
    meaning: 'Holds when every condition of the list holds.',
    example: yaml`
      all:
        - consent: email.marketing
        - attribute: email
          exists: true
    `,
  },
  'condition.any': {
    meaning: 'Holds when at least one condition of the list holds.',
    example: yaml`
      any:
        - lifecycle: loyal
        - segment: vip
    `,
  },
  'condition.not': { meaning: 'Holds when the condition does not.', example: 'not: { segment: vip }' },
  'condition.attribute': {
    meaning:
      "A value of the contact, compared by exactly one operator. The path's first part says where it looks: `email`, `external_id`, `timezone`, `locale`, `lifecycle_stage`, `created_at` (the contact); `trigger.X`, `cart.X` (the triggering event's properties; not in segments); `customer.X`, `predicted.X` (customer analytics); `attributes.X` or any other name (the contact's attributes). A missing value satisfies only `exists: false` and `is_not`.",
    example: yaml`
      attribute: attributes.plan
      is: pro
    `,
  },
  'condition.attribute.is': {
    meaning: 'Equal to this text, number or `true`/`false` (`"1"` is not `1`).',
    example: yaml`
      attribute: locale
      is: pl
    `,
  },
  'condition.attribute.is_not': {
    meaning: 'Not equal, or missing.',
    example: yaml`
      attribute: plan
      is_not: free
    `,
  },
  'condition.attribute.in': {
    meaning: 'Equal to one of the values.',
    example: yaml`
      attribute: country
      in: [PL, DE, CZ]
    `,
  },
  'condition.attribute.gt': {
    meaning: 'A number greater than this (for dates use `before` / `after`).',
    example: yaml`
      attribute: predicted.churn_risk
      gt: 0.6
    `,
  },
  'condition.attribute.gte': {
    meaning: 'A number at least this.',
    example: yaml`
      attribute: customer.orders
      gte: 3
    `,
  },
  'condition.attribute.lt': {
    meaning: 'A number less than this.',
    example: yaml`
      attribute: cart.total
      lt: 50
    `,
  },
  'condition.attribute.lte': {
    meaning: 'A number at most this.',
    example: yaml`
      attribute: score
      lte: 10
    `,
  },
  'condition.attribute.contains': {
    meaning: 'A text containing this text (case-sensitive), or a list holding this value.',
    example: yaml`
      attribute: tags
      contains: wholesale
    `,
  },
  'condition.attribute.exists': {
    meaning: '`true`: the value is there (not missing, not null); `false`: it is not.',
    example: yaml`
      attribute: email
      exists: true
    `,
  },
  'condition.attribute.before': {
    meaning: 'A date or date-time strictly before this [point in time](#points-in-time).',
    example: yaml`
      attribute: attributes.trial_ends_at
      before: 2026-12-31
    `,
  },
  'condition.attribute.after': {
    meaning: 'A date or date-time strictly after this point in time.',
    example: yaml`
      attribute: created_at
      after: 30d ago
    `,
  },
  'condition.attribute.anniversary': {
    meaning:
      "The date's month and day (`1990-11-26`, or `--11-26` without a year) come round: `today` on the contact's own calendar (their `timezone`, else the calendar's), or `{ within: Nd }`. The year is ignored; a 29 February date counts on 28 February in other years. For birthdays and sign-up anniversaries, typically in a daily schedule's audience.",
    example: yaml`
      attribute: birthday
      anniversary: today
    `,
  },
  'condition.attribute.anniversary.within': {
    meaning: 'The anniversary falls in the N days from today, today included (`within: 1d` is `today`); whole days, at most 366d.',
    example: yaml`
      attribute: birthday
      anniversary: { within: 7d }
    `,
  },
  'condition.event': {
    meaning:
      'The contact has events of this type (up to now): at least one, unless `count` says otherwise; `within` limits how recent, `where` which ones.',
    example: yaml`
      event: order.created
      count: 3
      within: 365d
      where: { attribute: total, gte: 100 }
    `,
  },
  'condition.event.count': { meaning: 'How many: `N` means at least N; a map compares with one of the operators below.' },
  'condition.event.count.gte': {
    meaning: 'At least N.',
    example: yaml`
      event: order.created
      count: { gte: 2 }
    `,
  },
  'condition.event.count.gt': {
    meaning: 'More than N.',
    example: yaml`
      event: email.opened
      count: { gt: 5 }
      within: 30d
    `,
  },
  'condition.event.count.lte': {
    meaning: 'At most N.',
    example: yaml`
      event: email.clicked
      count: { lte: 1 }
    `,
  },
  'condition.event.count.lt': {
    meaning: 'Fewer than N.',
    example: yaml`
      event: order.created
      count: { lt: 2 }
    `,
  },
  'condition.event.count.is': {
    meaning: 'Exactly N (`is: 0` is `no_event`).',
    example: yaml`
      event: order.created
      count: { is: 1 }
    `,
  },
  'condition.event.within': { meaning: 'Only events in the last DURATION.' },
  'condition.event.where': { meaning: 'Only events whose properties match (`attribute`, `all`, `any`, `not`; paths into the properties).' },
  'condition.no_event': {
    meaning: 'The contact has no event of this type (in the last `within`, matching `where`).',
    example: yaml`
      no_event: email.clicked
      within: 30d
      where: { attribute: url, contains: /sale }
    `,
  },
  'condition.no_event.within': { meaning: 'Only events in the last DURATION count against it.' },
  'condition.no_event.where': { meaning: 'Only events whose properties match count against it.' },
  'condition.consent': {
    meaning:
      "The contact's consent for this purpose is granted now: the newest record decides, and a pending double opt-in is not consent.",
    example: 'consent: email.marketing',
  },
  'condition.lifecycle': {
    meaning: "The contact's lifecycle stage is this one, or one of these.",
    example: 'lifecycle: [new, repeat]',
  },
  'condition.rfm': {
    meaning: "The contact's RFM cell (customer analytics, by recency and frequency) is this one, or one of these; no cell yet: false.",
    example: 'rfm: [at_risk, cant_lose]',
  },
  'condition.segment': {
    meaning: 'The contact matches a segment of segments.yaml (its condition is inlined when compiled).',
    example: 'segment: vip',
  },

  // ── segments.yaml ───────────────────────────────────────────────────────────────────────────
  segments: {
    meaning:
      '`campaigns/segments.yaml` names segments: each key a segment name, each value a [condition](#conditions) over the contact, their events and consent (no `trigger.` or `cart.`: there is no triggering event). Segments may use each other with `segment: NAME`, but not in a cycle.',
    example: yaml`
      lapsed-customers:
        all:
          - event: order.created
          - no_event: order.created
            within: 90d
      vip:
        event: order.created
        count: { gte: 5 }
        within: 365d
      lapsed-vip:
        all: [ { segment: lapsed-customers }, { segment: vip } ]
    `,
  },

  // ── calendar.yaml ───────────────────────────────────────────────────────────────────────────
  calendar: {
    meaning:
      '`campaigns/calendar.yaml`, the marketing calendar. Quiet hours, blackouts and caps hold marketing sends only (`purpose: email.transactional` skips them). Without the file: UTC, and none of them.',
  },
  'calendar.timezone': {
    meaning:
      "The team's zone (required): blackout days and seasons are its days; `schedule` and `at` without a `timezone` use it, as do contacts without a zone of their own.",
    example: 'timezone: Europe/Warsaw',
  },
  'calendar.quiet_hours': {
    meaning: "A marketing send due inside the window (in the contact's zone) waits for its end; the window may span midnight.",
    example: 'quiet_hours: { from: "21:00", to: "08:00" }',
  },
  'calendar.quiet_hours.from': { meaning: 'When quiet hours start.' },
  'calendar.quiet_hours.to': { meaning: 'When they end; not the same time as `from`.' },
  'calendar.blackout': {
    meaning:
      'Days (in the calendar zone) with no marketing mail: a send due on one waits for the next allowed day; a `schedule` or `at` trigger that only ever falls on them is an error.',
    example: yaml`
      blackout:
        - { date: 2026-12-25, reason: Christmas }
        - { rrule: "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1", reason: New Year }
    `,
  },
  'calendar.blackout.reason': { meaning: 'Why: shown on the calendar and in why a send was held.' },
  'calendar.blackout.date': { meaning: 'One day.' },
  'calendar.blackout.rrule': { meaning: 'Recurring days, e.g. every 1 January.' },
  'calendar.frequency_caps': {
    meaning:
      'Per contact, across campaigns: at most `max` sends of `purpose` (or of `any` purpose) in any window of `per`. When a cap refuses a send, higher `priority` goes first and the rest follow `on_conflict`.',
    example: yaml`
      frequency_caps:
        - { purpose: email.marketing, max: 3, per: 7d }
        - { purpose: any, max: 1, per: 1d }
    `,
  },
  'calendar.frequency_caps.purpose': { meaning: 'The consent purpose counted, or `any`.' },
  'calendar.frequency_caps.max': { meaning: 'At most this many sends.' },
  'calendar.frequency_caps.per': { meaning: 'In any window this long.' },
  'calendar.on_conflict': {
    meaning: 'A send a cap refuses: `defer` (the default) waits until the window frees, `skip` drops it.',
    example: 'on_conflict: skip',
  },
  'calendar.seasons': {
    meaning: 'Named date ranges shown on the calendar page and `almanac calendar`, inclusive; seasons may not share a day.',
    example: yaml`
      seasons:
        - { name: Black Friday, from: 2026-11-27, to: 2026-11-30 }
        - { name: Christmas, from: 2026-12-01, to: 2026-12-24 }
    `,
  },
  'calendar.seasons.name': { meaning: "The season's name." },
  'calendar.seasons.from': { meaning: 'Its first day.' },
  'calendar.seasons.to': { meaning: 'Its last day, not before `from`.' },
  'calendar.purposes': {
    meaning: 'Consent purposes people can opt into, listed on the preference centre and the unsubscribe page.',
    example: yaml`
      purposes:
        - id: email.newsletter
          label: { en: Weekly newsletter, pl: Cotygodniowy newsletter }
          description: Tuesdays, one a week at most.
          double_opt_in: true
    `,
  },
  'calendar.purposes.id': {
    meaning: 'The purpose campaigns name: dotted lower case (`email.newsletter`), declared once; not `email.transactional`.',
  },
  'calendar.purposes.label': { meaning: 'Its name on those pages: a text (English), or one per locale (`{ en: …, pl: … }`).' },
  'calendar.purposes.description': { meaning: 'A line under the label; a text or one per locale.' },
  'calendar.purposes.double_opt_in': {
    meaning:
      '`true`: a grant stays pending until the person confirms it from a mail, which some campaign triggered by `consent.requested` must send. Default `false`.',
  },

  // ── values ──────────────────────────────────────────────────────────────────────────────────
  'value.date': {
    name: { one: 'date', many: 'dates' },
    meaning: '`YYYY-MM-DD`, a real calendar date.',
    example: 'blackout: [ { date: 2026-12-24, reason: Christmas Eve } ]',
    in: 'calendar',
  },
  'value.duration': {
    name: { one: 'duration', many: 'durations' },
    meaning:
      'A whole number and a unit: `s`, `m`, `h`, `d` or `w` (`45s`, `90m`, `1h`, `2d`, `1w`). No fractions (`90m`, not `1.5h`), no zero, and no months or years, whose length varies (`30d`, `365d`).',
    example: '- wait: 90m',
    in: 'steps',
  },
  'value.eventType': {
    name: { one: 'event type', many: 'event types' },
    meaning:
      'An event name: letters, digits, `.`, `_` and `-`, starting with a letter or digit. Custom types are fine; a name one typo away from a known or emitted one is a warning.',
    example: 'trigger: { event: subscription.renewed }',
    in: 'campaign',
  },
  'value.json': {
    name: { one: 'map', many: 'maps' },
    meaning: 'A YAML map of names to any values (texts, numbers, `true`/`false`, lists, maps), kept as JSON.',
    example: '- update: { plan: pro, seats: 5, tags: [beta] }',
    in: 'steps',
  },
  'value.localDateTime': {
    name: { one: 'local date-time', many: 'local date-times' },
    meaning:
      "A wall-clock time without a zone, `YYYY-MM-DDTHH:mm` (a space for `T` and seconds are fine; a date alone means 00:00); the zone is the trigger's `timezone`. `Z` or an offset is an error.",
    example: 'trigger: { at: 2026-12-01T09:30, timezone: Europe/Warsaw }',
    in: 'campaign',
  },
  'value.name': {
    name: { one: 'name', many: 'names' },
    meaning:
      'Campaign ids, template, segment and step names, consent purposes: letters, digits, `.`, `_` and `-`, starting with a letter or digit.',
    example: yaml`
      - id: reminder_2
        send: cart-reminder
    `,
    in: 'steps',
  },
  'value.percent': {
    name: { one: 'percentage', many: 'percentages' },
    meaning: 'A number with `%`: `10%`, `12.5%`. A bare `10` is an error: it could mean 10 % or 0.1.',
    example: 'holdout: 12.5%',
    in: 'campaign',
  },
  'value.rrule': {
    name: { one: 'rrule', many: 'rrules' },
    meaning:
      'An RFC 5545 recurrence rule without `DTSTART` or an `RRULE:` prefix, in quotes: `FREQ` (`YEARLY`, `MONTHLY`, `WEEKLY`, `DAILY`, `HOURLY`) with `INTERVAL`, `COUNT`, `UNTIL`, `BYDAY` (`MO`…`SU`, `1MO`, `-1FR`), `BYMONTHDAY`, `BYMONTH`, `BYYEARDAY`, `BYWEEKNO`, `BYSETPOS`, `BYHOUR`, `BYMINUTE`, `BYSECOND`, `WKST`. It runs on the wall clock of its zone; a problem is reported at its part.',
    example: yaml`
      trigger:
        schedule: { rrule: "FREQ=MONTHLY;BYDAY=1MO;BYHOUR=9;BYMINUTE=30" }
    `,
    in: 'campaign',
  },
  'value.timeOfDay': {
    name: { one: 'time of day', many: 'times of day' },
    meaning: '`HH:MM` in 24-hour time, in quotes: `"21:00"`.',
    example: 'quiet_hours: { from: "22:30", to: "07:00" }',
    in: 'calendar',
  },
  'value.timeValue': {
    name: { one: 'point in time', many: 'points in time' },
    meaning:
      'In conditions: a date (`2026-01-31`, midnight UTC), a date-time with `Z` or an offset (`2026-01-31T10:00Z`, `2026-01-31T10:00+01:00`), or a duration and `ago` (`30d ago`, from when the condition is checked). A date-time without a zone is an error: conditions never depend on a zone.',
    example: yaml`
      attribute: attributes.last_login_at
      before: 14d ago
    `,
    in: 'audience',
  },
  'value.zone': {
    name: { one: 'time zone', many: 'time zones' },
    meaning: 'An IANA zone name such as `Europe/Warsaw`, `America/New_York` or `UTC`, in any case (kept as spelled canonically).',
    example: 'timezone: America/New_York',
    in: 'calendar',
  },
  'value.zoneOrContact': {
    name: { one: 'zone or `contact`', many: 'zones or `contact`' },
    meaning:
      "`contact`, each contact's own zone (the calendar's for a contact without one), so 10:00 is 10:00 wherever they are; or a [time zone](#time-zones).",
    example: 'trigger: { at: 2026-12-01T10:00, timezone: contact }',
    in: 'campaign',
  },
};
