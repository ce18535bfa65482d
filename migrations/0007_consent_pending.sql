ALTER TABLE "consent_records" ADD COLUMN "pending" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "consent_records" ADD COLUMN "confirms" bigint;