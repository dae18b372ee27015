#!/usr/bin/env bash
# make demo: start the project's local cluster and show it, first through the
# pcp_node_info drop-in, then through pcpctl's own role table; then the
# watchdog trio, through pcp_watchdog_info and pcpctl watchdog status.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/bin:/usr/local/go/bin:$PATH"

scripts/cluster.sh start
eval "$(scripts/cluster.sh env)"
conn=(-h "$PCP_HOST" -p "$PCP_PORT" -U "$PCP_USER" -w)

run() { printf '\n$ %s\n' "$*"; "$@" || true; }

run pcp_node_count "${conn[@]}"
run pcp_node_info "${conn[@]}"
run pcp_node_info "${conn[@]}" -v -n 0
run pcpctl node list "${conn[@]}" -o table
run pcpctl node list "${conn[@]}" -o table --sql="$PGPOOL_PORT" --check-backends --sql-user=postgres
run pcpctl node list "${conn[@]}" -o json

# The watchdog trio (three pgpools over the same backends), side by side.
scripts/cluster.sh wd-start
eval "$(scripts/cluster.sh env)"
read -r wd_pcp _ <<<"$WD_PCP_PORTS"
wd=(-h "$PCP_HOST" -p "$wd_pcp" -U "$PCP_USER" -w)
run pcp_watchdog_info "${wd[@]}"
run pcp_watchdog_info "${wd[@]}" -v
run pcpctl watchdog status "${wd[@]}" -o table
trio=()
for p in $WD_PCP_PORTS; do trio+=(--pgpool "$PCP_HOST:$p"); done
run pcpctl cluster status "${trio[@]}" -U "$PCP_USER" -w -o table

printf '\nThe cluster and the watchdog trio keep running; stop both with: make cluster-stop\n'
