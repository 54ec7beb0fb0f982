#!/bin/sh
# Runs each command line of the reliability faults (bad sizes, bad values, a run folder
# held by another run) under /usr/bin/time -v and prints, for each, its exit status, its
# wall time, its peak memory and the last line it printed. The acceptance criterion, fixed
# before running: every line exits 0, 1 or 2 (never killed, never a panic's 2 with a
# goroutine dump), in under 10 s and under 500 MB.
#
# Usage, from the repository root: sh cmd/descent/testdata/reproduce.sh [MNIST-FOLDER]
# (the MNIST folder defaults to descent's cache).
set -u
mnist=${1:-$HOME/.cache/descent/mnist}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/descent" ./cmd/descent || exit 1
d="$work/descent"
small="--dir $mnist --model logreg --epochs 1 --train-size 2000 --test-size 500"

# A finished train run, for the cases that write over one.
"$d" train $small --out "$work/train" >/dev/null 2>&1 || { echo "the first run failed"; exit 1; }

fail=0
check() {
	name=$1
	shift
	/usr/bin/time -v -o "$work/time" "$@" >"$work/out" 2>&1
	status=$?
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time")
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time")
	if [ "$status" = 2 ]; then # a usage error: its first line, before the usage
		last=$(head -n 1 "$work/out" | cut -c1-150)
	else
		last=$(grep -v '^\s*$' "$work/out" | tail -n 1 | cut -c1-150)
	fi
	secs=$(echo "$wall" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
	verdict=ok
	if [ "$status" -gt 2 ] || grep -q '^goroutine \|^panic:\|fatal error' "$work/out" ||
		[ "$(echo "$secs >= 10" | bc)" = 1 ] || [ "$rss" -ge 512000 ]; then
		verdict=FAIL
		fail=1
	fi
	printf '%-4s %-34s exit %d  %6.2f s  %7.1f MB  %s\n' "$verdict" "$name" "$status" "$secs" "$(echo "$rss / 1024" | bc -l)" "$last"
}

check "logreg 1 epoch (the tick hang)" "$d" train $small --out "$work/logreg"
check "compare --out a train run" "$d" compare $small --optimizers sgd --out "$work/train"
check "minimize newton --dim 1e8" "$d" minimize --problem quadratic --method newton --dim 100000000
check "train --hidden 1e9" "$d" train $small --model mlp --hidden 1000000000 --out "$work/hidden"
check "train --batch-size 1e9" "$d" train $small --batch-size 1000000000 --out "$work/batch"
check "train --lr inf" "$d" train $small --lr inf --out "$work/lr"
check "minimize --step NaN" "$d" minimize --problem lecture --method gd --step NaN
check "minimize --gtol NaN" "$d" minimize --problem lecture --method gd --gtol NaN
check "train --train-size 99999999" "$d" train $small --train-size 99999999 --out "$work/size"
check "train --resume a finished run" "$d" train --resume "$work/train"
check "compare --seeds 1e9" "$d" compare $small --seeds 1000000000
check "minimize --maxiter 1e12" "$d" minimize --problem lecture --method gd --maxiter 1000000000000
mkdir -p "$work/data" && cp "$mnist"/*.gz "$work/data/" && rm "$work/data/train-images-idx3-ubyte.gz" &&
	mkdir "$work/data/train-images-idx3-ubyte.gz"
check "a folder for a data file" "$d" train --dataset "$work/data" --model logreg --out "$work/datadir"
sed 's/"test_accuracy":[0-9.e-]*/"test_accuracy":"NaN"/' "$work/train/results.jsonl" >"$work/nan" &&
	mkdir -p "$work/nanrun" && cp "$work/train/run.json" "$work/nanrun/" && mv "$work/nan" "$work/nanrun/results.jsonl"
check "report of a NaN in a done run" "$d" report "$work/nanrun"
exit $fail
