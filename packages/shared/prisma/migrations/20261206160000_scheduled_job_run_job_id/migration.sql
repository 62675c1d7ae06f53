-- CreateIndex
CREATE INDEX "scheduled_job_run_job_id_idx" ON "scheduled_job_run"("job_id");
