# shellcheck shell=bash
# Helpers for the tern-gen tests (t_gen_connect.sh, t_gen_synflood.sh, t_gen_http.sh).
# Not a test: source it after lib.sh and it_begin.
#
#   gen_run NAME WANT_RC [tern-gen options...]
#                       run tern-gen in IT_MODE inside NS_T until it exits by itself (bounded
#                       by GEN_MAX_LIFETIME, default 120 s); its JSON summary goes to
#                       $IT_TMP/NAME.json and GEN_JSON, its stderr to $IT_TMP/NAME.log. Fails
#                       the test unless it exits with WANT_RC and printed one JSON object.
#   gj EXPR             evaluate a Python expression on the summary (as `d`), e.g.
#                       `gj 'd["failures"]["refused"]'`
#   gen_check DESC EXPR fail the test with DESC (and the summary) unless EXPR is true
#   peer_server NAME CMD...   start a server in the peer namespace (bounded, stopped by pid at
#                       exit; output in $IT_TMP/NAME.out)
#   peer_server_stop NAME     SIGTERM it and wait (its exit output then is in the .out file)
#   peer_listening PORT       0 when a TCP listener is up on PORT in the peer namespace
#
# Environment: TERN_GEN (default $TERN_BUILD/apps/tern-gen/tern-gen), GEN_MAX_LIFETIME.

: "${TERN_GEN:=$TERN_BUILD/apps/tern-gen/tern-gen}"
: "${GEN_MAX_LIFETIME:=120}"
GEN_JSON=
declare -A GEN_SERVERS=()

gen_stop_servers() {
	local n
	for n in "${!GEN_SERVERS[@]}"; do
		ternlab_stop_pid "${GEN_SERVERS[$n]}" 5
		wait "${GEN_SERVERS[$n]}" 2>/dev/null
	done
	GEN_SERVERS=()
}
it_defer gen_stop_servers

peer_server() {
	local name=$1
	shift
	ip netns exec "$TERNLAB_NS_P" timeout -k 5 "$GEN_MAX_LIFETIME" "$@" \
		</dev/null >"$IT_TMP/$name.out" 2>&1 &
	GEN_SERVERS[$name]=$!
}

peer_server_stop() {
	local pid=${GEN_SERVERS[$1]:-}
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	ternlab_wait_pid "$pid" 10 || kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	unset "GEN_SERVERS[$1]"
}

peer_listening() {
	ip netns exec "$TERNLAB_NS_P" ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

gen_run() {
	local name=$1 want=$2 eal rc=0 t
	shift 2
	[ -x "$TERN_GEN" ] || it_fail "tern-gen not built: $TERN_GEN (set TERN_BUILD or TERN_GEN)"
	IT_SEQ=$((IT_SEQ + 1))
	TERN_PREFIX="$TERNLAB_PREFIX-gen-$$-$IT_SEQ"
	TERN_LOG="$IT_TMP/$name.log"
	eal=$("$DPDK_CONFIG/eal-args.sh" "$IT_MODE" --file-prefix "$TERN_PREFIX" -l "$TERN_LCORES" \
		-q "$TERN_QUEUES") || it_fail "eal-args.sh $IT_MODE failed"
	# (GEN_KEEP_NEIGH: the peer keeps its neighbours, and what it queued for them)
	[ -n "${GEN_KEEP_NEIGH:-}" ] ||
		ip netns exec "$TERNLAB_NS_P" ip neigh flush dev "$TERNLAB_IF_P" >/dev/null 2>&1 || true
	it_log "tern-gen ${eal} ${TERN_EAL_EXTRA} -- --ip $TERNLAB_TERN_IP/$TERNLAB_PLEN $*"
	# shellcheck disable=SC2086 # eal is a list of words without whitespace (eal-args.sh)
	timeout -k 5 "$GEN_MAX_LIFETIME" ip netns exec "$TERNLAB_NS_T" "$TERN_GEN" $eal \
		$TERN_EAL_EXTRA -- --ip "$TERNLAB_TERN_IP/$TERNLAB_PLEN" "$@" \
		</dev/null >"$IT_TMP/$name.json" 2>"$TERN_LOG" &
	TERN_PID=$!
	if [ "$IT_MODE" = tap ]; then
		# tern-gen resolves the target (ARP, up to 5 s) before it starts: attach meanwhile.
		t=$((TERN_READY_TIMEOUT * 10))
		until grep -qw ready "$TERN_LOG" 2>/dev/null; do
			kill -0 "$TERN_PID" 2>/dev/null || break
			[ "$t" -gt 0 ] || it_fail "tern-gen not ready within ${TERN_READY_TIMEOUT}s"
			t=$((t - 1))
			sleep 0.1
		done
		timeout 30 "$LAB" attach-tap 20 >/dev/null 2>&1 || it_fail "lab.sh attach-tap failed"
	fi
	wait "$TERN_PID" || rc=$?
	TERN_PID=
	ternlab_dpdk_cleanup "$TERN_PREFIX"
	[ "$IT_MODE" != tap ] || timeout 10 "$LAB" detach-tap >/dev/null 2>&1 || true
	grep 'tern-gen: ' "$TERN_LOG" | tail -n 4 | while read -r l; do it_log "$l"; done
	[ "$rc" -eq "$want" ] || it_fail "tern-gen ($name) exited with status $rc, want $want"
	GEN_JSON=$(grep '^{' "$IT_TMP/$name.json" | tail -n 1)
	echo "$GEN_JSON" | "$PY" -c 'import json,sys; json.load(sys.stdin)' 2>/dev/null ||
		it_fail "tern-gen ($name) printed no JSON summary on stdout"
	it_log "summary: $GEN_JSON"
}

gj() {
	GEN_EXPR=$1 "$PY" -c 'import json,os,sys; d=json.loads(sys.stdin.read()); print(eval(os.environ["GEN_EXPR"]))' <<<"$GEN_JSON"
}

gen_check() {
	local v
	v=$(gj "$2") || it_fail "$1: cannot evaluate $2"
	[ "$v" = True ] || it_fail "$1 ($2 is false)"
}

# tern-gen against tern-echo: a second veth pair inside NS_T, tern-echo attached to one end
# (GEN_IF_A, address TERNLAB_TERN_IP) and tern-gen to the other (GEN_IF_B, address
# GEN_B_IP); the pair is removed at exit.
#   gen_pair_up                 make the pair (IPv6 off, offloads off, up)
#   echo_start PORT [opts...]   tern-echo on GEN_IF_A (ECHO_PID, ECHO_PREFIX; stopped at exit)
#   echo_num KEY                a counter of tern-echo's /tern/stats (0 when absent)
#   echo_drop KEY               a drop reason of its /tern/drops (0 when absent)
#   gen_run_pair NAME WANT_RC [opts...]   gen_run on GEN_IF_B as GEN_B_IP
GEN_IF_A=gen-a
GEN_IF_B=gen-b
GEN_B_IP=${TERNLAB_TERN_IP%.*}.3
ECHO_PID=
ECHO_PREFIX=

gen_pair_down() {
	ip -n "$TERNLAB_NS_T" link del "$GEN_IF_A" 2>/dev/null || true
}

gen_pair_up() {
	local i
	gen_pair_down
	ip -n "$TERNLAB_NS_T" link add "$GEN_IF_A" type veth peer name "$GEN_IF_B" ||
		it_fail "cannot add the veth pair $GEN_IF_A/$GEN_IF_B in $TERNLAB_NS_T"
	it_defer gen_pair_down
	for i in "$GEN_IF_A" "$GEN_IF_B"; do
		ip netns exec "$TERNLAB_NS_T" sysctl -qw "net.ipv6.conf.$i.disable_ipv6=1" 2>/dev/null || true
		ip netns exec "$TERNLAB_NS_T" ethtool -K "$i" rx off tx off tso off gso off gro off \
			>/dev/null 2>&1 || true
		ip -n "$TERNLAB_NS_T" link set dev "$i" up
	done
}

echo_stop() {
	[ -n "$ECHO_PID" ] || return 0
	ternlab_stop_pid "$ECHO_PID" 5
	wait "$ECHO_PID" 2>/dev/null
	ECHO_PID=
	ternlab_dpdk_cleanup "$ECHO_PREFIX"
}
it_defer echo_stop

echo_start() {
	TERNLAB_IF_T=$GEN_IF_A tern_start "$@"
	ECHO_PID=$TERN_PID
	ECHO_PREFIX=$TERN_PREFIX
	TERN_PID=
}

echo_num() { TERN_PREFIX=$ECHO_PREFIX tel_num /tern/stats "$1"; }
echo_drop() { TERN_PREFIX=$ECHO_PREFIX tel_num /tern/drops "$1"; }

gen_run_pair() {
	TERNLAB_IF_T=$GEN_IF_B TERNLAB_TERN_IP=$GEN_B_IP gen_run "$@"
}
