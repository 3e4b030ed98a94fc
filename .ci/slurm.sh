#!/usr/bin/env bash
# A single-node SLURM cluster for CI (Debian slurm-wlm + munge, no systemd, no accounting db):
#   bash .ci/slurm.sh up     install when missing, start munged, slurmctld, slurmd; wait idle
#   bash .ci/slurm.sh down   cancel jobs, stop the daemons this script started, by PID file
# Needs root. The config must sit at /etc/slurm/slurm.conf: the Snakemake job-step plugin drops
# SLURM_* variables (SLURM_CONF too) before its nested srun.
set -euo pipefail
CONF=/etc/slurm/slurm.conf
STATE=${SLURM_CI_DIR:-/tmp/motifnet-slurm}
MUNGE_PID=/run/munge/munged.pid

alive() { [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

up() {
  if ! command -v slurmctld >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      slurm-wlm munge >/dev/null 2>&1 || { apt-get update -qq && \
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      slurm-wlm munge >/dev/null; }
  fi
  [[ -s /etc/munge/munge.key ]] || mungekey --create --keyfile=/etc/munge/munge.key
  chown munge:munge /etc/munge/munge.key && chmod 0600 /etc/munge/munge.key
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/log/munge /var/lib/munge
  mkdir -p "$STATE"/{ctld,spool,log}
  if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    runuser -u munge -- /usr/sbin/munged --num-threads=2
    cp "$MUNGE_PID" "$STATE/munged.pid"   # ours to stop
    for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  local host cpus mem
  host=$(hostname -s); cpus=$(nproc)
  mem=$(( $(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p') * 9 / 10 ))
  mkdir -p "$(dirname "$CONF")"
  cat > "$CONF" <<CONF
# written by motifnet .ci/slurm.sh: one node, no cgroups, no accounting database
ClusterName=motifnet-ci
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MailProg=/bin/true
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
# finished jobs stay visible to squeue (Snakemake's status command here) for an hour
MinJobAge=3600
InactiveLimit=0
KillWait=5
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  alive "$STATE/slurmctld.pid" || slurmctld -f "$CONF" -i
  alive "$STATE/slurmd.pid" || slurmd -f "$CONF"
  for _ in $(seq 120); do
    state=$(sinfo -h -n "$host" -o %T 2>/dev/null || true)
    [[ $state == idle* ]] && break
    [[ $state == down* || $state == drain* ]] && scontrol update nodename="$host" state=resume || true
    sleep 0.5
  done
  [[ $(sinfo -h -n "$host" -o %T) == idle* ]] || { tail -n 20 "$STATE"/log/*.log; return 1; }
  echo "slurm up: slurmctld $(cat "$STATE/slurmctld.pid"), slurmd $(cat "$STATE/slurmd.pid")"
}

stop() {  # name pidfile
  [[ -s $2 ]] || return 0
  local pid; pid=$(cat "$2")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    echo "$1 ($pid) stopped"
  fi
  rm -f "$2"
}

down() {
  command -v scancel >/dev/null && scancel --quiet --state=RUNNING,PENDING -u root 2>/dev/null || true
  stop slurmd "$STATE/slurmd.pid"
  stop slurmctld "$STATE/slurmctld.pid"
  stop munged "$STATE/munged.pid"
}

case ${1:-} in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
