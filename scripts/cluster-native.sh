#!/usr/bin/env bash
# cluster-native.sh: scripts/cluster.sh for a pgpool-II 4.3.5 cluster in native_replication
# mode; same commands. Its own defaults (see cluster.sh); override them with
# NATIVE_CLUSTER_DIR, NATIVE_PG_PORT_BASE, NATIVE_PGPOOL_PORT, NATIVE_PCP_PORT and
# NATIVE_WD_PORT_BASE.
PCPCTL_CLUSTER_MODE=native_replication exec "$(dirname "$0")/cluster.sh" "$@"
