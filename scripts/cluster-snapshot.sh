#!/usr/bin/env bash
# cluster-snapshot.sh: scripts/cluster.sh for a pgpool-II 4.3.5 cluster in snapshot_isolation
# mode; same commands. Its own defaults (see cluster.sh); override them with
# SNAPSHOT_CLUSTER_DIR, SNAPSHOT_PG_PORT_BASE, SNAPSHOT_PGPOOL_PORT, SNAPSHOT_PCP_PORT and
# SNAPSHOT_WD_PORT_BASE.
PCPCTL_CLUSTER_MODE=snapshot_isolation exec "$(dirname "$0")/cluster.sh" "$@"
