# shellcheck shell=bash source-path=SCRIPTDIR
# Helpers for the tern integration tests. Source it from a test script, then:
#
#   it_begin NAME MODE          test name (printed as NAME[MODE]); installs the cleanup trap
#   lab_up                      dpdk-config/lab.sh up MODE (taken down again on exit if it did
#                               not exist before, unless TERNLAB_SHARED=1, which run.sh sets)
#   tern_start PORT [ARGS...]   start tern-echo in MODE listening on PORT, wait for "ready"
#   tern_stop                   SIGTERM it by pid, expect exit status 0
#   tel CMD [KEYS...]           query tern's telemetry (tests/integration/telemetry.py)
#   peer CMD...                 run a command in the Linux peer namespace (bounded)
#   peer_py SCRIPT ARGS...      run one of our Python clients in the peer namespace
#   client SCRIPT ARGS...       peer_py with output to $IT_TMP/client.out, shown by it_log;
#                               fails the test with that output if the client fails
#   wait_until SECS CMD...      poll CMD every 0.2 s until it succeeds or SECS pass
#   it_pass / it_fail REASON    print "PASS NAME[MODE]" / "FAIL NAME[MODE]: REASON", exit
#   it_defer FUNC               call FUNC (no arguments) first thing in the exit cleanup, for
#                               what a test sets up beyond tern and the lab (e.g. netem.sh)
#   tel_json CMD                telemetry reply as one line of JSON ({} when unreachable)
#   tern_engines N              TERN_LCORES/TERN_QUEUES for N engines (1 or 2) on the lab's
#                               2 CPUs (exported, so tern_start and gen_run use them)
#   tern_steering               check the ready line's engine count, log its steering method
#   steer_drops JSON [NAME...]  of a /tern/drops reply, the drops that show a segment at the
#                               wrong engine, but the NAMEs: "0" when none, else "name=N ..."
#
# Every step is bounded: DPDK processes run under `timeout` (TERN_MAX_LIFETIME), clients take
# --timeout, polls have deadlines. The EXIT trap stops what this script started, by pid, and
# removes the lab it brought up, on success, failure or SIGTERM (run.sh's per-test timeout).
#
# Environment:
#   TERN_BUILD        build directory (default /work/main/build)
#   TERN_ECHO         tern-echo binary (default $TERN_BUILD/apps/tern-echo/tern-echo)
#   TERN_LCORES       lcores for tern (default 0; the vhost bridge forwards on lcore 1)
#   TERN_QUEUES       queue pairs of tern's port (default 1)
#   TERN_EAL_EXTRA    extra EAL options (e.g. "--log-level=pmd.net.*:debug")
#   TERN_READY_TIMEOUT, TERN_MAX_LIFETIME   seconds (default 30, 600)
#   TERNLAB_*         lab names and addresses, see dpdk-config/common.sh

IT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IT_ROOT=$(cd "$IT_DIR/../.." && pwd)
DPDK_CONFIG=$IT_ROOT/dpdk-config
# shellcheck source=../../dpdk-config/common.sh
. "$DPDK_CONFIG/common.sh"

: "${TERN_BUILD:=/work/main/build}"
: "${TERN_ECHO:=$TERN_BUILD/apps/tern-echo/tern-echo}"
: "${TERN_LCORES:=0}"
: "${TERN_QUEUES:=1}"
: "${TERN_EAL_EXTRA:=}"
: "${TERN_READY_TIMEOUT:=30}"
: "${TERN_MAX_LIFETIME:=600}"
: "${TERNLAB_SHARED:=0}"
PY=/usr/bin/python3
LAB=$DPDK_CONFIG/lab.sh

IT_NAME=unnamed
IT_MODE=af_packet
IT_LAB_UP=0
IT_TMP=
TERN_PID=
IT_CHILD=
TERN_PREFIX=
TERN_LOG=
IT_SEQ=0
IT_DEFER=()

it_log() { printf '  [%s %s] %s\n' "$(date +%T)" "${IT_NAME}[$IT_MODE]" "$*" >&2; }

# it_begin NAME [MODE]: MODE defaults to $1 of the test script, then TERN_MODE, then af_packet.
it_begin() {
	IT_NAME=$1
	IT_MODE=${2:-${TERN_MODE:-af_packet}}
	case "$IT_MODE" in
	af_packet | tap | virtio-user) ;;
	*) echo "FAIL ${IT_NAME}[$IT_MODE]: unknown mode (af_packet | tap | virtio-user)"; exit 1 ;;
	esac
	IT_TMP=$(mktemp -d "/tmp/tern-it-$IT_NAME-XXXXXX")
	trap it_cleanup EXIT
	trap 'it_log "interrupted"; exit 130' INT
	trap 'it_log "terminated (timeout?)"; exit 143' TERM
	[ "$(id -u)" -eq 0 ] || it_fail "needs root (namespaces, DPDK)"
}

it_cleanup() {
	local rc=$?
	trap - EXIT
	set +e
	local f
	for f in "${IT_DEFER[@]}"; do "$f" >/dev/null 2>&1; done
	if [ -n "$IT_CHILD" ]; then
		ternlab_stop_pid "$IT_CHILD" 5 >/dev/null 2>&1
		IT_CHILD=
	fi
	if [ -n "$TERN_PID" ]; then
		ternlab_stop_pid "$TERN_PID" 5 >/dev/null 2>&1
		wait "$TERN_PID" 2>/dev/null
		TERN_PID=
	fi
	[ -z "$TERN_PREFIX" ] || ternlab_dpdk_cleanup "$TERN_PREFIX"
	if [ "$IT_LAB_UP" = 1 ] && [ "$TERNLAB_SHARED" != 1 ]; then
		timeout 60 "$LAB" down >/dev/null 2>&1 || it_log "lab down failed"
	elif [ "$IT_MODE" = tap ]; then
		timeout 10 "$LAB" detach-tap >/dev/null 2>&1
	fi
	if [ "$rc" -eq 0 ] || [ -n "${IT_KEEP_TMP:-}" ]; then
		[ -n "${IT_KEEP_TMP:-}" ] || rm -rf "$IT_TMP"
	else
		it_log "logs kept in $IT_TMP"
	fi
	exit "$rc"
}

# it_defer FUNC: call FUNC at exit (success, failure or signal), before tern is stopped.
it_defer() { IT_DEFER+=("$1"); }

it_pass() { echo "PASS ${IT_NAME}[$IT_MODE]"; exit 0; }
it_fail() {
	echo "FAIL ${IT_NAME}[$IT_MODE]: $*"
	if [ -n "$TERN_PID" ] && kill -0 "$TERN_PID" 2>/dev/null; then
		# Counters at the moment of failure (non-zero ones), for the post-mortem.
		it_log "tern /tern/stats (non-zero): $(tel /tern/stats 2>/dev/null |
			"$PY" -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(f"{k}={v}" for k,v in sorted(d.items()) if v))' 2>/dev/null)"
		it_log "tern /tern/gauges: $(tel /tern/gauges 2>/dev/null)"
	fi
	if [ -n "$TERN_LOG" ] && [ -s "$TERN_LOG" ]; then
		it_log "last lines of tern-echo output ($TERN_LOG):"
		tail -n 15 "$TERN_LOG" | sed 's/^/    /' >&2
	fi
	exit 1
}

# lab_up: lab.sh up MODE; the lab is taken down at exit only if this test created it.
lab_up() {
	local out existed=0
	ternlab_ns_exists "$TERNLAB_NS_T" && existed=1
	out=$(timeout 60 "$LAB" up "$IT_MODE" 2>&1) || it_fail "lab.sh up $IT_MODE failed: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
	[ "$existed" = 1 ] || IT_LAB_UP=1
}

# wait_until SECS CMD...: 0 once CMD succeeds, 1 after SECS.
wait_until() {
	local t=$(($1 * 5))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$t" -gt 0 ] || return 1
		t=$((t - 1))
		sleep 0.2
	done
}

# peer CMD...: run CMD in the peer namespace, bounded by PEER_TIMEOUT (300 s). It runs in the
# background and is waited for, so a SIGTERM to this script (run.sh's per-test timeout) runs
# the cleanup trap at once, which stops the command by pid. Redirect long-running commands to
# a file rather than capturing them with $(...), whose subshell would not get this benefit.
# peer_free_port: a random TCP port in 40000-59999 that no socket in the peer namespace
# holds (earlier tests leave thousands of client ports in TIME_WAIT there), for a client
# that binds its port (nc -p, curl --local-port).
peer_free_port() {
	local p i
	for i in $(seq 1 50); do
		p=$((40000 + RANDOM % 20000))
		if [ -z "$(ip netns exec "$TERNLAB_NS_P" ss -Htan "( sport = :$p )" 2>/dev/null)" ]; then
			echo "$p"
			return 0
		fi
	done
	echo "$p"
}

peer() {
	local rc=0
	ip netns exec "$TERNLAB_NS_P" timeout -k 5 "${PEER_TIMEOUT:-300}" "$@" &
	IT_CHILD=$!
	wait "$IT_CHILD" || rc=$?
	IT_CHILD=
	return "$rc"
}
peer_py() { local s=$1; shift; peer "$PY" "$IT_DIR/$s" "$@"; }

# client SCRIPT ARGS...: run a Python client in the peer; its output ends up in CLIENT_OUT.
client() {
	CLIENT_OUT=
	if ! peer_py "$@" >"$IT_TMP/client.out" 2>&1; then
		it_fail "$(tail -n 5 "$IT_TMP/client.out" | tr '\n' ' ')"
	fi
	CLIENT_OUT=$(cat "$IT_TMP/client.out")
	it_log "$CLIENT_OUT"
}

# tern_start PORT [tern-echo options...]: start tern-echo in IT_MODE inside NS_T, listening on
# PORT, with its own --file-prefix (TERN_PREFIX, for telemetry); wait for "ready".
tern_start() {
	local port=$1 eal t
	shift
	[ -x "$TERN_ECHO" ] || it_fail "tern-echo not built: $TERN_ECHO (set TERN_BUILD or TERN_ECHO)"
	IT_SEQ=$((IT_SEQ + 1))
	TERN_PREFIX="$TERNLAB_PREFIX-echo-$$-$IT_SEQ"
	TERN_LOG="$IT_TMP/tern-echo.$IT_SEQ.log"
	eal=$("$DPDK_CONFIG/eal-args.sh" "$IT_MODE" --file-prefix "$TERN_PREFIX" -l "$TERN_LCORES" \
		-q "$TERN_QUEUES") ||
		it_fail "eal-args.sh $IT_MODE failed"
	# A previous test may have left the peer neighbours (tern-gen's sources, another MAC
	# given with --mac): forget them, unless TERN_KEEP_NEIGH=1 (t_ping: a restart keeps
	# tern's MAC, so the peer's entry stays right).
	[ "${TERN_KEEP_NEIGH:-0}" = 1 ] ||
		ip netns exec "$TERNLAB_NS_P" ip neigh flush dev "$TERNLAB_IF_P" >/dev/null 2>&1 || true
	it_log "tern-echo ${eal} ${TERN_EAL_EXTRA} -- --ip $TERNLAB_TERN_IP/$TERNLAB_PLEN --listen $port $*"
	# timeout: bounded lifetime even if this script is SIGKILLed; it passes SIGTERM on and
	# returns tern-echo's own exit status. ip netns exec and stdbuf exec, so no extra shells.
	# shellcheck disable=SC2086 # eal is a list of words without whitespace (eal-args.sh)
	timeout -k 5 "$TERN_MAX_LIFETIME" ip netns exec "$TERNLAB_NS_T" stdbuf -oL -eL \
		"$TERN_ECHO" $eal $TERN_EAL_EXTRA -- --ip "$TERNLAB_TERN_IP/$TERNLAB_PLEN" \
		--listen "$port" "$@" </dev/null >"$TERN_LOG" 2>&1 &
	TERN_PID=$!
	t=$((TERN_READY_TIMEOUT * 10))
	until grep -qw ready "$TERN_LOG" 2>/dev/null; do
		if ! kill -0 "$TERN_PID" 2>/dev/null; then
			local rc=0
			wait "$TERN_PID" || rc=$?
			TERN_PID=
			it_fail "tern-echo exited with status $rc before ready"
		fi
		[ "$t" -gt 0 ] || it_fail "tern-echo not ready within ${TERN_READY_TIMEOUT}s"
		t=$((t - 1))
		sleep 0.1
	done
	if [ "$IT_MODE" = tap ]; then
		timeout 30 "$LAB" attach-tap 20 >/dev/null 2>&1 || it_fail "lab.sh attach-tap failed"
	fi
	it_log "tern-echo ready (pid $TERN_PID, file prefix $TERN_PREFIX)"
}

# tern_stacks PID: the stacks of every thread of PID's child (tern-echo under `timeout`),
# into the log, when gdb is there.
tern_stacks() {
	local child
	child=$(pgrep -P "$1" | head -n 1)
	[ -n "$child" ] && command -v gdb >/dev/null || return 0
	it_log "tern-echo (pid $child) still running 4 s after SIGTERM; its threads:"
	timeout 20 gdb -p "$child" -batch -ex 'thread apply all bt' 2>&1 | grep -E '^(#|Thread)' |
		sed 's/^/    /' | head -n 80 || true
}

# tern_stop: SIGTERM, wait up to 10 s, require exit status 0. The `timeout -k 5` that
# runs tern-echo kills it 5 s after passing the SIGTERM on: at 4 s its threads' stacks go
# to the test's log, so a slow or stuck teardown says where it was.
tern_stop() {
	local rc=0 pid=$TERN_PID
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	if ! ternlab_wait_pid "$pid" 4; then
		tern_stacks "$pid"
	fi
	if ! ternlab_wait_pid "$pid" 6; then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		TERN_PID=
		it_fail "tern-echo did not exit within 10s of SIGTERM"
	fi
	wait "$pid" || rc=$?
	TERN_PID=
	ternlab_dpdk_cleanup "$TERN_PREFIX"
	[ "$IT_MODE" != tap ] || timeout 10 "$LAB" detach-tap >/dev/null 2>&1 || true
	[ "$rc" -eq 0 ] || it_fail "tern-echo exited with status $rc on SIGTERM (want 0)"
}

# tel CMD [KEYS...]: print values from tern's telemetry (empty output + status != 0 on error).
tel() { timeout 10 "$PY" "$IT_DIR/telemetry.py" -p "$TERN_PREFIX" -w 2 "$@"; }

# tel_is CMD KEY OP VALUE: numeric test on a telemetry value, read afresh on every call, e.g.
# `wait_until 10 tel_is /tern/gauges established -eq 0` (never wait_until 10 test "$(...)":
# that reads the value once).
tel_is() {
	local v
	v=$(tel_num "$1" "$2")
	test "$v" "$3" "$4"
}

# tel_num CMD KEY: a number, or 0 if absent; for counters that only appear once non-zero.
tel_num() {
	local v
	v=$(tel "$1" "$2" 2>/dev/null) || v=0
	[[ $v =~ ^[0-9]+$ ]] || v=0
	echo "$v"
}

# tel_json CMD: the reply of a telemetry command as one line of JSON; {} when unreachable.
tel_json() {
	local v
	v=$(tel "$1" 2>/dev/null) || v=
	[ -n "$v" ] || v='{}'
	echo "$v"
}

# tern_engines N: lcores and queue pairs for N engines. Two engines get one CPU each (the
# main lcore mostly sleeps, next to engine 0); TERN_QUEUES is af_packet's qpairs (and
# virtio-user's queues); net_tap opens one queue per engine by itself.
tern_engines() {
	case "$1" in
	1) TERN_LCORES=0 TERN_QUEUES=1 ;;
	2) TERN_LCORES="0@0,1@0,2@1" TERN_QUEUES=2 ;;
	*) it_fail "tern_engines: 1 or 2 engines on this lab, not '$1'" ;;
	esac
	TERN_ENGINES=$1
	export TERN_LCORES TERN_QUEUES TERN_ENGINES
}

# tern_steering: the ready line of the running tern names TERN_ENGINES engines; with several,
# it reports its steering method (", steering software|rss|rte_flow"): software on
# af_packet; on tap rte_flow where the kernel takes net_tap's flow rules (cls_flower), else
# software with the fallback said on stderr.
tern_steering() {
	local ready steer want=${TERN_ENGINES:-1}
	ready=$(grep -m1 ': ready: ' "$TERN_LOG" || true)
	if [ "$want" -gt 1 ]; then
		grep -q ", $want engines" <<<"$ready" || it_fail "tern did not start $want engines: $ready"
		steer=$(grep -o 'steering [a-z_]*' <<<"$ready" || true)
		it_log "steering method: ${steer:-(none in the ready line)}"
		[ -n "$steer" ] || it_fail "no steering method in the ready line: $ready"
		case "$IT_MODE" in
		af_packet)
			[ "$steer" = "steering software" ] ||
				it_fail "af_packet must steer in software, the ready line says: $ready"
			;;
		tap)
			if [ "$steer" = "steering software" ]; then
				grep -q 'steering: no rte_flow (' "$TERN_LOG" ||
					it_fail "tap fell back to software without saying why"
				it_log "$(grep -m1 'steering: no rte_flow' "$TERN_LOG")"
			else
				[ "$steer" = "steering rte_flow" ] || it_fail "tap: unexpected $steer"
			fi
			;;
		esac
	else
		grep -q ", 1 engine\b" <<<"$ready" || it_fail "tern did not start 1 engine: $ready"
	fi
}

# steer_drops JSON [NAME...]: the drops of a /tern/drops reply (tel_json) that a segment
# reaching an engine that does not hold its flow causes (answered as to no connection, a
# bare ACK to a listener, a SYN_SENT mismatch, the handoff ring full), except the NAMEs:
# "0" when none, else "name=N ...".
steer_drops() {
	"$PY" -c 'import json,sys
d = json.loads(sys.argv[1])
ks = ("tcp_no_listener_rst", "tcp_no_listener", "tcp_listen_bad", "tcp_syn_sent_bad", "steer_ring_full")
print(" ".join("%s=%d" % (k, d[k]) for k in ks if d.get(k) and k not in sys.argv[2:]) or "0")' "$@"
}

# ctl_capture_start NAME: capture the SYN, FIN and RST segments on the peer's veth end into
# $IT_TMP/NAME.ctl.pcap (bounded by TERN_MAX_LIFETIME; stopped by rst_audit or at exit).
CTL_PCAP_PID=
ctl_capture_stop() {
	[ -n "$CTL_PCAP_PID" ] || return 0
	ternlab_stop_pid "$CTL_PCAP_PID" 3 >/dev/null 2>&1 || true
	wait "$CTL_PCAP_PID" 2>/dev/null || true
	CTL_PCAP_PID=
}
ctl_capture_start() {
	ctl_capture_stop
	# IPv6 (CTL_FAMILY=6): libpcap cannot read TCP flags behind an IPv6 header, so every
	# IPv6 TCP header is kept (96 bytes of each frame).
	local filter='tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0'
	[ "${CTL_FAMILY:-4}" = 4 ] || filter='ip6 and tcp'
	timeout -k 2 "$TERN_MAX_LIFETIME" ip netns exec "$TERNLAB_NS_P" tcpdump -i "$TERNLAB_IF_P" \
		-s 96 -U --immediate-mode -n -w "$IT_TMP/$1.ctl.pcap" \
		"$filter" >"$IT_TMP/$1.ctl.log" 2>&1 &
	CTL_PCAP_PID=$!
	[ "${#IT_DEFER[@]}" -gt 0 ] && [[ " ${IT_DEFER[*]} " == *" ctl_capture_stop "* ]] ||
		it_defer ctl_capture_stop
	wait_until 5 grep -q 'listening on' "$IT_TMP/$1.ctl.log" ||
		it_fail "tcpdump did not start: $(cat "$IT_TMP/$1.ctl.log")"
}

# rst_audit NAME: stop the capture and check the property steering must keep: tern answers
# a segment as one to no connection only when no engine has the flow. Every RST tern sent
# for a connection of this capture (its SYN seen) must be for a 4-tuple whose latest
# connection had already seen a FIN from both sides, i.e. a late duplicate after the close.
# RSTs to 4-tuples whose SYN the capture never saw (a previous test's client still
# retransmitting its FIN) are counted apart. Prints "N RSTs, all after the close" on
# success; on failure prints the offending RSTs and returns 1. ADDR (default
# TERNLAB_TERN_IP): tern's address in the capture, IPv4 or IPv6.
rst_audit() {
	sleep 0.3 # the last segments reach the capture
	ctl_capture_stop
	tcpdump -r "$IT_TMP/$1.ctl.pcap" -n -tt 2>/dev/null | "$PY" -c '
import re, sys
tern = sys.argv[1]
pat = re.compile(r"^(\S+) IP6? ([0-9a-f.:]+)\.(\d+) > ([0-9a-f.:]+)\.(\d+): Flags \[([^\]]*)\]")
conns, total, stray, bad = {}, 0, 0, []
for line in sys.stdin:
    m = pat.match(line)
    if not m:
        continue
    t, sa, sp, da, dp, fl = m.groups()
    key = tuple(sorted([(sa, sp), (da, dp)]))
    side = (sa, sp)
    if "S" in fl and "." not in fl:      # a SYN: a new connection on this 4-tuple
        conns[key] = set()
    if "F" in fl and key in conns:
        conns[key].add(side)
    if "R" in fl and sa == tern:
        if key not in conns:
            stray += 1
            continue
        total += 1
        if len(conns.get(key, ())) < 2:
            bad.append("%s %s:%s > %s:%s [%s] (FINs seen: %d)" % (t, sa, sp, da, dp, fl, len(conns.get(key, ()))))
if bad:
    print("%d of %d RSTs from tern hit a connection that had not finished: %s" % (len(bad), total, "; ".join(bad[:5])))
    sys.exit(1)
print("%d RSTs, all after the close%s" % (total, "; %d to 4-tuples opened before the capture" % stray if stray else ""))' "${2:-$TERNLAB_TERN_IP}"
}

# hold_client_start PORT [--until-eof]: a Linux client in the peer (hold_client.py) that
# sends "ping", reads the echo (up to tern's FIN with --until-eof), writes "echo ping ..."
# to $IT_TMP/hold.out, then holds its connection open, silent, for 30 s at most.
# hold_client_stop ends it (also at exit); ending it while tern runs lets tern answer its
# FIN, so nothing lingers for the next test.
HOLD_PID=
hold_client_stop() {
	[ -z "$HOLD_PID" ] || ternlab_stop_pid "$HOLD_PID" 3 >/dev/null 2>&1 || true
	HOLD_PID=
}
hold_client_start() {
	local port=$1
	shift
	[[ " ${IT_DEFER[*]:-} " == *" hold_client_stop "* ]] || it_defer hold_client_stop
	ip netns exec "$TERNLAB_NS_P" timeout 40 "$PY" "$IT_DIR/hold_client.py" \
		--host "$TERNLAB_TERN_IP" --port "$port" "$@" >"$IT_TMP/hold.out" 2>&1 &
	HOLD_PID=$!
}
