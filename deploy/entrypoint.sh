#!/bin/sh
# The image's entrypoint (Dockerfile): checks what a run needs, then `exec meltano "$@"` in the
# project (default arguments: run incremental-sync). One clear line and exit 2 when:
#   (the state checks apply to `run`, `el`, `elt` and `state`; --version, config ... run as they are)
#   - no state backend outside the container: MELTANO_STATE_BACKEND_URI must be s3://, gs:// or
#     azure:// (object storage), or MELTANO_DATABASE_URI a PostgreSQL system database. A file://
#     state backend is allowed only with WMS_SINGER_STATE_VOLUME=1 (a mounted persistent volume);
#   - an entity group (TAP_ORACLE_WMS_ENTITIES) runs without its own state id suffix
#     (MELTANO_RUN_STATE_ID_SUFFIX), which would mix its bookmarks with another group's.
# Runs outside a container too: WMS_SINGER_PROJECT names the project folder (default /project).
set -eu

die() {
  printf 'wms-singer-entrypoint: %s\n' "$*" >&2
  exit 2
}

project=${WMS_SINGER_PROJECT:-/project}
: "${MELTANO_ENVIRONMENT:=prod}"
export MELTANO_ENVIRONMENT MELTANO_SEND_ANONYMOUS_USAGE_STATS="${MELTANO_SEND_ANONYMOUS_USAGE_STATS:-false}"

# Commands that read or write state need a state backend outside the container.
case ${1:-} in
  run | el | elt | state) needs_state=1 ;;
  *) needs_state=0 ;;
esac
state_uri=${MELTANO_STATE_BACKEND_URI:-systemdb}
[ "$needs_state" = 1 ] || state_uri=skip
case $state_uri in
  skip) ;;
  s3://* | gs://* | azure://*) ;;
  file://*)
    [ "${WMS_SINGER_STATE_VOLUME:-}" = 1 ] ||
      die "MELTANO_STATE_BACKEND_URI=$state_uri is on the container's disk, lost after the run; use s3://, gs:// or azure://, or set WMS_SINGER_STATE_VOLUME=1 when that path is a mounted persistent volume"
    ;;
  systemdb)
    case ${MELTANO_DATABASE_URI:-} in
      postgresql://* | postgresql+*://*) ;;
      *) die "no state backend outside the container: set MELTANO_STATE_BACKEND_URI (s3://, gs://, azure://) or MELTANO_DATABASE_URI (postgresql+psycopg://...); the container's disk is lost after each run" ;;
    esac
    ;;
  *) die "MELTANO_STATE_BACKEND_URI=$state_uri is not a state backend this image supports (s3://, gs://, azure://, file:// on a volume)" ;;
esac

if [ -n "${TAP_ORACLE_WMS_ENTITIES:-}" ] && [ -z "${MELTANO_RUN_STATE_ID_SUFFIX:-}" ]; then
  die "TAP_ORACLE_WMS_ENTITIES=$TAP_ORACLE_WMS_ENTITIES is an entity group: give it its own state id with MELTANO_RUN_STATE_ID_SUFFIX (e.g. orders)"
fi

cd "$project" || die "the project folder $project is missing"
[ -f meltano.yml ] || die "$project has no meltano.yml"
exec meltano "$@"
