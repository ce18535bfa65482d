ALTER TABLE "clicks" ALTER COLUMN "send_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "links" ALTER COLUMN "send_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "links" ADD COLUMN "campaign" text;--> statement-breakpoint
ALTER TABLE "links" ADD COLUMN "network" text;