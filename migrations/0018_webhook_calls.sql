CREATE TABLE "webhook_calls" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "webhook_calls_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"run_id" bigint NOT NULL,
	"step_key" text NOT NULL,
	"campaign" text NOT NULL,
	"campaign_version_id" bigint NOT NULL,
	"purpose" text NOT NULL,
	"webhook_id" text NOT NULL,
	"url" text NOT NULL,
	"template" jsonb NOT NULL,
	"secret_name" text,
	"gate" jsonb NOT NULL,
	"body" text,
	"status" text DEFAULT 'queued' NOT NULL,
	"reason" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"not_before" timestamp with time zone NOT NULL,
	"lease_until" timestamp with time zone,
	"response_status" integer,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	"settled_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "webhook_calls" ADD CONSTRAINT "webhook_calls_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_calls" ADD CONSTRAINT "webhook_calls_campaign_version_id_campaign_versions_id_fk" FOREIGN KEY ("campaign_version_id") REFERENCES "public"."campaign_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_calls_run_step_key" ON "webhook_calls" USING btree ("run_id","step_key");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_calls_webhook_id_key" ON "webhook_calls" USING btree ("webhook_id");--> statement-breakpoint
CREATE INDEX "webhook_calls_due_idx" ON "webhook_calls" USING btree ("not_before") WHERE status in ('queued', 'deferred');--> statement-breakpoint
CREATE INDEX "webhook_calls_leased_idx" ON "webhook_calls" USING btree ("lease_until") WHERE status = 'calling';