#!/bin/bash
# tern-proxy across the families, nginx in the peer namespace as the backend, curl as the
# client, downloads checked byte-exact (sha256):
#   - backend [TERNLAB_PEER_IP6]:PORT: an IPv6 client (v6 -> v6) and an IPv4 client
#     (v4 -> v6) through the same listener;
#   - backend TERNLAB_PEER_IP:PORT: an IPv6 client (v6 -> v4);
#   - --deny with the peer's IPv6 /64 and --max-per-client: the IPv6 client is refused at
#     its SYN (curl: connection refused; drop tcp_syn_filtered, "refused acl" in the final
#     line), the IPv4 client of the same host still gets through.
# usage: t_proxy6.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin proxy6 "${1:-}"
# shellcheck source=nginx_lib.sh
. "$IT_DIR/nginx_lib.sh"
TERN_ECHO=${TERN_PROXY:-$TERN_BUILD/apps/tern-proxy/tern-proxy}
port=8006
ng=8186
lab_up
peer_ipv6_off() { timeout 30 "$LAB" ipv6 off >/dev/null 2>&1 || true; }
it_defer peer_ipv6_off
timeout 30 "$LAB" ipv6 on >/dev/null || it_fail "lab.sh ipv6 on failed"

www=$IT_TMP/www
mkdir -p "$www"
chmod 755 "$IT_TMP"
head -c 3000000 /dev/urandom >"$www/f3m.bin"
NGX_LISTEN6=1 ngx_start "$www" "$ng"
want=$(sha256sum <"$www/f3m.bin" | cut -d' ' -f1)

# fetch WHAT URL: curl in the peer, byte-exact
fetch() {
	rm -f "$IT_TMP/dl"
	peer curl -sS -g -m 30 -o "$IT_TMP/dl" -w '%{http_code}\n' "$2" >"$IT_TMP/code" 2>&1 ||
		it_fail "$1: curl $2 failed: $(tr '\n' ' ' <"$IT_TMP/code")"
	[ "$(cat "$IT_TMP/code")" = 200 ] || it_fail "$1: status $(cat "$IT_TMP/code")"
	[ "$(sha256sum <"$IT_TMP/dl" | cut -d' ' -f1)" = "$want" ] ||
		it_fail "$1: not byte-exact ($(stat -c %s "$IT_TMP/dl") of 3000000 bytes)"
	it_log "$1: 3 MB byte-exact"
}

v6opts=(--ip "$TERNLAB_TERN_IP6/$TERNLAB_PLEN6" --gw "$TERNLAB_PEER_IP6")
tern_start "$port" "${v6opts[@]}" --backend "[$TERNLAB_PEER_IP6]:$ng"
wait_until 10 tel_is /tern/stats nd_dad_ok -ge 2 || it_fail "DAD did not complete"
fetch "v6 -> v6" "http://[$TERNLAB_TERN_IP6]:$port/f3m.bin"
fetch "v4 -> v6" "http://$TERNLAB_TERN_IP:$port/f3m.bin"
open6=$(tel_num /tern/stats tcp6_open)
# v6 -> v6: the client's and the backend's; v4 -> v6: the backend's
[ "$open6" -ge 3 ] || it_fail "tcp6_open $open6, want at least 3"
tern_stop

tern_start "$port" "${v6opts[@]}" --backend "$TERNLAB_PEER_IP:$ng"
wait_until 10 tel_is /tern/stats nd_dad_ok -ge 2 || it_fail "DAD did not complete"
fetch "v6 -> v4" "http://[$TERNLAB_TERN_IP6]:$port/f3m.bin"
open6=$(tel_num /tern/stats tcp6_open)
[ "$open6" -eq 1 ] || it_fail "tcp6_open $open6, want 1 (the client's only)"
tern_stop

tern_start "$port" "${v6opts[@]}" --backend "$TERNLAB_PEER_IP:$ng" \
	--deny "${TERNLAB_PEER_IP6%:*}:/64" --max-per-client 4
wait_until 10 tel_is /tern/stats nd_dad_ok -ge 2 || it_fail "DAD did not complete"
rc=0
peer curl -sS -g -m 10 -o /dev/null "http://[$TERNLAB_TERN_IP6]:$port/f3m.bin" \
	>"$IT_TMP/denied" 2>&1 || rc=$?
[ "$rc" = 7 ] || it_fail "a denied IPv6 client: curl exit $rc, want 7 (refused): $(cat "$IT_TMP/denied")"
[ "$(tel_num /tern/drops tcp_syn_filtered)" -ge 1 ] || it_fail "no tcp_syn_filtered for the denied client"
fetch "v4 beside a denied IPv6 prefix" "http://$TERNLAB_TERN_IP:$port/f3m.bin"
tern_stop
grep -q "refused acl [1-9]" "$TERN_LOG" || it_fail "final line: $(grep -i refused "$TERN_LOG" | tail -1)"
it_log "--deny ${TERNLAB_PEER_IP6%:*}:/64: the IPv6 client refused at its SYN, IPv4 served"
it_pass
