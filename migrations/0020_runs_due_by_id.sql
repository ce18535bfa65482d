DROP INDEX "runs_due_idx";--> statement-breakpoint
CREATE INDEX "runs_due_idx" ON "runs" USING btree ("next_wake_at","id") WHERE status = 'active';