#!/bin/bash
# tern-proxy's backend pool against nginx backends in the peer namespace (their access log
# names the backend port of every request):
#   1. weights: --backend NG1/weight=3,NG2 (smooth weighted round robin): 40 requests, each on
#      its own connection, must be logged 30 by NG1 and 10 by NG2, exactly.
#   2. --lb maglev: six client addresses (added to the peer's veth), four connections each
#      from different ports: every address sticks to one backend, and the six do not all land
#      on the same one.
# usage: t_proxy_pool.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin proxy_pool "${1:-}"
NGX_LOG=1
# shellcheck source=nginx_lib.sh
. "$IT_DIR/nginx_lib.sh"
TERN_ECHO=${TERN_PROXY:-$TERN_BUILD/apps/tern-proxy/tern-proxy}
port=8000
ng1=8085
ng2=8086
ng3=8087
peer_ip=$TERNLAB_PEER_IP
url=http://$TERNLAB_TERN_IP:$port
lab_up

www=$IT_TMP/www
mkdir -p "$www"
chmod 755 "$IT_TMP"
echo ok >"$www/ok.txt"
ngx_start "$www" "$ng1" "$ng2" "$ng3"
alog=$NGX_DIR/access.log

# fetch TAG N [curl options]: N requests ?TAG_1..?TAG_N, each on a connection of its own;
# all must answer 200.
fetch() {
	local tag=$1 n=$2 codes
	shift 2
	peer curl -sS -m 20 -H 'Connection: close' "$@" -o "$IT_TMP/dl_#1" -w '%{http_code}\n' \
		"$url/ok.txt?${tag}_[1-$n]" >"$IT_TMP/codes" 2>&1 ||
		it_fail "$tag: curl failed: $(tail -n 3 "$IT_TMP/codes" | tr '\n' ' ')"
	codes=$(grep -c '^200$' "$IT_TMP/codes" || true)
	[ "$codes" = "$n" ] || it_fail "$tag: $codes of $n requests got 200: $(sort "$IT_TMP/codes" | uniq -c | tr '\n' ' ')"
	wait_until 5 test "$(grep -c "?${tag}_" "$alog")" -ge "$n" ||
		it_fail "$tag: nginx logged $(grep -c "?${tag}_" "$alog") of $n requests"
}
# served TAG PORT: requests ?TAG_* logged by backend PORT
served() { grep -c "^[0-9.]* $2 /ok.txt?${1}_[0-9]* 200$" "$alog" || true; }

# --- 1. weights ---
tern_start "$port" --backend "$peer_ip:$ng1/weight=3,$peer_ip:$ng2"
fetch w 40
n1=$(served w "$ng1")
n2=$(served w "$ng2")
it_log "weights 3:1: $ng1 served $n1, $ng2 served $n2 of 40"
[ "$n1" = 30 ] && [ "$n2" = 10 ] || it_fail "weights 3:1 gave $n1:$n2 of 40, want 30:10"
tern_stop
grep -q "tern-proxy: backend $peer_ip:$ng1 up: conns 30 .* weight 3" "$TERN_LOG" ||
	it_fail "final summary: $(grep 'tern-proxy: backend' "$TERN_LOG" | tr '\n' ';')"

# --- 2. maglev: each client address keeps its backend ---
addrs=""
for i in 101 102 103 104 105 106; do
	a=${peer_ip%.*}.$i
	ip netns exec "$TERNLAB_NS_P" ip addr add "$a/32" dev "$TERNLAB_IF_P"
	addrs+="$a "
done
addrs_del() {
	local a
	for a in $addrs; do ip netns exec "$TERNLAB_NS_P" ip addr del "$a/32" dev "$TERNLAB_IF_P" 2>/dev/null || true; done
}
it_defer addrs_del
tern_start "$port" --backend "$peer_ip:$ng1,$peer_ip:$ng2,$peer_ip:$ng3" --lb maglev
grep -q '(maglev' "$TERN_LOG" || it_fail "ready line does not say maglev: $(grep ready "$TERN_LOG")"
used=" "
for a in $addrs; do
	tag=m${a##*.}
	fetch "$tag" 4 --interface "$a"
	for b in $ng1 $ng2 $ng3; do
		n=$(served "$tag" "$b")
		[ "$n" = 0 ] || [ "$n" = 4 ] || it_fail "maglev: client $a went to several backends: $(grep "?${tag}_" "$alog" | cut -d' ' -f2 | sort | uniq -c | tr '\n' ' ')"
		[ "$n" = 0 ] || { it_log "maglev: client $a: 4 of 4 to $b"; used+="$b "; }
	done
done
[ "$(echo "$used" | tr ' ' '\n' | sort -u | grep -c .)" -ge 2 ] ||
	it_fail "maglev: six client addresses all on one backend ($used)"
tern_stop
it_pass
