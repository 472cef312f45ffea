# shellcheck shell=bash source-path=SCRIPTDIR
# Link impairment for the integration tests: netem semantics on the egress of one veth end of
# the lab. Source after lib.sh, then:
#
#   netem_init                  choose the implementation (NETEM_IMPL) and register cleanup
#   netem_on DIR SPEC...        impair direction DIR with netem words, e.g.
#                               netem_on p2t loss 5%      netem_on t2p delay 10ms reorder 25% 50%
#   netem_off                   remove it; the stand-in's counters are then in NETEM_STATS
#
# DIR: p2t = what the Linux peer sends (egress of $TERNLAB_IF_P in $TERNLAB_NS_P);
#      t2p = what tern sends (egress of $TERNLAB_IF_T in $TERNLAB_NS_T; reached only when
#      tern's af_packet port keeps the qdisc, qdisc_bypass=0).
# SPEC words: loss P%, duplicate P%, corrupt P%, delay Nms, reorder P% [C%] (needs delay).
#
# NETEM_IMPL: netem (the kernel's sch_netem: `tc qdisc replace dev IF root netem SPEC`),
# lite (netem_lite.c, compiled here with ${CC:-cc}: netem's model in userspace, fed by a
# clsact u32 filters that redirect the veth's IPv4 and IPv6 egress to a tap; it sends the frames on
# with PACKET_QDISC_BYPASS), or auto (default): netem when the kernel has it, else lite.
# NETEM_SEED seeds lite's draws (1). After netem_off, NETEM_STATS holds lite's counters as
# JSON ({} for the kernel's netem).

: "${NETEM_IMPL:=auto}"
: "${NETEM_SEED:=1}"
NETEM_TAP=nmtap0
NETEM_PID=
NETEM_NS=
NETEM_DEV=
NETEM_ACTIVE=
NETEM_STATS='{}'
NETEM_N=0
NETEM_BIN=

netem_ns_dev() {
	case "$1" in
	p2t) NETEM_NS=$TERNLAB_NS_P NETEM_DEV=$TERNLAB_IF_P ;;
	t2p) NETEM_NS=$TERNLAB_NS_T NETEM_DEV=$TERNLAB_IF_T ;;
	*) it_fail "netem: direction '$1' is neither p2t nor t2p" ;;
	esac
}

# netem_init: resolve NETEM_IMPL=auto by trying a netem qdisc on the tern-side veth.
netem_init() {
	it_defer netem_off
	if [ "$NETEM_IMPL" = auto ]; then
		if ip netns exec "$TERNLAB_NS_T" tc qdisc add dev "$TERNLAB_IF_T" root netem delay 0ms \
			>/dev/null 2>&1; then
			ip netns exec "$TERNLAB_NS_T" tc qdisc del dev "$TERNLAB_IF_T" root >/dev/null 2>&1
			NETEM_IMPL=netem
		else
			NETEM_IMPL=lite
		fi
	fi
	case "$NETEM_IMPL" in
	netem) ;;
	lite)
		NETEM_BIN=$IT_TMP/netem_lite
		"${CC:-cc}" -O2 -Wall -Wextra -Werror -o "$NETEM_BIN" "$IT_DIR/netem_lite.c" \
			>"$IT_TMP/netem_lite.build" 2>&1 ||
			it_fail "cannot build netem_lite: $(head -n 3 "$IT_TMP/netem_lite.build")"
		;;
	*) it_fail "NETEM_IMPL '$NETEM_IMPL': expected auto, netem or lite" ;;
	esac
}

# netem_lite_args SPEC...: netem words -> netem_lite options (on stdout).
netem_lite_args() {
	local out=() w v
	while [ $# -gt 0 ]; do
		w=$1
		shift
		v=${1:-}
		case "$w" in
		loss | duplicate | corrupt)
			[[ $v =~ ^[0-9.]+%$ ]] || return 1
			out+=("--$w" "${v%\%}")
			shift
			;;
		delay)
			[[ $v =~ ^[0-9.]+ms$ ]] || return 1
			out+=(--delay "${v%ms}")
			shift
			;;
		reorder)
			[[ $v =~ ^[0-9.]+%$ ]] || return 1
			out+=(--reorder "${v%\%}")
			shift
			if [[ ${1:-} =~ ^[0-9.]+%$ ]]; then
				out+=("${1%\%}")
				shift
			fi
			;;
		*) return 1 ;;
		esac
	done
	echo "${out[*]}"
}

# netem_on DIR SPEC...
netem_on() {
	local dir=$1 args log t
	shift
	[ -z "$NETEM_ACTIVE" ] || netem_off
	netem_ns_dev "$dir"
	NETEM_STATS='{}'
	if [ "$NETEM_IMPL" = netem ]; then
		ip netns exec "$NETEM_NS" tc qdisc replace dev "$NETEM_DEV" root netem "$@" ||
			it_fail "tc qdisc replace dev $NETEM_DEV root netem $*"
		NETEM_ACTIVE=netem
		return 0
	fi
	args=$(netem_lite_args "$@") || it_fail "netem_lite: cannot translate '$*'"
	NETEM_N=$((NETEM_N + 1))
	log=$IT_TMP/netem_lite.$NETEM_N.out
	# shellcheck disable=SC2086 # args: options without whitespace
	timeout -k 5 "${NETEM_LIFETIME:-900}" ip netns exec "$NETEM_NS" "$NETEM_BIN" \
		--dev "$NETEM_DEV" --tap "$NETEM_TAP" --seed "$NETEM_SEED" $args >"$log" 2>&1 &
	NETEM_PID=$!
	NETEM_ACTIVE=lite
	t=100
	until grep -q '^netem_lite: ready' "$log" 2>/dev/null; do
		kill -0 "$NETEM_PID" 2>/dev/null || it_fail "netem_lite exited: $(tail -n 2 "$log")"
		[ "$t" -gt 0 ] || it_fail "netem_lite not ready within 10s"
		t=$((t - 1))
		sleep 0.1
	done
	# A long tap queue: frames wait there while netem_lite is descheduled (busy machine).
	if ! ip netns exec "$NETEM_NS" ip link set dev "$NETEM_TAP" txqueuelen 10000 up ||
		! ip netns exec "$NETEM_NS" tc qdisc add dev "$NETEM_DEV" clsact ||
		! ip netns exec "$NETEM_NS" tc filter add dev "$NETEM_DEV" egress protocol ip prio 1 \
			u32 match u32 0 0 action mirred egress redirect dev "$NETEM_TAP" ||
		! ip netns exec "$NETEM_NS" tc filter add dev "$NETEM_DEV" egress protocol ipv6 prio 2 \
			u32 match u32 0 0 action mirred egress redirect dev "$NETEM_TAP"; then
		it_fail "netem_lite: cannot divert $NETEM_DEV egress to $NETEM_TAP"
	fi
}

# netem_off: idempotent; safe from the exit trap.
netem_off() {
	local log
	case "$NETEM_ACTIVE" in
	netem) ip netns exec "$NETEM_NS" tc qdisc del dev "$NETEM_DEV" root >/dev/null 2>&1 ;;
	lite)
		# Stop diverting first; then the stand-in sends what it still delays and reports.
		ip netns exec "$NETEM_NS" tc qdisc del dev "$NETEM_DEV" clsact >/dev/null 2>&1
		if [ -n "$NETEM_PID" ]; then
			ternlab_stop_pid "$NETEM_PID" 5 >/dev/null 2>&1
			wait "$NETEM_PID" 2>/dev/null
			NETEM_PID=
		fi
		log=$IT_TMP/netem_lite.$NETEM_N.out
		NETEM_STATS=$(grep '^{' "$log" 2>/dev/null | tail -n 1)
		[ -n "$NETEM_STATS" ] || NETEM_STATS='{}'
		;;
	esac
	NETEM_ACTIVE=
}
