#!/bin/bash
# The idle backoff (--poll-mode, docs/ARCHITECTURE.md "The poll loop"): an idle tern-echo on
# a virtual port uses well under a CPU, and still echoes; with --poll-mode busy it spins.
#   1. default (auto: backoff on a vdev port): the ready line says "poll backoff"; CPU time
#      (utime + stime of the process, /proc/PID/stat) over 3 s idle < 25 % of one CPU;
#      then a 64 KiB echo, byte-exact.
#   2. --poll-mode busy: the ready line says "poll busy"; over 2 s idle > 35 % of one CPU
#      (it polls without rest: near 100 % on an unloaded machine, 49 - 72 % seen here next
#      to other sessions' jobs and the busy vhost bridge of virtio-user mode).
# The only timing-dependent assertions of the lab, with wide margins (issue 15).
# usage: t_idle_cpu.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin idle_cpu "${1:-}"
port=7015
lab_up

# tern_cpu SECONDS: CPU, percent of one CPU the running tern-echo used over SECONDS (its
# utime + stime, all threads).
tern_cpu() {
	local pid t0 t1 hz
	# TERN_PID is timeout(1)'s; ip netns exec and stdbuf exec, so its child is tern-echo.
	pid=$(pgrep -P "$TERN_PID" | head -n 1 || true)
	[ -n "$pid" ] || it_fail "no tern-echo process under pid $TERN_PID"
	hz=$(getconf CLK_TCK)
	t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	sleep "$1"
	t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	CPU=$(((t1 - t0) * 100 / (hz * $1)))
}

tern_start "$port"
ready=$(grep -m1 ': ready: ' "$TERN_LOG")
grep -q 'poll backoff, idle sleep <= 1000 us' <<<"$ready" ||
	it_fail "the default on $IT_MODE is not backoff: $ready"
sleep 0.5 # past start-up
tern_cpu 3
cpu=$CPU
it_log "backoff: idle tern-echo used $cpu % of a CPU over 3 s"
[ "$cpu" -lt 25 ] || it_fail "idle tern-echo with backoff used $cpu % of a CPU (want < 25 %)"
client echo_client.py --host "$TERNLAB_TERN_IP" --port "$port" --bytes 65536 --timeout 20
tern_stop

tern_start "$port" --poll-mode busy
grep -q 'poll busy' <(grep -m1 ': ready: ' "$TERN_LOG") ||
	it_fail "--poll-mode busy not in the ready line: $(grep -m1 ': ready: ' "$TERN_LOG")"
tern_cpu 2
busy=$CPU
it_log "busy: idle tern-echo used $busy % of a CPU over 2 s"
[ "$busy" -gt 35 ] || it_fail "with --poll-mode busy tern-echo used only $busy % of a CPU (want > 35 %)"
tern_stop
it_log "idle CPU: backoff $cpu %, busy $busy % of one CPU"
it_pass
