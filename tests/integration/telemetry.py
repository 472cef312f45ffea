#!/usr/bin/python3
"""Tiny client for the DPDK telemetry v2 socket (stdlib only).

The socket is /var/run/dpdk/<file-prefix>/dpdk_telemetry.v2 (SOCK_SEQPACKET). On connect the
server sends a JSON greeting ({"version": ..., "pid": ..., "max_output_len": N}); each command
string sent gets one JSON reply {"<command>": <value>}.

  telemetry.py -p PREFIX /tern/stats                 whole value as JSON
  telemetry.py -p PREFIX /tern/stats rx_pkts         one value (dotted path into dicts/lists)
  telemetry.py -p PREFIX /tern/gauges time_wait established    several values, one per line
  telemetry.py -p PREFIX /                           list the commands
  telemetry.py -s /path/to/dpdk_telemetry.v2 /ethdev/stats,0 ipackets

Exit status: 0 ok, 1 cannot connect / no reply (after --wait seconds), 2 bad usage,
3 a key is missing from the reply (or the command is unknown: the reply value is null).
"""
import argparse
import json
import os
import signal
import socket
import sys
import time

RUNTIME_DIR = os.environ.get("DPDK_RUNTIME_DIR", "/var/run/dpdk")


def socket_path(prefix, runtime_dir=RUNTIME_DIR):
    return os.path.join(runtime_dir, prefix, "dpdk_telemetry.v2")


class Telemetry:
    """One connection to a DPDK telemetry v2 socket."""

    def __init__(self, path, timeout=5.0, wait=0.0):
        deadline = time.monotonic() + wait
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            sock.settimeout(timeout)
            try:
                sock.connect(path)
                break
            except OSError:
                sock.close()
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.1)
        self.sock = sock
        self.greeting = json.loads(sock.recv(4096).decode())
        self.max_len = int(self.greeting.get("max_output_len", 16384))

    def query(self, cmd):
        """Send one command; return the value of its reply (None for an unknown command)."""
        self.sock.send(cmd.encode())
        reply = self.sock.recv(self.max_len)
        if not reply:
            raise ConnectionError("telemetry socket closed")
        obj = json.loads(reply.decode())
        # The reply is {"<command without params>": value}; take the single value.
        if isinstance(obj, dict) and len(obj) == 1:
            return next(iter(obj.values()))
        return obj

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def lookup(value, path):
    """Dotted path into nested dicts / lists; raises KeyError when absent."""
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            raise KeyError(path)
    return value


def fmt(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("-p", "--prefix", help="EAL --file-prefix of the process")
    where.add_argument("-s", "--socket", help="path of the telemetry v2 socket")
    ap.add_argument("--runtime-dir", default=RUNTIME_DIR)
    ap.add_argument("-t", "--timeout", type=float, default=5.0, help="reply timeout (s)")
    ap.add_argument("-w", "--wait", type=float, default=0.0,
                    help="keep retrying to connect for this long (s)")
    ap.add_argument("--pretty", action="store_true", help="indent whole-JSON output")
    ap.add_argument("command", help="e.g. /tern/stats, /ethdev/list, /")
    ap.add_argument("keys", nargs="*", help="dotted paths to print, one per line")
    args = ap.parse_args(argv)

    path = args.socket or socket_path(args.prefix, args.runtime_dir)
    try:
        with Telemetry(path, args.timeout, args.wait) as tel:
            value = tel.query(args.command)
    except (OSError, ValueError, ConnectionError) as e:
        print(f"telemetry.py: {path}: {e}", file=sys.stderr)
        return 1
    if value is None:
        print(f"telemetry.py: {args.command}: no such command (null reply)", file=sys.stderr)
        return 3
    if not args.keys:
        print(json.dumps(value, indent=2 if args.pretty else None, sort_keys=True))
        return 0
    rc = 0
    for k in args.keys:
        try:
            print(fmt(lookup(value, k)))
        except KeyError:
            print(f"telemetry.py: {args.command}: no key '{k}'", file=sys.stderr)
            rc = 3
    return rc


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
