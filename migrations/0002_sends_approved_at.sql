ALTER TABLE "sends" ADD COLUMN "approved_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "sends_contact_approved_idx" ON "sends" USING btree ("contact_id","approved_at");