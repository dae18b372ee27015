#!/usr/bin/env bash
# make demo: start the project's local cluster and show it, first through the
# pcp_node_info drop-in, then through pcpctl's own role table; then the
# watchdog trio, through pcp_watchdog_info and pcpctl watchdog status. It
# ends with the lines to copy into a shell to go on from there.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/bin:/usr/local/go/bin:$PATH"

scripts/cluster.sh start
eval "$(scripts/cluster.sh env)"
conn=(-h "$PCPHOST" -p "$PCPPORT" -U "$PCPUSER" -w)

run() { printf '\n$ %s\n' "$*"; "$@" || true; }

# pgpool shows a node as "waiting" (status 1) until a client session has
# used it; one session through pgpool makes the nodes "up" (2), as they are
# on any pgpool in service.
printf '\n$ psql -h %s -p %s -U postgres -c "SELECT 1"   # one session through pgpool: nodes go from waiting to up\n' "$PCPHOST" "$PGPOOL_PORT"
psql -X -q -h "$PCPHOST" -p "$PGPOOL_PORT" -U postgres -d postgres -c 'SELECT 1' >/dev/null

run pcp_node_count "${conn[@]}"
run pcp_node_info "${conn[@]}"
run pcp_node_info "${conn[@]}" -v -n 0
run pcpctl node list "${conn[@]}" -o table
run pcpctl node list "${conn[@]}" -o table --sql="$PGPOOL_PORT" --check-backends --sql-user=postgres
run pcpctl node list "${conn[@]}" -o json

# The watchdog trio (three pgpools over the same backends), side by side.
scripts/cluster.sh wd-start
for p in $WD_PGPOOL_PORTS; do
  psql -X -q -h "$PCPHOST" -p "$p" -U postgres -d postgres -c 'SELECT 1' >/dev/null
done
read -r wd_pcp _ <<<"$WD_PCP_PORTS"
wd=(-h "$PCPHOST" -p "$wd_pcp" -U "$PCPUSER" -w)
run pcp_watchdog_info "${wd[@]}"
run pcp_watchdog_info "${wd[@]}" -v
run pcpctl watchdog status "${wd[@]}" -o table
trio=() trio_sql=()
read -r -a wd_sql <<<"$WD_PGPOOL_PORTS"
i=0
for p in $WD_PCP_PORTS; do
  trio+=(--pgpool "$PCPHOST:$p")
  trio_sql+=(--sql-port "${wd_sql[i]}")
  i=$((i + 1))
done
run pcpctl cluster status "${trio[@]}" -U "$PCPUSER" -w -o table

cat <<MSG

The cluster and the watchdog trio keep running; stop both with: make cluster-stop

To go on in this shell, copy these lines: pcpctl and the pcp_* drop-ins
are in bin/, and the env line names the demo's pgpool (PCPHOST, PCPPORT,
PCPUSER, which pcpctl reads) and its password file (PCPPASSFILE, which the
pcp_* tools read too).

  export PATH="$PWD/bin:\$PATH"
  eval "\$(scripts/cluster.sh env)"

Then, for example:

  pcpctl node list                  # reads PCPHOST, PCPPORT, PCPUSER
  pcp_node_info -h "\$PCPHOST" -p "\$PCPPORT" -U "\$PCPUSER" -w -n 0
                                    # the drop-ins, like the stock tools, read
                                    # PCPPASSFILE but take the rest as flags

To name the demo's pgpool and its trio without flags or environment, add
them as contexts (written to ~/.config/pcpctl/config.yaml; no password is
stored there, it stays in PCPPASSFILE or ~/.pcppass):

  unset PCPHOST PCPPORT PCPUSER   # a pgpool named by these wins over the current context
  pcpctl context add demo --pgpool $PCPHOST:$PCPPORT --sql-port $PGPOOL_PORT -U $PCPUSER --use
  pcpctl context add demo-trio ${trio[*]} ${trio_sql[*]} -U $PCPUSER

  pcpctl node list                          # the current context: demo
  pcpctl node list --sql --check-backends --sql-user postgres
  pcpctl cluster status --context demo-trio # every pgpool of the trio

Without the env line, the password comes from ~/.pcppass (in the home
directory of the user running the command, as for the stock tools); to put
the demo's there: cat $PCPPASSFILE >> ~/.pcppass && chmod 600 ~/.pcppass
MSG
