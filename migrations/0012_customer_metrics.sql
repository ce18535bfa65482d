CREATE TABLE "customer_metrics" (
	"contact_id" bigint PRIMARY KEY NOT NULL,
	"orders" integer DEFAULT 0 NOT NULL,
	"revenue" numeric(16, 2) DEFAULT '0' NOT NULL,
	"first_order_at" timestamp with time zone,
	"last_order_at" timestamp with time zone,
	"mean_gap_days" double precision,
	"stage" text DEFAULT 'prospect' NOT NULL,
	"stage_since" timestamp with time zone NOT NULL,
	"churn_at" timestamp with time zone,
	"lost_at" timestamp with time zone,
	"review_at" timestamp with time zone,
	"r" smallint,
	"f" smallint,
	"m" smallint,
	"rfm" text,
	"value" numeric(16, 2),
	"predicted" jsonb,
	"doc" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"computed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "customer_metrics" ADD CONSTRAINT "customer_metrics_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "customer_metrics_stage_idx" ON "customer_metrics" USING btree ("stage");--> statement-breakpoint
CREATE INDEX "customer_metrics_rfm_idx" ON "customer_metrics" USING btree ("rfm");--> statement-breakpoint
CREATE INDEX "customer_metrics_review_at_idx" ON "customer_metrics" USING btree ("review_at") WHERE review_at is not null;