#!/usr/bin/env bash
# cluster.sh: a real local pgpool-II 4.3.5 + PostgreSQL 15 cluster for tests
# and demos (Debian 12, run as root). Everything listens on 127.0.0.1 only and
# lives under one directory, $PCPCTL_CLUSTER_DIR.
#
#   scripts/cluster.sh install [docs] install the Debian packages if missing
#                                   (docs: also man-db and bash-completion)
#   scripts/cluster.sh start        primary + 2 streaming standbys + pgpool (idempotent)
#   scripts/cluster.sh stop         stop everything this script started (pid files only)
#   scripts/cluster.sh status       show what runs; exit 0 only if start's checks pass
#   scripts/cluster.sh env          print `export` lines: eval "$(scripts/cluster.sh env)"
#   scripts/cluster.sh clean        stop, then remove the cluster directory
#   scripts/cluster.sh pg-stop I    stop PostgreSQL node I (before an online recovery test)
#   scripts/cluster.sh wd-start     PostgreSQL nodes + a watchdog trio of three
#                                   pgpool instances (idempotent); waits for
#                                   one LEADER and two STANDBY
#   scripts/cluster.sh wd-stop      stop the three trio instances (pid files only)
#   scripts/cluster.sh wd-stop-one I [smart|fast|immediate|kill]
#                                   stop trio instance I (0..2); fast (default)
#                                   shows as SHUTDOWN to the others, kill as LOST
#   scripts/cluster.sh wd-start-one I
#                                   start instance I again; waits until every
#                                   running instance agrees on one LEADER and
#                                   sees the other running ones as STANDBY
#   scripts/cluster.sh wd-status    each trio instance's pcp_watchdog_info
#
# Trio ports ($WD_PORT_BASE, default 19910): pgpool base+0..2, PCP base+10..12,
# watchdog base+20..22, heartbeat (UDP) base+30..32.
#
# Layout ($DIR = $PCPCTL_CLUSTER_DIR):
#   $DIR/pg0 pg1 pg2     data directories (pg0 is the primary)
#   $DIR/run             PostgreSQL unix sockets
#   $DIR/log             PostgreSQL, failover and recovery logs
#   $DIR/pgpool          pgpool.conf, pid file, status file, pgpool and PCP sockets
#   $DIR/wd0 wd1 wd2     the same for each watchdog trio instance, plus its
#                        pgpool_node_id (pgpool reads it next to pgpool.conf)
#   $DIR/pcp.conf        pcp user (shared by every pgpool instance)
#   $DIR/pcppass         root's PCP password file (PCPPASSFILE)
#   $DIR/failover.sh, follow_primary.sh, recovery_1st_stage, pgpool_remote_start
#                        masters of the scripts pgpool runs (the last two are
#                        copied into every data directory, where pgpool looks)
#   $DIR/follow-fail-I   while it exists, follow_primary.sh fails for node I
#   $DIR/recovery_2nd_stage  (native_replication, snapshot_isolation) the
#                        2nd stage of online recovery, copied like the others
#   $DIR/recovery-2nd-fail-I while it exists, the 2nd stage fails for node I
#                        and leaves it running in recovery
#
# PCPCTL_CLUSTER_MODE=native_replication|snapshot_isolation|raw (or
# scripts/cluster-native.sh, cluster-snapshot.sh, cluster-raw.sh) runs the
# same commands for a cluster of three independent servers in that mode,
# with a directory and ports of its own (see below).
set -euo pipefail
umask 022

# PGPOOL_RELEASE picks the pgpool-II under test. 4.3: Debian 12's 4.3.5 in
# /usr/sbin. 4.6: scripts/pgpool46.sh's build in $PGPOOL46_PREFIX, with a
# directory, ports and variables of its own (PCPCTL_CLUSTER46_DIR,
# PG46_PORT_BASE, PGPOOL46_PORT, PCP46_PORT, WD46_PORT_BASE), so that both
# clusters run side by side and one's exported settings never steer the
# other. scripts/cluster46.sh is this script with PGPOOL_RELEASE=4.6.
PGPOOL_RELEASE=${PGPOOL_RELEASE:-4.3}
case $PGPOOL_RELEASE in
  4.3)
    DIR=${PCPCTL_CLUSTER_DIR:-/tmp/pcpctl-cluster}
    PG_PORT_BASE=${PG_PORT_BASE:-15432}
    PGPOOL_PORT=${PGPOOL_PORT:-19999}
    PCP_PORT=${PCP_PORT:-19898}
    WD_PORT_BASE=${WD_PORT_BASE:-19910}
    SBIN=/usr/sbin
    ;;
  4.6)
    DIR=${PCPCTL_CLUSTER46_DIR:-/tmp/pcpctl-cluster46}
    PG_PORT_BASE=${PG46_PORT_BASE:-16432}
    PGPOOL_PORT=${PGPOOL46_PORT:-19996}
    PCP_PORT=${PCP46_PORT:-19896}
    WD_PORT_BASE=${WD46_PORT_BASE:-19950}
    SBIN=${PGPOOL46_PREFIX:-/opt/pcpctl-pgpool46}/bin
    ;;
  *) printf 'cluster: error: PGPOOL_RELEASE must be 4.3 or 4.6: %s\n' "$PGPOOL_RELEASE" >&2; exit 2 ;;
esac
# PCPCTL_CLUSTER_MODE picks pgpool's backend_clustering_mode (4.3 only for
# the others): streaming_replication (the default: a primary and two
# streaming standbys), native_replication or snapshot_isolation (three
# independent read-write servers pgpool sends every write to, with two-stage
# online recovery), or raw (three independent servers, pgpool uses the first
# up one). Each mode cluster has its own directory, ports and variables,
# named by its prefix (NATIVE_, SNAPSHOT_, RAW_: NATIVE_CLUSTER_DIR,
# NATIVE_PG_PORT_BASE, NATIVE_PGPOOL_PORT, NATIVE_PCP_PORT,
# NATIVE_WD_PORT_BASE), so that it runs next to the streaming cluster and
# that one's exported settings never steer it.
# scripts/cluster-native.sh, cluster-snapshot.sh and cluster-raw.sh are
# this script with the mode set.
MODE=${PCPCTL_CLUSTER_MODE:-streaming_replication}
mode_defaults() { # prefix dir pg pgpool pcp wd
  local d=${1}_CLUSTER_DIR pg=${1}_PG_PORT_BASE pool=${1}_PGPOOL_PORT pcp=${1}_PCP_PORT wd=${1}_WD_PORT_BASE
  DIR=${!d:-$2}
  PG_PORT_BASE=${!pg:-$3}
  PGPOOL_PORT=${!pool:-$4}
  PCP_PORT=${!pcp:-$5}
  WD_PORT_BASE=${!wd:-$6}
}
case $MODE in
  streaming_replication) MODE_PREFIX= ;;
  native_replication) MODE_PREFIX=NATIVE; mode_defaults NATIVE /tmp/pcpctl-cluster-native 17432 17999 17898 17910 ;;
  snapshot_isolation) MODE_PREFIX=SNAPSHOT; mode_defaults SNAPSHOT /tmp/pcpctl-cluster-snapshot 18432 18999 18898 18910 ;;
  raw) MODE_PREFIX=RAW; mode_defaults RAW /tmp/pcpctl-cluster-raw 14432 14999 14898 14910 ;;
  *) printf 'cluster: error: PCPCTL_CLUSTER_MODE must be streaming_replication, native_replication, snapshot_isolation or raw: %s\n' "$MODE" >&2; exit 2 ;;
esac
if [[ $MODE != streaming_replication && $PGPOOL_RELEASE != 4.3 ]]; then
  printf 'cluster: error: the %s cluster is for pgpool-II 4.3 only\n' "$MODE" >&2
  exit 2
fi
# streaming: standbys follow node 0 by WAL; replicated: every node takes
# every write from pgpool (native replication, snapshot isolation);
# independent: raw, where pgpool writes to one node only.
streaming() { [[ $MODE == streaming_replication ]]; }
replicated() { [[ $MODE == native_replication || $MODE == snapshot_isolation ]]; }

PCP_USER=${PCP_USER:-pcpadmin}
PCP_PASSWORD=${PCP_PASSWORD:-pcppass}
START_TIMEOUT=${START_TIMEOUT:-60}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
NODES=3
WD_NODES=3
HOST=127.0.0.1

RUN_DIR=$DIR/run
LOG_DIR=$DIR/log
POOL_DIR=$DIR/pgpool
PCP_CONF=$DIR/pcp.conf
PCPPASS=$DIR/pcppass
FOLLOW_PCPPASS=$DIR/pgpool/pcppass
MARKER=$DIR/.pcpctl-cluster
PG_ENV_PATH=$PG_BIN:/usr/sbin:/usr/bin:/sbin:/bin

log() { printf 'cluster: %s\n' "$*" >&2; }
die() { printf 'cluster: error: %s\n' "$*" >&2; exit 1; }

# Values end up inside single-quoted config strings and unquoted script
# arguments, so keep them boring rather than quote them everywhere.
validate() {
  [[ $DIR =~ ^/[A-Za-z0-9._/-]+$ && $DIR != / ]] ||
    die "PCPCTL_CLUSTER_DIR must be an absolute path of [A-Za-z0-9._/-]: '$DIR'"
  local v
  for v in PG_PORT_BASE PGPOOL_PORT PCP_PORT WD_PORT_BASE START_TIMEOUT; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number: '${!v}'"
  done
  [[ $PCP_USER =~ ^[A-Za-z0-9_]+$ && $PCP_PASSWORD =~ ^[A-Za-z0-9_]+$ ]] ||
    die "PCP_USER and PCP_PASSWORD must be [A-Za-z0-9_]"
}

need_root() { [[ $EUID -eq 0 ]] || die "run as root (the servers run as the postgres user via runuser)"; }

pg_data() { printf '%s/pg%s' "$DIR" "$1"; }
pg_port() { printf '%s' $((PG_PORT_BASE + $1)); }

# Run a command as postgres with a clean, predictable environment: the
# recovery scripts inherit it through the postmaster, so CI variables such as
# PGHOST or PGPORT must not leak into them.
as_pg() {
  # 9>&-: the lock fd must not be inherited by long-running servers.
  runuser -u postgres -- env -i -C "$DIR" PATH="$PG_ENV_PATH" HOME="$DIR" LANG=C.UTF-8 "$@" 9>&-
}

psql_at() { # port db sql
  as_pg psql -X -q -A -t -h "$RUN_DIR" -p "$1" -U postgres -d "$2" -c "$3"
}

pcp_cmd() { # tool port args...: stock pcp_* client as root, password from $PCPPASS
  local tool=$1 port=$2
  shift 2
  PCPPASSFILE=$PCPPASS timeout 15 "$SBIN/pcp_$tool" -h "$HOST" -p "$port" -U "$PCP_USER" -w "$@"
}

# alive PID: true if the process exists and is not a zombie (PID 1 here may
# not reap orphans, so kill -0 alone would report dead servers as running).
alive() {
  local state
  [[ -r /proc/$1/stat ]] || return 1
  state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

# wait_for TIMEOUT CMD...: poll CMD every half second; bounded.
wait_for() {
  local timeout=$1 deadline
  shift
  deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    "$@" && return 0
    sleep 0.5
  done
  "$@"
}

show_tail() { # file: show the end of a log when something failed
  [[ -f $1 ]] || return 0
  printf '%s\n' "----- last lines of $1 -----" >&2
  tail -n 40 "$1" >&2 || true
  printf '%s\n' "-----" >&2
}

# Serialise concurrent invocations (parallel test packages may all call start).
lock() {
  exec 9>"$DIR/.lock"
  flock -w 300 9 || die "another cluster.sh is still running (lock $DIR/.lock)"
}

### install ###################################################################

# What make demo and make test need beyond Go and make, on a fresh Debian 12:
#   pgpool2, postgresql-15, postgresql-15-pgpool2  the cluster and the stock tools (the oracle)
#   gcc, libc6-dev     cgo, which go test -race needs
#   tmux               the terminal tests (watch mode redrawn in place)
#   time               GNU time: peak RSS in e2e/faults
#   ca-certificates    TLS to the Go module proxy, for the first build
#   util-linux         unshare, for the resolver namespaces of e2e TestUnknownHostErrno
#   prometheus         a real Prometheus and promtool, for e2e TestServe*
PKGS=(pgpool2 postgresql-15 postgresql-15-pgpool2 gcc libc6-dev tmux time ca-certificates util-linux prometheus)
# `install docs` adds what reading the installed docs needs (make demo).
DOC_PKGS=(man-db bash-completion)

pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

cmd_install() {
  need_root
  local want=("${PKGS[@]}") missing=() p
  [[ ${1:-} == docs ]] && want+=("${DOC_PKGS[@]}")
  for p in "${want[@]}"; do pkg_installed "$p" || missing+=("$p"); done
  if ((${#missing[@]} == 0)) && [[ -x $SBIN/pgpool && -x $PG_BIN/postgres ]]; then
    return 0
  fi
  log "installing ${missing[*]}"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${want[@]}"
  # Cached: a no-op once the prefix holds a complete build.
  if [[ $PGPOOL_RELEASE == 4.6 ]]; then
    PGPOOL46_PREFIX=${SBIN%/bin} "$(dirname "$0")/pgpool46.sh" install
  fi
}

### files #####################################################################

prepare_layout() {
  [[ -L $DIR ]] && die "$DIR is a symlink; refusing to use it"
  local dirs=("$DIR" "$RUN_DIR" "$LOG_DIR" "$POOL_DIR") i
  for ((i = 0; i < WD_NODES; i++)); do dirs+=("$(wd_dir "$i")"); done
  mkdir -p "${dirs[@]}"
  touch "$MARKER"
  # postgres writes sockets, logs and pid files here; root can traverse anyway.
  chown postgres:postgres "${dirs[@]}"
  chmod 0755 "${dirs[@]}"
}

write_file() { # path mode owner: content from stdin, replaced atomically
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  cat >"$tmp"
  chmod "$2" "$tmp"
  chown "$3" "$tmp"
  mv -f "$tmp" "$1"
}

write_scripts() {
  # failover_command: %d %h %p %D %m %H %M %P %r %R. pgpool runs it as postgres.
  write_file "$DIR/failover.sh" 0755 postgres:postgres <<EOF
#!/bin/bash
# Generated by scripts/cluster.sh. pgpool's failover_command:
#   %d %h %p %D %m %H %M %P %r %R
# Primary failed: promote the new main node. Standby failed: nothing to do.
set -u
exec >>"$LOG_DIR/failover.log" 2>&1 </dev/null
failed_id=\$1 new_main_id=\$5 old_primary_id=\$8 new_main_pgdata=\${10}
echo "\$(date '+%F %T') failover.sh \$*"
if [ "$MODE" != streaming_replication ]; then
  echo "$MODE mode: every node is its own server; nothing to promote"
  exit 0
fi
if [ "\$new_main_id" -lt 0 ]; then
  echo "no node left to promote"
  exit 0
fi
if [ "\$failed_id" != "\$old_primary_id" ]; then
  echo "standby \$failed_id failed: nothing to do"
  exit 0
fi
echo "primary \$failed_id failed: promoting node \$new_main_id (\$new_main_pgdata)"
if [ "\$(id -u)" = 0 ]; then
  exec runuser -u postgres -- "$PG_BIN/pg_ctl" -D "\$new_main_pgdata" -w -t 60 promote
fi
exec "$PG_BIN/pg_ctl" -D "\$new_main_pgdata" -w -t 60 promote
EOF

  # follow_primary_command: %d %h %p %D %m %H %M %P %r %R. After a primary
  # change pgpool detaches every standby and runs this for each: re-point
  # the standby at the new primary, restart it and attach it again. The old
  # primary is left detached (and running): `start` makes it the primary
  # again. A file $DIR/follow-fail-I makes node I fail to follow (a test
  # fault: the pg_rewind that did not work).
  write_file "$DIR/follow_primary.sh" 0755 postgres:postgres <<EOF
#!/bin/bash
# Generated by scripts/cluster.sh. pgpool's follow_primary_command:
#   %d %h %p %D %m %H %M %P %r %R
set -u
exec >>"$LOG_DIR/follow.log" 2>&1 </dev/null
node_id=\$1 node_pgdata=\$4 new_id=\$5 new_host=\$6 old_primary_id=\$8 new_port=\$9
echo "\$(date '+%F %T') follow_primary.sh \$*"
if [ "\$node_id" = "\$old_primary_id" ] || [ "\$node_id" = "\$new_id" ]; then
  echo "node \$node_id: the old or new primary; left alone"
  exit 0
fi
if [ -e "$DIR/follow-fail-\$node_id" ]; then
  echo "node \$node_id: $DIR/follow-fail-\$node_id exists: not following (test fault)"
  exit 1
fi
case \$node_pgdata in
  "$DIR"/pg[0-9]*) ;;
  *) echo "refusing to touch \$node_pgdata: not under $DIR"; exit 1 ;;
esac
"$PG_BIN/pg_ctl" -D "\$node_pgdata" -m fast -w -t 60 stop || true
# Later lines of postgresql.auto.conf win.
printf "primary_conninfo = 'host=%s port=%s user=postgres application_name=pg%s'\\n" \\
  "\$new_host" "\$new_port" "\$node_id" >>"\$node_pgdata/postgresql.auto.conf"
# pgpool's listening sockets are open in this process: the postmaster
# must not inherit them (see pgpool_remote_start).
(
  for f in /proc/\$BASHPID/fd/*; do
    fd=\${f##*/}
    if [ "\$fd" -gt 2 ]; then eval "exec \$fd>&-"; fi
  done
  exec "$PG_BIN/pg_ctl" -D "\$node_pgdata" -l "$LOG_DIR/\$(basename "\$node_pgdata").log" -w -t 60 start
) || { echo "node \$node_id did not start"; exit 1; }
PCPPASSFILE="$FOLLOW_PCPPASS" "$SBIN/pcp_attach_node" -h "$HOST" -p "$PCP_PORT" -U "$PCP_USER" -w -n "\$node_id"
echo "node \$node_id follows node \$new_id (\$new_host:\$new_port)"
EOF

  # Called by pgpool_recovery() inside the primary's backend: runs as
  # postgres, no TTY, cwd = primary data dir. Argument order as in the 4.3.5
  # sample. Also used by `start` itself to (re)build standbys.
  write_file "$DIR/recovery_1st_stage" 0755 postgres:postgres <<EOF
#!/bin/bash
# Generated by scripts/cluster.sh: online recovery, 1st stage.
# Args: primary_pgdata dest_host dest_pgdata primary_port dest_node_id dest_port primary_host
set -euo pipefail
exec >>"$LOG_DIR/recovery.log" 2>&1 </dev/null
primary_pgdata=\$1 dest_pgdata=\$3 primary_port=\$4 dest_id=\$5 dest_port=\$6 primary_host=\$7
echo "\$(date '+%F %T') recovery_1st_stage \$*"
# Only ever wipe one of this cluster's data directories, never the source.
case \$dest_pgdata in
  "$DIR"/pg[0-9]*) ;;
  *) echo "refusing to rebuild \$dest_pgdata: not under $DIR"; exit 1 ;;
esac
if [ "\$dest_pgdata" = "\$primary_pgdata" ]; then
  echo "refusing to rebuild the primary's own data directory"; exit 1
fi
# This stage stops nothing: a target that still runs is an operator error.
if "$PG_BIN/pg_ctl" -D "\$dest_pgdata" status >/dev/null 2>&1; then
  echo "node \$dest_id is still running; stop it before recovery"; exit 1
fi
rm -rf "\$dest_pgdata"
"$PG_BIN/pg_basebackup" -h "\$primary_host" -p "\$primary_port" -U postgres -w \\
  -D "\$dest_pgdata" -X stream -R -c fast
# Later lines win: own port, and an application_name pgpool can match.
cat >>"\$dest_pgdata/postgresql.auto.conf" <<CONF
port = \$dest_port
primary_conninfo = 'host=\$primary_host port=\$primary_port user=postgres application_name=pg\$dest_id'
CONF
echo "recovery_1st_stage: node \$dest_id rebuilt from \$primary_host:\$primary_port"
EOF

  # Native replication and snapshot isolation: the 1st stage left a standby
  # of the main node (not running). pgpool runs this stage once no client
  # is connected, so nothing writes: start the node as that standby, let it
  # replay up to the main node's current position, then promote it into a
  # server of its own with the same data. A failure leaves it running in
  # recovery (read-only). A file $DIR/recovery-2nd-fail-I makes the stage
  # fail for node I just before the promotion (a test fault).
  write_file "$DIR/recovery_2nd_stage" 0755 postgres:postgres <<EOF
#!/bin/bash
# Generated by scripts/cluster.sh: online recovery, 2nd stage.
# Args: primary_pgdata dest_host dest_pgdata primary_port dest_node_id dest_port primary_host
set -euo pipefail
exec >>"$LOG_DIR/recovery.log" 2>&1 </dev/null
dest_pgdata=\$3 primary_port=\$4 dest_id=\$5 dest_port=\$6 primary_host=\$7
echo "\$(date '+%F %T') recovery_2nd_stage \$*"
case \$dest_pgdata in
  "$DIR"/pg[0-9]*) ;;
  *) echo "refusing to touch \$dest_pgdata: not under $DIR"; exit 1 ;;
esac
if [ ! -e "\$dest_pgdata/standby.signal" ]; then
  echo "\$dest_pgdata has no standby.signal: the 1st stage did not leave a standby"; exit 1
fi
sql() { "$PG_BIN/psql" -X -q -A -t -h "\$primary_host" -U postgres -d postgres -p "\$@"; }
target=\$(sql "\$primary_port" -c "SELECT pg_current_wal_lsn()")
if ! "$PG_BIN/pg_ctl" -D "\$dest_pgdata" status >/dev/null 2>&1; then
  # As in pgpool_remote_start: the postmaster must not inherit this
  # backend's sockets and files.
  (
    for f in /proc/\$BASHPID/fd/*; do
      fd=\${f##*/}
      if [ "\$fd" -gt 2 ]; then eval "exec \$fd>&-"; fi
    done
    exec "$PG_BIN/pg_ctl" -D "\$dest_pgdata" -l "$LOG_DIR/\$(basename "\$dest_pgdata").log" -w -t 60 start
  )
fi
for _ in \$(seq 120); do
  [ "\$(sql "\$dest_port" -c "SELECT pg_last_wal_replay_lsn() >= '\$target'" 2>/dev/null)" = t ] && break
  sleep 0.5
done
[ "\$(sql "\$dest_port" -c "SELECT pg_last_wal_replay_lsn() >= '\$target'")" = t ] ||
  { echo "node \$dest_id did not replay up to \$target"; exit 1; }
if [ -e "$DIR/recovery-2nd-fail-\$dest_id" ]; then
  echo "node \$dest_id: $DIR/recovery-2nd-fail-\$dest_id exists: not promoting (test fault)"
  exit 1
fi
"$PG_BIN/pg_ctl" -D "\$dest_pgdata" -w -t 60 promote
echo "recovery_2nd_stage: node \$dest_id caught up to \$target and is read-write"
EOF

  write_file "$DIR/pgpool_remote_start" 0755 postgres:postgres <<EOF
#!/bin/bash
# Generated by scripts/cluster.sh: start the recovered node (local, no ssh).
# Args: dest_host dest_pgdata
set -euo pipefail
exec >>"$LOG_DIR/recovery.log" 2>&1 </dev/null
dest_pgdata=\$2
echo "\$(date '+%F %T') pgpool_remote_start \$*"
if "$PG_BIN/pg_ctl" -D "\$dest_pgdata" status >/dev/null 2>&1; then
  exit 0
fi
logf="$LOG_DIR/\$(basename "\$dest_pgdata").log"
# The primary's backend that runs this holds its client socket and data files
# open; close them so the recovered postmaster does not inherit them. (In a
# subshell, already parsed, so closing bash's own script fd is harmless.)
(
  for f in /proc/\$BASHPID/fd/*; do
    fd=\${f##*/}
    if [ "\$fd" -gt 2 ]; then eval "exec \$fd>&-"; fi
  done
  exec "$PG_BIN/pg_ctl" -D "\$dest_pgdata" -l "\$logf" -w -t 60 start
)
EOF
}

# pgpool looks for the recovery scripts in the current primary's data dir, and
# any node may become primary, so every data directory gets a copy.
install_recovery_scripts() {
  local d=$1 s
  [[ -d $d ]] || return 0
  for s in recovery_1st_stage recovery_2nd_stage pgpool_remote_start; do
    install -m 0755 -o postgres -g postgres "$DIR/$s" "$d/$s"
  done
}

write_pcp_files() {
  local hash
  hash=$("$SBIN/pg_md5" "$PCP_PASSWORD")
  printf '%s:%s\n' "$PCP_USER" "$hash" | write_file "$PCP_CONF" 0600 postgres:postgres
  # root runs the PCP clients, so the password file is root's and 0600.
  printf '*:*:%s:%s\n' "$PCP_USER" "$PCP_PASSWORD" | write_file "$PCPPASS" 0600 root:root
  # follow_primary.sh attaches the nodes it re-pointed, as postgres.
  printf '*:*:%s:%s\n' "$PCP_USER" "$PCP_PASSWORD" | write_file "$FOLLOW_PCPPASS" 0600 postgres:postgres
}

### PostgreSQL ################################################################

pg_running() { as_pg "$PG_BIN/pg_ctl" -D "$(pg_data "$1")" status >/dev/null 2>&1; }

pg_setting() { # node name: value as the server (would) see it
  as_pg "$PG_BIN/postgres" -D "$(pg_data "$1")" -C "$2" 2>/dev/null
}

pg_sysid() {
  as_pg "$PG_BIN/pg_controldata" -D "$(pg_data "$1")" 2>/dev/null |
    awk -F': *' '/^Database system identifier/ {print $2}'
}

pg_start() {
  local i=$1
  pg_running "$i" && return 0
  log "starting PostgreSQL node $i on port $(pg_port "$i")"
  if ! as_pg "$PG_BIN/pg_ctl" -D "$(pg_data "$i")" -l "$LOG_DIR/pg$i.log" \
    -w -t "$START_TIMEOUT" -s start </dev/null; then
    show_tail "$LOG_DIR/pg$i.log"
    die "PostgreSQL node $i did not start within ${START_TIMEOUT}s"
  fi
}

pg_stop() {
  local i=$1 d
  d=$(pg_data "$i")
  [[ -f $d/postmaster.pid ]] || return 0
  pg_running "$i" || return 0
  log "stopping PostgreSQL node $i"
  as_pg "$PG_BIN/pg_ctl" -D "$d" -m fast -w -t 60 -s stop ||
    as_pg "$PG_BIN/pg_ctl" -D "$d" -m immediate -w -t 30 -s stop ||
    log "warning: PostgreSQL node $i did not stop"
}

init_primary() {
  local d p0
  d=$(pg_data 0)
  p0=$(pg_port 0)
  log "initialising primary in $d"
  if ! as_pg "$PG_BIN/initdb" -D "$d" -U postgres --auth=trust --no-locale -E UTF8 \
    --no-instructions >>"$LOG_DIR/setup.log" 2>&1; then
    show_tail "$LOG_DIR/setup.log"
    die "initdb failed"
  fi
  # Trust for everything local, replication included: a test rig, not a server.
  as_pg tee "$d/pg_hba.conf" >/dev/null <<EOF
local all         all                trust
host  all         all  127.0.0.1/32  trust
host  all         all  ::1/128       trust
local replication all                trust
host  replication all  127.0.0.1/32  trust
host  replication all  ::1/128       trust
EOF
  as_pg tee -a "$d/postgresql.conf" >/dev/null <<EOF

# --- scripts/cluster.sh ---
listen_addresses = '$HOST'
unix_socket_directories = '$RUN_DIR'
max_connections = 100
shared_buffers = 32MB
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
wal_keep_size = 512MB
hot_standby = on
log_line_prefix = '%m [%p] %q%a '
EOF
  if [[ $MODE == snapshot_isolation ]]; then
    # pgpool's snapshot isolation mode requires it of every backend.
    printf "default_transaction_isolation = 'repeatable read'\n" | as_pg tee -a "$d/postgresql.conf" >/dev/null
  fi
  # Per-node values go to postgresql.auto.conf, where standbys override them.
  printf 'port = %s\n' "$p0" | as_pg tee -a "$d/postgresql.auto.conf" >/dev/null
}

# pgpool's recovery functions, of the release under test: 4.3.5's come as
# Debian's extension; the 4.6 build ships them as a plain script naming its
# own library (see scripts/pgpool46.sh), made rerunnable here.
create_recovery_functions() { # db
  if [[ $PGPOOL_RELEASE == 4.3 ]]; then
    psql_at "$(pg_port 0)" "$1" "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS pgpool_recovery" >/dev/null ||
      die "could not create extension pgpool_recovery in $1"
    return 0
  fi
  local sql=${SBIN%/bin}/share/postgresql/15/pgpool_recovery.sql
  [[ -f $sql ]] || die "no $sql (scripts/pgpool46.sh install)"
  sed 's/^CREATE FUNCTION /CREATE OR REPLACE FUNCTION /' "$sql" |
    as_pg psql -X -q -v ON_ERROR_STOP=1 -h "$RUN_DIR" -p "$(pg_port 0)" -U postgres -d "$1" >/dev/null ||
    die "could not create pgpool_recovery's functions in $1"
}

# The primary is usable if it is a non-standby data dir on the right port.
primary_ok() {
  local d
  d=$(pg_data 0)
  [[ -f $d/PG_VERSION && ! -e $d/standby.signal ]] || return 1
  [[ $(pg_setting 0 port) == "$(pg_port 0)" ]]
}

# standby_problem I: print why data dir I is not a reusable standby of *this*
# primary on its own port; fail (nothing printed) if it is fine.
standby_problem() {
  local i=$1 d conninfo port
  d=$(pg_data "$i")
  [[ -f $d/PG_VERSION ]] || { echo "no data directory"; return 0; }
  [[ -e $d/standby.signal ]] || { echo "not a standby (promoted?)"; return 0; }
  port=$(pg_setting "$i" port) || { echo "unreadable configuration"; return 0; }
  [[ $port == "$(pg_port "$i")" ]] || { echo "port $port, want $(pg_port "$i")"; return 0; }
  conninfo=$(pg_setting "$i" primary_conninfo) || { echo "unreadable primary_conninfo"; return 0; }
  if [[ $conninfo != *"port=$(pg_port 0) "* || $conninfo != *"application_name=pg$i"* ]]; then
    echo "primary_conninfo '$conninfo' does not point at node 0 as pg$i"
    return 0
  fi
  [[ $(pg_sysid "$i") == "$(pg_sysid 0)" ]] || { echo "system identifier differs from the primary's"; return 0; }
  return 1
}

build_standby() {
  local i=$1
  log "building standby $i from the primary (pg_basebackup)"
  if ! as_pg "$DIR/recovery_1st_stage" "$(pg_data 0)" "$HOST" "$(pg_data "$i")" \
    "$(pg_port 0)" "$i" "$(pg_port "$i")" "$HOST"; then
    show_tail "$LOG_DIR/recovery.log"
    die "could not build standby $i"
  fi
}

standby_streaming() {
  [[ $(psql_at "$(pg_port 0)" postgres \
    "SELECT state FROM pg_stat_replication WHERE application_name = 'pg$1'" 2>/dev/null) == streaming ]]
}

# Bring the three PostgreSQL nodes up: reuse data dirs that look right,
# rebuild the ones that do not (e.g. after a failover test promoted a standby).
# Node 0 (the primary, or the main node outside streaming mode), from
# scratch when it is not usable, with the recovery functions pgpool calls.
start_node0() {
  local i db
  if ! primary_ok; then
    for i in 2 1 0; do pg_stop "$i"; done
    rm -rf "$(pg_data 0)" "$(pg_data 1)" "$(pg_data 2)"
    init_primary
  fi
  install_recovery_scripts "$(pg_data 0)"
  pg_start 0
  for db in template1 postgres; do
    create_recovery_functions "$db"
  done
}

ensure_postgres() {
  if ! streaming; then
    ensure_independent
    return
  fi
  local i why
  start_node0
  for ((i = 1; i < NODES; i++)); do
    if why=$(standby_problem "$i"); then
      log "standby $i must be rebuilt: $why"
      pg_stop "$i"
      build_standby "$i"
    fi
    install_recovery_scripts "$(pg_data "$i")"
    pg_start "$i"
  done
  for ((i = 1; i < NODES; i++)); do
    wait_for 20 standby_streaming "$i" && continue
    # Diverged timeline or similar: rebuild once, then give up loudly.
    log "standby $i is not streaming; rebuilding it"
    pg_stop "$i"
    build_standby "$i"
    install_recovery_scripts "$(pg_data "$i")"
    pg_start "$i"
    if ! wait_for "$START_TIMEOUT" standby_streaming "$i"; then
      show_tail "$LOG_DIR/pg$i.log"
      die "standby $i is not streaming from the primary"
    fi
  done
}

# Outside streaming mode the nodes are independent servers with the same
# data. pgpool restarts with every node up (-D), so a node that missed
# writes while it was down (or was left a standby by a failed 2nd stage)
# would be wrong; every start that gets here rebuilds nodes 1.. from node 0
# (a few seconds: the database is small).
ensure_independent() {
  local i d
  start_node0
  for ((i = 1; i < NODES; i++)); do
    d=$(pg_data "$i")
    pg_stop "$i"
    log "copying node 0 to node $i (pg_basebackup)"
    rm -rf "$d"
    if ! as_pg "$PG_BIN/pg_basebackup" -h "$HOST" -p "$(pg_port 0)" -U postgres -w \
      -D "$d" -X stream -c fast >>"$LOG_DIR/setup.log" 2>&1; then
      show_tail "$LOG_DIR/setup.log"
      die "could not copy node 0 to node $i"
    fi
    rm -f "$d/standby.signal" "$d/recovery.signal"
    printf 'port = %s\n' "$(pg_port "$i")" | as_pg tee -a "$d/postgresql.auto.conf" >/dev/null
    install_recovery_scripts "$d"
    pg_start "$i"
  done
}

read_write() {
  [[ $(psql_at "$(pg_port "$1")" postgres "SELECT pg_is_in_recovery()" 2>/dev/null) == f ]]
}

postgres_healthy() {
  local i
  for ((i = 0; i < NODES; i++)); do pg_running "$i" || return 1; done
  if ! streaming; then
    for ((i = 0; i < NODES; i++)); do read_write "$i" || return 1; done
    return 0
  fi
  for ((i = 1; i < NODES; i++)); do standby_streaming "$i" || return 1; done
}

### pgpool ####################################################################

# Settings shared by the single instance and the watchdog trio; values follow
# the reference cluster's pcp_pool_status dump.
pgpool_conf_common() { # sockdir port pcp_port failover_command [follow_primary_command]
  local sock=$1 port=$2 pcp=$3 failover=$4 follow=${5:-} i
  cat <<EOF
# Generated by scripts/cluster.sh; rewritten on every start.
backend_clustering_mode = '$MODE'
listen_addresses = '$HOST'
port = $port
socket_dir = '$sock'
pcp_listen_addresses = '$HOST'
pcp_port = $pcp
pcp_socket_dir = '$sock'
enable_pool_hba = off
pool_passwd = ''
num_init_children = 4
max_pool = 2
child_life_time = 300
log_destination = 'stderr'
logging_collector = off
log_line_prefix = '%m: %a pid %p: '
log_min_messages = warning
pid_file_name = '$sock/pgpool.pid'
logdir = '$sock'
memqcache_oiddir = '$sock/oiddir'
reset_query_list = 'ABORT; DISCARD ALL'
insert_lock = on
load_balance_mode = on
sr_check_period = 5
sr_check_user = 'postgres'
sr_check_password = ''
sr_check_database = 'postgres'
health_check_period = 5
health_check_timeout = 20
health_check_user = 'postgres'
health_check_password = ''
health_check_database = 'postgres'
health_check_max_retries = 0
health_check_retry_delay = 1
connect_timeout = 10000
failover_command = '$failover'
follow_primary_command = '$follow'
failback_command = ''
failover_on_backend_error = on
failover_on_backend_shutdown = on
search_primary_node_timeout = 300
recovery_user = 'postgres'
recovery_password = ''
recovery_1st_stage_command = 'recovery_1st_stage'
recovery_2nd_stage_command = '$(replicated && echo recovery_2nd_stage)'
recovery_timeout = 90
wd_ipc_socket_dir = '$sock'
EOF
  if [[ $PGPOOL_RELEASE != 4.3 ]]; then
    # Something for 4.6's pcp_log_rotate and pcp_invalidate_query_cache to
    # act on: a log file that rotation replaces (the name has seconds), and
    # the shared-memory query cache (small: the tests cache a few rows).
    cat <<EOF
logging_collector = on
log_directory = '$sock/log'
log_filename = 'pgpool-%Y-%m-%d_%H%M%S.log'
log_rotation_age = 0
log_rotation_size = 0
memory_cache_enabled = on
memqcache_method = 'shmem'
memqcache_total_size = 16MB
memqcache_max_num_cache = 10000
memqcache_cache_block_size = 1MB
memqcache_expire = 0
memqcache_auto_cache_invalidation = on
EOF
  fi
  for ((i = 0; i < NODES; i++)); do
    cat <<EOF
backend_hostname$i = '$HOST'
backend_port$i = $(pg_port "$i")
backend_weight$i = 1
backend_data_directory$i = '$(pg_data "$i")'
backend_flag$i = 'ALLOW_TO_FAILOVER'
backend_application_name$i = 'pg$i'
EOF
  done
}

write_pool_hba() { # dir: never read (enable_pool_hba=off) but keeps /etc/pgpool2 out of the picture
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n' |
    write_file "$1/pool_hba.conf" 0644 postgres:postgres
}

write_single_conf() {
  {
    pgpool_conf_common "$POOL_DIR" "$PGPOOL_PORT" "$PCP_PORT" \
      "$DIR/failover.sh %d %h %p %D %m %H %M %P %r %R" \
      "$(streaming && echo "$DIR/follow_primary.sh %d %h %p %D %m %H %M %P %r %R")"
    echo "use_watchdog = off"
  } | write_file "$POOL_DIR/pgpool.conf" 0644 postgres:postgres
  write_pool_hba "$POOL_DIR"
}

# pgpool_pid DIR: pid from DIR/pgpool.pid if that process is a live pgpool.
pgpool_pid() {
  local f=$1/pgpool.pid pid
  [[ -f $f ]] || return 1
  pid=$(head -n1 "$f" 2>/dev/null | tr -dc 0-9)
  [[ -n $pid ]] || return 1
  alive "$pid" || return 1
  [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == */pgpool ]] || return 1
  printf '%s\n' "$pid"
}

# pgpool_start DIR LOG: run pgpool as postgres in its own session (so that a
# group kill reaches all its children), without daemonising (-n), with stderr
# in LOG; -D discards pgpool_status so a fresh start sees every node up.
pgpool_start() {
  local dir=$1 logf=$2 pid
  rm -f "$dir"/.s.PGSQL.* "$dir"/.s.PGPOOLWD_CMD.* "$dir/pgpool.pid"
  : >>"$logf"
  chown postgres:postgres "$logf"
  # setsid does not fork here (a background job is no group leader), so $!
  # is pgpool itself.
  setsid setpriv --reuid=postgres --regid=postgres --init-groups -- \
    env -i -C "$dir" PATH="$PG_ENV_PATH" HOME="$DIR" LANG=C.UTF-8 \
    "$SBIN/pgpool" -n -D -f "$dir/pgpool.conf" -F "$PCP_CONF" -a "$dir/pool_hba.conf" \
    </dev/null >>"$logf" 2>&1 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$dir/launch.pid"
  if ! wait_for 15 pgpool_pid "$dir" >/dev/null; then
    show_tail "$logf"
    alive "$pid" && kill -TERM "$pid" 2>/dev/null
    die "pgpool in $dir did not start (no pid file)"
  fi
}

# pgpool_stop DIR [MODE]: signal the pid from DIR/pgpool.pid (INT = fast,
# TERM = smart, QUIT = immediate, kill = SIGKILL to its process group) and
# wait, escalating, for it and its children to go away. Bounded.
pgpool_stop() {
  local dir=$1 mode=${2:-fast} pid sig
  if ! pid=$(pgpool_pid "$dir"); then
    reap_orphans "$dir"
    rm -f "$dir/pgpool.pid"
    return 0
  fi
  case $mode in
    smart) sig=TERM ;; fast) sig=INT ;; immediate) sig=QUIT ;; kill) sig=KILL ;;
    *) die "unknown stop mode '$mode' (smart, fast, immediate, kill)" ;;
  esac
  log "stopping pgpool pid $pid ($dir, $mode)"
  if [[ $sig == KILL ]]; then
    group_kill "$pid" KILL
  else
    kill -"$sig" "$pid" 2>/dev/null || true
    if ! wait_for 30 not_alive "$pid"; then
      log "pgpool $pid still running; sending SIGQUIT"
      kill -QUIT "$pid" 2>/dev/null || true
      wait_for 10 not_alive "$pid" || group_kill "$pid" KILL
    fi
  fi
  # Children exit on their own once the main process is gone; make sure.
  if ! wait_for 10 not_group_alive "$pid"; then group_kill "$pid" KILL; fi
  wait_for 5 not_group_alive "$pid" || log "warning: processes of pgpool group $pid remain"
  # A fast/smart stop removes these itself; a kill leaves them behind.
  [[ $sig == KILL ]] || rm -f "$dir/pgpool.pid"
}

not_alive() { ! alive "$1"; }

# reap_orphans DIR: a pgpool main process that died hard (SIGKILL, the OOM
# killer) leaves its children running with the ports still bound, so no new
# pgpool can start. They are in its process group (pgpool_start used
# setsid); kill that group, but only when every member is a pgpool.
reap_orphans() {
  local f=$1/pgpool.pid pid
  [[ -f $f ]] || return 0
  pid=$(head -n1 "$f" 2>/dev/null | tr -dc 0-9)
  [[ -n $pid ]] && group_is_pgpool "$pid" || return 0
  log "killing the processes left behind by dead pgpool $pid"
  group_kill "$pid" KILL
  wait_for 10 not_group_alive "$pid" || log "warning: processes of pgpool group $pid remain"
}

# group_is_pgpool PGID: the group has live members and all run pgpool
# (builtins only, like group_alive: a scan must stay cheap).
group_is_pgpool() {
  local f line fields exe n=0
  for f in /proc/[0-9]*/stat; do
    { read -r line <"$f"; } 2>/dev/null || continue
    read -r -a fields <<<"${line##*) }"
    [[ ${fields[2]} == "$1" && ${fields[0]} != Z && ${fields[0]} != X ]] || continue
    exe=$(readlink "${f%/stat}/exe" 2>/dev/null) || return 1
    [[ $exe == */pgpool ]] || return 1
    n=$((n + 1))
  done
  ((n > 0))
}

# The process group is the pgpool main pid because pgpool_start used setsid.
# Builtins only: a fork or two per process made one scan of a busy machine's
# few hundred processes take seconds.
group_alive() {
  local f line fields
  for f in /proc/[0-9]*/stat; do
    { read -r line <"$f"; } 2>/dev/null || continue
    # Fields after the command name: state ppid pgrp ...
    read -r -a fields <<<"${line##*) }"
    [[ ${fields[2]} == "$1" && ${fields[0]} != Z && ${fields[0]} != X ]] && return 0
  done
  return 1
}
not_group_alive() { ! group_alive "$1"; }

group_kill() { kill -"$2" -- "-$1" 2>/dev/null || true; }

# nodes_ready PCP_PORT: all up; node 0 primary and the others streaming
# standbys, or (other modes) node 0 main and the others replicas.
nodes_ready() {
  local out
  out=$(pcp_cmd node_info "$1" 2>/dev/null) || return 1
  awk -v want="$NODES" -v streaming="$(streaming && echo 1)" '
    NF >= 11 {
      n++
      if ($3 != 1 && $3 != 2) bad = 1
      if ($6 != "up") bad = 1
      if (streaming) {
        if (n == 1 && $7 != "primary") bad = 1
        if (n > 1 && ($7 != "standby" || $10 != "streaming")) bad = 1
      } else {
        if (n == 1 && $7 != "main") bad = 1
        if (n > 1 && $7 != "replica") bad = 1
      }
    }
    END { exit (bad || n != want) }' <<<"$out"
}

single_healthy() {
  pgpool_pid "$POOL_DIR" >/dev/null && postgres_healthy && nodes_ready "$PCP_PORT"
}

### watchdog trio #############################################################

wd_dir() { printf '%s/wd%s' "$DIR" "$1"; }
wd_pgpool_port() { printf '%s' $((WD_PORT_BASE + $1)); }
wd_pcp_port() { printf '%s' $((WD_PORT_BASE + 10 + $1)); }
wd_wd_port() { printf '%s' $((WD_PORT_BASE + 20 + $1)); }
wd_hb_port() { printf '%s' $((WD_PORT_BASE + 30 + $1)); }
wd_log() { printf '%s/wd%s.log' "$LOG_DIR" "$1"; }

wd_check_id() {
  [[ ${1:-} =~ ^[0-9]+$ ]] && (($1 < WD_NODES)) ||
    die "watchdog instance id must be 0..$((WD_NODES - 1)): '${1:-}'"
}

# The trio shares the backends with the single instance, which owns failover:
# no failover_command here, so a trio member never promotes a standby.
write_wd_conf() {
  local i=$1 d j
  d=$(wd_dir "$i")
  {
    pgpool_conf_common "$d" "$(wd_pgpool_port "$i")" "$(wd_pcp_port "$i")" ""
    cat <<EOF
use_watchdog = on
delegate_ip = ''
trusted_servers = ''
wd_priority = 1
wd_lifecheck_method = 'heartbeat'
wd_interval = 10
wd_heartbeat_keepalive = 2
wd_heartbeat_deadtime = 30
failover_when_quorum_exists = on
failover_require_consensus = on
EOF
    for ((j = 0; j < WD_NODES; j++)); do
      cat <<EOF
hostname$j = '$HOST'
wd_port$j = $(wd_wd_port "$j")
pgpool_port$j = $(wd_pgpool_port "$j")
heartbeat_hostname$j = '$HOST'
heartbeat_port$j = $(wd_hb_port "$j")
heartbeat_device$j = ''
EOF
    done
  } | write_file "$d/pgpool.conf" 0644 postgres:postgres
  printf '%s\n' "$i" | write_file "$d/pgpool_node_id" 0644 postgres:postgres
  write_pool_hba "$d"
}

# wd_view I: instance I's pcp_watchdog_info reduced to the leader's name and
# "WD_PORT STATUS MEMBERSHIP" per node; node names contain spaces, so count
# fields from the end.
wd_view() {
  pcp_cmd watchdog_info "$(wd_pcp_port "$1")" 2>/dev/null | awk '
    NR == 1 { sub(/^[0-9]+ [0-9]+ (YES|NO) /, ""); print "leader " $0; next }
    NF >= 8 { print $(NF - 4), $(NF - 2), $NF }'
}

wd_running() { pgpool_pid "$(wd_dir "$1")" >/dev/null; }

# wd_instance_agrees I: running instance I sees exactly one LEADER and every
# running instance as LEADER or STANDBY member.
wd_instance_agrees() {
  local view j
  view=$(wd_view "$1") || return 1
  [[ $(grep -c ' LEADER MEMBER$' <<<"$view") == 1 ]] || return 1
  for ((j = 0; j < WD_NODES; j++)); do
    wd_running "$j" || continue
    grep -Eq "^$(wd_wd_port "$j") (LEADER|STANDBY) MEMBER\$" <<<"$view" || return 1
  done
}

# wd_agreed: the running instances (at least one) agree on the leader and on
# each other; stopped ones are ignored, so this also holds with one stopped.
wd_agreed() {
  local i leaders=()
  for ((i = 0; i < WD_NODES; i++)); do
    wd_running "$i" || continue
    wd_instance_agrees "$i" || return 1
    leaders+=("$(wd_view "$i" | sed -n 's/^leader //p')")
  done
  ((${#leaders[@]} > 0)) || return 1
  [[ $(printf '%s\n' "${leaders[@]}" | sort -u | wc -l) == 1 ]]
}

wd_backends_ready() {
  local i
  for ((i = 0; i < WD_NODES; i++)); do
    wd_running "$i" || continue
    nodes_ready "$(wd_pcp_port "$i")" || return 1
  done
}

# wd_ready: agreement, and every running instance sees its backends up with
# the expected roles.
wd_ready() { wd_agreed && wd_backends_ready; }

# All at once: one by one, the survivors would hold an election each time.
wd_stop_all() {
  local i pids=()
  for ((i = 0; i < WD_NODES; i++)); do
    pgpool_stop "$(wd_dir "$i")" &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || true; done
}

wd_all_running() {
  local i
  for ((i = 0; i < WD_NODES; i++)); do wd_running "$i" || return 1; done
}

wd_start_instance() {
  local i=$1
  write_wd_conf "$i"
  log "starting watchdog instance $i: pgpool $(wd_pgpool_port "$i"), PCP $(wd_pcp_port "$i"), watchdog $(wd_wd_port "$i"), heartbeat $(wd_hb_port "$i")"
  pgpool_start "$(wd_dir "$i")" "$(wd_log "$i")"
}

wd_trio_ready() { wd_all_running && wd_ready; }

# wd_repair: a standby instance that synced its backend states from a leader
# that had not yet found the primary (after quorum was lost and regained)
# keeps "no primary" for good; restarting it makes it sync again.
wd_repair() {
  local i
  wait_for "$START_TIMEOUT" wd_agreed || return 0
  wait_for 15 wd_backends_ready && return 0
  for ((i = 0; i < WD_NODES; i++)); do
    wd_running "$i" || continue
    nodes_ready "$(wd_pcp_port "$i")" && continue
    log "watchdog instance $i sees no primary; restarting it"
    pgpool_stop "$(wd_dir "$i")"
    wd_start_instance "$i"
  done
}

wd_wait_ready() { # predicate
  local i
  wd_repair
  if ! wait_for "$START_TIMEOUT" "$1"; then
    for ((i = 0; i < WD_NODES; i++)); do
      printf 'instance %s:\n' "$i" >&2
      pcp_cmd watchdog_info "$(wd_pcp_port "$i")" >&2 || true
      show_tail "$(wd_log "$i")"
    done
    die "the running watchdog instances did not agree on one LEADER, the others STANDBY, within ${START_TIMEOUT}s"
  fi
}

wd_ports() { # port-function: the trio's ports, space separated
  local i out=()
  for ((i = 0; i < WD_NODES; i++)); do out+=("$("$1" "$i")"); done
  printf '%s' "${out[*]}"
}

cmd_wd_start() {
  need_root
  validate
  cmd_install
  prepare_layout
  lock
  if postgres_healthy && wd_trio_ready; then
    log "watchdog trio already running and healthy"
    return 0
  fi
  local t0=$SECONDS i
  write_scripts
  write_pcp_files
  # Outside streaming mode ensure_postgres copies node 0 to the other nodes
  # again, and the single instance, if it runs, fails them over while they
  # are down. When it runs healthy (every node up, so none missed a write)
  # the nodes hold the same data already: leave them be.
  if streaming || ! single_healthy; then ensure_postgres; fi
  # Any instance that is not healthy means a restart of all three: -D makes
  # them see every backend up, and a fresh election is quick.
  wd_stop_all
  for ((i = 0; i < WD_NODES; i++)); do wd_start_instance "$i"; done
  wd_wait_ready wd_trio_ready
  log "watchdog trio up in $((SECONDS - t0))s: PCP ports $(wd_ports wd_pcp_port), pgpool ports $(wd_ports wd_pgpool_port)"
}

cmd_wd_stop() {
  need_root
  validate
  [[ -d $DIR ]] || return 0
  lock
  wd_stop_all
}

cmd_wd_stop_one() {
  need_root
  validate
  wd_check_id "${1:-}"
  [[ -d $DIR ]] || return 0
  lock
  pgpool_stop "$(wd_dir "$1")" "${2:-fast}"
}

cmd_wd_start_one() {
  need_root
  validate
  wd_check_id "${1:-}"
  [[ -f $(wd_dir "$1")/pgpool.conf ]] || die "no watchdog trio in $DIR; run wd-start first"
  lock
  # A killed instance leaves its pid file; pgpool_start clears it.
  wd_running "$1" || wd_start_instance "$1"
  wd_wait_ready wd_ready
}

cmd_wd_status() {
  validate
  local i rc=0 pid
  for ((i = 0; i < WD_NODES; i++)); do
    if pid=$(pgpool_pid "$(wd_dir "$i")"); then
      echo "watchdog instance $i: running, pid $pid, port $(wd_pgpool_port "$i"), PCP $(wd_pcp_port "$i")"
      pcp_cmd watchdog_info "$(wd_pcp_port "$i")" || rc=1
    else
      echo "watchdog instance $i: stopped"
      rc=1
    fi
  done
  wd_trio_ready || rc=1
  return "$rc"
}

### commands ##################################################################

cmd_start() {
  need_root
  validate
  cmd_install
  prepare_layout
  lock
  if single_healthy; then
    log "already running and healthy (pgpool pid $(pgpool_pid "$POOL_DIR"))"
    return 0
  fi
  local t0=$SECONDS
  write_scripts
  write_pcp_files
  # A pgpool that runs but is not healthy (e.g. a test left a node detached)
  # is restarted: -D makes the new one see every node up again. It goes
  # first: while ensure_postgres stops a diverged node to rebuild it, a
  # running pgpool would fail over to the next one and promote it too.
  pgpool_stop "$POOL_DIR"
  ensure_postgres
  write_single_conf
  log "starting pgpool on port $PGPOOL_PORT (PCP $PCP_PORT)"
  pgpool_start "$POOL_DIR" "$LOG_DIR/pgpool.log"
  if ! wait_for "$START_TIMEOUT" nodes_ready "$PCP_PORT"; then
    pcp_cmd node_info "$PCP_PORT" >&2 || true
    show_tail "$LOG_DIR/pgpool.log"
    die "pgpool did not report every node up in their $MODE roles within ${START_TIMEOUT}s"
  fi
  log "$MODE cluster up in $((SECONDS - t0))s: pgpool $HOST:$PGPOOL_PORT, PCP $HOST:$PCP_PORT, PostgreSQL $(pg_ports)"
}

cmd_stop() {
  need_root
  validate
  [[ -d $DIR ]] || { log "nothing to stop ($DIR does not exist)"; return 0; }
  lock
  local i
  # The trio would only fail over its backends one by one; stop it first.
  wd_stop_all
  pgpool_stop "$POOL_DIR"
  for ((i = NODES - 1; i >= 0; i--)); do pg_stop "$i"; done
  log "stopped"
}

cmd_status() {
  validate
  local i pid rc=0 role
  echo "cluster dir: $DIR"
  for ((i = 0; i < NODES; i++)); do
    if [[ -d $(pg_data "$i") ]] && pg_running "$i"; then
      role=$(psql_at "$(pg_port "$i")" postgres \
        "SELECT CASE WHEN pg_is_in_recovery() THEN 'standby' ELSE 'primary' END" 2>/dev/null || echo '?')
      echo "postgres node $i: running, port $(pg_port "$i"), $role"
    else
      echo "postgres node $i: stopped"
      rc=1
    fi
  done
  if pid=$(pgpool_pid "$POOL_DIR"); then
    echo "pgpool: running, pid $pid, port $PGPOOL_PORT, PCP $PCP_PORT"
    pcp_cmd node_info "$PCP_PORT" || rc=1
    nodes_ready "$PCP_PORT" || rc=1
  else
    echo "pgpool: stopped"
    rc=1
  fi
  return "$rc"
}

pg_ports() {
  local i out=()
  for ((i = 0; i < NODES; i++)); do out+=("$(pg_port "$i")"); done
  printf '%s' "${out[*]}"
}

cmd_env() {
  validate
  # PCPHOST, PCPPORT, PCPUSER and PCPPASSFILE are what pcpctl and the pcp_*
  # tools read; the PCP_* names are this script's own settings (and the
  # tests'), exported so that a later cluster.sh call finds the same cluster.
  cat <<EOF
export PCPHOST=$HOST
export PCPPORT=$PCP_PORT
export PCPUSER=$PCP_USER
export PCPPASSFILE=$PCPPASS
export PCPCTL_CLUSTER_DIR=$DIR
export PCP_HOST=$HOST
export PCP_PORT=$PCP_PORT
export PCP_SOCKET_DIR=$POOL_DIR
export PCP_USER=$PCP_USER
export PGPOOL_PORT=$PGPOOL_PORT
export PG_PORTS="$(pg_ports)"
export PG_SOCKET_DIR=$RUN_DIR
export WD_PCP_PORTS="$(wd_ports wd_pcp_port)"
export WD_PGPOOL_PORTS="$(wd_ports wd_pgpool_port)"
export WD_SOCKET_DIRS="$(wd_ports wd_dir)"
export PGPOOL_RELEASE=$PGPOOL_RELEASE
export PCPCTL_CLUSTER_MODE=$MODE
export PCPCTL_ORACLE_DIR=$SBIN
EOF
  [[ -z $MODE_PREFIX ]] || cat <<EOF
export ${MODE_PREFIX}_CLUSTER_DIR=$DIR
export ${MODE_PREFIX}_PG_PORT_BASE=$PG_PORT_BASE
export ${MODE_PREFIX}_PGPOOL_PORT=$PGPOOL_PORT
export ${MODE_PREFIX}_PCP_PORT=$PCP_PORT
export ${MODE_PREFIX}_WD_PORT_BASE=$WD_PORT_BASE
EOF
}

cmd_clean() {
  need_root
  validate
  [[ -e $DIR ]] || return 0
  [[ -f $MARKER ]] || die "$DIR was not created by this script (no $MARKER); not removing it"
  cmd_stop
  rm -rf "$DIR"
  log "removed $DIR"
}

# pg-stop I: stop PostgreSQL node I (fast), as a failed standby would be
# before online recovery rebuilds it.
cmd_pg_stop() {
  need_root
  validate
  [[ ${1:-} =~ ^[0-9]+$ && $1 -lt $NODES ]] || die "pg-stop takes a node number 0-$((NODES - 1))"
  pg_stop "$1"
}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
}

main() {
  local cmd=${1:-}
  [[ $# -gt 0 ]] && shift
  case $cmd in
    install) cmd_install "$@" ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    env) cmd_env ;;
    clean) cmd_clean ;;
    wd-start) cmd_wd_start ;;
    wd-stop) cmd_wd_stop ;;
    wd-stop-one) cmd_wd_stop_one "$@" ;;
    wd-start-one) cmd_wd_start_one "$@" ;;
    wd-status) cmd_wd_status ;;
    pg-stop) cmd_pg_stop "$@" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
