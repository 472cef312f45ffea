#!/bin/bash
# tern over IPv6 against the Linux kernel: DAD on tern's addresses, ND both ways, ping6.
#   - tern-echo with an IPv6 address and the peer as its IPv6 router: both addresses pass
#     DAD (nd_dad_ok 2), and tern resolves the router by ND (nd_na_rx >= 1);
#   - 3 pings from Linux to tern's address, then 2 to its link-local address (EUI-64 of its
#     MAC), all answered; Linux's neighbour table then holds tern's MAC for both;
#   - (af_packet) tern given the peer's address finds it duplicate by DAD, says so on
#     stderr, and does not use it.
# usage: t_ping6.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin ping6 "${1:-}"
lab_up
# The peer's IPv6 (2001:2::2 and fe80::2) for this test only: an IPv6 interface sends MLD
# reports of its own, which other tests would see (lab.sh).
peer_ipv6_off() { timeout 30 "$LAB" ipv6 off >/dev/null 2>&1 || true; }
it_defer peer_ipv6_off
timeout 30 "$LAB" ipv6 on ll >/dev/null || it_fail "lab.sh ipv6 on ll failed"
tern_start 7000 --ip "$TERNLAB_TERN_IP6/$TERNLAB_PLEN6" --gw "$TERNLAB_PEER_IP6"
ready=$(grep -m1 ': ready: ' "$TERN_LOG")
grep -q ", ipv6 $TERNLAB_TERN_IP6/$TERNLAB_PLEN6 gw $TERNLAB_PEER_IP6" <<<"$ready" ||
	it_fail "ready line names no IPv6 address: $ready"
mac=$(sed -n 's/.*mac \([0-9a-f:]\{17\}\).*/\1/p' <<<"$ready")
[ -n "$mac" ] || it_fail "no MAC in the ready line: $ready"

# DAD: one probe per address, then RetransTimer (1 s) of silence.
wait_until 10 tel_is /tern/stats nd_dad_ok -ge 2 ||
	it_fail "DAD did not complete: nd_dad_ok $(tel_num /tern/stats nd_dad_ok), failed $(tel_num /tern/stats nd_dad_failed)"
# tern resolves its router (the peer) as soon as its address is usable.
wait_until 10 tel_is /tern/stats nd_na_rx -ge 1 ||
	it_fail "tern did not resolve $TERNLAB_PEER_IP6 by ND (nd_ns_tx $(tel_num /tern/stats nd_ns_tx))"

out=$(peer ping -6 -c 3 -i 0.2 -w 10 "$TERNLAB_TERN_IP6" 2>&1) ||
	it_fail "ping6 $TERNLAB_TERN_IP6: $(echo "$out" | grep -E 'transmitted|Unreachable' | head -n 1)"
it_log "$(echo "$out" | grep transmitted)"
# The link-local address: fe80:: + the modified EUI-64 of the MAC (RFC 4291 appendix A).
IFS=: read -r m0 m1 m2 m3 m4 m5 <<<"$mac"
ll=$(printf 'fe80::%x:%x:%x:%x' $(((0x$m0 ^ 2) << 8 | 0x$m1)) $((0x$m2 << 8 | 0xff)) \
	$((0xfe << 8 | 0x$m3)) $((0x$m4 << 8 | 0x$m5)))
out=$(peer ping -6 -c 2 -i 0.2 -w 10 "$ll%$TERNLAB_IF_P" 2>&1) ||
	it_fail "ping6 $ll: $(echo "$out" | grep -E 'transmitted|Unreachable' | head -n 1)"
it_log "link-local $ll: $(echo "$out" | grep transmitted)"

neigh=$(peer ip -6 neigh show dev "$TERNLAB_IF_P")
grep -q "^$TERNLAB_TERN_IP6 lladdr $mac" <<<"$neigh" ||
	it_fail "Linux did not learn $TERNLAB_TERN_IP6 -> $mac: $neigh"
grep -q "^$ll lladdr $mac" <<<"$neigh" || it_fail "Linux did not learn $ll -> $mac: $neigh"
# At least the 5 answered (ping sends more when a reply is late, and each is answered).
echo6=$(tel_num /tern/stats icmp6_echo)
[ "$echo6" -ge 5 ] || it_fail "icmp6_echo $echo6, want at least 5"
it_log "nd: ns rx $(tel_num /tern/stats nd_ns_rx) tx $(tel_num /tern/stats nd_ns_tx)," \
	"na rx $(tel_num /tern/stats nd_na_rx) tx $(tel_num /tern/stats nd_na_tx), echo $echo6;" \
	"drops $(tel_json /tern/drops)"
tern_stop

# DAD against the kernel (af_packet only: it is the same code in every mode, and each run
# costs seconds): tern given the peer's address hears Linux defend it and does not use it.
if [ "$IT_MODE" = af_packet ]; then
	tern_start 7000 --ip "$TERNLAB_PEER_IP6/$TERNLAB_PLEN6"
	wait_until 10 tel_is /tern/stats nd_dad_failed -ge 1 ||
		it_fail "DAD did not find $TERNLAB_PEER_IP6 duplicate (nd_dad_ok $(tel_num /tern/stats nd_dad_ok))"
	wait_until 5 grep -q "IPv6 address $TERNLAB_PEER_IP6 is in use by another node" "$TERN_LOG" ||
		it_fail "no line on stderr about the duplicate address"
	# ...while its link-local address, which nobody else has, passes.
	wait_until 10 tel_is /tern/stats nd_dad_ok -ge 1 || it_fail "link-local DAD did not complete"
	it_log "duplicate $TERNLAB_PEER_IP6: nd_dad_failed $(tel_num /tern/stats nd_dad_failed)," \
		"nd_dad_ok $(tel_num /tern/stats nd_dad_ok) (link-local)"
	tern_stop
fi
it_pass
