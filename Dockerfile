# syntax=docker/dockerfile:1
# One image for every process of the cluster; the command picks the role:
#   docker run <image> gateway | worker | scheduler | dashboard | migrate
# Configuration (tokens included) comes from the environment at run time, never from the image.

# ── build: compile every workspace, then stage the runtime with production dependencies only ─────────
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /src
ENV TURBO_TELEMETRY_DISABLED=1
COPY . .
# `npm ci` runs the root postinstall, which generates the Prisma client offline.
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
# The same script the compiled-build test runs: build, then stage /runtime (dist, prisma, production deps).
RUN --mount=type=cache,target=/root/.npm scripts/production/build-production.sh /runtime

# ── runtime: the staged folder, owned by root and read-only to the unprivileged user that runs it ──────
FROM node:20.20.2-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /runtime/ ./
# Numeric, so Kubernetes' runAsNonRoot can verify it (the base image's `node` user is 1000).
USER 1000:1000
# Metrics, /healthz and /readyz (METRICS_PORT as the deployments set it), and the dashboard.
EXPOSE 9100 9300
# Exec form: Node is PID 1 and receives SIGTERM itself, so the graceful drain runs (no shell in between).
ENTRYPOINT ["node", "scripts/production/start-role.mjs"]
CMD ["gateway"]
