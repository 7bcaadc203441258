# One image per Kulturbro service, all built from this file:
#
#   docker build --build-arg SERVICE=booking -t kulturbro/booking:latest .
#
# The image runs `kulturbro service <SERVICE>` by default. Docker does not
# expand variables in exec-form CMD, so each service gets a tiny stage with a
# literal CMD and its HTTP port, and the last stage picks one with
# FROM service-${SERVICE}. An unknown SERVICE fails the build.

ARG PYTHON_IMAGE=python:3.11-slim
ARG SERVICE

# ---------------------------------------------------------------------------
# build: install the service and its libraries into a virtualenv
# ---------------------------------------------------------------------------
# Every internal library any service depends on is copied and named by path in
# the one pip install: a kulturbro-* name left out would be looked up on the
# public index (a failed build, or a stranger's package). deploy/replay_dockerfile.py
# replays these steps with the index switched off to prove none is missing.
FROM ${PYTHON_IMAGE} AS build
ARG SERVICE
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY constraints.txt ./
COPY libs/contracts/ libs/contracts/
COPY libs/runtime/ libs/runtime/
COPY libs/replicas/ libs/replicas/
COPY libs/cli/ libs/cli/
COPY services/${SERVICE}/ services/${SERVICE}/
RUN pip install -c constraints.txt \
        ./libs/contracts \
        ./libs/runtime \
        ./libs/replicas \
        ./libs/cli \
        "./services/${SERVICE}"

# ---------------------------------------------------------------------------
# runtime: slim image, non-root, read-only-root friendly
# ---------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ARG SERVICE
LABEL org.opencontainers.image.title="kulturbro-${SERVICE}" \
      org.opencontainers.image.description="Kulturbro ${SERVICE} service"
RUN groupadd --system --gid 10001 kulturbro \
 && useradd --system --uid 10001 --gid kulturbro \
        --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin kulturbro
COPY --from=build /opt/venv /opt/venv
# KULTURBRO_SERVICE keeps the build arg at run time (for `sh -c` wrappers).
# HOME=/tmp: the root filesystem is read-only in Kubernetes, /tmp is not.
ENV PATH=/opt/venv/bin:$PATH \
    HOME=/tmp \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    KULTURBRO_SERVICE=${SERVICE}
USER 10001:10001
ENTRYPOINT ["kulturbro"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['HTTP_PORT'], timeout=4)"]

# ---------------------------------------------------------------------------
# one stage per service: HTTP port and default command
# ---------------------------------------------------------------------------
FROM runtime AS service-gateway
ENV HTTP_PORT=8000
EXPOSE 8000
CMD ["service", "gateway"]

FROM runtime AS service-directory
ENV HTTP_PORT=8001
EXPOSE 8001
CMD ["service", "directory"]

FROM runtime AS service-catalog
ENV HTTP_PORT=8002
EXPOSE 8002
CMD ["service", "catalog"]

FROM runtime AS service-booking
ENV HTTP_PORT=8003
EXPOSE 8003
CMD ["service", "booking"]

FROM runtime AS service-allocation
ENV HTTP_PORT=8004
EXPOSE 8004
CMD ["service", "allocation"]

FROM runtime AS service-transport
ENV HTTP_PORT=8005
EXPOSE 8005
CMD ["service", "transport"]

FROM runtime AS service-notify
ENV HTTP_PORT=8006
EXPOSE 8006
CMD ["service", "notify"]

FROM runtime AS service-stats
ENV HTTP_PORT=8007
EXPOSE 8007
CMD ["service", "stats"]

FROM runtime AS service-web
ENV HTTP_PORT=8008
EXPOSE 8008
CMD ["service", "web"]

# hadolint ignore=DL3006
FROM service-${SERVICE} AS final
