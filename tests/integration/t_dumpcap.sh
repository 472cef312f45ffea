#!/bin/bash
# Packet capture of a running tern with dpdk-dumpcap (a DPDK secondary process; the apps
# initialise rte_pdump and print the command in a "capture:" line before "ready"): capture
# tern-echo's port while a Linux client in the peer connects from a known port, sends a line
# and closes; tshark must then read, in this order, the client's SYN, tern's SYN-ACK
# acknowledging it and the client's ACK of the SYN-ACK for exactly that 4-tuple (so both
# directions, RX and TX, are in the capture), then the echoed data from tern.
# In af_packet mode also per queue: tern-echo with two engines and dpdk-pdump writing one file
# per queue and direction; together they hold the handshake, the SYN-ACK once.
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
lab_up
cport=$(peer_free_port)
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
# handshake_check ordered|any CPORT FILE...: the frames of CPORT in the captures FILE...
# hold the client's SYN, tern's SYN-ACK acknowledging it (ack = SYN's seq + 1) and the
# client's ACK of the SYN-ACK (seq = SYN's + 1, ack = SYN-ACK's + 1), then data from tern;
# "ordered": in this order in the (one) file; "any": anywhere in the files (dpdk-pdump's
# files are stamped as its secondary dequeues each queue's ring, so time does not order
# frames across files). Absolute sequence numbers: a file may hold one direction only.
# Prints what it found, fails the test if not.
handshake_check() {
	local order=$1 cport=$2 f=$3 res
	shift 2
	if [ $# -gt 1 ]; then # one tshark run (each takes about a second to start)
		f=$IT_TMP/merged.pcapng
		mergecap -w "$f" "$@" 2>"$IT_TMP/mergecap.err" || it_fail "mergecap: $(cat "$IT_TMP/mergecap.err")"
	fi
	tshark -n -r "$f" -o tcp.relative_sequence_numbers:FALSE -Y "tcp.port == $cport" \
		-T fields -e frame.time_epoch -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport \
		-e tcp.flags -e tcp.seq -e tcp.ack -e tcp.len \
		>"$IT_TMP/cap.txt" 2>"$IT_TMP/tshark.err" || it_fail "tshark $f: $(cat "$IT_TMP/tshark.err")"
	it_log "$(wc -l <"$IT_TMP/cap.txt") frames of port $cport captured in $# file(s)"
	res=$("$PY" - "$order" "$IT_TMP/cap.txt" "$TERNLAB_PEER_IP" "$cport" "$TERNLAB_TERN_IP" "$port" 2>&1 <<'PYEOF'
import sys
order, path, cip, cport, tip, tport = sys.argv[1:]
c2t, t2c = (cip, cport, tip, tport), (tip, tport, cip, cport)
frames = []
for line in open(path):
    f = line.rstrip("\n").split("\t")
    if len(f) != 9:
        continue
    frames.append((float(f[0]), tuple(f[1:5]), int(f[5], 16), int(f[6]), int(f[7] or 0), int(f[8])))
if order == "any":  # each step may be found anywhere: look for the SYN, the SYN-ACK ... first
    frames.sort(key=lambda x: (0 if x[2] == 0x002 else 1 if x[2] == 0x012 else 2 if x[2] == 0x010 and x[5] == 0 and x[1] == c2t else 3))
syn = synack = ack = echoed = None
for t, tup, flags, seq, ackn, ln in frames:
    if tup not in (c2t, t2c):
        sys.exit("frame of another 4-tuple: %s" % (tup,))
    if syn is None:
        if tup == c2t and flags == 0x002:
            syn = seq
    elif synack is None:
        if tup == t2c and flags == 0x012 and ackn == (syn + 1) % 2**32:
            synack = seq
    elif ack is None:
        if tup == c2t and flags == 0x010 and ln == 0 and seq == (syn + 1) % 2**32 and ackn == (synack + 1) % 2**32:
            ack = True
    elif tup == t2c and ln > 0:
        echoed = True
missing = ("SYN from the client" if syn is None else
           "SYN-ACK from tern acknowledging the SYN" if synack is None else
           "the client's ACK of the SYN-ACK" if ack is None else
           "data from tern after the handshake" if echoed is None else None)
if missing:
    sys.exit("missing in the capture: %s (frames: %s)" % (missing, "; ".join(
        "%s:%s>%s:%s f=%#x seq=%d ack=%d len=%d" % (tp + (fl, sq, ak, ln)) for _, tp, fl, sq, ak, ln in frames)))
print("SYN, SYN-ACK, ACK of %s:%s > %s:%s%s, then tern's echo" % (cip, cport, tip, tport, " in order" if order == "ordered" else ""))
PYEOF
	) || it_fail "$res"
	it_log "$res"
}
handshake_check ordered "$cport" "$IT_TMP/cap.pcapng"
tern_stop

# --- 2 (af_packet): two engines, one capture file per queue and direction (dpdk-pdump) ---
# The kernel's fanout spreads the client's frames over the two queues and the flow's owner
# engine sends on its own queue: the four files together hold the handshake, and tern's
# SYN-ACK is in them once.
[ "$IT_MODE" = af_packet ] || it_pass
tern_engines 2
tern_start "$port"
tern_steering
PD_PID=
pd_stop() {
	[ -n "$PD_PID" ] || return 0
	kill -INT "$PD_PID" 2>/dev/null || true
	ternlab_wait_pid "$PD_PID" 5 || ternlab_stop_pid "$PD_PID" 3
	wait "$PD_PID" 2>/dev/null || true
	PD_PID=
}
it_defer pd_stop
pd=()
for q in 0 1; do
	pd+=(--pdump "port=0,queue=$q,rx-dev=$IT_TMP/rx$q.pcap,tx-dev=$IT_TMP/tx$q.pcap")
done
timeout -k 2 60 ip netns exec "$TERNLAB_NS_T" stdbuf -o0 dpdk-pdump --file-prefix="$TERN_PREFIX" \
	-- "${pd[@]}" >"$IT_TMP/pdump.log" 2>&1 &
PD_PID=$!
wait_until 15 grep -q 'capture for (2) tuples' "$IT_TMP/pdump.log" ||
	it_fail "dpdk-pdump did not start: $(tail -n 3 "$IT_TMP/pdump.log" | tr '\n' ' ')"
cport=$(peer_free_port)
echo "pdump $cport" >"$IT_TMP/line"
# shellcheck disable=SC2016 # expanded by that sh
peer sh -c 'timeout 10 nc -N -w 5 -p "$1" "$2" "$3" <"$4"' nc "$cport" "$TERNLAB_TERN_IP" "$port" \
	"$IT_TMP/line" >"$IT_TMP/nc.out" 2>&1 ||
	it_fail "nc through tern-echo (2 engines) failed: $(cat "$IT_TMP/nc.out")"
grep -q "pdump $cport" "$IT_TMP/nc.out" || it_fail "no echo (2 engines): $(cat "$IT_TMP/nc.out")"
sleep 0.3
pd_stop
handshake_check any "$cport" "$IT_TMP"/rx0.pcap "$IT_TMP"/rx1.pcap "$IT_TMP"/tx0.pcap "$IT_TMP"/tx1.pcap
# tern sends each frame once, from one engine's queue: one SYN-ACK in all four files.
n=$(awk -F'\t' '$6 == "0x0012"' "$IT_TMP/cap.txt" | wc -l)
[ "$n" = 1 ] || it_fail "tern's SYN-ACK is $n times in the queue files, want once"
for q in 0 1; do
	it_log "queue $q: rx $(stat -c %s "$IT_TMP/rx$q.pcap") B, tx $(stat -c %s "$IT_TMP/tx$q.pcap") B of pcap"
done
tern_stop
it_pass
