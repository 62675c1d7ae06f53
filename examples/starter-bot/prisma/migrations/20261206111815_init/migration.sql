-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "starter_bot";

-- Databases migrated before the bot had its own schema hold this table, with its rows, in "retired"
-- (the runtime's migration 20261206111700_member_activity_leaves_runtime_schema put it there): adopt it.
-- Elsewhere (a new database, the shadow database of a diff) there is nothing to adopt and this is skipped.
ALTER TABLE IF EXISTS "retired"."member_activity" SET SCHEMA "starter_bot";

-- CreateTable
CREATE TABLE IF NOT EXISTS "starter_bot"."member_activity" (
    "guild_id" BIGINT NOT NULL,
    "user_id" BIGINT NOT NULL,
    "message_count" INTEGER NOT NULL DEFAULT 0,
    "last_message_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "member_activity_pkey" PRIMARY KEY ("guild_id","user_id")
);
