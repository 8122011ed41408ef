# One image for both services: `docker run <image> issuer` or `... matchmaker` (see compose.yaml).
# Build: docker build -t ticketbooth .    (podman build works the same)
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3 is compiled from source.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
RUN npm install -g pnpm@10
# Node's headers ship in the image: node-gyp needs no download.
ENV npm_config_nodedir=/usr/local
WORKDIR /src
COPY . .
RUN sh deploy/build-tree.sh /app

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    TICKETBOOTH_HOME=/var/lib/ticketbooth
# Build output and production dependencies only: no sources, compilers or dev tools.
COPY --from=build /app /app
RUN mkdir -p /var/lib/ticketbooth && chown node:node /var/lib/ticketbooth
USER node
VOLUME /var/lib/ticketbooth
EXPOSE 8700 8701
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "/app/healthcheck.mjs"]
ENTRYPOINT ["/app/entrypoint.sh"]
CMD ["issuer"]
