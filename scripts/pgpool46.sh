#!/usr/bin/env bash
# pgpool46.sh: a second real pgpool-II for the differential tests, 4.6.x built
# from Debian 13's (trixie's) source package on this Debian 12 machine and
# installed into a private prefix, next to (never over) Debian 12's 4.3.5.
#
#   scripts/pgpool46.sh install   build and install unless the prefix already
#                                 holds a complete build of this recipe
#   scripts/pgpool46.sh status    print the installed version; exit 0 only if
#                                 the prefix is complete
#   scripts/pgpool46.sh clean     remove the prefix and the build directory
#
# What goes into $PGPOOL46_PREFIX (default /opt/pcpctl-pgpool46):
#   bin/pgpool, bin/pg_md5, bin/pcp_* (the 13 tools of 4.3 and 4.6's two new
#   ones, pcp_log_rotate and pcp_invalidate_query_cache), lib/libpcp.so.*
#   (found through the tools' rpath), and the pgpool_recovery functions built
#   for PostgreSQL 15: lib/postgresql/15/pgpool-recovery.so with
#   share/postgresql/15/pgpool_recovery.sql, a plain SQL script that names the
#   library by its absolute path. PostgreSQL 15 reads extension control files
#   from its own share directory only, which Debian's postgresql-15-pgpool2
#   (4.3.5) owns; a plain script keeps the two releases from overwriting each
#   other.
#
# Only the source comes from trixie, through a private sources list and lists
# directory under $PGPOOL46_BUILD_DIR; the machine's own apt sources are never
# touched. The build dependencies come from Debian 12.
set -euo pipefail
umask 022

PREFIX=${PGPOOL46_PREFIX:-/opt/pcpctl-pgpool46}
BUILD_DIR=${PGPOOL46_BUILD_DIR:-/var/tmp/pcpctl-pgpool46-build}
SERIES=4.6 # the release line this prefix is for; trixie's point release may move
PG_MAJOR=15
PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config
MIRROR=${PGPOOL46_MIRROR:-http://deb.debian.org/debian}
# Bump when the recipe changes so that a cached prefix is rebuilt.
RECIPE=1
STAMP=$PREFIX/.pcpctl-pgpool46
BUILD_TIMEOUT=${PGPOOL46_BUILD_TIMEOUT:-1800}
APT_TIMEOUT=${PGPOOL46_APT_TIMEOUT:-900}
TOOLS=(attach_node detach_node health_check_stats invalidate_query_cache log_rotate
  node_count node_info pool_status proc_count proc_info promote_node
  recovery_node reload_config stop_pgpool watchdog_info)
DEPS=(build-essential dpkg-dev libpq-dev libssl-dev flex bison
  postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR)

log() { printf 'pgpool46: %s\n' "$*" >&2; }
die() { printf 'pgpool46: error: %s\n' "$*" >&2; exit 1; }

validate() {
  local v
  for v in PREFIX BUILD_DIR; do
    [[ ${!v} =~ ^/[A-Za-z0-9._/-]+$ && ${!v} != / ]] ||
      die "$v must be an absolute path of [A-Za-z0-9._/-]: '${!v}'"
  done
  for v in BUILD_TIMEOUT APT_TIMEOUT; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number: '${!v}'"
  done
}

need_root() { [[ $EUID -eq 0 ]] || die "run as root (apt-get and $PREFIX)"; }

# Network waits get a deadline per attempt, and the whole apt call another.
APT_NET=(-o Acquire::http::Timeout=30 -o Acquire::Retries=3)

# complete: the prefix has everything the cluster and the tests use, built by
# this recipe, and its pgpool reports the 4.6 line.
complete() {
  [[ -f $STAMP ]] || return 1
  grep -qx "recipe=$RECIPE" "$STAMP" || return 1
  local t
  for t in "${TOOLS[@]}"; do [[ -x $PREFIX/bin/pcp_$t ]] || return 1; done
  [[ -x $PREFIX/bin/pgpool && -x $PREFIX/bin/pg_md5 ]] || return 1
  [[ -f $PREFIX/lib/postgresql/$PG_MAJOR/pgpool-recovery.so ]] || return 1
  [[ -f $PREFIX/share/postgresql/$PG_MAJOR/pgpool_recovery.sql ]] || return 1
  timeout 10 "$PREFIX/bin/pgpool" --version 2>&1 | grep -q "pgpool-II version $SERIES\." || return 1
}

pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

install_deps() {
  local missing=() p
  for p in "${DEPS[@]}"; do pkg_installed "$p" || missing+=("$p"); done
  ((${#missing[@]} == 0)) && return 0
  log "installing build dependencies from Debian 12: ${missing[*]}"
  timeout "$APT_TIMEOUT" apt-get "${APT_NET[@]}" update >>"$LOGF" 2>&1 || fail "apt-get update"
  DEBIAN_FRONTEND=noninteractive timeout "$APT_TIMEOUT" \
    apt-get "${APT_NET[@]}" install -y "${missing[@]}" >>"$LOGF" 2>&1 || fail "apt-get install"
}

fail() {
  printf '%s\n' "----- last lines of $LOGF -----" >&2
  tail -n 60 "$LOGF" >&2 || true
  printf '%s\n' "-----" >&2
  die "$1 failed; full log: $LOGF"
}

# fetch_source: trixie's pgpool2 source package, unpacked and patched, into
# $BUILD_DIR/src; prints the unpacked directory.
fetch_source() {
  local apt_dir=$BUILD_DIR/apt src=$BUILD_DIR/src
  rm -rf "$apt_dir" "$src"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$src"
  printf 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s trixie main\n' \
    "$MIRROR" >"$apt_dir/sources.list"
  local opts=("${APT_NET[@]}"
    -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=-
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache::Archives=$apt_dir/archives"
    -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
    -o APT::Sandbox::User=root)
  log "fetching pgpool2's source package from trixie"
  timeout "$APT_TIMEOUT" apt-get "${opts[@]}" update >>"$LOGF" 2>&1 || fail "apt-get update (trixie sources)"
  (cd "$src" && timeout "$APT_TIMEOUT" apt-get "${opts[@]}" source pgpool2) >>"$LOGF" 2>&1 ||
    fail "apt-get source pgpool2"
  local d
  d=$(find "$src" -mindepth 1 -maxdepth 1 -type d -name 'pgpool2-*' | head -n1)
  [[ -n $d && -x $d/configure ]] || fail "unpacking the source (no configure in $src)"
  printf '%s\n' "$d"
}

cmd_install() {
  need_root
  validate
  mkdir -p "$BUILD_DIR"
  exec 9>"$BUILD_DIR/.lock"
  flock -w "$BUILD_TIMEOUT" 9 || die "another pgpool46.sh is still running (lock $BUILD_DIR/.lock)"
  if complete; then
    log "already installed: $(sed -n 's/^version=//p' "$STAMP") in $PREFIX"
    return 0
  fi
  LOGF=$BUILD_DIR/build.log
  : >"$LOGF"
  local t0=$SECONDS src version stage
  install_deps
  src=$(fetch_source)
  version=$(cd "$src" && dpkg-parsechangelog -S Version 2>>"$LOGF") || fail "reading debian/changelog"
  [[ $version == "$SERIES".* ]] || die "trixie's pgpool2 is $version, not $SERIES.x; this script builds the $SERIES line"
  log "building pgpool-II $version into $PREFIX"
  # Debian's patch adding AC_C_BIGENDIAN touches configure.ac only, and its
  # build regenerates configure with dh_autoreconf. On a little-endian machine
  # the shipped configure gives the same result; making configure.ac no newer
  # keeps make from calling autoconf, which the package does not need here.
  touch -r "$src/configure" "$src/configure.ac"
  stage=$BUILD_DIR/stage
  rm -rf "$stage"
  # Configured for the final prefix (the tools' rpath points at its lib/),
  # installed into a staging tree, then moved: an interrupted build never
  # leaves a half-filled prefix that looks installed.
  (
    cd "$src"
    nice ./configure --prefix="$PREFIX" --with-openssl \
      --with-pgsql-bindir="/usr/lib/postgresql/$PG_MAJOR/bin" \
      --with-pgsql-includedir="$("$PG_CONFIG" --includedir)" \
      --with-pgsql-libdir="$("$PG_CONFIG" --libdir)"
    nice make -j2
    make install DESTDIR="$stage"
    nice make -C src/sql/pgpool-recovery USE_PGXS=1 PG_CONFIG="$PG_CONFIG"
  ) >>"$LOGF" 2>&1 < /dev/null &
  local pid=$!
  local deadline=$((SECONDS + BUILD_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      kill -TERM -- "$pid" 2>/dev/null || true
      kill_tree "$pid"
      wait "$pid" 2>/dev/null || true
      fail "the build (over ${BUILD_TIMEOUT}s)"
    fi
    sleep 1
  done
  wait "$pid" || fail "the build"
  local so_dir=$stage$PREFIX/lib/postgresql/$PG_MAJOR sql_dir=$stage$PREFIX/share/postgresql/$PG_MAJOR
  local so=$PREFIX/lib/postgresql/$PG_MAJOR/pgpool-recovery.so
  install -d "$so_dir" "$sql_dir"
  install -m 0755 "$src/src/sql/pgpool-recovery/pgpool-recovery.so" "$so_dir/"
  # The extension's own script, minus its CREATE EXTENSION guard, with the
  # library named by its absolute path.
  sed -e '/^\\echo /d' -e "s|MODULE_PATHNAME|$so|g" -e "s|\\\$libdir/pgpool-recovery|$so|g" \
    "$src/src/sql/pgpool-recovery/pgpool_recovery--1.4.sql" >"$sql_dir/pgpool_recovery.sql"
  grep -q 'CREATE FUNCTION pgpool_recovery' "$sql_dir/pgpool_recovery.sql" || fail "writing pgpool_recovery.sql"
  printf 'version=%s\nrecipe=%s\nbuilt=%s\nseconds=%s\n' "$version" "$RECIPE" \
    "$(date -u +%FT%TZ)" $((SECONDS - t0)) >"$stage$STAMP"
  rm -rf "$PREFIX.old"
  [[ -e $PREFIX ]] && mv "$PREFIX" "$PREFIX.old"
  mkdir -p "$(dirname "$PREFIX")"
  mv "$stage$PREFIX" "$PREFIX"
  rm -rf "$PREFIX.old" "$stage"
  complete || fail "checking the installed prefix"
  log "installed pgpool-II $version into $PREFIX in $((SECONDS - t0))s"
}

# kill_tree PID: TERM every descendant of PID (a timed-out build), by pid.
kill_tree() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    kill_tree "$child"
    kill -TERM "$child" 2>/dev/null || true
  done
}

cmd_status() {
  validate
  if complete; then
    sed -n 's/^version=/pgpool-II /p; s/^seconds=/built in (s): /p' "$STAMP"
    return 0
  fi
  echo "pgpool-II $SERIES: not (completely) installed in $PREFIX"
  return 1
}

cmd_clean() {
  need_root
  validate
  rm -rf "$PREFIX" "$PREFIX.old" "$BUILD_DIR"
}

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

case ${1:-} in
  install) cmd_install ;;
  status) cmd_status ;;
  clean) cmd_clean ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
