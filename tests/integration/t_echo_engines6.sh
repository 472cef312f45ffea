#!/bin/bash
# t_echo_engines.sh over IPv6 (issue 13 with issue 10's property): TWO engines, 8 parallel
# bulk echoes of 8 MiB from Linux to tern-echo's IPv6 address, each flow processed by the
# engine that owns it (Toeplitz over the IPv6/TCP fields), every byte checked, every
# connection ended normally, no handoff ring full, no RST to a live flow (the RST audit reads
# the capture's IPv6 headers). af_packet only (qpairs=2). Test name echo_engines6.
# usage: t_echo_engines6.sh af_packet
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
ECHO_FAMILY=6 exec "$(dirname "${BASH_SOURCE[0]}")/t_echo_engines.sh" "$@"
