#!/usr/bin/env bash
# cluster-raw.sh: scripts/cluster.sh for a pgpool-II 4.3.5 cluster in raw
# mode; same commands. Its own defaults (see cluster.sh); override them with
# RAW_CLUSTER_DIR, RAW_PG_PORT_BASE, RAW_PGPOOL_PORT, RAW_PCP_PORT and
# RAW_WD_PORT_BASE.
PCPCTL_CLUSTER_MODE=raw exec "$(dirname "$0")/cluster.sh" "$@"
