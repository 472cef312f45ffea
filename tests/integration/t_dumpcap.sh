#!/bin/bash
# Packet capture of a running tern with dpdk-dumpcap (a DPDK secondary process; the apps
# initialise rte_pdump and print the command in a "capture:" line before "ready"): capture
# tern-echo's port while a Linux client in the peer connects from a known port, sends a line
# and closes; tshark must then read, in this order, the client's SYN, tern's SYN-ACK
# acknowledging it and the client's ACK of the SYN-ACK for exactly that 4-tuple (so both
# directions, RX and TX, are in the capture), then the echoed data from tern.
# Needs hugepages (a --no-huge primary cannot be captured: the app says so and this fails).
# usage: t_dumpcap.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin dumpcap "${1:-}"
command -v dpdk-dumpcap >/dev/null || it_fail "dpdk-dumpcap not installed (dpdk-dev)"
command -v tshark >/dev/null || it_fail "tshark not installed (dpdk-config/install-deps.sh test)"
port=7
cport=$((40000 + RANDOM % 20000))
lab_up
tern_start "$port"
line=$(grep -m1 ': capture: ' "$TERN_LOG" || true)
[ -n "$line" ] || it_fail "no capture line: $(grep -m1 'packet capture off' "$TERN_LOG" || echo '(no reason given)')"
[[ $line == *" dpdk-dumpcap --file-prefix=$TERN_PREFIX -i "* ]] ||
	it_fail "capture line names another file prefix than $TERN_PREFIX: $line"
dev=${line##* -i }
it_log "$line"

DC_PID=
dc_stop() {
	[ -n "$DC_PID" ] || return 0
	kill -INT "$DC_PID" 2>/dev/null || true
	ternlab_wait_pid "$DC_PID" 5 || ternlab_stop_pid "$DC_PID" 3
	wait "$DC_PID" 2>/dev/null || true
	DC_PID=
}
it_defer dc_stop
# -p: leave the port's promiscuous mode alone; -a: bounded even if nobody stops it.
timeout -k 2 60 ip netns exec "$TERNLAB_NS_T" stdbuf -o0 dpdk-dumpcap --file-prefix="$TERN_PREFIX" \
	-i "$dev" -p -a duration:30 -w "$IT_TMP/cap.pcapng" >"$IT_TMP/dumpcap.log" 2>&1 &
DC_PID=$!
wait_until 15 grep -q "^Capturing on" "$IT_TMP/dumpcap.log" ||
	it_fail "dpdk-dumpcap did not start capturing: $(tail -n 3 "$IT_TMP/dumpcap.log" | tr '\n' ' ')"

echo "dumpcap $cport" >"$IT_TMP/line"
# (peer runs its command in the background, whose stdin is /dev/null: hence the sh -c)
# shellcheck disable=SC2016 # expanded by that sh
peer sh -c 'timeout 10 nc -N -w 5 -p "$1" "$2" "$3" <"$4"' nc "$cport" "$TERNLAB_TERN_IP" "$port" \
	"$IT_TMP/line" >"$IT_TMP/nc.out" 2>&1 ||
	it_fail "nc through tern-echo failed: $(cat "$IT_TMP/nc.out")"
grep -q "dumpcap $cport" "$IT_TMP/nc.out" || it_fail "no echo: $(cat "$IT_TMP/nc.out")"
sleep 0.3 # the last frames reach the capture ring
dc_stop
it_log "dumpcap: $(tr '\n' ' ' <"$IT_TMP/dumpcap.log" | sed 's/  */ /g')"
tshark -r "$IT_TMP/cap.pcapng" -Y "tcp.port == $cport" -T fields -e ip.src -e tcp.srcport \
	-e ip.dst -e tcp.dstport -e tcp.flags -e tcp.seq -e tcp.ack -e tcp.len \
	>"$IT_TMP/cap.txt" 2>"$IT_TMP/tshark.err" || it_fail "tshark: $(cat "$IT_TMP/tshark.err")"
it_log "$(wc -l <"$IT_TMP/cap.txt") frames of port $cport captured"
res=$("$PY" - "$IT_TMP/cap.txt" "$TERNLAB_PEER_IP" "$cport" "$TERNLAB_TERN_IP" "$port" 2>&1 <<'PYEOF'
import sys
path, cip, cport, tip, tport = sys.argv[1:]
c2t, t2c = (cip, cport, tip, tport), (tip, tport, cip, cport)
want = [  # (direction, flags, relative seq, relative ack, what)
    (c2t, 0x002, 0, 0, "SYN from the client"),
    (t2c, 0x012, 0, 1, "SYN-ACK from tern acknowledging it"),
    (c2t, 0x010, 1, 1, "the client's ACK of the SYN-ACK"),
]
step = 0
echoed = False
for line in open(path):
    f = line.rstrip("\n").split("\t")
    if len(f) != 8:
        continue
    tup, flags, seq, ack, ln = tuple(f[:4]), int(f[4], 16), int(f[5]), int(f[6]), int(f[7])
    if tup not in (c2t, t2c):
        sys.exit("frame of another 4-tuple: %s" % line.strip())
    if step < len(want):
        d, fl, s, a, what = want[step]
        if tup == d and flags == fl and seq == s and (fl == 0x002 or ack == a) and ln == 0:
            step += 1
        continue
    if tup == t2c and ln > 0:
        echoed = True
if step < len(want):
    sys.exit("missing in the capture: %s (frames: %s)" % (want[step][4], open(path).read().replace("\n", "; ")))
if not echoed:
    sys.exit("no data from tern after the handshake in the capture")
print("SYN, SYN-ACK, ACK of %s:%s > %s:%s in order, then tern's echo" % (cip, cport, tip, tport))
PYEOF
) || it_fail "$res"
it_log "$res"
tern_stop
it_pass
