DROP INDEX "events_unprocessed_idx";--> statement-breakpoint
DROP INDEX "campaign_versions_campaign_version_key";--> statement-breakpoint
ALTER TABLE "campaign_versions" ADD COLUMN "kind" text DEFAULT 'campaign' NOT NULL;--> statement-breakpoint
CREATE INDEX "events_unprocessed_contact_idx" ON "events" USING btree ("contact_id","id") WHERE processed_at is null;--> statement-breakpoint
CREATE INDEX "events_unprocessed_idx" ON "events" USING btree ("id") WHERE processed_at is null;--> statement-breakpoint
CREATE UNIQUE INDEX "campaign_versions_campaign_version_key" ON "campaign_versions" USING btree ("kind","campaign","version");