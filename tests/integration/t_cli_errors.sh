#!/bin/bash
# tern-echo's, tern-http's and tern-proxy's answers to bad input and misconfiguration: each
# case must exit with the documented status and one readable line naming the problem - never
# a crash.
# Needs no lab: a private namespace with only `lo` gives af_packet an interface.
# Prints "PASS cli_<case>" / "FAIL cli_<case>: why" lines and "N passed, N failed".
# usage: t_cli_errors.sh [BUILD_DIR]
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-${TERN_BUILD:-$top/build}}
echo_bin=$build/apps/tern-echo/tern-echo
http_bin=$build/apps/tern-http/tern-http
proxy_bin=$build/apps/tern-proxy/tern-proxy
bin=$echo_bin
ns=terncli-$$
passed=0
failed=0
cleanup() {
	ip netns del "$ns" 2>/dev/null
	rm -rf /var/run/dpdk/terncli-$$-* 2>/dev/null
}
trap cleanup EXIT
ip netns add "$ns" && ip -n "$ns" link set lo up || { echo "FAIL cli: cannot make a namespace"; exit 1; }

n=0
# check NAME WANT_STATUS REGEX -- args... (of $bin: tern-echo, then tern-http, tern-proxy)
check() {
	local name=$1 want=$2 re=$3 out rc
	shift 4
	n=$((n + 1))
	out=$(timeout 30 ip netns exec "$ns" "$bin" "$@" 2>&1)
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL cli_$name: exit status $rc, want $want; output: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
		failed=$((failed + 1))
	elif ! echo "$out" | grep -qE "$re"; then
		echo "FAIL cli_$name: no line matching /$re/; output: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
		failed=$((failed + 1))
	else
		echo "PASS cli_$name: $(echo "$out" | grep -E "$re" | head -n 1)"
		passed=$((passed + 1))
	fi
}
eal() { echo "--no-huge -m ${2:-256} --no-pci --file-prefix terncli-$$-$1 -l 0"; }
vdev="--vdev net_af_packet0,iface=lo"

# shellcheck disable=SC2046
{
check help 0 '^Usage: tern-echo' -- --help
check no_ip 2 '^tern-echo: --ip A.B.C.D/LEN is required' -- $(eal a) $vdev -- --listen 7
check bad_ip 2 "^tern-echo: --ip '1.2.3/24'" -- $(eal b) $vdev -- --ip 1.2.3/24 --listen 7
check bad_prefix 2 'prefix length must be 1..32' -- $(eal c) $vdev -- --ip 10.0.0.1/33 --listen 7
check no_listen 2 '^tern-echo: --listen PORT is required' -- $(eal d) $vdev -- --ip 198.18.0.1/24
check bad_port 2 "^tern-echo: --listen '70000'" -- $(eal e) $vdev -- --ip 198.18.0.1/24 --listen 70000
check unknown_opt 2 "^tern-echo: unknown option '--bogus'" -- $(eal f) $vdev -- --ip 198.18.0.1/24 --listen 7 --bogus
check missing_value 2 "needs a value" -- $(eal g) $vdev -- --ip 198.18.0.1/24 --listen
check bad_msl 2 "^tern-echo: --msl 'abc'" -- $(eal h) $vdev -- --ip 198.18.0.1/24 --listen 7 --msl abc
check no_port 2 '^tern-echo: no DPDK port' -- $(eal i) -- --ip 198.18.0.1/24 --listen 7
check bad_vdev 2 '^tern-echo: no DPDK port: the --vdev device did not probe' -- $(eal j) --vdev net_af_packet0,iface=nosuchif0 -- --ip 198.18.0.1/24 --listen 7
check lcores_gt_queues 1 'use fewer lcores' -- --no-huge -m 256 --no-pci --file-prefix terncli-$$-k --lcores 0@0,1@0,2@0 $vdev -- --ip 198.18.0.1/24 --listen 7
check no_memory 1 '^tern-echo: cannot allocate [0-9]+ mbufs' -- $(eal l 64) $vdev -- --ip 198.18.0.1/24 --listen 7 --mbufs 400000
check bad_cc 2 "^tern-echo: --cc 'vegas': unknown algorithm \\(have: cubic, newreno\\)" -- $(eal m) $vdev -- --ip 198.18.0.1/24 --listen 7 --cc vegas
check bad_delack 2 "^tern-echo: --delack-ms '600': expected 0..500" -- $(eal n) $vdev -- --ip 198.18.0.1/24 --listen 7 --delack-ms 600
check bad_keepalive 2 "^tern-echo: --keepalive '10,20': expected IDLE_MS,INTERVAL_MS,PROBES" -- $(eal o) $vdev -- --ip 198.18.0.1/24 --listen 7 --keepalive 10,20
check bad_rcvbuf 2 "^tern-echo: --rcvbuf '12': expected bytes" -- $(eal p) $vdev -- --ip 198.18.0.1/24 --listen 7 --rcvbuf 12
check bad_syncookies 2 "^tern-echo: --syncookies 'yes': expected auto, always or off" -- $(eal q) $vdev -- --ip 198.18.0.1/24 --listen 7 --syncookies yes
check bad_synq_size 2 "^tern-echo: --synq-size '0': expected 1..16777216" -- $(eal r) $vdev -- --ip 198.18.0.1/24 --listen 7 --synq-size 0
check bad_syn_retries 2 "^tern-echo: --syn-retries '11': expected 1..10" -- $(eal s) $vdev -- --ip 198.18.0.1/24 --listen 7 --syn-retries 11
check synq_no_memory 1 "^tern-echo: engine 0: out of memory .*--synq-size / --max-tw" -- $(eal t) $vdev -- --ip 198.18.0.1/24 --listen 7 --synq-size 16777216
check bad_tw_reuse 2 "^tern-echo: --tw-reuse 'yes': expected on or off" -- $(eal u) $vdev -- --ip 198.18.0.1/24 --listen 7 --tw-reuse yes
check bad_tw_reuse_delay 2 "^tern-echo: --tw-reuse-delay '0': expected milliseconds, 1..3600000" -- $(eal v) $vdev -- --ip 198.18.0.1/24 --listen 7 --tw-reuse-delay 0
check bad_max_tw 2 "^tern-echo: --max-tw '-1': expected 1..16777216" -- $(eal w) $vdev -- --ip 198.18.0.1/24 --listen 7 --max-tw -1
check bad_port_range 2 "^tern-echo: --port-range '5000': expected LO-HI with 1 <= LO <= HI <= 65535" -- $(eal pr1) $vdev -- --ip 198.18.0.1/24 --listen 7 --port-range 5000
check port_range_reversed 2 "^tern-echo: --port-range '6000-5000': expected LO-HI" -- $(eal pr2) $vdev -- --ip 198.18.0.1/24 --listen 7 --port-range 6000-5000
check port_range_too_small 2 "^tern-echo: --port-range 40000-40000: 1 port for 2 engines; each engine needs a share" -- --no-huge -m 256 --no-pci --file-prefix terncli-$$-pr3 --lcores 0@0,1@0,2@0 --vdev net_af_packet0,iface=lo,qpairs=2 -- --ip 198.18.0.1/24 --listen 7 --port-range 40000-40000
check bad_src_ip 2 "^tern-echo: --src-ip '198.18.0.3,1.2.3': '1.2.3' is not a unicast IPv4 address" -- $(eal si1) $vdev -- --ip 198.18.0.1/24 --listen 7 --src-ip 198.18.0.3,1.2.3
check src_ip_is_ip 2 "^tern-echo: --src-ip: 198.18.0.1 is already the --ip address" -- $(eal si2) $vdev -- --ip 198.18.0.1/24 --listen 7 --src-ip 198.18.0.1
check src_ip_twice 2 "^tern-echo: --src-ip '198.18.0.3,198.18.0.3': '198.18.0.3' given twice" -- $(eal si3) $vdev -- --ip 198.18.0.1/24 --listen 7 --src-ip 198.18.0.3,198.18.0.3
check bad_ip6 2 "^tern-echo: --ip '2001:2::zz/64': '2001:2::zz' is not an IPv6 address" -- $(eal v6a) $vdev -- --ip 198.18.0.1/24 --ip 2001:2::zz/64 --listen 7
check bad_prefix6 2 "^tern-echo: --ip '2001:2::1/129': IPv6 prefix length must be 1..128" -- $(eal v6b) $vdev -- --ip 198.18.0.1/24 --ip 2001:2::1/129 --listen 7
check ip6_linklocal 2 "^tern-echo: --ip 'fe80::1/64': expected a unicast IPv6 address that is not link-local" -- $(eal v6c) $vdev -- --ip 198.18.0.1/24 --ip fe80::1/64 --listen 7
check ip6_twice 2 "^tern-echo: --ip '2001:2::3/64': an IPv6 address was given already" -- $(eal v6d) $vdev -- --ip 198.18.0.1/24 --ip 2001:2::1/64 --ip 2001:2::3/64 --listen 7
check ip4_twice 2 "^tern-echo: --ip '198.18.0.3/24': an IPv4 address was given already" -- $(eal v6e) $vdev -- --ip 198.18.0.1/24 --ip 198.18.0.3/24 --listen 7
check gw6_no_ip6 2 "^tern-echo: --gw: an IPv6 gateway needs an IPv6 --ip" -- $(eal v6f) $vdev -- --ip 198.18.0.1/24 --gw 2001:2::2 --listen 7
check bad_gw6 2 "^tern-echo: --gw 'ff02::1' is not a unicast IPv6 address" -- $(eal v6g) $vdev -- --ip 198.18.0.1/24 --ip 2001:2::1/64 --gw ff02::1 --listen 7
check ip6_only 2 '^tern-echo: --ip A.B.C.D/LEN is required' -- $(eal v6h) $vdev -- --ip 2001:2::1/64 --listen 7

bin=$http_bin
ip="--ip 198.18.0.1/24"
check http_help 0 '^Usage: tern-http' -- --help
check http_no_body 2 '^tern-http: --body-size BYTES is required' -- $(eal ha) $vdev -- $ip --listen 80
check http_bad_body 2 "^tern-http: --body-size '-5': expected bytes" -- $(eal hb) $vdev -- $ip --listen 80 --body-size -5
check http_big_body 2 "^tern-http: --body-size '2000000000000': expected bytes, 0..1099511627776" -- $(eal hc) $vdev -- $ip --listen 80 --body-size 2000000000000
check http_no_listen 2 '^tern-http: --listen PORT is required' -- $(eal hd) $vdev -- $ip --body-size 10
check http_bad_header 2 "^tern-http: --max-header '100': expected bytes, 256..1048576" -- $(eal he) $vdev -- $ip --listen 80 --body-size 10 --max-header 100
check http_unknown 2 "^tern-http: unknown option '--backend'" -- $(eal hf) $vdev -- $ip --listen 80 --body-size 10 --backend 1.2.3.4:5

bin=$proxy_bin
be="--backend 198.18.0.2:80"
check proxy_help 0 '^Usage: tern-proxy' -- --help
check proxy_no_backend 2 '^tern-proxy: --backend IP:PORT\[,IP:PORT...\] is required' -- $(eal pa) $vdev -- $ip --listen 80
check proxy_empty_list 2 "^tern-proxy: --backend '': empty list" -- $(eal pb) $vdev -- $ip --listen 80 --backend ''
check proxy_empty_entry 2 "^tern-proxy: --backend '198.18.0.2:80,': empty entry" -- $(eal pc) $vdev -- $ip --listen 80 --backend 198.18.0.2:80,
check proxy_bad_ip 2 "^tern-proxy: --backend '198.18.0:80': '198.18.0' is not an IPv4 address" -- $(eal pd) $vdev -- $ip --listen 80 --backend 198.18.0:80
check proxy_no_port 2 "^tern-proxy: --backend '198.18.0.2': '198.18.0.2' is not IP:PORT" -- $(eal pe) $vdev -- $ip --listen 80 --backend 198.18.0.2
check proxy_bad_port 2 "^tern-proxy: --backend '198.18.0.2:70000': port '70000' is not 1..65535" -- $(eal pf) $vdev -- $ip --listen 80 --backend 198.18.0.2:70000
check proxy_port0 2 "port '0' is not 1..65535" -- $(eal pg) $vdev -- $ip --listen 80 --backend 198.18.0.2:0
check proxy_duplicate 2 "^tern-proxy: --backend '198.18.0.2:80,198.18.0.3:80,198.18.0.2:80': 198.18.0.2:80 given twice" -- $(eal ph) $vdev -- $ip --listen 80 --backend 198.18.0.2:80,198.18.0.3:80,198.18.0.2:80
check proxy_duplicate_opts 2 "198.18.0.2:80 given twice" -- $(eal pi) $vdev -- $ip --listen 80 $be $be
check proxy_own_ip 2 "^tern-proxy: --backend 198.18.0.1:80: that is our own address" -- $(eal pj) $vdev -- $ip --listen 80 --backend 198.18.0.1:80
check proxy_v6_needs_ip6 2 "^tern-proxy: --backend \[2001:2::9\]:80: an IPv6 backend needs an IPv6 --ip" -- $(eal pv1) $vdev -- $ip --listen 80 --backend '[2001:2::9]:80'
check proxy_v6_bad 2 "^tern-proxy: --backend '\[2001:2::zz\]:80': '\[2001:2::zz\]' is not an IPv4 address or a bracketed IPv6" -- $(eal pv2) $vdev -- $ip --listen 80 --backend '[2001:2::zz]:80'
check proxy_v6_unbracketed 2 "^tern-proxy: --backend '2001:2::9:80': '2001:2::9' is not an IPv4 address" -- $(eal pv3) $vdev -- $ip --listen 80 --backend 2001:2::9:80
check proxy_off_link 2 "^tern-proxy: --backend 10.1.1.1:80: not on-link for --ip and no --gw" -- $(eal pk) $vdev -- $ip --listen 80 --backend 10.1.1.1:80
check proxy_bad_lb 2 "^tern-proxy: --lb 'random': expected rr or least-conn" -- $(eal pl) $vdev -- $ip --listen 80 $be --lb random
check proxy_bad_connect_timeout 2 "^tern-proxy: --connect-timeout '0': expected milliseconds, 1..600000" -- $(eal pm) $vdev -- $ip --listen 80 $be --connect-timeout 0
check proxy_bad_idle 2 "^tern-proxy: --idle-timeout '1d': expected seconds, 0..86400" -- $(eal pn) $vdev -- $ip --listen 80 $be --idle-timeout 1d
check proxy_bad_retry 2 "^tern-proxy: --retry-down '0': expected seconds, 1..3600" -- $(eal po) $vdev -- $ip --listen 80 $be --retry-down 0
check proxy_bad_buffer 2 "^tern-proxy: --buffer '100': expected bytes, 2048..1073741824" -- $(eal pp) $vdev -- $ip --listen 80 $be --buffer 100
check proxy_no_listen 2 '^tern-proxy: --listen PORT is required' -- $(eal pq) $vdev -- $ip $be
check proxy_bad_pp 2 "^tern-proxy: --proxy-protocol 'v3': expected v1, v2 or none" -- $(eal pr) $vdev -- $ip --listen 80 $be --proxy-protocol v3
check proxy_bad_pp_backend 2 "^tern-proxy: --backend '198.18.0.2:80/V2': '/V2' is not /v1, /v2 or /none" -- $(eal ps) $vdev -- $ip --listen 80 --backend 198.18.0.2:80/V2
check proxy_empty_pp_backend 2 "^tern-proxy: --backend '198.18.0.2:80/': '/' is not /v1" -- $(eal pt) $vdev -- $ip --listen 80 --backend 198.18.0.2:80/
# --metrics (a common option): syntax at parse time, the address when it is bound (before
# the port starts), each one line and status 2 (these run in a namespace with only lo).
bin=$echo_bin
check metrics_no_port 2 "^tern-echo: --metrics '127.0.0.1': expected IP:PORT" -- $(eal ma) $vdev -- --ip 198.18.0.1/24 --listen 7 --metrics 127.0.0.1
check metrics_bad_ip 2 "^tern-echo: --metrics 'localhost:9100': 'localhost' is not an IPv4 address" -- $(eal mb) $vdev -- --ip 198.18.0.1/24 --listen 7 --metrics localhost:9100
check metrics_port0 2 "^tern-echo: --metrics '127.0.0.1:0': port '0' is not 1..65535" -- $(eal mc) $vdev -- --ip 198.18.0.1/24 --listen 7 --metrics 127.0.0.1:0
check metrics_not_local 2 "^tern-echo: --metrics 10.9.9.9:9100: cannot listen: Cannot assign requested address" -- $(eal md) $vdev -- --ip 198.18.0.1/24 --listen 7 --metrics 10.9.9.9:9100
check bad_poll_mode 2 "^tern-echo: --poll-mode 'spin': expected busy, backoff or auto" -- $(eal qa) $vdev -- --ip 198.18.0.1/24 --listen 7 --poll-mode spin
check empty_poll_mode 2 "^tern-echo: --poll-mode '': expected busy, backoff or auto" -- $(eal qb) $vdev -- --ip 198.18.0.1/24 --listen 7 --poll-mode ''
check bad_idle_sleep 2 "^tern-echo: --idle-sleep-us '0': expected microseconds, 1..100000" -- $(eal qc) $vdev -- --ip 198.18.0.1/24 --listen 7 --idle-sleep-us 0
check big_idle_sleep 2 "^tern-echo: --idle-sleep-us '1000000': expected microseconds, 1..100000" -- $(eal qd) $vdev -- --ip 198.18.0.1/24 --listen 7 --idle-sleep-us 1000000
bin=$http_bin
check http_bad_poll_mode 2 "^tern-http: --poll-mode 'BUSY': expected busy, backoff or auto" -- $(eal qe) $vdev -- --ip 198.18.0.1/24 --listen 80 --poll-mode BUSY
bin=$echo_bin
}
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
