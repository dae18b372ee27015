#!/usr/bin/env bash
# deb-test.sh: the Debian package's round trip, in a throwaway Debian 12 root
# (never on this machine's /usr/sbin, whose stock pcp_* tools are the
# differential tests' oracle). Run by scripts/test.sh while the cluster is up;
# needs root and the cluster of scripts/cluster.sh (same environment).
#
#   0. the version rule of scripts/deb.sh, in a scratch clone with tags
#   1. make the .deb (scripts/deb.sh deb); lintian it, failing on any tag
#      down to pedantic and experimental (packaging/deb/lintian-overrides
#      holds the one override, with its reason)
#   2. unpack a cached debootstrap --variant=minbase bookworm root with
#      pgpool2 in it ($PCPCTL_DEB_ROOT_CACHE; built on the first run, the one
#      step that downloads, from $DEB_MIRROR)
#   3. apt-get install the .deb in the root; check every pcp_* name and man
#      page is pcpctl's, the stock files sit byte for byte under .distrib,
#      and pcpctl as pcp_* gives the stock tool's stdout, stderr and exit
#      code (the root's diverted stock tool, and this machine's) against the
#      live pgpool on loopback
#   4. reinstall pgpool2 and the .deb over it; the diversions hold
#   5. remove, purge, and install-then-purge: the stock files are back byte
#      for byte, no diversion or .distrib file is left
#   6. a package with one more name (the clone's compat.Names() plus a
#      made-up one): the upgrade diverts it, a downgrade gives it back, and
#      so does a purge after an unconfigured downgrade
#
# Nothing is started in the root (a policy-rc.d forbids services) and nothing
# is mounted; the exit trap still checks for both, and kills by pid only
# processes whose root is the throwaway one. Prints one line per check and
# exits non-zero on the first failure.
set -euo pipefail
umask 022
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

SUITE=bookworm
DEB_MIRROR=${DEB_MIRROR:-http://deb.debian.org/debian}
# Bump the suffix when the recipe below changes, to rebuild old caches.
CACHE=${PCPCTL_DEB_ROOT_CACHE:-/var/tmp/pcpctl-deb-root-$SUITE-v1.tar}
HOST=127.0.0.1
START=$SECONDS
CHECKS=0

die() { printf 'deb-test: FAIL: %s\n' "$*" >&2; exit 1; }
# A command that fails without a die of its own still says so.
set -E
trap 'printf "deb-test: FAIL: line %s: %s exited %s\n" "$LINENO" "$BASH_COMMAND" "$?" >&2' ERR
log() { printf 'deb-test: %s\n' "$*"; }
ok() { CHECKS=$((CHECKS + 1)); printf 'deb-test: ok   %s\n' "$*"; }

[[ $(id -u) == 0 ]] || die "must run as root (chroot, dpkg in the throwaway root)"
eval "$(scripts/cluster.sh env)"
# Only pgpool's PCP port must answer: the differential cases compare tools
# against whatever state the e2e tests left the backends in.
PCPPASSFILE=$PCPPASSFILE timeout 15 /usr/sbin/pcp_node_count -h "$HOST" -p "$PCP_PORT" -U "$PCP_USER" -w >/dev/null 2>&1 ||
  die "pgpool's PCP port $HOST:$PCP_PORT does not answer: scripts/cluster.sh start (with this environment)"

missing=()
for p in debootstrap lintian; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null ||
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; }
fi

WORK=$(mktemp -d /var/tmp/pcpctl-deb-test.XXXXXX)
R=$WORK/root

# Processes and mounts inside $WORK, found through /proc, so that nothing
# outside it is touched.
inside_pids() {
  local p r
  for p in /proc/[0-9]*; do
    r=$(readlink "$p/root" 2>/dev/null) || continue
    [[ $r == "$WORK" || $r == "$WORK"/* ]] && echo "${p#/proc/}"
  done
  return 0
}
inside_mounts() { awk -v w="$WORK" '$5 == w || index($5, w "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r; }
cleanup() {
  local rc=$? pids m
  pids=$(inside_pids)
  if [[ -n $pids ]]; then
    echo "deb-test: killing processes left in the root: $pids" >&2
    kill $pids 2>/dev/null || true
    sleep 1
    pids=$(inside_pids)
    [[ -z $pids ]] || kill -9 $pids 2>/dev/null || true
  fi
  for m in $(inside_mounts); do umount "$m" || umount -l "$m" || true; done
  if [[ -n $(inside_mounts) ]]; then
    echo "deb-test: mounts left under $WORK, not removing it" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT

# -- 0. the version rule of scripts/deb.sh, in a scratch clone with tags
vt=$WORK/version-test
git clone -q --shared . "$vt"
# The working tree's packaging, committed or not, is what is under test.
cp scripts/deb.sh "$vt/scripts/deb.sh"
rm -rf "$vt/packaging/deb"
mkdir -p "$vt/packaging"
cp -a packaging/deb "$vt/packaging/deb"
vgit() { git -C "$vt" -c user.name=deb-test -c user.email=deb-test@localhost "$@"; }
vgit add -A
vgit commit -q --allow-empty -m "deb.sh under test"
vgit tag -d $(vgit tag) >/dev/null 2>&1 || true
v_untagged=$("$vt/scripts/deb.sh" version)
[[ $v_untagged =~ ^0\.0~git[0-9]{8}\.[0-9]+\.[0-9a-f]{7}$ ]] || die "untagged version '$v_untagged'"
vgit tag v1.2.3
v_tag=$("$vt/scripts/deb.sh" version)
[[ $v_tag == 1.2.3 ]] || die "version at tag v1.2.3: '$v_tag'"
vgit commit -q --allow-empty -m after
v_after=$("$vt/scripts/deb.sh" version)
[[ $v_after =~ ^1\.2\.3\+git[0-9]{8}\.1\.[0-9a-f]{7}$ ]] || die "version one commit after v1.2.3: '$v_after'"
echo x >>"$vt/README.md"
v_dirty=$("$vt/scripts/deb.sh" version)
[[ $v_dirty == "$v_after+dirty" ]] || die "dirty version '$v_dirty'"
vgit checkout -q README.md
vgit tag v2.0-rc1
v_rc=$("$vt/scripts/deb.sh" version)
[[ $v_rc == 2.0~rc1 ]] || die "version at tag v2.0-rc1: '$v_rc'"
prev=""
for v in "$v_untagged" 0.1 1.2.3 "$v_after" "$v_dirty" "$v_rc" 2.0; do
  [[ -z $prev ]] || dpkg --compare-versions "$prev" lt "$v" || die "version order: $prev is not before $v"
  prev=$v
done
ok "version rule: $v_untagged < 1.2.3 < $v_after < $v_dirty < $v_rc < 2.0"

# -- 1. build and lintian
log "building the package"
scripts/deb.sh deb
VERSION=$(scripts/deb.sh version)
DEB=dist/pcpctl_${VERSION}_amd64.deb
[[ -f $DEB ]] || die "$DEB was not written"
mapfile -t TOOLS < <(dpkg-deb -c "$DEB" | awk '{ print $6 }' | sed -n 's|^\./usr/sbin/\(pcp_[a-z_]*\)$|\1|p')
((${#TOOLS[@]} >= 13)) || die "the package has ${#TOOLS[@]} pcp_* names: ${TOOLS[*]}"
ok "package $DEB has ${#TOOLS[@]} pcp_* names"
lrc=0
lintian_out=$(lintian --pedantic --display-experimental --fail-on error,warning,info,pedantic,experimental "$DEB" 2>&1) || lrc=$?
lintian_out=$(grep -v '^running with root privileges is not recommended!$' <<<"$lintian_out" || true)
((lrc == 0)) || die "lintian exited $lrc: $lintian_out"
[[ -z $lintian_out ]] || die "lintian printed: $lintian_out"
ok "lintian: no tag (pedantic, experimental), $(grep -c '^pcpctl:' packaging/deb/lintian-overrides) documented override"

# -- 2. the throwaway root
if [[ ! -f $CACHE ]]; then
  exec 9>"$CACHE.lock"
  flock 9
  if [[ ! -f $CACHE ]]; then
    log "building the $SUITE root once (debootstrap from $DEB_MIRROR; cached as $CACHE)"
    b=$WORK/build
    if ! debootstrap --variant=minbase --include=pgpool2 "$SUITE" "$b" "$DEB_MIRROR" >"$WORK/debootstrap.log" 2>&1; then
      tail -20 "$WORK/debootstrap.log" >&2
      die "debootstrap failed (log above)"
    fi
    printf '#!/bin/sh\n# no service starts in this throwaway root\nexit 101\n' >"$b/usr/sbin/policy-rc.d"
    chmod 0755 "$b/usr/sbin/policy-rc.d"
    [[ -z $(inside_mounts) ]] || die "debootstrap left mounts: $(inside_mounts)"
    tar -C "$b" -cf "$CACHE.tmp" .
    mv "$CACHE.tmp" "$CACHE"
    rm -rf "$b"
  fi
  exec 9>&-
fi
mkdir "$R"
tar -C "$R" -xf "$CACHE"
in_root() { chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
in_root dpkg-query -W -f='${Status}' pgpool2 | grep -q 'ok installed' || die "pgpool2 is not installed in the root"
ok "root unpacked from $CACHE (pgpool2 $(in_root dpkg-query -W -f='${Version}' pgpool2))"

# The stock files, as pgpool2 installed them.
ORIG=$WORK/orig
mkdir -p "$ORIG"
stock=()
for t in "${TOOLS[@]}"; do
  if [[ -e $R/usr/sbin/$t ]]; then
    stock+=("$t")
    cp -a "$R/usr/sbin/$t" "$ORIG/$t"
    cp -a "$R/usr/share/man/man1/$t.1.gz" "$ORIG/$t.1.gz"
  fi
done
for f in "$R"/usr/sbin/pcp_*; do
  [[ " ${TOOLS[*]} " == *" ${f##*/} "* ]] || die "the stock ${f##*/} is not one of the package's names"
done
((${#stock[@]} >= 13)) || die "only ${#stock[@]} stock pcp_* tools in the root"

# stock_back: every stock file is back byte for byte, nothing of pcpctl left.
stock_back() {
  local t n
  for t in "${stock[@]}"; do
    cmp -s "$ORIG/$t" "$R/usr/sbin/$t" || die "$1: /usr/sbin/$t differs from the stock file"
    cmp -s "$ORIG/$t.1.gz" "$R/usr/share/man/man1/$t.1.gz" || die "$1: the $t man page differs from the stock one"
  done
  n=$(find "$R/usr" -name '*.distrib*' | wc -l)
  ((n == 0)) || die "$1: .distrib files left: $(find "$R/usr" -name '*.distrib*')"
  n=$(in_root dpkg-divert --list | grep -c 'by pcpctl$' || true)
  ((n == 0)) || die "$1: $n diversions by pcpctl left"
  [[ ! -e $R/usr/bin/pcpctl ]] || die "$1: /usr/bin/pcpctl left"
  ok "$1: the ${#stock[@]} stock tools and man pages are back byte for byte, no diversion left"
}

# diverted: pcpctl holds every name, the stock files wait under .distrib.
diverted() {
  local t n
  for t in "${TOOLS[@]}"; do
    [[ $(readlink "$R/usr/sbin/$t") == ../bin/pcpctl ]] || die "$1: /usr/sbin/$t is not the pcpctl symlink"
    zcat "$R/usr/share/man/man1/$t.1.gz" | grep -q pcpctl || die "$1: the $t man page is not pcpctl's"
  done
  for t in "${stock[@]}"; do
    cmp -s "$ORIG/$t" "$R/usr/sbin/$t.distrib" || die "$1: /usr/sbin/$t.distrib is not the stock file"
    cmp -s "$ORIG/$t.1.gz" "$R/usr/share/man/man1/$t.distrib.1.gz" || die "$1: $t.distrib.1.gz is not the stock page"
  done
  n=$(in_root dpkg-divert --list | grep -c 'by pcpctl$' || true)
  ((n == 2 * ${#TOOLS[@]})) || die "$1: $n diversions by pcpctl, want $((2 * ${#TOOLS[@]}))"
  ok "$1: ${#TOOLS[@]} names and man pages are pcpctl's, $n diversions, stock files intact under .distrib"
}

# -- 3. install
cp "$DEB" "$R/tmp/pcpctl.deb"
in_root apt-get install -y -q /tmp/pcpctl.deb >"$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log" >&2; die "apt-get install of the .deb failed"; }
[[ $(in_root dpkg-query -W -f='${Version}' pcpctl) == "$VERSION" ]] || die "pcpctl $VERSION is not installed"
diverted "apt-get install ./pcpctl.deb"
[[ $(in_root pcpctl version) == "pcpctl $VERSION "* ]] || die "pcpctl version: $(in_root pcpctl version)"
ok "pcpctl version: $(in_root pcpctl version)"

# Differential cases against the live pgpool: the name pcpctl now holds,
# the root's diverted stock tool (it picks its tool from argv[0], so it runs
# with argv[0] set to the stock name) and this machine's stock tool.
install -m 0600 "$PCPPASSFILE" "$R/tmp/pcppass"
ENVV=(PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C PCPPASSFILE=/tmp/pcppass)
run_as() { # out-prefix root|host path name args...
  local out=$1 where=$2 path=$3 name=$4 rc=0
  shift 4
  if [[ $where == root ]]; then
    timeout 30 chroot "$R" /usr/bin/env -i "${ENVV[@]}" /bin/bash -c 'n=$1 p=$2; shift 2; exec -a "$n" "$p" "$@"' _ "$name" "$path" "$@" \
      >"$out.out" 2>"$out.err" || rc=$?
  else
    timeout 30 env -i "${ENVV[@]/#PCPPASSFILE=*/PCPPASSFILE=$PCPPASSFILE}" /bin/bash -c 'n=$1 p=$2; shift 2; exec -a "$n" "$p" "$@"' _ "$name" "$path" "$@" \
      >"$out.out" 2>"$out.err" || rc=$?
  fi
  echo "$rc" >"$out.rc"
}
same() { cmp -s "$1.out" "$2.out" && cmp -s "$1.err" "$2.err" && cmp -s "$1.rc" "$2.rc"; }
C=(-h "$HOST" -p "$PCP_PORT" -U "$PCP_USER" -w)
cases=(
  "pcp_node_info ${C[*]}"
  "pcp_node_info ${C[*]} -v -n 1"
  "pcp_node_info ${C[*]} -n 7"
  "pcp_node_count ${C[*]}"
  "pcp_node_count ${C[*]} -v"
  "pcp_pool_status ${C[*]}"
  "pcp_health_check_stats ${C[*]} -n 0"
  "pcp_node_count -h $HOST -p $PCP_PORT -U nosuchuser -w"
  "pcp_node_info -h $HOST -p 80 -w"
  "pcp_attach_node ${C[*]}"
  "pcp_proc_count ${C[*]}"
  "pcp_watchdog_info ${C[*]}"
  "pcp_node_info --help"
  "pcp_recovery_node -V"
)
D=$WORK/diff
mkdir -p "$D"
i=0
for c in "${cases[@]}"; do
  i=$((i + 1))
  read -r -a a <<<"$c"
  t=${a[0]}
  # pgpool's health check (every 5 s) and replication delay may change
  # between two runs; as in the e2e tests, the trio is run again once, and
  # a difference that survives the re-run fails. Nothing is normalised.
  for attempt in 1 2; do
    run_as "$D/$i.pcpctl" root "/usr/sbin/$t" "$t" "${a[@]:1}"
    run_as "$D/$i.distrib" root "/usr/sbin/$t.distrib" "$t" "${a[@]:1}"
    run_as "$D/$i.host" host "/usr/sbin/$t" "$t" "${a[@]:1}"
    same "$D/$i.pcpctl" "$D/$i.distrib" && same "$D/$i.pcpctl" "$D/$i.host" && break
  done
  [[ -s $D/$i.pcpctl.out || -s $D/$i.pcpctl.err ]] || die "$c: no output at all"
  for o in distrib host; do
    if ! same "$D/$i.pcpctl" "$D/$i.$o"; then
      for s in out err rc; do
        diff -u --label "stock ($o) $s" --label "pcpctl $s" "$D/$i.$o.$s" "$D/$i.pcpctl.$s" >&2 || true
      done
      die "$c: pcpctl in the root differs from the stock tool ($o), twice"
    fi
  done
  ok "differential: $c (exit $(cat "$D/$i.pcpctl.rc"), $(wc -c <"$D/$i.pcpctl.out")+$(wc -c <"$D/$i.pcpctl.err") bytes, same as .distrib and the host's)"
done

# -- 4. pgpool2 reinstalled under the diversions, then pcpctl over itself
pgdeb=$(cd "$R" && ls var/cache/apt/archives/pgpool2_*.deb 2>/dev/null | head -1) || true
[[ -n $pgdeb ]] || die "no pgpool2 .deb in the root's apt cache"
in_root dpkg -i "/$pgdeb" >"$WORK/dpkg.log" 2>&1 || { cat "$WORK/dpkg.log" >&2; die "reinstalling pgpool2 failed"; }
diverted "pgpool2 reinstalled"
in_root dpkg -i /tmp/pcpctl.deb >"$WORK/dpkg.log" 2>&1 || { cat "$WORK/dpkg.log" >&2; die "reinstalling pcpctl failed"; }
diverted "pcpctl reinstalled (preinst upgrade)"

# -- 5. removal
in_root apt-get remove -y -q pcpctl >"$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log" >&2; die "apt-get remove failed"; }
stock_back "apt-get remove pcpctl"
in_root dpkg --purge pcpctl >"$WORK/dpkg.log" 2>&1 || { cat "$WORK/dpkg.log" >&2; die "dpkg --purge failed"; }
in_root dpkg-query -W pcpctl >/dev/null 2>&1 && die "pcpctl still known to dpkg after purge"
stock_back "dpkg --purge pcpctl"
in_root apt-get install -y -q /tmp/pcpctl.deb >"$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log" >&2; die "second install failed"; }
diverted "installed again"
in_root apt-get purge -y -q pcpctl >"$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log" >&2; die "apt-get purge failed"; }
stock_back "apt-get purge pcpctl (from installed)"
# The stock tool, back under its own name, works again.
run_as "$D/back" root /usr/sbin/pcp_node_count pcp_node_count "${C[@]}"
run_as "$D/back.host" host /usr/sbin/pcp_node_count pcp_node_count "${C[@]}"
[[ $(cat "$D/back.rc") == 0 && -s $D/back.out ]] || die "the restored stock pcp_node_count failed: $(cat "$D/back.err")"
same "$D/back" "$D/back.host" || die "the restored stock pcp_node_count does not answer as the host's"
ok "the restored stock pcp_node_count answers as the host's does"

# -- 6. a name compat learns: upgrade adds its diversion, downgrade (and
# removal after an unconfigured downgrade) gives it back. The package of
# step 0's clone gets one more name from Names(), with no packaging edit.
X=pcp_zz_deb_test
awk -v x="$X" '/^func Names\(\) \[\]string \{/ { inside = 1 }
  inside && /^\treturn / { sub(/return /, "return append("); sub(/$/, ", \"" x "\")"); inside = 0 }
  { print }' "$vt/cmd/compat/tools.go" >"$vt/tools.go.new"
mv "$vt/tools.go.new" "$vt/cmd/compat/tools.go"
grep -q "\"$X\")" "$vt/cmd/compat/tools.go" || die "could not add $X to compat.Names() in the scratch clone"
cp man/pcp_node_info.1 "$vt/man/$X.1"
vgit add -A
vgit commit -q -m "deb-test: one more pcp_* name"
"$vt/scripts/deb.sh" deb
NEW=$(ls "$vt"/dist/pcpctl_*_amd64.deb)
dpkg-deb -c "$NEW" | grep -q "\./usr/sbin/$X -> \.\./bin/pcpctl" || die "$X is not in the package built from the clone"
dpkg --compare-versions "$(dpkg-deb -f "$NEW" Version)" gt "$VERSION" || die "the clone's package is not newer"
cp "$NEW" "$R/tmp/pcpctl-new.deb"
printf 'not a pgpool tool, a file for deb-test to divert\n' >"$R/usr/sbin/$X"
cp -a "$R/usr/sbin/$X" "$ORIG/$X"
in_root dpkg -i /tmp/pcpctl.deb >"$WORK/dpkg.log" 2>&1 || { cat "$WORK/dpkg.log" >&2; die "install for the upgrade test failed"; }
in_root dpkg -i /tmp/pcpctl-new.deb >"$WORK/dpkg.log" 2>&1 || { cat "$WORK/dpkg.log" >&2; die "upgrade failed"; }
n=$(in_root dpkg-divert --list | grep -c 'by pcpctl$' || true)
((n == 2 * ${#TOOLS[@]} + 2)) || die "after the upgrade: $n diversions by pcpctl, want $((2 * ${#TOOLS[@]} + 2))"
[[ $(readlink "$R/usr/sbin/$X") == ../bin/pcpctl ]] || die "after the upgrade: /usr/sbin/$X is not pcpctl"
cmp -s "$ORIG/$X" "$R/usr/sbin/$X.distrib" || die "after the upgrade: /usr/sbin/$X.distrib is not the diverted file"
ok "upgrade to a package with one more name: $n diversions, /usr/sbin/$X is pcpctl, the file it hid is under .distrib"
in_root dpkg -i /tmp/pcpctl.deb >"$WORK/dpkg.log" 2>&1 || { cat "$WORK/dpkg.log" >&2; die "downgrade failed"; }
cmp -s "$ORIG/$X" "$R/usr/sbin/$X" || die "after the downgrade: /usr/sbin/$X is not the file it hid"
diverted "downgrade (postinst gave $X back)"
in_root dpkg -i /tmp/pcpctl-new.deb >"$WORK/dpkg.log" 2>&1 || { cat "$WORK/dpkg.log" >&2; die "second upgrade failed"; }
in_root dpkg --unpack /tmp/pcpctl.deb >"$WORK/dpkg.log" 2>&1 || { cat "$WORK/dpkg.log" >&2; die "unpacking the older package failed"; }
in_root dpkg --purge pcpctl >"$WORK/dpkg.log" 2>&1 || { cat "$WORK/dpkg.log" >&2; die "purge after an unconfigured downgrade failed"; }
cmp -s "$ORIG/$X" "$R/usr/sbin/$X" || die "purge after an unconfigured downgrade: /usr/sbin/$X is not the file it hid"
rm "$R/usr/sbin/$X"
stock_back "purge after an unconfigured downgrade (postrm gave $X back)"

log "PASS: $CHECKS checks in $((SECONDS - START))s"
