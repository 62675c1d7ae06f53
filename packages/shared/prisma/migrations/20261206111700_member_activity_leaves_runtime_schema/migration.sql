-- member_activity belonged to the example bot, which now keeps its tables in its own PostgreSQL schema
-- (examples/starter-bot, schema "starter_bot", whose migrations run after these). Moved aside rather than
-- dropped so that its rows survive: the starter bot's first migration adopts the table from "retired".
CREATE SCHEMA IF NOT EXISTS "retired";

ALTER TABLE "member_activity" SET SCHEMA "retired";
