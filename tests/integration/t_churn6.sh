#!/bin/bash
# t_churn.sh over IPv6 (issue 13: "TIME_WAIT churn over v6"): CHURN_FAMILY=6, Linux
# clients to tern-proxy's IPv6 address, nginx on the peer's IPv6 address as the backend,
# 10,000 ports; 20,000 connections (CHURN_COUNT overrides) with --tw-reuse on in each close
# order: proxy first (tern holds the backend-side TIME_WAIT: active reuse) and backend first
# (client-side TIME_WAIT: RFC 6191 passive reuse), all succeeding, both sides IPv6
# (tcp6_open). The reuse-off controls are churn's (CHURN_OFF=0). af_packet or tap.
# usage: t_churn6.sh [af_packet|tap|virtio-user]
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
CHURN_FAMILY=6 CHURN_OFF=0 CHURN_COUNT=${CHURN_COUNT:-20000} \
	exec "$(dirname "${BASH_SOURCE[0]}")/t_churn.sh" "$@"
