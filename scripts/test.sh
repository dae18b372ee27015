#!/usr/bin/env bash
# The whole test suite, as CI runs it: static checks, unit tests, then the
# differential and end-to-end tests against a fresh real cluster, which is
# stopped again whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

scripts/cluster.sh install

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
# PCPCTL_E2E_LOG: a private log for a run next to someone else's.
E2E_LOG=${PCPCTL_E2E_LOG:-/tmp/pcpctl-e2e.log}
PCPCTL_E2E=1 go test -count=1 -timeout 60m -v ./e2e/ 2>&1 | tee "$E2E_LOG" | grep -E '^(=== RUN|--- FAIL|FAIL|ok|PASS|panic)|side-by-side|differ' || true
# tee hides go test's status; read it back from the log.
if grep -qE '^(--- FAIL|FAIL|panic)' "$E2E_LOG"; then
  echo "end-to-end tests failed; full log: $E2E_LOG" >&2
  grep -B2 -A30 -E '^\s*--- FAIL' "$E2E_LOG" | head -300 >&2
  exit 1
fi
grep -qE '^ok ' "$E2E_LOG" || { echo "end-to-end tests did not complete" >&2; tail -50 "$E2E_LOG" >&2; exit 1; }

echo "== Debian package: lintian, then install / divert / differential / remove / purge in a throwaway root"
# The stock tools of this machine stay untouched: the package is installed
# in a debootstrap'd bookworm root (built once, cached under /var/tmp).
scripts/deb-test.sh
