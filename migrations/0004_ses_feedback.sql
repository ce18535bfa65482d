CREATE TABLE "transient_bounces" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "transient_bounces_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"address_hash" text NOT NULL,
	"notification_id" text NOT NULL,
	"bounced_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "suppressions" ADD COLUMN "scope" text DEFAULT 'all' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "transient_bounces_notification_address_key" ON "transient_bounces" USING btree ("notification_id","address_hash");--> statement-breakpoint
CREATE INDEX "transient_bounces_address_idx" ON "transient_bounces" USING btree ("address_hash","bounced_at");