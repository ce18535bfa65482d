CREATE TABLE "campaign_recipients" (
	"campaign" text NOT NULL,
	"contact_id" bigint NOT NULL,
	"first_sent_at" timestamp with time zone NOT NULL,
	CONSTRAINT "campaign_recipients_contact_id_campaign_pk" PRIMARY KEY("contact_id","campaign")
);
--> statement-breakpoint
CREATE TABLE "funnel_daily" (
	"campaign" text NOT NULL,
	"day" date NOT NULL,
	"step" text NOT NULL,
	"status" text NOT NULL,
	"phase" text NOT NULL,
	"reason" text NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "funnel_daily_campaign_day_step_status_phase_reason_pk" PRIMARY KEY("campaign","day","step","status","phase","reason")
);
--> statement-breakpoint
CREATE TABLE "funnel_deltas" (
	"campaign" text NOT NULL,
	"day" date NOT NULL,
	"step" text NOT NULL,
	"status" text NOT NULL,
	"phase" text NOT NULL,
	"reason" text NOT NULL,
	"n" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "holdout_orders" (
	"campaign" text NOT NULL,
	"held_out" boolean NOT NULL,
	"contact_id" bigint NOT NULL,
	"order_id" bigint NOT NULL,
	"currency" text NOT NULL,
	"amount" numeric(14, 2) NOT NULL,
	CONSTRAINT "holdout_orders_campaign_held_out_contact_id_order_id_pk" PRIMARY KEY("campaign","held_out","contact_id","order_id")
);
--> statement-breakpoint
CREATE TABLE "send_daily" (
	"campaign" text NOT NULL,
	"day" date NOT NULL,
	"step" text NOT NULL,
	"template" text NOT NULL,
	"status" text NOT NULL,
	"reason" text NOT NULL,
	"n" bigint NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	CONSTRAINT "send_daily_campaign_day_step_template_status_reason_pk" PRIMARY KEY("campaign","day","step","template","status","reason")
);
--> statement-breakpoint
CREATE TABLE "send_deltas" (
	"campaign" text NOT NULL,
	"day" date NOT NULL,
	"step" text NOT NULL,
	"template" text NOT NULL,
	"status" text NOT NULL,
	"reason" text NOT NULL,
	"n" bigint NOT NULL,
	"first_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "attribution_daily" DROP CONSTRAINT "attribution_daily_campaign_model_day_currency_pk";--> statement-breakpoint
ALTER TABLE "attribution_daily" ADD COLUMN "network" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "attribution_daily" ADD CONSTRAINT "attribution_daily_campaign_model_day_currency_network_pk" PRIMARY KEY("campaign","model","day","currency","network");--> statement-breakpoint
ALTER TABLE "campaign_recipients" ADD CONSTRAINT "campaign_recipients_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "holdout_orders" ADD CONSTRAINT "holdout_orders_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "holdout_orders" ADD CONSTRAINT "holdout_orders_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "campaign_recipients_first_idx" ON "campaign_recipients" USING btree ("campaign","first_sent_at");--> statement-breakpoint
CREATE INDEX "holdout_orders_order_idx" ON "holdout_orders" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "holdout_orders_contact_idx" ON "holdout_orders" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "campaign_entries_contact_idx" ON "campaign_entries" USING btree ("contact_id");--> statement-breakpoint
-- Hand-written from here (drizzle-kit does not generate triggers or data moves).
--
-- The funnel and send rollups are kept by statement-level triggers with transition tables: one
-- insert per statement whatever the batch, every write path covered. They APPEND signed deltas;
-- the tick's `rollups` phase folds them into *_daily (src/storage/rollups.ts). An update that does
-- not move a run or send between keys (a lease, a click stamp) nets to zero and writes nothing.
-- `SET search_path FROM CURRENT`: the tables are the ones of the schema this migration runs in.
CREATE FUNCTION "almanac_runs_funnel"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "funnel_deltas" ("campaign", "day", "step", "status", "phase", "reason", "n")
    SELECT "campaign", "day", "step", "status", "phase", "reason", sum("n") FROM (
      SELECT "campaign", ("started_at" AT TIME ZONE 'UTC')::date AS "day", coalesce("state"->>'at', '(end)') AS "step", "status",
             coalesce("state"->>'phase', '') AS "phase", coalesce("exit_reason", '') AS "reason", 1 AS "n" FROM "new_rows"
    ) d GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum("n") <> 0;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "funnel_deltas" ("campaign", "day", "step", "status", "phase", "reason", "n")
    SELECT "campaign", "day", "step", "status", "phase", "reason", sum("n") FROM (
      SELECT "campaign", ("started_at" AT TIME ZONE 'UTC')::date AS "day", coalesce("state"->>'at', '(end)') AS "step", "status",
             coalesce("state"->>'phase', '') AS "phase", coalesce("exit_reason", '') AS "reason", -1 AS "n" FROM "old_rows"
    ) d GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum("n") <> 0;
  ELSE
    INSERT INTO "funnel_deltas" ("campaign", "day", "step", "status", "phase", "reason", "n")
    SELECT "campaign", "day", "step", "status", "phase", "reason", sum("n") FROM (
      SELECT "campaign", ("started_at" AT TIME ZONE 'UTC')::date AS "day", coalesce("state"->>'at', '(end)') AS "step", "status",
             coalesce("state"->>'phase', '') AS "phase", coalesce("exit_reason", '') AS "reason", 1 AS "n" FROM "new_rows"
      UNION ALL
      SELECT "campaign", ("started_at" AT TIME ZONE 'UTC')::date AS "day", coalesce("state"->>'at', '(end)') AS "step", "status",
             coalesce("state"->>'phase', '') AS "phase", coalesce("exit_reason", '') AS "reason", -1 AS "n" FROM "old_rows"
    ) d GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum("n") <> 0;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "runs_funnel_insert" AFTER INSERT ON "runs" REFERENCING NEW TABLE AS "new_rows"
  FOR EACH STATEMENT EXECUTE FUNCTION "almanac_runs_funnel"();
--> statement-breakpoint
CREATE TRIGGER "runs_funnel_update" AFTER UPDATE ON "runs" REFERENCING OLD TABLE AS "old_rows" NEW TABLE AS "new_rows"
  FOR EACH STATEMENT EXECUTE FUNCTION "almanac_runs_funnel"();
--> statement-breakpoint
CREATE TRIGGER "runs_funnel_delete" AFTER DELETE ON "runs" REFERENCING OLD TABLE AS "old_rows"
  FOR EACH STATEMENT EXECUTE FUNCTION "almanac_runs_funnel"();
--> statement-breakpoint
-- Sends: the per-step deltas, and the campaign's recipients (a send that BECOMES sent: inserted as
-- sent, or updated from another status; a send never leaves sent). The recipients upsert is per
-- (contact, campaign), a row two workers rarely share, and changes it only for an earlier mail.
CREATE FUNCTION "almanac_sends_rollup"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "send_deltas" ("campaign", "day", "step", "template", "status", "reason", "n", "first_at")
    SELECT "campaign", "day", "step", "template", "status", "reason", sum("n"), coalesce(min("created_at") FILTER (WHERE "n" > 0), min("created_at")) FROM (
      SELECT "campaign", ("created_at" AT TIME ZONE 'UTC')::date AS "day", "step_key" AS "step", "template", "status",
             coalesce("reason", '') AS "reason", 1 AS "n", "created_at" FROM "new_rows"
    ) d GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum("n") <> 0;
    INSERT INTO "campaign_recipients" ("contact_id", "campaign", "first_sent_at")
    SELECT "contact_id", "campaign", min("created_at") FROM "new_rows" WHERE "status" = 'sent' GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT ("contact_id", "campaign") DO UPDATE SET "first_sent_at" = excluded."first_sent_at"
      WHERE excluded."first_sent_at" < "campaign_recipients"."first_sent_at";
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "send_deltas" ("campaign", "day", "step", "template", "status", "reason", "n", "first_at")
    SELECT "campaign", "day", "step", "template", "status", "reason", sum("n"), coalesce(min("created_at") FILTER (WHERE "n" > 0), min("created_at")) FROM (
      SELECT "campaign", ("created_at" AT TIME ZONE 'UTC')::date AS "day", "step_key" AS "step", "template", "status",
             coalesce("reason", '') AS "reason", -1 AS "n", "created_at" FROM "old_rows"
    ) d GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum("n") <> 0;
  ELSE
    INSERT INTO "send_deltas" ("campaign", "day", "step", "template", "status", "reason", "n", "first_at")
    SELECT "campaign", "day", "step", "template", "status", "reason", sum("n"), coalesce(min("created_at") FILTER (WHERE "n" > 0), min("created_at")) FROM (
      SELECT "campaign", ("created_at" AT TIME ZONE 'UTC')::date AS "day", "step_key" AS "step", "template", "status",
             coalesce("reason", '') AS "reason", 1 AS "n", "created_at" FROM "new_rows"
      UNION ALL
      SELECT "campaign", ("created_at" AT TIME ZONE 'UTC')::date AS "day", "step_key" AS "step", "template", "status",
             coalesce("reason", '') AS "reason", -1 AS "n", "created_at" FROM "old_rows"
    ) d GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum("n") <> 0;
    INSERT INTO "campaign_recipients" ("contact_id", "campaign", "first_sent_at")
    SELECT n."contact_id", n."campaign", min(n."created_at") FROM "new_rows" n JOIN "old_rows" o ON o."id" = n."id"
    WHERE n."status" = 'sent' AND o."status" <> 'sent' GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT ("contact_id", "campaign") DO UPDATE SET "first_sent_at" = excluded."first_sent_at"
      WHERE excluded."first_sent_at" < "campaign_recipients"."first_sent_at";
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "sends_rollup_insert" AFTER INSERT ON "sends" REFERENCING NEW TABLE AS "new_rows"
  FOR EACH STATEMENT EXECUTE FUNCTION "almanac_sends_rollup"();
--> statement-breakpoint
CREATE TRIGGER "sends_rollup_update" AFTER UPDATE ON "sends" REFERENCING OLD TABLE AS "old_rows" NEW TABLE AS "new_rows"
  FOR EACH STATEMENT EXECUTE FUNCTION "almanac_sends_rollup"();
--> statement-breakpoint
CREATE TRIGGER "sends_rollup_delete" AFTER DELETE ON "sends" REFERENCING OLD TABLE AS "old_rows"
  FOR EACH STATEMENT EXECUTE FUNCTION "almanac_sends_rollup"();
--> statement-breakpoint
-- Rows stored before this migration: the same rebuild as src/storage/rollups.ts rebuildRunSendRollups.
INSERT INTO "funnel_daily" ("campaign", "day", "step", "status", "phase", "reason", "n")
SELECT "campaign", ("started_at" AT TIME ZONE 'UTC')::date, coalesce("state"->>'at', '(end)'), "status",
       coalesce("state"->>'phase', ''), coalesce("exit_reason", ''), count(*)
FROM "runs" GROUP BY 1, 2, 3, 4, 5, 6;
--> statement-breakpoint
INSERT INTO "send_daily" ("campaign", "day", "step", "template", "status", "reason", "n", "first_at")
SELECT "campaign", ("created_at" AT TIME ZONE 'UTC')::date, "step_key", "template", "status", coalesce("reason", ''), count(*), min("created_at")
FROM "sends" GROUP BY 1, 2, 3, 4, 5, 6;
--> statement-breakpoint
INSERT INTO "campaign_recipients" ("contact_id", "campaign", "first_sent_at")
SELECT "contact_id", "campaign", min("created_at") FROM "sends" WHERE "status" = 'sent' GROUP BY 1, 2;
--> statement-breakpoint
-- The utm model's rows again, now per network.
DELETE FROM "attribution_daily" WHERE "model" = 'utm';
--> statement-breakpoint
INSERT INTO "attribution_daily" ("campaign", "model", "day", "currency", "network", "orders", "revenue")
SELECT a."campaign", a."model", (o."occurred_at" AT TIME ZONE 'UTC')::date, o."currency", coalesce(o."utm_source", '(none)'), sum(a."weight"), sum(a."revenue")
FROM "attributions" a JOIN "orders" o ON o."id" = a."order_id" WHERE a."model" = 'utm' GROUP BY 1, 2, 3, 4, 5;
--> statement-breakpoint
-- Holdout orders of the campaigns with a holdout, with each one's click window as applied last
-- (5 days by default, as src/attribution/types.ts DEFAULT_WINDOWS).
INSERT INTO "holdout_orders" ("campaign", "held_out", "contact_id", "order_id", "currency", "amount")
SELECT e."campaign", e."held_out", e."contact_id", o."id", o."currency", greatest(o."total" - o."refunded", 0)
FROM "campaign_entries" e
JOIN (
  SELECT DISTINCT ON ("campaign") "campaign", coalesce(("plan"->'goal'->'attribution'->>'clickMs')::bigint, 432000000) AS "click_ms",
         coalesce(("plan"->>'holdoutPercent')::numeric, 0) AS "holdout"
  FROM "campaign_versions" WHERE "kind" = 'campaign' ORDER BY "campaign", "version" DESC
) v ON v."campaign" = e."campaign" AND v."holdout" > 0
JOIN "orders" o ON o."contact_id" = e."contact_id" AND o."occurred_at" >= e."entered_at"
  AND o."occurred_at" < e."entered_at" + v."click_ms" * interval '1 millisecond';
