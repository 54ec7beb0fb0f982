#!/usr/bin/env bash
# Measures what running a sweep by shards costs over running it in one process: the same
# 16-trial logreg sweep on MNIST, alternately, ROUNDS times,
#
#   (i)  local:   descent sweep --model logreg --grid lr=1e-4:1e-1:16 --epochs E --parallel 2 --out D1
#   (ii) sharded: descent sweep ... --plan D2; descent sweep run D2 --shard 0/2 &
#                 descent sweep run D2 --shard 1/2; wait; descent sweep collect D2
#
# the two in turn first, and prints each round's wall-clock seconds, the medians, their
# spread (smallest, quartiles, largest), the ratio of the medians (ii)/(i) and the median
# of the rounds' ratios, with the time of (ii)'s steps (plan, shards, collect), the CPU and
# the load averages before and after. descent is built from this checkout (go build) into
# a temporary folder, where the runs go too; MNIST comes from descent's cache (descent data
# fetch fills it); $DESCENT, if set, is the descent executable to measure instead, and
# $DESCENT_REF, if set, a second one (main's, say) whose (i) and (ii) run in the same
# rounds, in turn with the first's, and are summed up alike. The
# figures are wall-clock times, on a machine whose load may change: take enough rounds,
# and read the spread. The CPU time (user and system) of each side's processes is printed
# too: it depends less on the load, though not on nothing (a shared core's caches).
#
#   scripts/sweep-overhead.sh [ROUNDS [EPOCHS [FLAG...]]]   # default 12 rounds of 2 epochs
#
# FLAGs are added to the command line of both sides: --threads 1, say, gives each trial
# one thread, where by default it has as many as the machine has cores (descent's
# default): two shards on one machine then run twice as many threads as it has cores, and
# the workers of package internal/parallel poll for work (parallel.Spin) on cores the
# other shard wants.
#
# The criterion of descent's issue 13 is a ratio of the medians (ii)/(i) of at most 1.10.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-12}
epochs=${2:-2}
case "$rounds$epochs" in
*[!0-9]*) echo "usage: scripts/sweep-overhead.sh [ROUNDS [EPOCHS [FLAG...]]]" >&2; exit 2 ;;
esac
shift $(($# < 2 ? $# : 2))

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
descent=${DESCENT:-$tmp/descent}
if [ -z "${DESCENT:-}" ]; then
	go build -o "$descent" ./cmd/descent
fi
"$descent" data fetch >/dev/null 2>&1
ref=${DESCENT_REF:-}
sweep=(sweep --model logreg --grid lr=1e-4:1e-1:16 --epochs "$epochs" "$@")

now() { date +%s.%N; }
# cpu sets CPU to the CPU seconds, user and system, of the processes this shell has
# waited for (times, run in this shell rather than in a subshell).
cpu() {
	times >"$tmp/times"
	CPU=$(awk 'NR == 2 { n = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); n += a[1] * 60 + a[2] }; printf "%.3f", n }' "$tmp/times")
}
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", a - b }'; }
over() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", a / b }'; }
# run LOG CMD...: runs CMD with its output in LOG, and stops the script on its failure.
run() {
	local log=$1
	shift
	if ! "$@" >"$log" 2>&1; then
		echo "sweep-overhead: failed: $*" >&2
		tail -n 20 "$log" >&2
		exit 1
	fi
}

# local_round EXE prints the seconds of (i) with the descent executable EXE.
local_round() {
	local d=$tmp/local t0
	rm -rf "$d"
	t0=$(now)
	run "$tmp/local.log" "$1" "${sweep[@]}" --parallel 2 --out "$d"
	minus "$(now)" "$t0"
}

# sharded_round EXE prints the seconds of (ii) with the descent executable EXE: the
# whole, the plan, the shards and the collect.
sharded_round() {
	local d=$tmp/plan t0 t1 t2 t3 pid
	rm -rf "$d"
	t0=$(now)
	run "$tmp/plan.log" "$1" "${sweep[@]}" --plan "$d"
	t1=$(now)
	run "$tmp/shard0.log" "$1" sweep run "$d" --shard 0/2 &
	pid=$!
	run "$tmp/shard1.log" "$1" sweep run "$d" --shard 1/2
	if ! wait "$pid"; then exit 1; fi
	t2=$(now)
	run "$tmp/collect.log" "$1" sweep collect "$d"
	t3=$(now)
	echo "$(minus "$t3" "$t0") $(minus "$t1" "$t0") $(minus "$t2" "$t1") $(minus "$t3" "$t2")"
}

# stats prints the smallest, first quartile, median, third quartile and largest of its
# arguments (the quartiles are medians of the halves).
stats() {
	printf '%s\n' "$@" | sort -g | awk '
		{ v[NR] = $1 }
		function med(lo, hi,   n, m) { n = hi - lo + 1; m = lo + int((n - 1) / 2); return n % 2 ? v[m] : (v[m] + v[m + 1]) / 2 }
		END {
			h = int(NR / 2)
			if (h == 0) h = 1
			printf "min %.3f  q1 %.3f  median %.3f  q3 %.3f  max %.3f", v[1], med(1, h), med(1, NR), med(NR - h + 1, NR), v[NR]
		}'
}
median() { stats "$@" | awk '{ print $6 }'; }

echo "cpu: $(lscpu | sed -n 's/^Model name: *//p') ($(nproc) CPUs)"
echo "load before: $(uptime)"
echo "sweep: ${sweep[*]}, $rounds rounds, alternating (i) local --parallel 2 and (ii) plan + 2 shards + collect"
[ -n "$ref" ] && echo "reference: $ref (its rounds: ref (i), ref (ii))"
locals=() shardeds=() plans=() shards=() collects=() ratios=() lcpus=() scpus=() cratios=()
rlocals=() rshardeds=() rratios=()
sides="local sharded"
[ -n "$ref" ] && sides="local sharded reflocal refsharded"
for r in $(seq "$rounds"); do
	order=$sides
	if ((r % 2 == 0)); then order=$(echo "$sides" | tr ' ' '\n' | tac | tr '\n' ' '); fi
	for side in $order; do
		cpu
		c0=$CPU
		case $side in
		local)
			l=$(local_round "$descent")
			cpu
			lc=$(minus "$CPU" "$c0")
			;;
		sharded)
			sharded_round "$descent" >"$tmp/round"
			read -r s p sh c <"$tmp/round"
			cpu
			sc=$(minus "$CPU" "$c0")
			;;
		reflocal) rl=$(local_round "$ref") ;;
		refsharded) read -r rs _ <<<"$(sharded_round "$ref")" ;;
		esac
	done
	if [ -n "$ref" ]; then
		rlocals+=("$rl") rshardeds+=("$rs") rratios+=("$(over "$rs" "$rl")")
		printf 'round %2d: ref (i) %6.3f s  ref (ii) %6.3f s  ratio %.3f\n' "$r" "$rl" "$rs" "${rratios[-1]}"
	fi
	locals+=("$l") shardeds+=("$s") plans+=("$p") shards+=("$sh") collects+=("$c")
	ratios+=("$(over "$s" "$l")") lcpus+=("$lc") scpus+=("$sc") cratios+=("$(over "$sc" "$lc")")
	printf 'round %2d: (i) %6.3f s  (ii) %6.3f s = plan %.3f + shards %.3f + collect %.3f  ratio %.3f   CPU (i) %.3f s (ii) %.3f s  ratio %.3f\n' \
		"$r" "$l" "$s" "$p" "$sh" "$c" "${ratios[-1]}" "$lc" "$sc" "${cratios[-1]}"
done
echo "load after: $(uptime)"
echo "(i)  local, s:    $(stats "${locals[@]}")"
echo "(ii) sharded, s:  $(stats "${shardeds[@]}")"
echo "     plan, s:     $(stats "${plans[@]}")"
echo "     shards, s:   $(stats "${shards[@]}")"
echo "     collect, s:  $(stats "${collects[@]}")"
echo "round ratios:     $(stats "${ratios[@]}")"
echo "CPU (i), s:       $(stats "${lcpus[@]}")"
echo "CPU (ii), s:      $(stats "${scpus[@]}")"
echo "CPU round ratios: $(stats "${cratios[@]}")"
if [ -n "$ref" ]; then
	echo "ref (i), s:       $(stats "${rlocals[@]}")"
	echo "ref (ii), s:      $(stats "${rshardeds[@]}")"
	echo "ref round ratios: $(stats "${rratios[@]}")"
	printf 'reference: ratio of the medians (ii)/(i): %.3f wall-clock\n' "$(over "$(median "${rshardeds[@]}")" "$(median "${rlocals[@]}")")"
fi
printf 'ratio of the medians (ii)/(i): %.3f wall-clock, %.3f CPU\n' "$(over "$(median "${shardeds[@]}")" "$(median "${locals[@]}")")" \
	"$(over "$(median "${scpus[@]}")" "$(median "${lcpus[@]}")")"
