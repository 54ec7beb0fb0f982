#!/usr/bin/env bash
# Brings up a single-node Slurm cluster on this machine for the end-to-end test of descent
# sweep on a job array (DESCENT_SLURM_TESTS=1 go test -run TestSlurm ./cmd/descent):
# Debian's slurm-wlm (slurmctld, slurmd, the clients) and munge, installed if missing, with a
# munge key generated here, no cgroups (ProctrackType=proctrack/linuxproc, TaskPlugin=task/none),
# select/cons_tres, and every state, spool, log and socket file under one folder,
# $DESCENT_SLURM_DIR (default /tmp/descent-slurm). Run as root. It writes
# $DESCENT_SLURM_DIR/env, to be sourced: it sets SLURM_CONF for the clients (sbatch, squeue,
# scontrol, scancel). scripts/slurm-down.sh stops the daemons and removes the folder.
set -euo pipefail

dir=${DESCENT_SLURM_DIR:-/tmp/descent-slurm}
if [ "$(id -u)" -ne 0 ]; then
	echo "slurm-up: run as root" >&2
	exit 1
fi
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
fi
if [ -e "$dir/run/slurmctld.pid" ]; then
	echo "slurm-up: $dir holds a running cluster: scripts/slurm-down.sh first" >&2
	exit 1
fi

host=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.8 }' /proc/meminfo)
mkdir -p "$dir"/{munge,spool/ctld,spool/d,log,run}

# munge: a key of our own, its socket under $dir; munged runs as the munge user, which owns
# its folder.
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chown -R munge:munge "$dir/munge"
chmod 0711 "$dir/munge" # munged wants its socket's folder searchable by all, writable by it alone
chmod 0400 "$dir/munge/munge.key"
runuser -u munge -- munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
	--pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"

cat >"$dir/slurm.conf" <<CONF
ClusterName=descent
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=1
StateSaveLocation=$dir/spool/ctld
SlurmdSpoolDir=$dir/spool/d
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
KillWait=10
MinJobAge=600
JobRequeue=1
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
echo "export SLURM_CONF=$dir/slurm.conf" >"$dir/env"
export SLURM_CONF=$dir/slurm.conf

slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 60); do
	if sinfo -h -o %T 2>/dev/null | grep -qx idle; then
		echo "slurm-up: node $host ($cpus CPUs) idle; source $dir/env"
		exit 0
	fi
	sleep 1
done
echo "slurm-up: the node did not come up:" >&2
sinfo >&2 || true
tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
exit 1
