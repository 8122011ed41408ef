#!/bin/sh
# Builds what the container image ships, into $1: each service's build output with its
# production dependencies only (pnpm deploy), plus the start and health-check scripts.
# The Dockerfile runs exactly this; so does test/image-tree.test.ts, in a clean clone.
set -eu
out=${1:?usage: deploy/build-tree.sh <output directory>}
pnpm install --frozen-lockfile
pnpm build
for service in issuer matchmaker; do
  # --legacy: the workspace packages are copied (their dist), not linked.
  pnpm --filter "@ticketbooth/$service" deploy --prod --legacy "$out/$service"
done
cp deploy/entrypoint.sh deploy/healthcheck.mjs "$out/"
chmod +x "$out/entrypoint.sh"
