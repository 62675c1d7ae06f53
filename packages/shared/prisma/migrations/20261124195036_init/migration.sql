-- CreateTable
CREATE TABLE "handled_event" (
    "key" TEXT NOT NULL,
    "handled_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "handled_event_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "member_activity" (
    "guild_id" BIGINT NOT NULL,
    "user_id" BIGINT NOT NULL,
    "message_count" INTEGER NOT NULL DEFAULT 0,
    "last_message_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "member_activity_pkey" PRIMARY KEY ("guild_id","user_id")
);

-- CreateTable
CREATE TABLE "scheduled_job_run" (
    "id" BIGSERIAL NOT NULL,
    "job_name" TEXT NOT NULL,
    "job_id" TEXT NOT NULL,
    "runner_id" TEXT NOT NULL,
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMP(3),
    "outcome" TEXT NOT NULL,
    "detail" JSONB,

    CONSTRAINT "scheduled_job_run_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "handled_event_handled_at_idx" ON "handled_event"("handled_at");

-- CreateIndex
CREATE INDEX "scheduled_job_run_job_name_started_at_idx" ON "scheduled_job_run"("job_name", "started_at");
