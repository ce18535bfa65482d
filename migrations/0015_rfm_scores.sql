CREATE TABLE "rfm_scores" (
	"contact_id" bigint PRIMARY KEY NOT NULL,
	"r" smallint NOT NULL,
	"f" smallint NOT NULL,
	"m" smallint NOT NULL,
	"cell" text NOT NULL
);
