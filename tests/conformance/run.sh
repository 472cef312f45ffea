#!/bin/bash
# tern TCP conformance suite: scripted segments (scapy, in the peer namespace, from an address
# the peer kernel does not own) against tern-echo in af_packet mode. See docs/CONFORMANCE.md.
#
# usage: tests/conformance/run.sh [-v] [CASE...]
#   -v        print the packet exchange of failing cases
#   CASE...   run only these cases (names as printed; default: all)
# Environment: TERN_BUILD (default /work/main/build) or TERN_ECHO; TERNLAB_PREFIX (default
# tcf<pid>: a lab of its own, taken down at the end); CONF_TIMEOUT (per phase, 150 s);
# TERNCF_SCRIPT_IP / TERNCF_SCRIPT_IP6 / TERNCF_SCRIPT_MAC (the scripted peer, default
# 198.18.0.3 / 2001:2::3 / 02:74:63:66:00:03); TERNCF_V6=0: IPv4 cases only (tern-echo
# without an IPv6 address).
#
# Prints "PASS name" / "FAIL name: reason" per case, then "N passed, M failed"; exit status 1
# if any case failed. Traces of every case (and tern-echo's output) are kept in
# /tmp/tern-it-conformance-* when something failed.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

verbose=0
if [ "${1:-}" = -v ]; then verbose=1; shift; fi
only=$(IFS=,; echo "$*")

# A lab of our own (namespaces tcf<pid>-t / -p), so that the integration tests or another
# engineer's lab on the same machine are not disturbed.
export TERNLAB_PREFIX=${TERNLAB_PREFIX:-tcf$$}
export TERNLAB_SHARED=0
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the source tree
# shellcheck source=../integration/lib.sh
. "$here/../integration/lib.sh"
: "${CONF_TIMEOUT:=150}"
: "${TERNCF_SCRIPT_IP:=198.18.0.3}"
: "${TERNCF_SCRIPT_IP6:=2001:2::3}"
: "${TERNCF_V6:=1}"
export TERNCF_SCRIPT_IP TERNCF_SCRIPT_IP6

passed=0
failed=0
t_start=$(date +%s)

result() { # result LINE
	echo "$1"
	case "$1" in
	PASS*) passed=$((passed + 1)) ;;
	*) failed=$((failed + 1)) ;;
	esac
}

# Set-up failures (lib.sh calls it_fail) still end with the summary line.
it_fail() {
	result "FAIL setup: $*"
	if [ -n "$TERN_LOG" ] && [ -s "$TERN_LOG" ]; then
		tail -n 10 "$TERN_LOG" | sed 's/^/    /' >&2
	fi
	echo "$passed passed, $failed failed"
	exit 1
}

# run_phase PHASE [tern-echo options...]: start tern-echo, run the phase's cases from the
# peer namespace, stop tern-echo (which must still be alive and exit 0: case tern_ok_PHASE).
# tern-echo has an IPv4 and an IPv6 address (one listener for both): the IPv4 cases and then
# the IPv6 ones (v6_NAME) run against the same process.
run_phase() {
	local phase=$1 port=7 out rc=0 names name line
	shift
	local v6=(--tern-ip6 "$TERNLAB_TERN_IP6" --my-ip6 "$TERNCF_SCRIPT_IP6") ip6=()
	[ "$TERNCF_V6" = 0 ] || ip6=(--ip "$TERNLAB_TERN_IP6/$TERNLAB_PLEN6")
	[ "$TERNCF_V6" != 0 ] || v6=(--tern-ip6 "")
	names=$("$PY" "$here/conformance.py" --list "$phase")
	[ "$TERNCF_V6" != 0 ] || names=$(echo "$names" | grep -v '^v6_' || true)
	if [ -n "$only" ]; then
		names=$(echo "$names" | grep -xF -f <(echo "$only" | tr , '\n') || true)
		[ -n "$names" ] || return 0
	fi
	tern_start "$port" --stats-interval 0 "${ip6[@]}" "$@"
	out=$IT_TMP/$phase.out
	mkdir -p "$IT_TMP/traces"
	local vflag=()
	[ "$verbose" = 0 ] || vflag=(-v)
	PEER_TIMEOUT=$CONF_TIMEOUT peer "$PY" "$here/conformance.py" \
		--phase "$phase" --port "$port" --closed-port 9 --prefix "$TERN_PREFIX" \
		--iface "$TERNLAB_IF_P" --tern-ip "$TERNLAB_TERN_IP" --my-ip "$TERNCF_SCRIPT_IP" "${v6[@]}" \
		--log-dir "$IT_TMP/traces" ${only:+--only "$(echo "$names" | paste -sd,)"} \
		"${vflag[@]}" >"$out" 2>"$IT_TMP/$phase.err" || rc=$?
	while IFS= read -r line; do
		case "$line" in
		PASS\ * | FAIL\ *) result "$line" ;;
		*) [ "$verbose" = 0 ] || echo "$line" ;;
		esac
	done <"$out"
	# A case the script never reported (it crashed or timed out) is a failure.
	for name in $names; do
		grep -qE "^(PASS|FAIL) $name(:|$)" "$out" ||
			result "FAIL $name: not run (conformance.py exit status $rc; see $IT_TMP/$phase.err)"
	done
	if [ -s "$IT_TMP/$phase.err" ]; then
		it_log "conformance.py stderr:"
		tail -n 10 "$IT_TMP/$phase.err" | sed 's/^/    /' >&2
	fi
	# tern-echo must have survived the phase and stop cleanly.
	local pid=$TERN_PID trc=0
	if ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid" || trc=$?
		TERN_PID=
		result "FAIL tern_ok_$phase: tern-echo died during the phase (exit status $trc)"
		tail -n 15 "$TERN_LOG" | sed 's/^/    /' >&2
	else
		kill -TERM "$pid" 2>/dev/null || true
		if ternlab_wait_pid "$pid" 10; then
			wait "$pid" || trc=$?
			TERN_PID=
			if [ "$trc" -eq 0 ]; then
				result "PASS tern_ok_$phase"
			else
				result "FAIL tern_ok_$phase: tern-echo exited with status $trc on SIGTERM"
			fi
		else
			kill -KILL "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
			TERN_PID=
			result "FAIL tern_ok_$phase: tern-echo did not exit within 10s of SIGTERM"
		fi
	fi
	ternlab_dpdk_cleanup "$TERN_PREFIX"
	TERN_PREFIX=
}

it_begin conformance af_packet
echo "tern conformance suite: lab $TERNLAB_PREFIX, tern-echo $TERN_ECHO, scripted peer" \
	"$TERNCF_SCRIPT_IP$([ "$TERNCF_V6" = 0 ] || echo " and $TERNCF_SCRIPT_IP6"); logs in $IT_TMP"
"$PY" -c 'import scapy' 2>/dev/null || it_fail "scapy missing: apt-get install python3-scapy"
lab_up
run_phase echo --delack-ms 200
run_phase close --close-after 1000 --fin-timeout 1500 --msl 1000
run_phase cookie --syncookies always

echo "runtime $(($(date +%s) - t_start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
