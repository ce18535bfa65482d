ALTER TABLE "contacts" ADD COLUMN "timezone_source" text;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "locale_source" text;--> statement-breakpoint
-- Hand-written: zones and locales stored before came from events, the API or the CLI, so they were stated.
UPDATE "contacts" SET "timezone_source" = 'explicit' WHERE "timezone" IS NOT NULL;
--> statement-breakpoint
UPDATE "contacts" SET "locale_source" = 'explicit' WHERE "locale" IS NOT NULL;
