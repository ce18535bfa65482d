ALTER TABLE "clicks" ADD COLUMN "bot_reason" text;--> statement-breakpoint
ALTER TABLE "opens" ADD COLUMN "bot_reason" text;