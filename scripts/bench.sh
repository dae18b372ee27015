#!/usr/bin/env bash
# make bench: pcpctl's pcp_* drop-ins against the stock pgpool-II tools on the
# live local cluster, plus the Go benchmarks. Prints Markdown (BENCHMARKS.md
# is a copy of one run). Nothing here fails on speed; it fails only if the
# cluster or a tool does not work.
#
#   BENCH_RUNS=41        timed runs of each side per command (alternating)
#   BENCH_HYPERFINE=0    skip the hyperfine cross-check
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/bin:/usr/local/go/bin:$PATH"
GO=${GO:-go}
RUNS=${BENCH_RUNS:-41}
STOCK=/usr/sbin

missing=()
command -v hyperfine >/dev/null 2>&1 || missing+=(hyperfine)
[[ -x /usr/bin/time ]] || missing+=(time)
if ((${#missing[@]})); then
  echo "bench: installing ${missing[*]}" >&2
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >&2
fi
[[ -x bin/pcpctl ]] || make build >&2

scripts/cluster.sh start >&2
scripts/cluster.sh wd-start >&2
eval "$(scripts/cluster.sh env)"
conn="-h $PCP_HOST -p $PCP_PORT -U $PCP_USER -w"
wd_port=${WD_PCP_PORTS%% *}
wd_conn="-h $PCP_HOST -p $wd_port -U $PCP_USER -w"
cases=(
  "pcp_node_info $conn -n 0"
  "pcp_node_info $conn"
  "pcp_node_count $conn"
  "pcp_watchdog_info $wd_conn"
)

echo "# pcpctl benchmarks"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- $($GO version | cut -d' ' -f3-4), $($STOCK/pgpool --version 2>&1 | head -1)"
echo "- cluster: 3 PostgreSQL 15 backends behind pgpool (PCP $PCP_HOST:$PCP_PORT); watchdog_info against trio member PCP $wd_port"
echo
echo "## Per call: stock C tool vs pcpctl symlink ($RUNS alternating runs each)"
echo
echo "Wall and CPU are medians; CPU is user+system of the process; RSS is the largest of the runs (wait4 rusage)."
echo
go_bin=$(mktemp -d)
trap 'rm -rf "$go_bin"' EXIT
$GO build -o "$go_bin/benchcmp" ./cmd/benchcmp
"$go_bin/benchcmp" -runs "$RUNS" -a "$STOCK" -b bin "${cases[@]}"

echo
echo "## Peak RSS (GNU time -v, largest of 5 runs)"
echo
echo "| command | stock | pcpctl |"
echo "|---|---:|---:|"
peak() { # dir case...
  local dir=$1 m=0 v i
  shift
  local argv=($*)
  for i in 1 2 3 4 5; do
    v=$(/usr/bin/time -v "$dir/${argv[0]}" "${argv[@]:1}" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}')
    ((v > m)) && m=$v
  done
  echo "$m"
}
for c in "${cases[@]}"; do
  echo "| \`${c%% *}${c#* -w}\` | $(peak "$STOCK" "$c") KB | $(peak bin "$c") KB |"
done

echo
echo "## Binary"
echo
echo "- bin/pcpctl: $(stat -c %s bin/pcpctl) bytes ($(awk -v b="$(stat -c %s bin/pcpctl)" 'BEGIN {printf "%.1f", b/1048576}') MiB), built with -trimpath -ldflags '-s -w'"

if [[ ${BENCH_HYPERFINE:-1} != 0 ]]; then
  echo
  echo "## hyperfine cross-check (not alternating: each command's runs in a block)"
  echo
  echo '```'
  for c in "${cases[@]}"; do
    hyperfine -N -w 3 -r 20 --style basic "$STOCK/$c" "bin/$c" 2>&1 | grep -E 'Benchmark|Time \(mean|±.*faster|times faster' || true
  done
  echo '```'
fi

echo
echo "## Go benchmarks"
echo
echo "Encoding and decoding every message (pcp/), a whole all-nodes answer at 3 and 128 nodes,"
echo "and one watch-mode refresh on a reused connection (cmd/node/list; live = this cluster,"
echo "cpu-ns/op = this process's CPU per refresh)."
echo
echo '```'
$GO test -run '^$' -bench . -benchmem ./pcp/ 2>&1 | grep -E '^Benchmark' | sed -E 's/^(Benchmark[^ ]*)-[0-9]+ /\1 /' | column -t
$GO test -run '^$' -bench WatchRefresh -benchtime 200x -benchmem ./cmd/node/list/ 2>&1 | grep -E '^Benchmark' | sed -E 's/^(Benchmark[^ ]*)-[0-9]+ /\1 /' | column -t
echo '```'
