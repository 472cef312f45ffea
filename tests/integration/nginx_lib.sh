# shellcheck shell=bash
# nginx in the peer namespace for the proxy tests. Not a test: source it after lib.sh and
# it_begin.
#
#   ngx_start ROOT PORT...  nginx serving directory ROOT on PEER_IP:PORT for every PORT, from
#                           a config generated into $IT_TMP/nginx (own pid file, error log and
#                           temp paths, `daemon off`, run with -p/-c/-e so /etc/nginx and the
#                           system service are never touched); waits until every port listens
#   ngx_stop                stop it by pid (also done at exit)
#
# Environment: NGX_MAX_LIFETIME (default 300 s; nginx runs under `timeout`);
#   NGX_LISTEN6=1         also listen on [TERNLAB_PEER_IP6]:PORT (lab.sh ipv6 on first)
#   NGX_PROXY_PROTOCOL=1  every listener expects a PROXY protocol header (v1 or v2: nginx
#                         takes either) and requests are logged to $NGX_DIR/access.log as
#                         "$proxy_protocol_addr $proxy_protocol_port $remote_addr $server_port
#                         $request_uri $status".
#   NGX_LOG=1             without PROXY protocol: requests logged to $NGX_DIR/access.log as
#                         "$remote_addr $server_port $request_uri $status".

: "${NGX_MAX_LIFETIME:=300}"
: "${NGX_PROXY_PROTOCOL:=0}"
: "${NGX_LOG:=0}"
: "${NGX_LISTEN6:=0}"
NGX_PID=
NGX_DIR=

ngx_stop() {
	local master
	[ -n "$NGX_PID" ] || return 0
	# The master's pid (file) first: SIGQUIT-free fast shutdown with SIGTERM.
	master=$(cat "$NGX_DIR/nginx.pid" 2>/dev/null || true)
	[ -z "$master" ] || kill -TERM "$master" 2>/dev/null || true
	ternlab_stop_pid "$NGX_PID" 5 >/dev/null 2>&1
	wait "$NGX_PID" 2>/dev/null || true
	NGX_PID=
}
it_defer ngx_stop

ngx_start() {
	local root=$1 p listen='' lopt='' alog="access_log off;"
	shift
	command -v nginx >/dev/null || it_fail "nginx not installed (dpdk-config/install-deps.sh test)"
	NGX_DIR=$IT_TMP/nginx
	mkdir -p "$NGX_DIR"
	if [ "$NGX_PROXY_PROTOCOL" = 1 ]; then
		lopt=" proxy_protocol"
		alog="log_format pp '\$proxy_protocol_addr \$proxy_protocol_port \$remote_addr \$server_port \$request_uri \$status';
    access_log $NGX_DIR/access.log pp;"
	elif [ "$NGX_LOG" = 1 ]; then
		alog="log_format plain '\$remote_addr \$server_port \$request_uri \$status';
    access_log $NGX_DIR/access.log plain;"
	fi
	for p in "$@"; do
		listen+="    listen $TERNLAB_PEER_IP:$p$lopt;"$'\n'
		[ "$NGX_LISTEN6" != 1 ] || listen+="    listen [$TERNLAB_PEER_IP6]:$p$lopt;"$'\n'
	done
	cat >"$NGX_DIR/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes 1;
user root;
pid $NGX_DIR/nginx.pid;
error_log $NGX_DIR/error.log warn;
events { worker_connections 4096; }
http {
    $alog
    keepalive_requests 1000000;
    client_body_temp_path $NGX_DIR/body;
    proxy_temp_path $NGX_DIR/proxy;
    fastcgi_temp_path $NGX_DIR/fastcgi;
    uwsgi_temp_path $NGX_DIR/uwsgi;
    scgi_temp_path $NGX_DIR/scgi;
    types { application/octet-stream bin; text/html html; }
    server {
$listen        root $root;
    }
}
CONF
	ip netns exec "$TERNLAB_NS_P" timeout -k 5 "$NGX_MAX_LIFETIME" nginx -p "$NGX_DIR" \
		-c "$NGX_DIR/nginx.conf" -e "$NGX_DIR/error.log" </dev/null >"$NGX_DIR/out" 2>&1 &
	NGX_PID=$!
	for p in "$@"; do
		wait_until 10 peer_port_listening "$p" ||
			it_fail "nginx not listening on $p: $(tail -n 3 "$NGX_DIR/error.log" "$NGX_DIR/out" 2>/dev/null | tr '\n' ' ')"
	done
	it_log "nginx (pid $NGX_PID) serves $root on ports $*"
}

peer_port_listening() {
	ip netns exec "$TERNLAB_NS_P" ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

# wrk_run NAME URL: bounded wrk from the peer (WRK_ARGS, default -d 5 -c 20 -t 1); its output
# goes to $IT_TMP/NAME.wrk; sets WRK_RPS. Fails the test on socket errors, non-2xx/3xx
# responses or no requests at all.
wrk_run() {
	local name=$1 url=$2 out
	out=$IT_TMP/$name.wrk
	# shellcheck disable=SC2086 # WRK_ARGS is a list of words
	peer wrk ${WRK_ARGS:--d 5 -c 20 -t 1} --timeout 5s "$url" >"$out" 2>&1 ||
		it_fail "wrk ($name) failed: $(tail -n 3 "$out" | tr '\n' ' ')"
	grep -q 'Socket errors' "$out" && it_fail "wrk ($name): $(grep 'Socket errors' "$out")"
	grep -q 'Non-2xx' "$out" && it_fail "wrk ($name): $(grep 'Non-2xx' "$out")"
	WRK_RPS=$(awk '/^Requests\/sec:/ {print $2}' "$out")
	[ -n "$WRK_RPS" ] || it_fail "wrk ($name): no Requests/sec line"
	awk '/requests in/ {exit !($1 > 0)}' "$out" || it_fail "wrk ($name): no requests completed"
	it_log "wrk ($name): $(grep 'requests in' "$out" | sed 's/^ *//'), $WRK_RPS req/s"
}
