#!/usr/bin/env bash
# The soak test: keeps N calls going against the real server (built jar, embedded PostgreSQL, local vendor fakes)
# for M minutes with turnover (each call 30-120 s, then a new one), samples the server's memory, threads, file
# descriptors and database connections, and prints whether each has stopped growing. See loadtest/README.md, "Soak".
#
#   loadtest/soak.sh [calls=100] [minutes=60]
#   SAMPLE_SECONDS=15 WARMUP_MINUTES=1 loadtest/soak.sh 20 5      # a quick look
#
# Knobs (environment) besides run.sh's: SAMPLE_SECONDS [60], WARMUP_MINUTES [5], CALL_MIN_SECONDS [30],
# CALL_MAX_SECONDS [120], GROWTH_PERCENT_PER_HOUR [5], RAMP_SECONDS [20], PAUSE_MS [1200] (least pause before a turn),
# IDLE_TAIL_MINUTES [3] (keep sampling with no calls after the last one ends: do the pools shrink back? 0: off).
# soak.csv (one row per sample), soak-report.txt and the heap histograms stay in target/loadtest/<time>/.
# Exit status: 0 if every quantity stopped growing and no call failed, 3 otherwise.
set -euo pipefail
export CALLS=${1:-${CALLS:-100}}
export SOAK_MINUTES=${2:-${SOAK_MINUTES:-60}}
export MODE=soak
exec "$(dirname "$0")/run.sh"
