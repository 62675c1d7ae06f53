-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "moderation_bot";

-- CreateTable
CREATE TABLE "moderation_bot"."case_counter" (
    "guild_id" BIGINT NOT NULL,
    "last_number" INTEGER NOT NULL,

    CONSTRAINT "case_counter_pkey" PRIMARY KEY ("guild_id")
);

-- CreateTable
CREATE TABLE "moderation_bot"."mod_case" (
    "id" BIGSERIAL NOT NULL,
    "guild_id" BIGINT NOT NULL,
    "number" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "target_id" BIGINT NOT NULL,
    "moderator_id" BIGINT NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3),
    "end_job_id" TEXT,
    "dm_delivered" BOOLEAN,
    "dm_error" TEXT,

    CONSTRAINT "mod_case_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "moderation_bot"."guild_config" (
    "guild_id" BIGINT NOT NULL,
    "modlog_channel_id" BIGINT,

    CONSTRAINT "guild_config_pkey" PRIMARY KEY ("guild_id")
);

-- CreateTable
CREATE TABLE "moderation_bot"."reminder" (
    "id" BIGSERIAL NOT NULL,
    "user_id" BIGINT NOT NULL,
    "guild_id" BIGINT,
    "channel_id" BIGINT NOT NULL,
    "via_dm" BOOLEAN NOT NULL DEFAULT false,
    "text" TEXT NOT NULL,
    "due_at" TIMESTAMP(3) NOT NULL,
    "job_id" TEXT,
    "delivered_at" TIMESTAMP(3),
    "cancelled_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reminder_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "moderation_bot"."member_xp" (
    "guild_id" BIGINT NOT NULL,
    "user_id" BIGINT NOT NULL,
    "xp" INTEGER NOT NULL DEFAULT 0,
    "level" INTEGER NOT NULL DEFAULT 0,
    "last_award_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "member_xp_pkey" PRIMARY KEY ("guild_id","user_id")
);

-- CreateTable
CREATE TABLE "moderation_bot"."kept_message" (
    "id" BIGINT NOT NULL,
    "guild_id" BIGINT NOT NULL,
    "channel_id" BIGINT NOT NULL,
    "author_id" BIGINT NOT NULL,
    "content" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "kept_message_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "mod_case_guild_id_target_id_number_idx" ON "moderation_bot"."mod_case"("guild_id", "target_id", "number");

-- CreateIndex
CREATE UNIQUE INDEX "mod_case_guild_id_number_key" ON "moderation_bot"."mod_case"("guild_id", "number");

-- CreateIndex
CREATE INDEX "reminder_user_id_due_at_idx" ON "moderation_bot"."reminder"("user_id", "due_at");

-- CreateIndex
CREATE INDEX "member_xp_guild_id_xp_idx" ON "moderation_bot"."member_xp"("guild_id", "xp" DESC);

-- CreateIndex
CREATE INDEX "kept_message_created_at_idx" ON "moderation_bot"."kept_message"("created_at");
