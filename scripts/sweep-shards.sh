#!/usr/bin/env bash
# Checks that a sweep run by shards, one of them killed, gives what the same sweep gives
# run in one process (descent's issue 13, "local shards"):
#
#   (i)  descent sweep FLAGS --parallel 2 --out D1
#   (ii) descent sweep FLAGS --plan D2
#        descent sweep run D2 --shard 0/2 &  descent sweep run D2 --shard 1/2 &
#        SIGKILL to shard 0 while a trial of its own is between two checkpoints
#        (it has a checkpoint and no result), then descent sweep run D2 --shard 0/2 again
#        and descent sweep collect D2
#
# The shards run with --checkpoint-every 0, a checkpoint after every epoch: the trials of
# this sweep take well under the default 10 s, and with it would restart from their
# beginning rather than from a checkpoint.
#
# with FLAGS = --model logreg --grid lr=1e-4:1e-1:16 --epochs 6 (16 trials).
#
# Criterion, written before the script first ran; it exits 0 only if all hold:
#   1. the kill landed mid-trial: the killed trial had a checkpoint and no result;
#   2. the ranking collect prints equals the local sweep's, line for line, but for the
#      seconds per epoch;
#   3. summary.csv of (ii) equals that of (i) but for the column seconds_per_epoch;
#   4. the epoch and end records of results.jsonl of (ii) equal those of (i) but for
#      their times (every trial's validation loss, every epoch);
#   5. every trial's records.jsonl holds exactly one end record: no trial was trained
#      twice to its end.
#
#   scripts/sweep-shards.sh            # descent built from this checkout
#   DESCENT=path scripts/sweep-shards.sh
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
pids=()
trap 'kill -9 "${pids[@]}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
descent=${DESCENT:-$tmp/descent}
if [ -z "${DESCENT:-}" ]; then
	go build -o "$descent" ./cmd/descent
fi
"$descent" data fetch >/dev/null 2>"$tmp/fetch.err" || { cat "$tmp/fetch.err" >&2; exit 1; }
flags=(--model logreg --grid lr=1e-4:1e-1:16 --epochs 6)
fail=0
check() { # check N WHAT OK
	if [ "$3" = ok ]; then
		echo "$1. ok: $2"
	else
		echo "$1. FAILED: $2"
		fail=1
	fi
}

echo "CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
"$descent" sweep "${flags[@]}" --parallel 2 --out "$tmp/local" >"$tmp/local.out" 2>"$tmp/local.err"
"$descent" sweep "${flags[@]}" --plan "$tmp/plan" >/dev/null 2>&1

"$descent" sweep run "$tmp/plan" --shard 0/2 --checkpoint-every 0 >"$tmp/s0.out" 2>&1 &
s0=$!
pids+=("$s0")
"$descent" sweep run "$tmp/plan" --shard 1/2 --checkpoint-every 0 >"$tmp/s1.out" 2>&1 &
s1=$!
pids+=("$s1")

# Once a quarter of the trials have ended, wait for a trial that shard 0 holds (its PID in
# the trial's lock) with a checkpoint and no result, and kill shard 0 there.
victim=
for _ in $(seq 1 3000); do
	ended=$(find "$tmp/plan/trials" -name result.json 2>/dev/null | wc -l || true)
	if [ "$ended" -lt 4 ]; then
		kill -0 "$s0" 2>/dev/null || break
		sleep 0.01
		continue
	fi
	for d in "$tmp/plan"/trials/*/; do
		[ -f "$d/checkpoint.ckpt" ] && [ ! -f "$d/result.json" ] || continue
		grep -qsx "pid $s0" "$d/.lock" || continue
		kill -9 "$s0"
		victim=$d
		break 2
	done
	kill -0 "$s0" 2>/dev/null || break
	sleep 0.01
done
wait "$s0" 2>/dev/null || true
if [ -n "$victim" ] && [ ! -f "$victim/result.json" ]; then
	check 1 "shard 0 killed (SIGKILL) in trial $(basename "$victim"), which had a checkpoint and no result" ok
else
	check 1 "shard 0 was not killed mid-trial (it ended first, or the trial had a result)" no
fi
wait "$s1"
"$descent" sweep run "$tmp/plan" --shard 0/2 --checkpoint-every 0 >"$tmp/s0b.out" 2>&1
"$descent" sweep collect "$tmp/plan" >"$tmp/plan.out" 2>"$tmp/plan.err"

# rank prints the lines of a summary table that rank trials, without the seconds per epoch
# (the sixth field).
rank() { awk '(NF > 6 && ($1 == "—" || $1 ~ /^[1-9]/)) { $6 = ""; print }' "$1"; }
rank "$tmp/local.out" >"$tmp/local.rank"
rank "$tmp/plan.out" >"$tmp/plan.rank"
n=$(wc -l <"$tmp/local.rank")
if [ "$n" -eq 16 ] && cmp -s "$tmp/local.rank" "$tmp/plan.rank"; then
	check 2 "the ranking of the 16 trials equals the local sweep's" ok
else
	check 2 "the rankings differ ($n lines locally):" no
	diff "$tmp/local.rank" "$tmp/plan.rank" || true
fi

# summary prints summary.csv without its column seconds_per_epoch, rows sorted.
summary() {
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "seconds_per_epoch") c = i; if (!c) exit 1 }
		{ s = ""; for (i = 1; i <= NF; i++) if (i != c) s = s $i ","; print s }' "$1/summary.csv" |
		{ read -r h; echo "$h"; sort; }
}
if summary "$tmp/local" >"$tmp/local.sum" && summary "$tmp/plan" >"$tmp/plan.sum" &&
	[ "$(wc -l <"$tmp/local.sum")" -eq 17 ] && cmp -s "$tmp/local.sum" "$tmp/plan.sum"; then
	check 3 "summary.csv equals the local sweep's (16 rows) but for seconds_per_epoch" ok
else
	check 3 "summary.csv differs:" no
	diff "$tmp/local.sum" "$tmp/plan.sum" || true
fi

# records prints the epoch and end records of results.jsonl without their seconds, sorted.
records() {
	grep -E '"kind":"(epoch|end)"' "$1/results.jsonl" | sed -E 's/"seconds":[-+0-9.eE]+,?//' | sort
}
records "$tmp/local" >"$tmp/local.rec"
records "$tmp/plan" >"$tmp/plan.rec"
m=$(grep -c '"kind":"epoch"' "$tmp/local.rec" || true)
if [ "$m" -gt 0 ] && cmp -s "$tmp/local.rec" "$tmp/plan.rec"; then
	check 4 "the $m epoch records and the end records equal the local sweep's but for their times" ok
else
	check 4 "the records differ ($m epoch records locally):" no
	diff "$tmp/local.rec" "$tmp/plan.rec" | head -20 || true
fi

bad=0
trials=0
for d in "$tmp/plan"/trials/*/; do
	trials=$((trials + 1))
	k=$(grep -c '"kind":"end"' "$d/records.jsonl" || true)
	if [ "$k" -ne 1 ]; then
		echo "   trial $(basename "$d"): $k end records"
		bad=1
	fi
done
if [ "$bad" -eq 0 ] && [ "$trials" -eq 16 ]; then
	check 5 "each of the 16 trials has exactly one end record" ok
else
	check 5 "a trial was trained to its end $([ "$bad" -eq 1 ] && echo "twice or never" || echo "—only $trials trials")" no
fi
echo "shard 0 again:"
sed 's/^/   /' "$tmp/s0b.out"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$fail"
