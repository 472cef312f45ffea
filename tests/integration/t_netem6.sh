#!/bin/bash
# t_netem.sh over IPv6 (issue 13: "netem-style impairment over v6"): NETEM_FAMILY=6, the
# Linux client connects to tern's IPv6 address and the impairer takes IPv6 frames (ND
# included). A shorter run than netem's, to keep CI inside its budget: loss and reordering
# on each side and duplication toward tern, 8 MiB each way (NETEM_CASES and NETEM_BYTES
# override). af_packet only. Test name netem6.
# usage: t_netem6.sh af_packet
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
NETEM_FAMILY=6 NETEM_CASES=${NETEM_CASES:-loss-p2t loss-t2p reorder-t2p dup-p2t} \
	NETEM_BYTES=${NETEM_BYTES:-8388608} exec "$(dirname "${BASH_SOURCE[0]}")/t_netem.sh" "$@"
