#!/bin/bash
# 10 MiB of random data sent to tern-echo come back byte-exact; the client half-closes at the
# end and tern, having echoed everything, closes too.
# usage: t_echo_10m.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin echo_10m "${1:-}"
port=7001
lab_up
tern_start "$port"
client echo_client.py --host "$TERNLAB_TERN_IP" --port "$port" --bytes $((10 << 20)) \
	--half-close --timeout "${ECHO_TIMEOUT:-180}"
tern_stop
it_pass
