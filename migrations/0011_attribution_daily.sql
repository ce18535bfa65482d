CREATE TABLE "attribution_daily" (
	"campaign" text NOT NULL,
	"model" text NOT NULL,
	"day" date NOT NULL,
	"currency" text NOT NULL,
	"orders" numeric(20, 6) NOT NULL,
	"revenue" numeric(16, 2) NOT NULL,
	CONSTRAINT "attribution_daily_campaign_model_day_currency_pk" PRIMARY KEY("campaign","model","day","currency")
);
--> statement-breakpoint
-- Credits made before the rollup existed (hand-written: drizzle-kit does not generate data moves).
INSERT INTO "attribution_daily" ("campaign", "model", "day", "currency", "orders", "revenue")
SELECT a."campaign", a."model", (o."occurred_at" AT TIME ZONE 'UTC')::date, o."currency", sum(a."weight"), sum(a."revenue")
FROM "attributions" a JOIN "orders" o ON o."id" = a."order_id"
GROUP BY 1, 2, 3, 4;
