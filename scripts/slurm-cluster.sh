#!/usr/bin/env bash
# A real one-node Slurm cluster from Debian's slurm-wlm and munge, for the sharded-sweep test (test/slurm/).
#   bash scripts/slurm-cluster.sh start   installs the packages when missing, starts munged, slurmctld and slurmd,
#                                          waits until the node is idle
#   bash scripts/slurm-cluster.sh stop    stops exactly what `start` started (scontrol shutdown, munged by its pid)
# Needs root (it writes /etc/slurm and /etc/munge). On a real cluster none of this is needed: the same sbatch lines
# run there. Configuration as in the project's Slurm recipe: one node = this machine, cons_tres, no cgroups.
set -euo pipefail
STATE=/run/circuit-thermometer-slurm
action="${1:-}"

need_root() {
  if [ "$(id -u)" != 0 ]; then echo "slurm-cluster: needs root (it configures /etc/slurm and /etc/munge)" >&2; exit 2; fi
}

start() {
  need_root
  if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq slurm-wlm munge >/dev/null
  fi
  mkdir -p "$STATE"
  [ -f /etc/munge/munge.key ] || dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
  chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge && chown munge:munge /run/munge
  if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    runuser -u munge -- /usr/sbin/munged
    touch "$STATE/munged"
  fi
  munge -n | unmunge | grep -q Success
  local h; h=$(hostname -s)
  mkdir -p /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /etc/slurm
  cat > /etc/slurm/slurm.conf <<CONF
ClusterName=local
SlurmctldHost=$h
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=$h CPUs=$(nproc) RealMemory=$(( $(free -m | awk '/Mem:/{print $2}') - 2048 )) State=UNKNOWN
PartitionName=debug Nodes=$h Default=YES MaxTime=INFINITE State=UP
CONF
  if ! scontrol ping 2>/dev/null | grep -q UP; then
    /usr/sbin/slurmctld
    /usr/sbin/slurmd
    touch "$STATE/slurm"
  fi
  for _ in $(seq 1 60); do
    if sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then sinfo; return 0; fi
    sleep 0.5
  done
  echo "slurm-cluster: the node did not become idle; see /var/log/slurm/" >&2
  sinfo >&2 || true
  exit 1
}

stop() {
  if [ -f "$STATE/slurm" ]; then
    scontrol shutdown >/dev/null 2>&1 || true
    for _ in $(seq 1 40); do pgrep -x slurmctld >/dev/null || pgrep -x slurmd >/dev/null || break; sleep 0.25; done
    rm -f "$STATE/slurm"
  fi
  if [ -f "$STATE/munged" ]; then
    [ -f /run/munge/munged.pid ] && kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
    rm -f "$STATE/munged"
  fi
}

case "$action" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: bash scripts/slurm-cluster.sh start|stop" >&2; exit 2 ;;
esac
