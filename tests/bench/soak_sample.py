#!/usr/bin/python3
"""Sampler for soak_proxy.sh (stdlib only): every INTERVAL seconds, one JSON line with
tern's gauges (total and per engine, DPDK telemetry), a few counters, the proxy's metrics
(--metrics, scraped inside tern's namespace), the process's RSS and the peer's TCP states
toward tern, until STOP_FILE exists or the process is gone.

usage: soak_sample.py PREFIX PID NS_T METRICS_ADDR NS_P TERN_IP PHASE_FILE INTERVAL STOP_FILE
"""
import json
import os
import socket
import subprocess
import sys
import time

prefix, pid, ns_t, maddr, ns_p, tern_ip, phase_file, interval, stop = sys.argv[1:10]
interval = float(interval)
path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix


def tel(cmds):
    out = {}
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(3)
    try:
        s.connect(path)
        g = json.loads(s.recv(4096).decode())
        mx = int(g.get("max_output_len", 16384))
        for c in cmds:
            s.send(c.encode())
            r = json.loads(s.recv(mx).decode())
            out[c] = next(iter(r.values())) if isinstance(r, dict) and len(r) == 1 else r
    except (OSError, ValueError) as e:
        out["error"] = str(e)
    finally:
        s.close()
    return out


def metrics():
    try:
        r = subprocess.run(["ip", "netns", "exec", ns_t, "curl", "-sS", "-m", "3",
                            "http://%s/metrics" % maddr], capture_output=True, timeout=6)
    except subprocess.TimeoutExpired:
        return {"error": "timeout"}
    m = {}
    for line in r.stdout.decode(errors="replace").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        k, _, v = line.rpartition(" ")
        if k.startswith("tern_proxy") or k in ("tern_mbufs_free", "tern_mbufs_low",
                                               "tern_established", "tern_tcp_passive_open_total",
                                               "tern_tcp_active_open_total"):
            try:
                m[k] = int(float(v))
            except ValueError:
                pass
    return m


def peer_states():
    try:
        r = subprocess.run(["ip", "netns", "exec", ns_p, "ss", "-Htan"], capture_output=True,
                           timeout=6)
    except subprocess.TimeoutExpired:
        return {"error": "timeout"}
    st = {}
    for line in r.stdout.decode().splitlines():
        f = line.split()
        if len(f) < 5 or f[0] == "LISTEN":
            continue
        if not (f[4].startswith(tern_ip + ":") or f[3].startswith(tern_ip + ":")):
            continue
        st[f[0]] = st.get(f[0], 0) + 1
    return st


def rss():
    try:
        with open("/proc/%s/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


t0 = time.monotonic()
while not os.path.exists(stop):
    if not os.path.exists("/proc/%s" % pid):
        print(json.dumps({"t": round(time.monotonic() - t0, 1), "gone": True}), flush=True)
        break
    try:
        phase = open(phase_file).read().strip()
    except OSError:
        phase = "?"
    tl = tel(["/tern/gauges", "/tern/gauges,0", "/tern/gauges,1", "/tern/stats"])
    st = tl.get("/tern/stats") or {}
    keep = ("tcp_passive_open", "tcp_active_open", "tcp_rst_tx", "tcp_rst_rx",
            "tcp_syncookie_sent", "drop_no_mbuf", "drop_tcp_rcv_pool_low", "drop_steer_ring_full",
            "nobufs_wait", "nobufs_wakeup")
    rec = {
        "t": round(time.monotonic() - t0, 1),
        "wall": time.strftime("%H:%M:%S"),
        "phase": phase,
        "rss_kb": rss(),
        "g": tl.get("/tern/gauges"),
        "g0": tl.get("/tern/gauges,0"),
        "g1": tl.get("/tern/gauges,1"),
        "s": {k: st.get(k) for k in keep if k in st},
        "m": metrics(),
        "peer": peer_states(),
    }
    if "error" in tl:
        rec["tel_error"] = tl["error"]
    print(json.dumps(rec, sort_keys=True), flush=True)
    # sleep in small steps so a stop is seen quickly
    end = time.monotonic() + interval
    while time.monotonic() < end and not os.path.exists(stop):
        time.sleep(0.25)
