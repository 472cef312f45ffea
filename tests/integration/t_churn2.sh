#!/bin/bash
# t_churn.sh with two engines in tern-proxy (issue 10): the same four runs and checks,
# CHURN_ENGINES=2; af_packet only (qpairs=2). Test name churn2.
# 60,000 connections per reuse run instead of churn's 200,000 (CHURN_COUNT overrides): still
# six times round the 10,000-port range on each side of both engines, in about a third of
# the time (two engines and the Linux clients share two CPUs: 200,000 took 139 s of CI's
# 20 minutes). t_churn.sh keeps the 200,000 on one engine.
# usage: t_churn2.sh af_packet
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
CHURN_COUNT=${CHURN_COUNT:-60000} CHURN_ENGINES=2 exec "$(dirname "${BASH_SOURCE[0]}")/t_churn.sh" "$@"
