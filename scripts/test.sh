#!/usr/bin/env bash
# The whole test suite, as CI runs it: static checks, unit tests, then the
# differential and end-to-end tests against a fresh real cluster, which is
# stopped again whatever happens. Every phase ends with its skipped tests
# and their reasons; a test that needs a program make test did not install
# fails instead of skipping (PCPCTL_REQUIRE_TOOLS).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

scripts/cluster.sh install
# pgpool-II 4.6 from Debian 13's source package: cached in its prefix, so a
# no-op after the first build (about a minute on two cores).
scripts/pgpool46.sh install

# What pcpctl reads from the environment must not leak in from a shell that
# ran eval "$(scripts/cluster.sh env)" (the README's demo does): the tests
# name their pgpools themselves.
unset PCPHOST PCPPORT PCPUSER PCPPASSFILE PCPCONNECT_TIMEOUT PCPCTL_TIMEOUT PCPCTL_CONFIG XDG_CONFIG_HOME
export PCPCTL_REQUIRE_TOOLS=1

logs=$(mktemp -d /tmp/pcpctl-test.XXXXXX)
# Nor may the contexts the demo offers: no contexts file but the tests' own.
export PCPCTL_CONFIG=$logs/no-contexts.yaml
summary=$logs/testsummary
go build -o "$summary" ./cmd/testsummary

# phase NAME LOG go-test-args...: go test -json through testsummary, which
# prints the usual ok/FAIL lines, the output of failed tests, and the skips.
phase() {
  local name=$1 log=$2
  shift 2
  echo "== $name"
  set +e
  go test -json "$@" 2>&1 | "$summary" -log "$log"
  local rc=("${PIPESTATUS[@]}")
  set -e
  if ((rc[0] != 0 || rc[1] != 0)); then
    echo "$name failed; full log: $log" >&2
    exit 1
  fi
}

echo "== gofmt / go vet"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi
go vet ./...

# e2e/faults times real processes against one-second deadlines; it runs on
# its own afterwards so that other packages' race-instrumented tests do not
# compete with it for the two cores. The e2e package runs last, against the
# cluster.
phase "unit tests (race detector)" "$logs/unit.log" -race -count=1 $(go list ./... | grep -v -e '/e2e/faults$' -e '/e2e$')
phase "fault-injection matrix" "$logs/faults.log" -race -count=1 ./e2e/faults/

echo "== short fuzzing"
# A couple of seconds per target keeps make test fast with a dozen targets;
# make fuzz runs each for a minute.
scripts/fuzz.sh 2s

echo "== fresh cluster"
scripts/cluster.sh stop >/dev/null 2>&1 || true
stop_all() { scripts/cluster.sh wd-stop >/dev/null 2>&1 || true; scripts/cluster.sh stop || true; }
trap stop_all EXIT
scripts/cluster.sh start
echo "== watchdog trio"
scripts/cluster.sh wd-start

# PCPCTL_E2E_LOG: a private log for a run next to someone else's.
E2E_LOG=${PCPCTL_E2E_LOG:-/tmp/pcpctl-e2e.log}
# Each release's run leaves out the tests of the other release's features
# (they skip themselves when run by hand against the wrong cluster), so
# that a skip in the summary always means something is missing.
only46='^(TestNewToolsCompat|TestLogRotateTakesEffect|TestInvalidateQueryCacheTakesEffect)$'
only43='^TestNewToolsOnOlderServer$'
# The mode tests of native replication and snapshot isolation run on their
# own clusters below.
replicated='^TestModeReplicated|^TestModeRaw'
PCPCTL_E2E=1 phase "end-to-end and differential tests" "$E2E_LOG" -count=1 -timeout 60m -skip "$only46|$replicated" ./e2e/
grep -h 'side-by-side\|differ' "$E2E_LOG" | grep -v -- '--- FAIL' | head -20 || true

echo "== Debian package: lintian, then install / divert / differential / remove / purge in a throwaway root"
# The stock tools of this machine stay untouched: the package is installed
# in a debootstrap'd bookworm root (built once, cached under /var/tmp).
scripts/deb-test.sh

# pgpool in native replication and snapshot isolation mode (every write
# to every node, two-stage online recovery) and raw mode: what the modern
# CLI does differently there. The 4.3.5 streaming cluster is done with; its CPU
# goes to them.
# The mode tests, and the modern tests that hold in every mode (raw mode:
# pgpool health-checks the first node only, so not node health's). The
# replicated modes' tests include a watchdog trio over the mode's nodes
# (TestModeReplicatedWatchdog): that test starts it and stops it again, and
# the mode cluster's stop stops it too.
every_mode='TestModernNodeList|TestModernNodeInfoCount|TestModernEnrichment|TestModernProcess|TestModernPoolConfig'
stop_all
for mode in native snapshot raw; do
  case $mode in
    raw) modes_run="^(TestModeRaw.*|$every_mode)\$" ;;
    *) modes_run="^(TestModeReplicated.*|$every_mode|TestModernNodeHealth|TestModernPgpoolReload)\$" ;;
  esac
  echo "== $mode cluster"
  trap 'scripts/cluster-'$mode'.sh stop || true; stop_all' EXIT
  scripts/cluster-$mode.sh stop >/dev/null 2>&1 || true
  scripts/cluster-$mode.sh start
  PCPCTL_CLUSTER_MODE=$(scripts/cluster-$mode.sh env | sed -n 's/^export PCPCTL_CLUSTER_MODE=//p') PCPCTL_E2E=1 \
    phase "end-to-end, $mode mode" "/tmp/pcpctl-e2e-$mode.log" -count=1 -timeout 20m -run "$modes_run" ./e2e/
  scripts/cluster-$mode.sh stop
done
trap stop_all EXIT

echo "== pgpool-II 4.6 cluster"
stop_46() { scripts/cluster46.sh wd-stop >/dev/null 2>&1 || true; scripts/cluster46.sh stop || true; }
trap 'stop_46; stop_all' EXIT
scripts/cluster46.sh stop >/dev/null 2>&1 || true
scripts/cluster46.sh start
scripts/cluster46.sh wd-start
PGPOOL_RELEASE=4.6 PCPCTL_E2E=1 phase "end-to-end and differential tests, 4.6 (oracle: the 4.6 build's own tools)" /tmp/pcpctl-e2e46.log -count=1 -timeout 60m -skip "$only43|$replicated" ./e2e/
grep -h 'side-by-side\|differ' /tmp/pcpctl-e2e46.log | grep -v -- '--- FAIL' | head -20 || true
rm -rf "$logs"
