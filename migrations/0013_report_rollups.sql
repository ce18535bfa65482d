CREATE TABLE "campaign_entries" (
	"campaign" text NOT NULL,
	"contact_id" bigint NOT NULL,
	"held_out" boolean NOT NULL,
	"entered_at" timestamp with time zone NOT NULL,
	CONSTRAINT "campaign_entries_campaign_held_out_contact_id_pk" PRIMARY KEY("campaign","held_out","contact_id")
);
--> statement-breakpoint
CREATE TABLE "engagement_daily" (
	"campaign" text NOT NULL,
	"day" date NOT NULL,
	"metric" text NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "engagement_daily_campaign_day_metric_pk" PRIMARY KEY("campaign","day","metric")
);
--> statement-breakpoint
ALTER TABLE "sends" ADD COLUMN "first_human_click_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sends" ADD COLUMN "first_human_open_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "campaign_entries" ADD CONSTRAINT "campaign_entries_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sends_campaign_status_idx" ON "sends" USING btree ("campaign","status","created_at","contact_id");--> statement-breakpoint
CREATE INDEX "clicks_link_idx" ON "clicks" USING btree ("link_id");--> statement-breakpoint
-- Rows stored before the rollups existed (hand-written: drizzle-kit does not generate data moves
-- or statistics). The same rebuild as rebuildEngagement / rebuildCampaignEntries in src/storage/engagement.ts.
UPDATE "sends" s SET "first_human_click_at" = k."at"
FROM (SELECT "send_id", min("clicked_at") AS "at" FROM "clicks" WHERE NOT "is_bot" AND "send_id" IS NOT NULL GROUP BY 1) k
WHERE s."id" = k."send_id";
--> statement-breakpoint
UPDATE "sends" s SET "first_human_open_at" = o."at"
FROM (SELECT "send_id", min("opened_at") AS "at" FROM "opens" WHERE NOT "is_bot" GROUP BY 1) o
WHERE s."id" = o."send_id";
--> statement-breakpoint
INSERT INTO "engagement_daily" ("campaign", "day", "metric", "n")
SELECT "campaign", "day", "metric", sum("n") FROM (
  SELECT "campaign", ("sent_at" AT TIME ZONE 'UTC')::date AS "day", 'sent' AS "metric", count(*) AS "n"
    FROM "sends" WHERE "status" = 'sent' AND "sent_at" IS NOT NULL GROUP BY 1, 2
  UNION ALL
  SELECT s."campaign", (k."clicked_at" AT TIME ZONE 'UTC')::date, CASE WHEN k."is_bot" THEN 'click_bot' ELSE 'click_human' END, count(*)
    FROM "clicks" k JOIN "sends" s ON s."id" = k."send_id" GROUP BY 1, 2, 3
  UNION ALL
  SELECT s."campaign", (o."opened_at" AT TIME ZONE 'UTC')::date, CASE WHEN o."is_bot" THEN 'open_machine' ELSE 'open_human' END, count(*)
    FROM "opens" o JOIN "sends" s ON s."id" = o."send_id" GROUP BY 1, 2, 3
  UNION ALL
  SELECT "campaign", ("first_human_click_at" AT TIME ZONE 'UTC')::date, 'click_unique', count(*)
    FROM "sends" WHERE "first_human_click_at" IS NOT NULL GROUP BY 1, 2
  UNION ALL
  SELECT "campaign", ("first_human_open_at" AT TIME ZONE 'UTC')::date, 'open_unique', count(*)
    FROM "sends" WHERE "first_human_open_at" IS NOT NULL GROUP BY 1, 2
) m GROUP BY 1, 2, 3;
--> statement-breakpoint
INSERT INTO "campaign_entries" ("campaign", "contact_id", "held_out", "entered_at")
SELECT "campaign", "contact_id", "status" = 'holdout', min("started_at") FROM "runs" GROUP BY 1, 2, 3;
--> statement-breakpoint
-- The funnel groups one campaign's runs by step and phase: without these the planner guesses a
-- handful of groups and sorts 1M runs on disk.
CREATE STATISTICS IF NOT EXISTS "runs_funnel_stats" (ndistinct) ON "campaign", "status", ("state"->>'at'), ("state"->>'phase') FROM "runs";
