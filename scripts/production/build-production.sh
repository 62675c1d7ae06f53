#!/bin/sh
# The one build production runs: the Dockerfile's build stage and the compiled-build test both call this
# script, so what the test starts is what the image ships.
#   scripts/production/build-production.sh [<runtime folder>]
# 1. compiles every workspace (`npm run build`: TypeScript to dist/, the Prisma client, Lua scripts);
# 2. with a folder argument, stages the runtime there: production workspaces and production dependencies only.
set -eu
cd "$(dirname "$0")/../.."
npm run build
if [ "$#" -gt 0 ]; then
  node scripts/production/stage-runtime.mjs "$1"
fi
