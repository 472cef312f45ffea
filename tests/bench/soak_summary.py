#!/usr/bin/python3
"""Summary of a soak_proxy.sh run: usage: soak_summary.py OUT_DIR (stdlib only).
Reads samples.jsonl, final_stats.json, final_gauges.json, final.prom, tern.log; prints the
start / peak / end of the sampled figures and the end-of-run consistency checks, each
"ok" or "CHECK" (for a person to look at: this is not a pass/fail test)."""
import json
import re
import sys

out = sys.argv[1]
S = [json.loads(l) for l in open(out + "/samples.jsonl") if l.startswith("{")]
S = [s for s in S if not s.get("gone")]


def series(f):
    v = []
    for s in S:
        try:
            x = f(s)
        except (KeyError, TypeError):
            x = None
        if x is not None:
            v.append((s["phase"], x))
    return v


def sp(name, f):
    v = series(f)
    if not v:
        print("%-28s (no samples)" % name)
        return v
    pk = max(v, key=lambda p: p[1])
    lo = min(v, key=lambda p: p[1])
    print("%-28s start %-9s min %-9s (%s) peak %-9s (%s) end %s" % (name, v[0][1], lo[1], lo[0], pk[1], pk[0], v[-1][1]))
    return v


print("samples: %d, phases: %s" % (len(S), " ".join(dict.fromkeys(s["phase"] for s in S))))
mb = sp("mbufs_free", lambda s: s["g"]["mbufs_free"])
sp("mbufs_free engine 0", lambda s: s["g0"]["mbufs_free"])
sp("mbufs_free engine 1", lambda s: s["g1"]["mbufs_free"])
rss = sp("rss_kb", lambda s: s["rss_kb"])
for k in ("established", "syn_queue", "time_wait", "fin_wait_1", "fin_wait_2", "close_wait",
          "last_ack", "closing", "syn_sent", "syn_rcvd", "timers", "conns"):
    if S and S[0].get("g") and k in S[0]["g"]:
        sp("gauge " + k, lambda s, k=k: s["g"][k])
sp("est engine 0", lambda s: s["g0"]["established"])
sp("est engine 1", lambda s: s["g1"]["established"])
sp("proxy active (metric)", lambda s: s["m"]["tern_proxy_active"])
sp("peer ESTAB toward tern", lambda s: s["peer"].get("ESTAB", 0))
sp("peer CLOSE-WAIT", lambda s: s["peer"].get("CLOSE-WAIT", 0))
sp("peer FIN-WAIT-2", lambda s: s["peer"].get("FIN-WAIT-2", 0))
sp("drop no_mbuf", lambda s: s["s"].get("drop_no_mbuf"))
sp("drop tcp_rcv_pool_low", lambda s: s["s"].get("drop_tcp_rcv_pool_low"))
sp("drop steer_ring_full", lambda s: s["s"].get("drop_steer_ring_full"))

print("\n-- end of run checks --")
checks = []


def chk(ok, what):
    checks.append(ok)
    print("%-6s %s" % ("ok" if ok else "CHECK", what))


st = json.load(open(out + "/final_stats.json"))
ga = json.load(open(out + "/final_gauges.json"))
prom = {}
for line in open(out + "/final.prom"):
    if line.startswith("#") or not line.strip():
        continue
    k, _, v = line.rstrip("\n").rpartition(" ")
    prom[k] = float(v)
warm = [x for p, x in mb if p in ("warmup", "start")]
if warm and mb:
    chk(mb[-1][1] >= max(warm) - 64, "mbufs free at the end %d vs %d after warm-up" % (mb[-1][1], max(warm)))
for k in ("established", "syn_queue", "fin_wait_1", "fin_wait_2", "close_wait", "last_ack",
          "closing", "syn_sent", "syn_rcvd", "time_wait"):
    if k in ga:
        chk(ga[k] == 0, "gauge %s = %d at the end" % (k, ga[k]))
chk(prom.get("tern_proxy_active") == 0, "tern_proxy_active = %s" % prom.get("tern_proxy_active"))
ba = {k: v for k, v in prom.items() if k.startswith("tern_proxy_backend_active")}
chk(all(v == 0 for v in ba.values()), "backend active: %s" % ba)
clients = prom.get("tern_proxy_clients_total")
chk(clients == st.get("tcp_passive_open"), "proxy clients %s vs tcp_passive_open %s" % (clients, st.get("tcp_passive_open")))
# metrics vs telemetry (taken a moment apart, at rest)
diff = []
for k, v in st.items():
    key = "tern_engines" if k == "engines" else ('tern_drops_total{reason="%s"}' % k[5:] if k.startswith("drop_") else "tern_%s_total" % k)
    if key in prom and prom[key] != v:
        diff.append("%s tel %s prom %s" % (k, v, prom[key]))
chk(not diff, "metrics = telemetry at rest: %s" % ("; ".join(diff[:6]) or "all equal"))
log = open(out + "/tern.log").read()
stl = [l for l in log.splitlines() if "stats:" in l]
if stl:
    m = re.search(r"clients (\d+) active (\d+) rejected (\d+) timeouts connect (\d+) idle (\d+) port_waits (\d+)", stl[-1])
    if m:
        c, a, r, ct, it, pw = map(int, m.groups())
        chk(c == clients and a == 0, "last stats line clients %d active %d (metric %s)" % (c, a, clients))
        chk(r == prom.get("tern_proxy_rejected_total"), "rejected: stats %d metric %s" % (r, prom.get("tern_proxy_rejected_total")))
conns = sum(v for k, v in prom.items() if k.startswith("tern_proxy_backend_connections_total"))
fails = sum(v for k, v in prom.items() if k.startswith("tern_proxy_backend_failures_total"))
print("       backend conns %d failures %d, rejected %s, clients %s, connect timeouts %s, idle timeouts %s, port waits %s" % (
    conns, fails, prom.get("tern_proxy_rejected_total"), clients, prom.get("tern_proxy_connect_timeouts_total"),
    prom.get("tern_proxy_idle_timeouts_total"), prom.get("tern_proxy_port_waits_total")))
fin = [l for l in log.splitlines() if l.startswith("tern-proxy: backend ") and "conns" in l and "failures" in l]
for l in fin:
    print("       " + l)
d = [l for l in log.splitlines() if "drained:" in l]
chk(bool(d) and " 0 reset" in d[-1], "drain line: %s" % (d[-1] if d else "none"))
if len(rss) > 4:
    after = [x for p, x in rss if p.startswith("c1.slow") or p.startswith("c1.kill")]
    base = after[0] if after else rss[len(rss) // 4][1]
    chk(rss[-1][1] <= base * 1.10 + 4096, "RSS end %d kB vs %d kB after warm-up (c1)" % (rss[-1][1], base))
print("\n%d checks, %d to look at" % (len(checks), checks.count(False)))
