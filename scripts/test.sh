#!/usr/bin/env bash
# The whole test suite, as CI runs it: static checks, unit tests, then the
# differential and end-to-end tests against a fresh real cluster, which is
# stopped again whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

scripts/cluster.sh install
# pgpool-II 4.6 from Debian 13's source package: cached in its prefix, so a
# no-op after the first build (about a minute on two cores).
scripts/pgpool46.sh install

echo "== gofmt / go vet"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi
go vet ./...

echo "== unit tests (race detector)"
# e2e/faults times real processes against one-second deadlines; it runs on
# its own afterwards so that other packages' race-instrumented tests do not
# compete with it for the two cores.
go test -race -count=1 $(go list ./... | grep -v '/e2e/faults$')
echo "== fault-injection matrix"
go test -race -count=1 ./e2e/faults/

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

echo "== end-to-end and differential tests"
PCPCTL_E2E=1 go test -count=1 -timeout 60m -v ./e2e/ 2>&1 | tee /tmp/pcpctl-e2e.log | grep -E '^(=== RUN|--- FAIL|FAIL|ok|PASS|panic)|side-by-side|differ' || true
# tee hides go test's status; read it back from the log.
if grep -qE '^(--- FAIL|FAIL|panic)' /tmp/pcpctl-e2e.log; then
  echo "end-to-end tests failed; full log: /tmp/pcpctl-e2e.log" >&2
  grep -B2 -A30 -E '^\s*--- FAIL' /tmp/pcpctl-e2e.log | head -300 >&2
  exit 1
fi
grep -qE '^ok ' /tmp/pcpctl-e2e.log || { echo "end-to-end tests did not complete" >&2; tail -50 /tmp/pcpctl-e2e.log >&2; exit 1; }

echo "== pgpool-II 4.6 cluster"
# The 4.3.5 cluster is done with; its CPU goes to the 4.6 run.
stop_all
stop_46() { scripts/cluster46.sh wd-stop >/dev/null 2>&1 || true; scripts/cluster46.sh stop || true; }
trap 'stop_46; stop_all' EXIT
scripts/cluster46.sh stop >/dev/null 2>&1 || true
scripts/cluster46.sh start
scripts/cluster46.sh wd-start
echo "== end-to-end and differential tests, 4.6 (oracle: the 4.6 build's own tools)"
PGPOOL_RELEASE=4.6 PCPCTL_E2E=1 go test -count=1 -timeout 60m -v ./e2e/ 2>&1 | tee /tmp/pcpctl-e2e46.log | grep -E '^(=== RUN|--- FAIL|FAIL|ok|PASS|panic)|side-by-side|differ' || true
if grep -qE '^(--- FAIL|FAIL|panic)' /tmp/pcpctl-e2e46.log; then
  echo "4.6 end-to-end tests failed; full log: /tmp/pcpctl-e2e46.log" >&2
  grep -B2 -A30 -E '^\s*--- FAIL' /tmp/pcpctl-e2e46.log | head -300 >&2
  exit 1
fi
grep -qE '^ok ' /tmp/pcpctl-e2e46.log || { echo "4.6 end-to-end tests did not complete" >&2; tail -50 /tmp/pcpctl-e2e46.log >&2; exit 1; }
