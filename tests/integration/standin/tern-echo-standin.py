#!/usr/bin/python3
"""Stand-in for tern-echo, to validate the integration harness before (or without) tern.

Speaks tern-echo's CLI ([EAL options] -- --ip A.B.C.D/LEN --listen PORT [--gw A] [--msl MS]
[--stats-interval S] [--close-after BYTES]) but uses the Linux TCP stack of the namespace it
runs in: it puts --ip on the af_packet interface (iface= of --vdev net_af_packet*, removed again
on exit), echoes with threads, and serves /tern/stats and /tern/gauges on a DPDK-style telemetry
v2 socket under /var/run/dpdk/<--file-prefix>/ (gauges from `ss` in the namespace).
Only the af_packet lab mode is meaningful, and --msl is ignored: Linux keeps TIME_WAIT for a
fixed 60 s, so close_by_tern's "TIME_WAIT expires after 2 MSL" check fails with the stand-in
(as it should: that check is about tern). Use:
  TERN_ECHO=tests/integration/standin/tern-echo-standin.py tests/integration/run.sh af_packet
"""
import json
import os
import signal
import socket
import subprocess
import sys
import threading


def die(msg):
    print(f"tern-echo-standin: {msg}", file=sys.stderr)
    sys.exit(2)


def parse(argv):
    if "--" not in argv:
        die("missing -- between EAL and app options")
    i = argv.index("--")
    eal, app = argv[:i], argv[i + 1:]
    prefix, iface = "rte", None
    for j, a in enumerate(eal):
        if a == "--file-prefix" and j + 1 < len(eal):
            prefix = eal[j + 1]
        if a == "--vdev" and j + 1 < len(eal) and eal[j + 1].startswith("net_af_packet"):
            for kv in eal[j + 1].split(",")[1:]:
                if kv.startswith("iface="):
                    iface = kv[6:]
    opts = {"ip": None, "listen": None, "close_after": None}
    j = 0
    while j < len(app):
        a = app[j]
        if a in ("--ip", "--listen", "--gw", "--msl", "--stats-interval", "--close-after"):
            if j + 1 >= len(app):
                die(f"option {a} needs a value")
            opts[a[2:].replace("-", "_")] = app[j + 1]
            j += 2
        else:
            die(f"unknown option {a}")
    if not opts["ip"] or not opts["listen"]:
        die("--ip and --listen are required")
    if not iface:
        die("stand-in supports only the af_packet profile")
    return prefix, iface, opts


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.c = {"tcp_passive_open": 0, "tcp_tw_enter": 0, "rx_pkts": 0}
        self.established = 0

    def add(self, k, n=1):
        with self.lock:
            self.c[k] += n


def ss_count(state):
    out = subprocess.run(["ss", "-Htan", "state", state], capture_output=True, text=True).stdout
    return len([ln for ln in out.splitlines() if ln.strip()])


def telemetry_server(path, st):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    srv.bind(path)
    srv.listen(4)

    def client(c):
        with c:
            c.send(json.dumps({"version": "tern-echo-standin", "pid": os.getpid(),
                               "max_output_len": 16384}).encode())
            while True:
                cmd = c.recv(1024).decode()
                if not cmd:
                    return
                if cmd == "/tern/stats":
                    with st.lock:
                        v = dict(st.c)
                elif cmd == "/tern/gauges":
                    v = {"established": st.established, "time_wait": ss_count("time-wait"),
                         "close_wait": ss_count("close-wait")}
                elif cmd == "/":
                    v = ["/", "/tern/stats", "/tern/gauges"]
                else:
                    v = None
                c.send(json.dumps({cmd.split(",")[0]: v}).encode())

    while True:
        c, _ = srv.accept()
        threading.Thread(target=client, args=(c,), daemon=True).start()


def serve_conn(c, st, close_after):
    with st.lock:
        st.established += 1
    done = 0
    try:
        while True:
            want = 65536 if close_after is None else min(65536, close_after - done)
            data = c.recv(want)
            if not data:
                break
            c.sendall(data)
            done += len(data)
            if close_after is not None and done >= close_after:
                st.add("tcp_tw_enter")  # we close first: TIME_WAIT here
                break
    except OSError:
        pass
    finally:
        with st.lock:
            st.established -= 1
        c.close()


def main():
    prefix, iface, opts = parse(sys.argv[1:])
    close_after = int(opts["close_after"]) if opts["close_after"] else None
    subprocess.run(["ip", "addr", "replace", opts["ip"], "dev", iface], check=True)
    st = Stats()
    rundir = os.path.join(os.environ.get("DPDK_RUNTIME_DIR", "/var/run/dpdk"), prefix)
    threading.Thread(target=telemetry_server, daemon=True,
                     args=(os.path.join(rundir, "dpdk_telemetry.v2"), st)).start()
    lsn = socket.socket()
    lsn.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsn.bind((opts["ip"].split("/")[0], int(opts["listen"])))
    lsn.listen(128)
    stop = threading.Event()

    def on_signal(*_):
        stop.set()
        lsn.close()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print(f"tern-echo-standin: ready, listening on {opts['ip']} port {opts['listen']}", flush=True)
    while not stop.is_set():
        try:
            c, _ = lsn.accept()
        except OSError:
            break
        st.add("tcp_passive_open")
        threading.Thread(target=serve_conn, args=(c, st, close_after), daemon=True).start()
    subprocess.run(["ip", "addr", "del", opts["ip"], "dev", iface], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
