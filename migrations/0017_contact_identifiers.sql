CREATE TABLE "contact_identifiers" (
	"identifier" text PRIMARY KEY NOT NULL,
	"contact_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"source" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contact_merges" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "contact_merges_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"survivor_id" bigint NOT NULL,
	"merged_id" bigint NOT NULL,
	"via" jsonb NOT NULL,
	"source" text NOT NULL,
	"reason" text NOT NULL,
	"snapshot" jsonb NOT NULL,
	"moved" jsonb NOT NULL,
	"merged_at" timestamp with time zone NOT NULL,
	"reverted_at" timestamp with time zone,
	"reverted_by" text
);
--> statement-breakpoint
ALTER TABLE "contact_identifiers" ADD CONSTRAINT "contact_identifiers_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_merges" ADD CONSTRAINT "contact_merges_survivor_id_contacts_id_fk" FOREIGN KEY ("survivor_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "contact_identifiers_contact_idx" ON "contact_identifiers" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "contact_merges_survivor_idx" ON "contact_merges" USING btree ("survivor_id");--> statement-breakpoint
CREATE INDEX "contact_merges_merged_idx" ON "contact_merges" USING btree ("merged_id");--> statement-breakpoint
-- Hand-written: every stored contact is known by its external id (the application's: external:app:)
-- and its email. Contacts stored before from Shopify carry the customer id as their external id,
-- so theirs becomes external:app:<customer id> too (new Shopify deliveries add shopify:<shop>:<id>).
INSERT INTO "contact_identifiers" ("identifier", "contact_id", "kind", "source", "created_at")
SELECT 'external:app:' || "external_id", "id", 'external', 'backfill', "created_at" FROM "contacts" WHERE "external_id" IS NOT NULL
UNION ALL
SELECT 'email:' || "email", "id", 'email', 'backfill', "created_at" FROM "contacts" WHERE "email" IS NOT NULL
ON CONFLICT DO NOTHING;
