# HugMood hub container image.
#
#   docker build -t hugmood .
#   docker run --rm -p 8080:8080 -e HUGMOOD_JWT_SECRET="$(openssl rand -hex 32)" \
#       -v hugmood-data:/app/data hugmood
#
# The image binds 0.0.0.0, so it refuses to start without HUGMOOD_JWT_SECRET (at least
# 32 bytes): the development secret is accepted on a loopback address only.
#
# Embedded mode by default (SQLite under /app/data, in-process bus). For a cluster,
# set HUGMOOD_DATABASE_URL / HUGMOOD_REDIS_URL or mount an override file and run
# `serve --config /app/config/cluster.example.toml` (the image holds config/; mount an
# edited copy over that path).

# --- build -------------------------------------------------------------------
FROM rust:1-bookworm AS builder
WORKDIR /src
ENV CARGO_TARGET_DIR=/src/target
COPY . .
RUN cargo build --release --locked --bin hugmood \
    && install -m 0755 target/release/hugmood /usr/local/bin/hugmood

# --- runtime -----------------------------------------------------------------
FROM debian:bookworm-slim
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 hugmood \
    && useradd --system --uid 10001 --gid hugmood --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin hugmood
WORKDIR /app
COPY --from=builder /usr/local/bin/hugmood /usr/local/bin/hugmood
COPY config/ /app/config/
RUN mkdir -p /app/data && chown hugmood:hugmood /app/data
ENV HUGMOOD_BIND=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
USER hugmood
ENTRYPOINT ["hugmood"]
CMD ["serve"]
