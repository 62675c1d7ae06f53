-- member_activity belonged to the example bot, which now keeps its tables in its own PostgreSQL schema
-- (examples/starter-bot, schema "starter_bot", whose migrations run after these). Moved, not dropped, so
-- that its rows survive: the bot's first migration adopts the table. (No semicolons in these comments:
-- the driver adapter splits a migration into statements at every semicolon.)
CREATE SCHEMA IF NOT EXISTS "starter_bot";

ALTER TABLE "member_activity" SET SCHEMA "starter_bot";
