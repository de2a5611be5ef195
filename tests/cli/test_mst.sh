#!/usr/bin/env bash
# test_mst.sh — behaviour of `biornn mst` as a user sees it: exit codes and the key words of
# its output and error messages, on the small fixtures in tests/data/mst/ (how they were made:
# tests/data/mst/README.md).
#
#   usage: tests/cli/test_mst.sh path/to/biornn
#
# Exit status 0 when every check passes; otherwise each failure is printed and the status is 1.
set -uo pipefail

source "$(dirname "$0")/lib.bash"
DATA="$(cd "$(dirname "$0")/../data/mst" && pwd)"

# W (4, 4), dyadic weights: the tree is (0,0) (1,1) (2,2) (3,0) (0,1) (2,1) (2,3), total 4.125;
# kept4 keeps (0,0) (1,2) (2,1) (3,3): tree edges (0,0) and (2,1), so 2 of 7. (3,3) equals the
# tree edge (2,3) in |w| = 0.3125 but is not a tree edge — matching by value would say 3 of 7.
run "help" 0 mst --help
expect out "--weights"
expect out "--kept"

run "good input" 0 mst --weights "$DATA/w4.npy"
expect out "7 edges, total weight 4.125, 1 component"
expect out "(row 0, col 0) |w| = 0.875"
expect err "biornn mst:"
expect err "spanning tree"

run "overlap by position" 0 mst --weights "$DATA/w4.npy" --kept "$DATA/kept4.npy"
expect out "2 of 7 tree edges kept = 0.285714"

run "json" 0 mst --weights "$DATA/w4.npy" --kept "$DATA/kept4.npy" --json
expect out '"edge_count":7'
expect out '"total_weight":4.125'
expect out '"overlap":0.2857142857142857'
expect out '"edges":[[0,0,0.875],[1,1,0.75],[2,2,0.625],[3,0,0.5625],[0,1,0.5],[2,1,0.5],[2,3,0.3125]]'

run "allowed mask gives a forest" 0 mst --weights "$DATA/w4.npy" --mask "$DATA/kept4.npy"
expect out "maximum spanning forest: 4 edges, total weight 2.0625, 4 components"

run "NaN weights" 2 mst --weights "$DATA/w_nan.npy"
expect err "w_nan.npy"
expect err "found NaN at (1, 2)"

run "wrong mask shape" 2 mst --weights "$DATA/w4.npy" --kept "$DATA/mask3x4.npy"
expect err "mask3x4.npy has shape (3, 4)"
expect err "w4.npy has shape (4, 4)"

run "missing file" 2 mst --weights "$DATA/no_such_file.npy"
expect err "no_such_file.npy"

run "1-D array" 2 mst --weights "$DATA/vec5.npy"
expect err "expected a 2-D weight matrix"
expect err "(5,)"

run "weights required" 2 mst
expect err "--weights W.npy is required"

run "unknown option" 2 mst --weights "$DATA/w4.npy" --frobnicate
expect err "unknown option --frobnicate"

run "a mask is not a weight matrix" 2 mst --weights "$DATA/kept4.npy"
expect err "expected a floating-point array"

finish test_mst.sh
