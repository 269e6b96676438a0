# The bot as a container: the production folder of `pnpm deploy:bot` (runtime dependencies only) on Node 22, run as
# an unprivileged user with the launcher's memory settings. Config and state live in /home/openpollen/.openpollen
# (mount a volume there); credentials come from the environment (docker run -e DINGTALK_CLIENT_ID=… -e …).

FROM node:22-bookworm-slim AS build
ENV COREPACK_ENABLE_STRICT=0 TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
RUN npm install --global pnpm@10.34.8
WORKDIR /repo
COPY . .
RUN pnpm install --frozen-lockfile && pnpm deploy:bot /out

FROM node:22-bookworm-slim
# What the launcher's first line and apps/bot's scripts give node: one malloc arena and a 4 MB young generation.
ENV NODE_ENV=production MALLOC_ARENA_MAX=1 NODE_OPTIONS=--max-semi-space-size=8
RUN useradd --system --create-home --home-dir /home/openpollen --shell /usr/sbin/nologin openpollen
COPY --from=build /out /opt/openpollen
USER openpollen
WORKDIR /home/openpollen
VOLUME /home/openpollen/.openpollen
# The gateway API listens on loopback inside the container (gateway.port, default 18800).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:18800/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/opt/openpollen/bin/openpollen.js"]
CMD ["start"]
