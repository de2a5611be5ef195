#!/usr/bin/env bash
# test_stats.sh — `biornn stats hypergeom` against a hand-computed case and its input checks.
#   P[X = 2] for M = 20, K = 5, n = 10 is C(5,2)·C(15,8)/C(20,10) = 64350/184756.
#
#   usage: tests/cli/test_stats.sh path/to/biornn
set -uo pipefail
source "$(dirname "$0")/lib.bash"

run "help" 0 stats hypergeom --help
expect out "--population"
run "hand-computed case" 0 stats hypergeom --population 20 --successes 5 --draws 10 --k 2 --json
expect out '"pmf":0.3482972136222'
expect out '"mean":2.5'
expect out '"mode":3'
expect out '"sf":'
expect out '"var":0.986842105263'
run "1440-unit tree, 90 % sparsity: mean (2N - 1)(1 - s)" 0 stats hypergeom --population 2073600 --successes 2879 --draws 207360
expect out "mean 287.9"
run "far tail stays finite in log space" 0 stats hypergeom --population 2073600 --successes 2879 --draws 207360 --k 2878 --json
expect out '"sf":0'
expect out '"log_sf":-6647.'
run "successes above the population" 2 stats hypergeom --population 20 --successes 25 --draws 10
expect err "--successes must lie in [0, M = 20]"
run "missing draws" 2 stats hypergeom --population 20 --successes 5
expect err "--draws is required"
run "not a number" 2 stats hypergeom --population 2e6 --successes 5 --draws 1
expect err "--population expects an integer"
run "unknown statistic" 2 stats ttest
expect err "unknown statistic 'ttest'"
finish test_stats.sh
