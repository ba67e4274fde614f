# The Issuer API and the worker share one image; docker-compose.yml picks the command.
FROM node:20.20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY api api
COPY activities activities
COPY clients clients
COPY cli cli
COPY config config
COPY crypto crypto
COPY dev dev
COPY domain domain
COPY store store
COPY wallet wallet
COPY observability observability
COPY reference-wallet reference-wallet
COPY workers workers
COPY workflows workflows
COPY bench bench
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev

FROM node:20.20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json ./
USER node
# The worker bundles workflow code from dist/workflows at start.
CMD ["node", "dist/api/main.js"]
