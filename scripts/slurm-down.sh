#!/usr/bin/env bash
# Tears down the cluster of scripts/slurm-up.sh: cancels its jobs, stops slurmd, slurmctld
# and munged by the PIDs in their files, and removes $DESCENT_SLURM_DIR (default
# /tmp/descent-slurm).
set -uo pipefail

dir=${DESCENT_SLURM_DIR:-/tmp/descent-slurm}
[ -d "$dir" ] || exit 0
if [ -e "$dir/slurm.conf" ]; then
	SLURM_CONF=$dir/slurm.conf scancel --full --signal=KILL --user=root 2>/dev/null || true
fi
stop() {
	local pidfile=$1 pid
	[ -e "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	kill "$pid" 2>/dev/null || return 0
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.2
	done
	kill -9 "$pid" 2>/dev/null || true
}
stop "$dir/run/slurmd.pid"
stop "$dir/run/slurmctld.pid"
stop "$dir/munge/munged.pid"
rm -rf "$dir"
echo "slurm-down: stopped, $dir removed"
