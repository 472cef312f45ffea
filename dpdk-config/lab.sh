#!/bin/bash
# The tern lab: two network namespaces joined by a veth pair.
#
#   NS_T (ternlab-t)                          NS_P (ternlab-p)
#   tern (DPDK) --attaches to--> tern-t <==veth==> tern-p 198.18.0.2/24  (Linux TCP)
#                                 no IP                   2001:2::2/64 (lab.sh ipv6 on)
#
# tern itself (198.18.0.1) is a DPDK process run inside NS_T with `ip netns exec`, so the
# root namespace's kernel never sees its traffic. How it attaches to tern-t (MODE):
#   af_packet    net_af_packet on tern-t directly                   (nothing more to set up)
#   tap          net_tap creates terntap0 in NS_T; `lab.sh attach-tap` bridges it with tern-t
#   virtio-user  a testpmd vhost-user <-> af_packet bridge in NS_T (vhost-bridge.sh); needs
#                hugepages, which `up virtio-user` sets up
#   vfio-pci     a real NIC; no lab (see docs/LAB.md)
#
# usage: lab.sh up [MODE] | down | status | attach-tap [TIMEOUT_S] | detach-tap |
#        ipv6 on [ll] | ipv6 off | exec-t CMD.. | exec-p CMD..
# (TERNLAB_IPV6=1 lab.sh up: with the peer's IPv6 on from the start)
# Names and addresses: see common.sh (TERNLAB_* environment variables).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=common.sh
. "$here/common.sh"

nst() { ip netns exec "$TERNLAB_NS_T" "$@"; }
nsp() { ip netns exec "$TERNLAB_NS_P" "$@"; }

quiet_ns() {
	# No IPv6 (router solicitations, MLD, DAD) and no forwarding: the only frames on the wire
	# are the ones a test makes. Applies to links created later too (default.*).
	local ns=$1 k
	for k in net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv4.ip_forward=0 net.ipv4.conf.all.forwarding=0 net.ipv4.conf.default.forwarding=0; do
		ip netns exec "$ns" sysctl -qw "$k" 2>/dev/null || ternlab_log "warning: $ns: sysctl $k failed"
	done
	ip netns exec "$ns" ip link set lo up
}

peer_ipv6() {
	# IPv6 on the peer's end (lab.sh ipv6 on [ll] | off). Off by default: an IPv6 interface
	# sends MLD reports of its own (even without a link-local address, from ::), which the
	# conformance suite's silent-peer checks and the drop counts of other tests would see.
	# On: as quiet as IPv6 gets: no generated link-local address, no router solicitations,
	# RAs ignored, TERNLAB_PEER_IP6 without DAD (nodad: tern runs its own DAD on its side),
	# with "ll" also TERNLAB_PEER_LL6 (Linux pings a link-local address only from one), and
	# MLD reports and their repeats sent at once (interval 1 ms). Tests that use IPv6 turn it on
	# for their run and off at the end (t_ping6).
	local k
	if [ "${1:-on}" = off ]; then
		nsp sysctl -qw "net.ipv6.conf.$TERNLAB_IF_P.disable_ipv6=1" 2>/dev/null ||
			ternlab_log "warning: $TERNLAB_NS_P: cannot disable IPv6 on $TERNLAB_IF_P"
		return 0
	fi
	for k in addr_gen_mode=1 accept_ra=0 router_solicitations=0 dad_transmits=0 \
		mldv1_unsolicited_report_interval=1 mldv2_unsolicited_report_interval=1 disable_ipv6=0; do
		nsp sysctl -qw "net.ipv6.conf.$TERNLAB_IF_P.$k" 2>/dev/null ||
			ternlab_die "$TERNLAB_NS_P: sysctl net.ipv6.conf.$TERNLAB_IF_P.$k failed"
	done
	nsp ip -6 addr replace "$TERNLAB_PEER_IP6/$TERNLAB_PLEN6" dev "$TERNLAB_IF_P" nodad ||
		ternlab_die "cannot give $TERNLAB_IF_P $TERNLAB_PEER_IP6"
	if [ "${2:-}" = ll ]; then
		nsp ip -6 addr replace "$TERNLAB_PEER_LL6/64" dev "$TERNLAB_IF_P" nodad ||
			ternlab_die "cannot give $TERNLAB_IF_P $TERNLAB_PEER_LL6"
	fi
	nsp ip -6 neigh flush dev "$TERNLAB_IF_P" 2>/dev/null || true
	echo "ipv6 on $TERNLAB_NS_P/$TERNLAB_IF_P: $TERNLAB_PEER_IP6/$TERNLAB_PLEN6${2:+ $TERNLAB_PEER_LL6}"
}

offloads_off() {
	# af_packet would otherwise see 64 KB GSO frames with partial checksums.
	local ns=$1 ifc=$2
	shift 2
	ip netns exec "$ns" ethtool -K "$ifc" "$@" >/dev/null 2>&1 ||
		ternlab_log "warning: ethtool -K $ifc $* failed in $ns"
}

lab_up() {
	local mode=${1:-af_packet}
	case "$mode" in
	af_packet | tap | virtio-user) ;;
	vfio-pci) ternlab_die "vfio-pci uses a real NIC and needs no lab; see docs/LAB.md" ;;
	*) ternlab_die "unknown mode '$mode' (af_packet | tap | virtio-user)" ;;
	esac
	[ "$(id -u)" -eq 0 ] || ternlab_die "needs root"
	mkdir -p "$TERNLAB_RUN"

	local ns
	for ns in "$TERNLAB_NS_T" "$TERNLAB_NS_P"; do
		ternlab_ns_exists "$ns" || ip netns add "$ns"
		quiet_ns "$ns"
	done
	if ! nst ip link show dev "$TERNLAB_IF_T" >/dev/null 2>&1; then
		# Remove a stale half of the pair, then create both ends straight in their namespaces
		# (never in the root namespace, so two labs may use the same interface names).
		nsp ip link del dev "$TERNLAB_IF_P" 2>/dev/null || true
		ip link add "$TERNLAB_IF_T" netns "$TERNLAB_NS_T" mtu "$TERNLAB_MTU" type veth \
			peer name "$TERNLAB_IF_P" netns "$TERNLAB_NS_P" mtu "$TERNLAB_MTU"
	fi
	nst ip addr flush dev "$TERNLAB_IF_T"
	nst ip link set dev "$TERNLAB_IF_T" up
	offloads_off "$TERNLAB_NS_T" "$TERNLAB_IF_T" rx off tx off tso off gso off gro off
	nsp ip addr replace "$TERNLAB_PEER_IP/$TERNLAB_PLEN" dev "$TERNLAB_IF_P"
	if [ "${TERNLAB_IPV6:-0}" = 1 ]; then peer_ipv6 on >/dev/null; else peer_ipv6 off; fi
	nsp ip link set dev "$TERNLAB_IF_P" up
	offloads_off "$TERNLAB_NS_P" "$TERNLAB_IF_P" tx off tso off gso off
	# A stale neighbour entry from a previous tern (other MAC) would blackhole the first test.
	nsp ip neigh flush dev "$TERNLAB_IF_P" 2>/dev/null || true

	# Leave only the attachment of this mode on tern-t: a bridge port or a second af_packet
	# reader (the vhost bridge) left from another mode would see and forward tern's frames.
	[ "$mode" = tap ] || detach_tap
	if [ "$mode" = virtio-user ]; then
		"$here/hugepages.sh" setup >/dev/null
		"$here/vhost-bridge.sh" start
	else
		"$here/vhost-bridge.sh" stop >/dev/null
	fi
	echo "lab up ($mode): $TERNLAB_NS_T/$TERNLAB_IF_T (tern $TERNLAB_TERN_IP) <->" \
		"$TERNLAB_NS_P/$TERNLAB_IF_P ($TERNLAB_PEER_IP/$TERNLAB_PLEN; IPv6" \
		"$([ "${TERNLAB_IPV6:-0}" = 1 ] && echo "$TERNLAB_PEER_IP6/$TERNLAB_PLEN6" || echo "off: lab.sh ipv6 on"))"
}

lab_down() {
	local ns pids
	"$here/vhost-bridge.sh" stop >/dev/null 2>&1 || true
	for ns in "$TERNLAB_NS_T" "$TERNLAB_NS_P"; do
		ternlab_ns_exists "$ns" || continue
		pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
		[ -z "$pids" ] || ternlab_log "warning: processes still in $ns (not killed): $pids"
		# Deleting the namespace deletes the veth pair, the bridge and the tap with it.
		ip netns del "$ns"
	done
	rm -f "$TERNLAB_RUN/vhost-bridge.pid" "$TERNLAB_RUN/vhost-bridge.log" "$TERNLAB_VHOST_SOCK"
	rmdir "$TERNLAB_RUN" 2>/dev/null || true
	echo "lab down ($TERNLAB_PREFIX)"
}

attach_tap() {
	# Called once tern (net_tap, iface=$TERNLAB_TAP) runs inside NS_T and has made its tap.
	local timeout=${1:-20} t
	ternlab_ns_exists "$TERNLAB_NS_T" || ternlab_die "lab is not up"
	t=$((timeout * 10))
	until nst ip link show dev "$TERNLAB_TAP" >/dev/null 2>&1; do
		[ "$t" -gt 0 ] || ternlab_die "tap $TERNLAB_TAP did not appear in $TERNLAB_NS_T within ${timeout}s"
		t=$((t - 1))
		sleep 0.1
	done
	if ! nst ip link show dev "$TERNLAB_BR" >/dev/null 2>&1; then
		nst ip link add "$TERNLAB_BR" type bridge stp_state 0 forward_delay 0
	fi
	nst ip link set dev "$TERNLAB_IF_T" master "$TERNLAB_BR"
	nst ip link set dev "$TERNLAB_TAP" master "$TERNLAB_BR"
	# net_tap gives the kernel side of the tap the DPDK port's own MAC; the bridge would then
	# treat frames to tern as its own (a permanent local fdb entry) and never forward them to
	# the tap. Give the kernel side another MAC so the bridge learns tern's MAC on the tap port.
	nst ip link set dev "$TERNLAB_TAP" address "$TERNLAB_TAP_KMAC"
	offloads_off "$TERNLAB_NS_T" "$TERNLAB_TAP" tx off tso off gso off gro off
	# The kernel queues frames for tern on the tap's TX queue (1000 by default): a burst of
	# a few hundred flows overflowed it and lost SYN-ACKs. The af_packet rings' counterpart.
	nst ip link set dev "$TERNLAB_TAP" txqueuelen "${TERNLAB_TAP_QLEN:-10000}"
	nst ip link set dev "$TERNLAB_TAP" up
	nst ip link set dev "$TERNLAB_BR" up
	echo "tap $TERNLAB_TAP bridged with $TERNLAB_IF_T on $TERNLAB_BR in $TERNLAB_NS_T"
}

detach_tap() {
	ternlab_ns_exists "$TERNLAB_NS_T" || return 0
	nst ip link del dev "$TERNLAB_BR" 2>/dev/null || true
}

lab_status() {
	local ns rc=0
	for ns in "$TERNLAB_NS_T" "$TERNLAB_NS_P"; do
		if ternlab_ns_exists "$ns"; then
			echo "== namespace $ns"
			ip netns exec "$ns" ip -br addr
			local pids
			pids=$(ip netns pids "$ns" | tr '\n' ' ')
			[ -z "$pids" ] || echo "   processes: $pids"
		else
			echo "== namespace $ns: absent"
			rc=1
		fi
	done
	echo "== vhost bridge"
	"$here/vhost-bridge.sh" status || true
	echo "== hugepages"
	"$here/hugepages.sh" status
	return "$rc"
}

cmd=${1:-}
[ $# -eq 0 ] || shift
case "$cmd" in
up) lab_up "$@" ;;
down) lab_down ;;
status) lab_status ;;
attach-tap) attach_tap "$@" ;;
detach-tap) detach_tap ;;
exec-t) nst "$@" ;;
exec-p) nsp "$@" ;;
ipv6)
	ternlab_ns_exists "$TERNLAB_NS_P" || ternlab_die "lab is not up"
	peer_ipv6 "$@"
	;;
*)
	echo "usage: ${0##*/} up [af_packet|tap|virtio-user] | down | status | attach-tap [TIMEOUT_S]" \
		"| detach-tap | ipv6 on [ll] | ipv6 off | exec-t CMD... | exec-p CMD..." >&2
	exit 2
	;;
esac
