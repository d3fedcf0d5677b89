#!/usr/bin/env bash
# The whole product on this machine, from nothing: sets up (scripts/setup.sh), starts the WMS
# simulator, runs the full sync and then an incremental sync through `meltano run` into
# output/warehouse.db, each followed by the data quality checks (wms-quality), writes the quality
# report, stops the simulator and prints rows per table. Safe to run again: each
# run starts from an empty demo database and empty demo bookmarks.
#   DEMO_ORDER_DTL_ROWS   order lines the simulator generates (default 2000; other entities follow)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

say() { printf '\n== %s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

bash scripts/setup.sh
# The Node.js that scripts/setup.sh installed from PyPI into .venv, never another one.
export PATH="$ROOT/.venv/bin:$PATH"

export MELTANO_SEND_ANONYMOUS_USAGE_STATS=false MELTANO_ENVIRONMENT=dev NO_COLOR=1
DB=${TARGET_ORACLE_SQLITE_PATH:-$ROOT/output/warehouse.db}
LOGS=$ROOT/output/demo-logs
mkdir -p "$LOGS" "$(dirname "$DB")"

meltano_logged() {
  local log=$1
  shift
  if ! .venv/bin/meltano "$@" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "meltano $* failed; the whole log is $log"
  fi
}
report() { .venv/bin/python scripts/demo-report.py "$@"; }

say "Starting the WMS simulator"
sim_out=$(mktemp)
# The simulated clock starts 65 minutes ago, so after the hour that passes below the newest
# changes are minutes old, as after a real two-hourly load (the freshness check measures that).
start_time=$(node -p 'new Date(Date.now() - 65 * 60000).toISOString()')
node packages/wms-simulator/dist/src/cli.js --port 0 --seed 42 --rows "order_dtl=${DEMO_ORDER_DTL_ROWS:-2000}" \
  --start-time "$start_time" \
  >"$sim_out" 2>"$LOGS/simulator.log" &
sim_pid=$!
stop_simulator() {
  kill "$sim_pid" 2>/dev/null || true
  wait "$sim_pid" 2>/dev/null || true
}
trap 'stop_simulator; rm -f "$sim_out"' EXIT
for _ in $(seq 1 300); do
  [[ $(wc -l <"$sim_out") -ge 1 ]] && break
  kill -0 "$sim_pid" 2>/dev/null || die "the simulator stopped: $(cat "$LOGS/simulator.log")"
  sleep 0.1
done
base_url=$(head -n 1 "$sim_out")
[[ $base_url == http://127.0.0.1:* ]] || die "the simulator did not print its URL (got '$base_url')"
export TAP_ORACLE_WMS_BASE_URL=$base_url
echo "    $base_url"

# A demo starts clean: its own database file and no bookmarks from an earlier demo.
rm -f "$DB" "$DB-wal" "$DB-shm"
for state_id in dev:tap-oracle-wms--full-to-target-oracle dev:tap-oracle-wms-to-target-oracle; do
  meltano_logged "$LOGS/state-clear.log" state clear --force "$state_id"
done

say "Full sync: meltano run full-sync (tap-oracle-wms--full target-oracle, then wms-quality:check)"
meltano_logged "$LOGS/full-sync.log" run full-sync
report fetched "$LOGS/full-sync.log"
echo "  data quality:"
report quality "$LOGS/full-sync.log"

# The incremental job keeps its own bookmarks; starting them from the full sync's spares the
# first incremental run a complete re-read.
meltano_logged "$LOGS/state-copy.log" state copy --force \
  dev:tap-oracle-wms--full-to-target-oracle dev:tap-oracle-wms-to-target-oracle

say "The WMS changes: an hour passes, rows are updated, inserted and deleted"
node -e '
  const [base] = process.argv.slice(1);
  const change = { updates: 25, inserts: 10, deletes: 5, seconds: 3600 };
  fetch(`${base}/__sim/advance`, { method: "POST", body: JSON.stringify(change) })
    .then(async (response) => {
      if (!response.ok) throw new Error(`advance answered ${response.status}: ${await response.text()}`);
      const result = await response.json();
      for (const [entity, ids] of Object.entries(result.changes)) {
        const counts = `${ids.updated.length} updated, ${ids.inserted.length} inserted, ${ids.deleted.length} deleted`;
        console.log(`    ${entity.padEnd(12)} ${counts}`);
      }
    })
    .catch((error) => { console.error(`demo: ${error.message}`); process.exit(1); });
' "$base_url"

say "Incremental sync: meltano run tap-oracle-wms target-oracle wms-quality:check"
meltano_logged "$LOGS/incremental-sync.log" run tap-oracle-wms target-oracle wms-quality:check
report fetched "$LOGS/incremental-sync.log"
echo "  data quality (completeness warns: rows deleted in the WMS stay until the next full sync):"
report quality "$LOGS/incremental-sync.log"
meltano_logged "$LOGS/quality-report.log" run wms-quality:report

stop_simulator

say "Rows per table"
report tables "$DB"
cat <<EOT

Database: $DB
Data quality: output/quality-report.html (wms-quality report), results in the table wms_quality_results
Bookmarks: .venv/bin/meltano state get dev:tap-oracle-wms-to-target-oracle
Logs: $LOGS/
Deleted rows stay in the tables until the next full sync (meltano run full-sync) reconciles them.
EOT
