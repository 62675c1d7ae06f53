-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "starter_bot";

-- CreateTable
-- IF NOT EXISTS: a database migrated before the bot had its own schema already has this table, moved here
-- with its rows by the runtime's migration 20261206111700_member_activity_moves_to_starter_bot.
CREATE TABLE IF NOT EXISTS "starter_bot"."member_activity" (
    "guild_id" BIGINT NOT NULL,
    "user_id" BIGINT NOT NULL,
    "message_count" INTEGER NOT NULL DEFAULT 0,
    "last_message_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "member_activity_pkey" PRIMARY KEY ("guild_id","user_id")
);
