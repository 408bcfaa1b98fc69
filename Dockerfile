# syntax=docker/dockerfile:1
# The sigmesh node as a container image (docs/operations.md § Container). Build from a checkout:
#   docker build -t sigmesh:0.1.0 .
#   docker run -d --name sigmesh --network host --ulimit nofile=65536:65536 \
#     -v sigmesh-data:/data -e SIGMESH_PUBLIC_URL=https://node.example.org sigmesh:0.1.0
# No container engine runs on the project's test machines: no test builds this image. The
# packed-install test runs its ENTRYPOINT + CMD with its ENV, as an unprivileged user with only the
# data directory writable, against the same pack-release install, and runs its HEALTHCHECK; a unit
# test checks the instructions (packages/node/test/deploy/deploy-files.test.ts).

# Build stage: the workspace's pinned dependencies, the build, and the four package tarballs with
# a lockfile cut from the workspace's (scripts/pack-release.mjs).
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY . .
# --ignore-scripts: no install script of the workspace is needed to build (e2e's fetches a test
# fixture); `npm run build` is the root's `prepare`.
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm run build \
 && node scripts/pack-release.mjs --no-build /release

# Runtime stage: Node 20 and the packages only, installed at the versions CI tested.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /opt/sigmesh
COPY --from=build /release/ /opt/sigmesh/
COPY deploy/container/healthcheck.mjs /opt/sigmesh/healthcheck.mjs
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force \
 && rm -f /opt/sigmesh/*.tgz \
 && mkdir -p /data \
 && chown node:node /data

# The node's ed25519 identity lives in /data: keep the volume across upgrades.
ENV PATH=/opt/sigmesh/node_modules/.bin:$PATH \
    SIGMESH_DATA_DIR=/data \
    SIGMESH_HOST=0.0.0.0 \
    SIGMESH_PORT=8000 \
    SIGMESH_TURN_PORT=3478 \
    SIGMESH_DHT_PORT=6881
VOLUME ["/data"]

# HTTP(S); STUN/TURN on UDP and TCP; the DHT; the TURN relay ports (one UDP port per allocation
# from the kernel's ephemeral range, net.ipv4.ip_local_port_range). Publishing 28,000 UDP ports
# through Docker's proxy does not work well: run with --network host (compose.yaml does).
EXPOSE 8000/tcp 3478/tcp 3478/udp 6881/udp 32768-60999/udp

USER node
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "/opt/sigmesh/healthcheck.mjs"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["sigmesh"]
CMD ["start"]
