-- AlterTable
ALTER TABLE "scheduled_job_run" ADD COLUMN     "attempt" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "duration_ms" INTEGER,
ADD COLUMN     "error" TEXT;

-- CreateTable
CREATE TABLE "delayed_job" (
    "id" BIGSERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "run_at" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL DEFAULT 5,
    "claimed_by" TEXT,
    "claim_token" UUID,
    "lease_until" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),
    "last_error" TEXT,

    CONSTRAINT "delayed_job_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "delayed_job_status_run_at_idx" ON "delayed_job"("status", "run_at");

-- CreateIndex
CREATE INDEX "delayed_job_status_lease_until_idx" ON "delayed_job"("status", "lease_until");
