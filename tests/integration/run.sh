#!/bin/bash
# Run the tern integration tests against the Linux kernel TCP stack in the lab namespaces.
#
# usage: tests/integration/run.sh [-v] [MODE...]     MODE: af_packet tap virtio-user (default: all)
#   -v               stream every test's log instead of only failing ones' tails
#   TESTS="ping ping6 echo6 echo_10m seq200 close_by_tern close_by_linux keepalive fin_timeout user_timeout two_engines echo_engines echo_engines6 netem netem6
#          gen_connect gen_synflood gen_http synflood synflood_engines http http_engines proxy proxy6 proxy_timeouts proxy_engines
#          proxy_pp proxy_pool proxy_lb proxy_life dumpcap metrics restart gen_steer idle_cpu gen_mixed gen_ackrst gen_pace gen6 churn churn2 churn6"
#                    subset / order (churn, churn2: twice the timeout)
#   TEST_TIMEOUT=300 seconds per test (then SIGTERM: the test cleans up and fails)
#   TERN_BUILD=/work/main/build (tern-echo at $TERN_BUILD/apps/tern-echo/tern-echo)
#
# Prints "PASS name[mode] (N s)" or "FAIL name[mode]: reason (N s)" per test and finally exactly
# "N passed, N failed"; exits 1 if any test failed. The lab is brought up once per mode and
# taken down at the end (also on failure or Ctrl-C).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../../dpdk-config/common.sh
. "$root/dpdk-config/common.sh"

verbose=0
if [ "${1:-}" = -v ]; then verbose=1; shift; fi
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(af_packet tap virtio-user)
read -ra tests <<<"${TESTS:-ping ping6 echo6 echo_10m seq200 close_by_tern close_by_linux keepalive fin_timeout user_timeout two_engines echo_engines echo_engines6 netem netem6 gen_connect gen_synflood gen_http synflood synflood_engines http http_engines proxy proxy6 proxy_timeouts proxy_engines proxy_pp proxy_pool proxy_lb proxy_life dumpcap metrics restart gen_steer idle_cpu gen_mixed gen_ackrst gen_pace gen6 churn churn2 churn6}"
: "${TEST_TIMEOUT:=300}"
: "${TERN_BUILD:=/work/main/build}"
export TERN_BUILD
export TERNLAB_SHARED=1 # the tests leave the lab to us

logdir=$(mktemp -d /tmp/tern-it-run-XXXXXX)
passed=0
failed=0
lab_is_up=0

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ "$lab_is_up" = 1 ]; then
		timeout 60 "$root/dpdk-config/lab.sh" down >/dev/null 2>&1 || echo "warning: lab.sh down failed" >&2
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$(id -u)" -ne 0 ]; then echo "run.sh: needs root" >&2; exit 1; fi
echo "tern integration tests: modes ${modes[*]}; tests ${tests[*]}; logs in $logdir"
echo "tern-echo: ${TERN_ECHO:-$TERN_BUILD/apps/tern-echo/tern-echo}"

fail_line() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

for mode in "${modes[@]}"; do
	if ! out=$(timeout 90 "$root/dpdk-config/lab.sh" up "$mode" 2>&1); then
		reason="lab.sh up $mode failed: $(echo "$out" | tail -n 1)"
		for t in "${tests[@]}"; do fail_line "${t}[$mode]" "$reason"; done
		timeout 60 "$root/dpdk-config/lab.sh" down >/dev/null 2>&1 || true
		continue
	fi
	lab_is_up=1
	for t in "${tests[@]}"; do
		# Tests that need a multi-queue attachment run in af_packet mode only (qpairs=), and
		# tests of app features the attachment does not change (proxy_pp, metrics); the
		# two-engine tests of MULTI_QUEUE also in tap mode (net_tap opens a queue per engine),
		# not over the lab's one-queue vhost bridge. idle_cpu (the idle backoff, the same
		# code on every vdev) runs in af_packet mode only, to keep the run short, and so do
		# the tests of timers and of tern-gen's and tern-proxy's timeouts, which the
		# attachment does not change (keepalive fin_timeout user_timeout proxy_timeouts
		# gen_connect gen_http gen_synflood, and tern-gen's mixed runs and pacing: gen_mixed
		# gen_ackrst gen_pace gen6): the data path of tap and virtio-user is covered
		# by ping, echo, seq200, the close tests, http, proxy and dumpcap in those modes.
		case " ${AF_PACKET_ONLY:-two_engines echo_engines6 netem netem6 synflood synflood_engines churn churn2 churn6 gen_steer proxy_pp proxy_pool proxy_lb proxy_life metrics restart idle_cpu keepalive fin_timeout user_timeout proxy_timeouts gen_connect gen_http gen_synflood gen_mixed gen_ackrst gen_pace gen6} " in
		*" $t "*) [ "$mode" = af_packet ] || continue ;;
		esac
		case " ${MULTI_QUEUE:-echo_engines http_engines proxy_engines} " in
		*" $t "*) [ "$mode" != virtio-user ] || continue ;;
		esac
		script=$here/t_$t.sh
		log=$logdir/$t.$mode.log
		if [ ! -x "$script" ]; then fail_line "${t}[$mode]" "no test script $script"; continue; fi
		rc=0
		t0=$SECONDS
		tmo=$TEST_TIMEOUT
		# The churn tests run 400,000+ connections: they get twice the time.
		case "$t" in churn | churn2 | churn6) tmo=$((TEST_TIMEOUT * 2)) ;; esac
		if [ "$verbose" = 1 ]; then
			if timeout -k 15 "$tmo" "$script" "$mode" 2>&1 | tee "$log" |
				sed -u '/^\(PASS\|FAIL\) /d'; then :; else rc=${PIPESTATUS[0]}; fi
		else
			timeout -k 15 "$tmo" "$script" "$mode" >"$log" 2>&1 || rc=$?
		fi
		line=$(grep -E '^(PASS|FAIL) ' "$log" | tail -n 1 || true)
		took="($((SECONDS - t0)) s)"
		if [ "$rc" -eq 0 ] && [[ $line == PASS* ]]; then
			echo "$line $took"
			passed=$((passed + 1))
			continue
		fi
		if [[ $line == FAIL* ]]; then
			echo "$line $took"
			failed=$((failed + 1))
		elif [ "$rc" -eq 124 ] || [ "$rc" -eq 143 ] || [ "$rc" -eq 137 ]; then
			fail_line "${t}[$mode]" "timed out after ${tmo}s"
		else
			fail_line "${t}[$mode]" "exit status $rc without a result line"
		fi
		[ "$verbose" = 1 ] || tail -n 20 "$log" | grep -v '^FAIL ' | sed 's/^/    /'
	done
	timeout 60 "$root/dpdk-config/lab.sh" down >/dev/null 2>&1 || echo "warning: lab.sh down failed" >&2
	lab_is_up=0
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
