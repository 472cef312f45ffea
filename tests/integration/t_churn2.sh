#!/bin/bash
# t_churn.sh with two engines in tern-proxy (issue 10): the same four runs and checks,
# CHURN_ENGINES=2; af_packet only (qpairs=2). Test name churn2.
# usage: t_churn2.sh af_packet
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
CHURN_ENGINES=2 exec "$(dirname "${BASH_SOURCE[0]}")/t_churn.sh" "$@"
