CREATE TABLE "trigger_skips" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "trigger_skips_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"campaign" text NOT NULL,
	"contact_id" bigint NOT NULL,
	"event_id" bigint NOT NULL,
	"reason" text NOT NULL,
	"skipped_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sends" ADD COLUMN "handed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "trigger_skips" ADD CONSTRAINT "trigger_skips_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "trigger_skips_campaign_event_key" ON "trigger_skips" USING btree ("campaign","event_id");