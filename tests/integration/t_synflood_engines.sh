#!/bin/bash
# A SYN flood (tern-gen, 100,000 SYNs/s) against tern-echo with two engines while real
# Linux clients connect: t_synflood.sh's checks per engine (SYNFLOOD_ENGINES=2), with the
# frames handed between the engines counted and none lost.
# usage: t_synflood_engines.sh [af_packet]
exec env SYNFLOOD_ENGINES=2 SYNFLOOD_TOOLS="${SYNFLOOD_TOOLS:-tern-gen}" \
	"$(dirname "${BASH_SOURCE[0]}")/t_synflood.sh" "$@"
