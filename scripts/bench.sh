#!/usr/bin/env bash
# make bench: pcpctl's pcp_* drop-ins against the stock pgpool-II tools and
# against the floor (cmd/benchfloor: a program that links pcpctl's
# dependencies and does nothing) on the live local cluster, cluster status
# against a shell loop of the stock tools, plus the Go benchmarks. Prints
# Markdown (BENCHMARKS.md is a copy of one run). Nothing here fails on speed;
# it fails only if the cluster or a tool does not work.
#
#   BENCH_RUNS=41        timed runs of each side per command (alternating)
#   BENCH_HYPERFINE=0    skip the hyperfine cross-check
#   BENCH_GO=0           skip the Go benchmarks
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/bin:/usr/local/go/bin:$PATH"
GO=${GO:-go}
RUNS=${BENCH_RUNS:-41}
STOCK=/usr/sbin

missing=()
command -v hyperfine >/dev/null 2>&1 || missing+=(hyperfine)
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
  "pcp_node_count -V"
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
go_bin=$(mktemp -d)
trap 'rm -rf "$go_bin"' EXIT
$GO build -o "$go_bin/benchcmp" ./cmd/benchcmp
# The floor is built as pcpctl is (Makefile: CGO off, -trimpath, -s -w) from
# the same go.mod, so it links the same dependency versions.
CGO_ENABLED=0 $GO build -trimpath -ldflags '-s -w' -o "$go_bin/benchfloor" ./cmd/benchfloor
libpcp=$(ldd "$STOCK/pcp_node_count" | awk '/libpcp/ {print $3}')

echo "## Per call: stock C tool, pcpctl symlink and the floor ($RUNS alternating rounds)"
echo
echo "Each round runs the three in the next of their six orders. Wall and CPU"
echo "(user+system of the process, wait4) are medians; peak RSS is the largest"
echo "VmHWM of 5 more runs (read at a ptrace exit stop); the floor is"
echo "\`cmd/benchfloor\`, which links pcpctl's third-party packages and exits"
echo "(it ignores the arguments). Executable sizes are the files as shipped: the"
echo "C tools also map $(basename "$libpcp") ($(stat -L -c %s "$libpcp") bytes) and libc."
echo
"$go_bin/benchcmp" -runs "$RUNS" -a "$STOCK" -b bin -floor "$go_bin/benchfloor" "${cases[@]}"

echo
echo "## cluster status over the watchdog trio vs a shell loop of the stock tools"
echo
echo "The loop runs \`pcp_node_info\` and \`pcp_watchdog_info\` against each trio member"
echo "in turn; \`pcpctl cluster status\` reads the three concurrently ($RUNS alternating runs, medians;"
echo "CPU includes the loop's shell and children)."
echo
loop="" pgpools=""
for p in $WD_PCP_PORTS; do
  loop+="$STOCK/pcp_node_info -h $PCP_HOST -p $p -U $PCP_USER -w >/dev/null && $STOCK/pcp_watchdog_info -h $PCP_HOST -p $p -U $PCP_USER -w >/dev/null && "
  pgpools+=" --pgpool $PCP_HOST:$p"
done
"$go_bin/benchcmp" -runs "$RUNS" -vs "cluster status, 3 pgpools" "${loop}true" "bin/pcpctl cluster status$pgpools -U $PCP_USER -w"

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

if [[ ${BENCH_GO:-1} != 0 ]]; then
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
fi

echo
echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
