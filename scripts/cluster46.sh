#!/usr/bin/env bash
# cluster46.sh: scripts/cluster.sh for the pgpool-II 4.6 cluster (built by
# scripts/pgpool46.sh); same commands. Its own defaults: directory
# /tmp/pcpctl-cluster46, PostgreSQL 16432-16434, pgpool 19996, PCP 19896,
# trio 19950-19982; override them with PCPCTL_CLUSTER46_DIR, PG46_PORT_BASE,
# PGPOOL46_PORT, PCP46_PORT and WD46_PORT_BASE.
PGPOOL_RELEASE=4.6 exec "$(dirname "$0")/cluster.sh" "$@"
