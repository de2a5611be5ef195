#!/usr/bin/env bash
# test_celltype_fit.sh — `biornn celltype fit`, `celltype all` and `bench celltype` as a user meets
# them: --help; bad flags, a bad spec and missing or malformed data give a message naming the
# problem, a non-zero exit and no output directory; a tiny fit (a 4-population spec, 12 units)
# writes every promised file, refuses to overwrite without --force, and --resume reuses it.
#
#   usage: tests/cli/test_celltype_fit.sh path/to/biornn
set -uo pipefail
source "$(dirname "$0")/lib.bash"

run "fit --help" 0 celltype fit --help
expect out "usage: biornn celltype fit"
expect out "--inter-areal"
run "all --help" 0 celltype all --help
expect out "usage: biornn celltype all"
run "bench celltype --help" 0 bench celltype --help
expect out "--phases"

run "fit without data" 2 celltype fit --condition c --out "$TMP/o"
expect err "--data DIR is required"
run "fit without condition" 2 celltype fit --data "$TMP" --out "$TMP/o"
expect err "--condition NAME is required"
run "bad window" 2 celltype fit --data "$TMP" --condition c --window quarter --out "$TMP/o"
expect err "--window must be full or half, got 'quarter'"
run "bad inter-areal" 2 celltype fit --data "$TMP" --condition c --inter-areal dense --out "$TMP/o"
expect err "--inter-areal must be topprob or random"
run "bad runs" 2 celltype fit --data "$TMP" --condition c --runs 0 --out "$TMP/o"
expect err "--runs"
run "bad recurrent init" 2 celltype fit --data "$TMP" --condition c --recurrent-init gaussian --out "$TMP/o"
expect err "--recurrent-init must be uniform or balanced, got 'gaussian'"
# The balanced init scales I columns against E columns: a spec of one excitatory type is refused
# before any data is read or directory made, by fit and by sweep.
printf 'post,L1_E\nL1_E,0.5\n' > "$TMP/e_table.csv"
printf '[populations]\nareas = ["A"]\nlayers = ["L1"]\ntypes = ["E"]\nexcitatory = ["E"]\nratios = [1]\nscale = 4\nintra_table = "e_table.csv"\n' > "$TMP/e_spec.toml"
run "balanced init without inhibitory units" 2 celltype fit --data "$TMP" --condition c --spec "$TMP/e_spec.toml" --recurrent-init balanced --out "$TMP/o"
expect err "the spec needs both; it has 4 excitatory units of 4"
run "sweep: balanced init without inhibitory units" 2 sweep --data "$TMP" --out "$TMP/o" --spec "$TMP/e_spec.toml" --recurrent-init balanced --no-check
expect err "the spec needs both"
run "sweep passes the recurrent init to every job" 0 sweep --data "$TMP" --out "$TMP/sw" --recurrent-init balanced --no-check --runs 1 --conditions familiar_change --windows full
expect out "--recurrent-init balanced --condition familiar_change"
run "resume and force" 2 celltype fit --data "$TMP" --condition c --resume --force --out "$TMP/o"
expect err "exclude each other"
printf '[populations]\nlayers = ["L1"]\ntypes = ["E"]\nratios = [1, 2]\n' > "$TMP/bad.toml"
run "bad spec" 2 celltype fit --data "$TMP" --condition c --spec "$TMP/bad.toml" --out "$TMP/o"
expect err "ratios has 2 entries"
run "missing data directory" 2 celltype fit --data "$TMP/none" --condition familiar_change --out "$TMP/o"
expect err "no such directory"
mkdir -p "$TMP/empty"
run "missing data files" 2 celltype fit --data "$TMP/empty" --condition familiar_change --out "$TMP/o"
expect err "dff_V1_L4_pyr_familiar_change_train.npy"
run "all with missing data" 2 celltype all --data "$TMP/empty" --out "$TMP/o"
expect err "familiar_change"
[ ! -e "$TMP/o" ] || { echo "FAIL: an output directory was left behind for bad input"; failures=$((failures + 1)); }

# A tiny spec: areas A, B × layer L1 × types E (4 units), I (2 units); one projection A E -> B E.
printf 'post,L1_E,L1_I\nL1_E,0.5,0.5\nL1_I,0.5,0.5\n' > "$TMP/table.csv"
printf '[populations]\nareas = ["A", "B"]\nlayers = ["L1"]\ntypes = ["E", "I"]\nexcitatory = ["E"]\nratios = [2, 1]\nscale = 2\nintra_table = "table.csv"\n[inter_areal]\ndensity = 0.5\nprojections = ["A_L1_E -> B_L1_E"]\n' > "$TMP/spec.toml"
if command -v python3 >/dev/null; then
  mkdir -p "$TMP/data"
  # Processed files, float64 (40, 15): sinusoids with a random phase, target one frame ahead.
  python3 - "$TMP/data" <<'PY'
import math, random, struct, sys
random.seed(1)
def save(path, rows):
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }" % (len(rows), len(rows[0]))
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        for r in rows: f.write(struct.pack("<%dd" % len(r), *r))
for area in ("A", "B"):
    for typ in ("e", "i"):
        xs, ys = [], []
        for i in range(40):
            ph = random.uniform(0, 6.28)
            xs.append([0.5 * math.sin(0.5 * t + ph) for t in range(15)])
            ys.append([0.5 * math.sin(0.5 * (t + 1) + ph) for t in range(15)])
        for role, rows in (("train", xs), ("test", ys)):
            save("%s/dff_%s_L1_%s_cond_%s.npy" % (sys.argv[1], area, typ, role), rows)
PY
  TINY=(--data "$TMP/data" --spec "$TMP/spec.toml" --runs 2 --dense-epochs 3 --finetune-epochs 2 --batch 10 --lr 0.01)
  run "tiny fit" 0 celltype fit "${TINY[@]}" --condition cond --window half --out "$TMP/fit"
  expect out "results: $TMP/fit"
  expect err "run 2/2 finetune"
  for f in fit.toml summary.csv summary.json run1/model.npz run1/metrics.csv run1/summary.json run1/connectivity.svg \
           run1/population_means.svg run1/traces_B_L1_I.svg run1/report.html run2/summary.json; do
    [ -f "$TMP/fit/$f" ] || { echo "FAIL [tiny fit]: $f is missing"; failures=$((failures + 1)); }
  done
  grep -q '"sign_violations":0' "$TMP/fit/run1/summary.json" || { echo "FAIL: run1/summary.json lacks sign_violations 0"; failures=$((failures + 1)); }
  grep -q '"off_mask_weights":0' "$TMP/fit/run1/summary.json" || { echo "FAIL: run1/summary.json lacks off_mask_weights 0"; failures=$((failures + 1)); }
  run "existing output directory" 2 celltype fit "${TINY[@]}" --condition cond --window half --out "$TMP/fit"
  expect err "pass --resume"
  run "resume reuses finished runs" 0 celltype fit "${TINY[@]}" --condition cond --window half --out "$TMP/fit" --resume
  expect out "(reused)"
  run "resume with other settings" 2 celltype fit "${TINY[@]}" --condition cond --window half --out "$TMP/fit" --resume --seed 9
  expect err "other settings"
  run "resume with the first-step drive" 2 celltype fit "${TINY[@]}" --condition cond --window half --out "$TMP/fit" --resume --initial-drive
  expect err "records other settings than these"
  run "fit with the first-step drive" 0 celltype fit "${TINY[@]}" --runs 1 --condition cond --window half --out "$TMP/drive" --initial-drive --quiet
  grep -q '"initial_drive":true' "$TMP/drive/run1/summary.json" || { echo "FAIL: run1/summary.json lacks initial_drive true"; failures=$((failures + 1)); }
  run "fit with the balanced init" 0 celltype fit "${TINY[@]}" --runs 1 --condition cond --window half --out "$TMP/bal" --recurrent-init balanced --quiet
  grep -q '"recurrent_init":"balanced"' "$TMP/bal/run1/summary.json" || { echo "FAIL: run1/summary.json lacks recurrent_init balanced"; failures=$((failures + 1)); }
  grep -q '^recurrent_init = "balanced"$' "$TMP/bal/fit.toml" || { echo "FAIL: fit.toml lacks recurrent_init = balanced"; failures=$((failures + 1)); }
  grep -q '"recurrent_init":"uniform"' "$TMP/drive/run1/summary.json" || { echo "FAIL: a default fit's summary.json lacks recurrent_init uniform"; failures=$((failures + 1)); }
  checks=$((checks + 3))
  run "resume a balanced fit without the flag" 2 celltype fit "${TINY[@]}" --runs 1 --condition cond --window half --out "$TMP/bal" --resume
  expect err "records other settings than these"
  run "fit scoring 15 test samples per epoch" 0 celltype fit "${TINY[@]}" --runs 1 --condition cond --window half --out "$TMP/sel" --selection-samples 15 --quiet
  grep -q '"epoch_test_samples":15' "$TMP/sel/run1/summary.json" || { echo "FAIL: run1/summary.json lacks epoch_test_samples 15"; failures=$((failures + 1)); }
  grep -q '"test_samples":40' "$TMP/sel/run1/summary.json" || { echo "FAIL: run1/summary.json lacks test_samples 40"; failures=$((failures + 1)); }
  run "negative selection" 2 celltype fit "${TINY[@]}" --condition cond --window half --out "$TMP/sel2" --selection-samples -1
  expect err "selection-samples"
  run "force starts over" 0 celltype fit "${TINY[@]}" --condition cond --window half --out "$TMP/fit" --force --quiet
  run "all over one condition" 0 celltype all "${TINY[@]}" --runs 1 --conditions cond --out "$TMP/all" --quiet
  for f in summary.csv summary.json cond_full/run1/summary.json cond_half/run1/summary.json; do
    [ -f "$TMP/all/$f" ] || { echo "FAIL [all]: $f is missing"; failures=$((failures + 1)); }
  done
  printf 'not an npy file' > "$TMP/data/dff_B_L1_i_cond_test.npy"
  run "malformed data file" 2 celltype fit "${TINY[@]}" --condition cond --out "$TMP/o2"
  expect err "dff_B_L1_i_cond_test.npy"
  [ ! -e "$TMP/o2" ] || { echo "FAIL: an output directory was left behind for malformed data"; failures=$((failures + 1)); }
  run "bench celltype on the tiny spec" 0 bench celltype --json --spec "$TMP/spec.toml"
  expect out '"bench":"celltype","phase":"dense"'
  expect out '"phase":"sparse"'
else
  echo "test_celltype_fit.sh: python3 not found; the tiny end-to-end fit is skipped"
fi

finish test_celltype_fit.sh
