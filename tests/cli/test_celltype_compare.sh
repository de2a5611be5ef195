#!/usr/bin/env bash
# test_celltype_compare.sh — `biornn celltype compare`, `celltype recovery`, `sweep` and `aggregate`
# as a user meets them: --help; bad flags and bad runs give a message, a non-zero exit and no
# output; end to end on a tiny spec (the paper's areas, layers and types at 2:1:1 units, 24 in
# all): synth -> bootstrap -> fit 2 + 2 runs of a few epochs -> compare (every promised file),
# recovery, a sweep's jobs run by bash, aggregate (byte-identical to `celltype all`'s summary).
#
#   usage: tests/cli/test_celltype_compare.sh path/to/biornn
set -uo pipefail
source "$(dirname "$0")/lib.bash"

check_file() {  # check_file NAME PATH: PATH exists
  checks=$((checks + 1))
  [ -e "$2" ] || { echo "FAIL [$1]: $2 is missing"; failures=$((failures + 1)); }
}
check_absent() {  # check_absent NAME PATH: nothing was written at PATH
  checks=$((checks + 1))
  [ ! -e "$2" ] || { echo "FAIL [$1]: $2 was written for bad input"; failures=$((failures + 1)); }
}

run "compare --help" 0 celltype compare --help
expect out "usage: biornn celltype compare"
expect out "network.svg"
run "recovery --help" 0 celltype recovery --help
expect out "--truth"
run "sweep --help" 0 sweep --help
expect out "sbatch --array"
expect out "parallel"
run "aggregate --help" 0 aggregate --help
expect out "usage: biornn aggregate"
run "celltype lists compare" 0 celltype help
expect out "compare"
expect out "recovery"

run "compare without --b" 2 celltype compare --a "$TMP/x" --out "$TMP/cmp"
expect err "--a RUNS_A and --b RUNS_B are both required"
run "compare of missing runs" 2 celltype compare --a "$TMP/none" --b "$TMP/none" --out "$TMP/cmp"
expect err "no such directory"
mkdir -p "$TMP/empty/junk"
run "compare of a directory without runs" 2 celltype compare --a "$TMP/empty" --b "$TMP/empty" --out "$TMP/cmp"
expect err "holds no finished run"
check_absent "compare bad input" "$TMP/cmp"
run "recovery without truth" 2 celltype recovery --a "$TMP/empty" --b "$TMP/empty"
expect err "--truth FILE is required"
run "sweep without data" 2 sweep --out "$TMP/study"
expect err "--data DIR is required"
run "sweep with a bad window" 2 sweep --data "$TMP" --out "$TMP/study" --windows full,quarter --no-check
expect err "'quarter' is not a window"
run "sweep with bad data" 2 sweep --data "$TMP/empty" --out "$TMP/study" --jobs "$TMP/jobs.txt"
expect err "dff_V1_L4_pyr_familiar_change_train.npy"
check_absent "sweep bad input" "$TMP/jobs.txt"
run "aggregate without runs" 2 aggregate --out "$TMP/agg" "$TMP/empty"
expect err "no finished run"
check_absent "aggregate bad input" "$TMP/agg"

# End to end on the tiny spec.
printf '[populations]\nratios = [2, 1, 1]\nscale = 1\n' > "$TMP/spec.toml"
SPEC=(--spec "$TMP/spec.toml")
run "synth" 0 celltype synth "${SPEC[@]}" --out "$TMP/synth" --trials 40
run "bootstrap" 0 celltype bootstrap "${SPEC[@]}" --trials "$TMP/synth" --out "$TMP/data" --samples 60 --rows 20 \
  --heldout 0.25 --conditions familiar_change,familiar_no_change,familiar_omission
FIT=("${SPEC[@]}" --data "$TMP/data" --window half --runs 2 --dense-epochs 3 --finetune-epochs 2 --batch 20 --quiet)
run "fit A" 0 celltype fit "${FIT[@]}" --condition familiar_no_change --out "$TMP/A"
run "fit B" 0 celltype fit "${FIT[@]}" --condition familiar_change --out "$TMP/B"

run "compare" 0 celltype compare --a "$TMP/A" --b "$TMP/B" --out "$TMP/cmp"
expect out "A: 2 runs"
expect out "feedforward V1_L23_Pyr -> LM_L4"
expect out "feedback LM_L5_Pyr -> V1_L23"
expect out "feedback LM_L5_Pyr -> V1_L5"
expect out "L23 Sst -> Vip V1"
expect out "L23 Sst -> Vip LM"
expect out "area scale"
for f in compare.json highlights.csv runs.csv network.svg blocks_population.csv blocks_layer.csv blocks_area.csv \
         diff_abs_population.svg diff_abs_layer.svg diff_abs_area.svg diff_signed_population.svg diff_signed_layer.svg \
         diff_signed_area.svg diff_coupling_population.svg diff_coupling_layer.svg diff_coupling_area.svg; do
  check_file "compare" "$TMP/cmp/$f"
done
expect out "the same projections by readout coupling"
checks=$((checks + 1))
grep -q '^feedforward,feedforward V1_L23_Pyr -> LM_L4,.*,coupling,2,2,' "$TMP/cmp/highlights.csv" &&
  head -1 "$TMP/cmp/runs.csv" | grep -q ',mean_abs,signed,coupling$' ||
  { echo "FAIL [compare coupling]: highlights.csv or runs.csv lacks the coupling"; failures=$((failures + 1)); }
run "compare refuses a non-empty --out" 2 celltype compare --a "$TMP/A" --b "$TMP/B" --out "$TMP/cmp"
expect err "pass --force"
run "compare --json of one run each" 0 celltype compare --a "$TMP/A/run1" --b "$TMP/B/run2" --json
expect out '"highlights":['
expect out '"welch_p_holm":null'
printf '[populations]\nratios = [1, 1, 1]\nscale = 1\n' > "$TMP/other.toml"
run "fit with another spec" 0 celltype fit "${FIT[@]}" --spec "$TMP/other.toml" --condition familiar_change --runs 1 \
  --out "$TMP/C" --data "$TMP/data"
run "compare runs of different specs" 2 celltype compare --a "$TMP/A" --b "$TMP/C" --out "$TMP/cmp2"
expect err "$TMP/A/run1 fits the spec, but $TMP/C/run1"
check_absent "compare of different specs" "$TMP/cmp2"

run "recovery" 0 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" --b "$TMP/B"
expect out "feedforward  expected B - A > 0 in mean |w|"
expect out "(feedback: not planted between familiar_no_change and familiar_change)"
expect out "min R²"
expect out "from step 1"
run "recovery --json" 0 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" --b "$TMP/B" --json
expect out '"name":"feedforward"'
expect out '"pairs":2'
expect out '"r2_first_step":1'
# The null control: the same network in every condition. familiar_no_change carries no planted
# factor, so its trials are the planted truth's byte for byte; familiar_change loses its x2.
run "synth --control" 0 celltype synth "${SPEC[@]}" --out "$TMP/null" --trials 40 --control
checks=$((checks + 1))
cmp -s "$TMP/synth/dff_pyr_visp_L23_familiar_no_change.npy" "$TMP/null/dff_pyr_visp_L23_familiar_no_change.npy" &&
  ! cmp -s "$TMP/synth/dff_pyr_visl_L4_familiar_change.npy" "$TMP/null/dff_pyr_visl_L4_familiar_change.npy" ||
  { echo "FAIL [synth --control]: no_change should match the planted truth and change should not"; failures=$((failures + 1)); }
grep -q '"control":true' "$TMP/null/truth.json" || { echo "FAIL: truth.json of --control lacks control true"; failures=$((failures + 1)); }
# Scored against the control truth, the same fits give the same counts, reported as controls.
run "recovery against a control" 0 celltype recovery --truth "$TMP/null/truth.json" --a "$TMP/A" --b "$TMP/B"
expect out "feedforward  control, not planted: B - A > 0 in mean |w| in"
expect out "signs (control: no false positive):"
run "recovery --json against a control" 0 celltype recovery --truth "$TMP/null/truth.json" --a "$TMP/A" --b "$TMP/B" --json
expect out '"control":true'
null_matches=$(grep -o '"matches":[0-9]*' "$TMP/out" | head -1)
run "recovery --json against the planted truth" 0 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" --b "$TMP/B" --json
expect out '"control":false'
planted_matches=$(grep -o '"matches":[0-9]*' "$TMP/out" | head -1)
checks=$((checks + 1))
[ -n "$null_matches" ] && [ "$null_matches" = "$planted_matches" ] ||
  { echo "FAIL [recovery control]: counts $null_matches vs $planted_matches"; failures=$((failures + 1)); }
run "recovery --check with 3-epoch fits fails" 1 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" --b "$TMP/B" --check
# The readout coupling is always scored; --measure chooses the signs --check reads (ablation
# implies --ablation). With R² waived, the exit status follows that measure's verdict in the JSON.
run "recovery shows the coupling" 0 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" --b "$TMP/B"
expect out "by readout coupling, B - A > 0:"
expect out "signs by readout coupling:"
run "recovery --json, coupling" 0 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" --b "$TMP/B" --json \
  --ablation
expect out '"coupling_diffs":['
expect out '"ablation_signs_passed":'
cp "$TMP/out" "$TMP/recovery.json"
# The JSON verdict a --measure is judged by; with "calibrated_", its calibrated verdict.
signs_key() { case $1 in coupling) echo "coupling_${2-}signs_passed" ;; ablation) echo "ablation_${2-}signs_passed" ;;
  *) echo "${2-}signs_passed" ;; esac; }
for m in mean-abs coupling ablation; do
  key=$(signs_key $m)
  want=$(grep -q "\"$key\":true" "$TMP/recovery.json" && echo 0 || echo 1)
  run "recovery --check --measure $m" "$want" celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" --b "$TMP/B" \
    --check --measure $m --min-r2 -1e9
done
run "recovery --measure bogus" 2 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" --b "$TMP/B" --measure bogus
expect err "--measure must be mean-abs, coupling or ablation, got 'bogus'"
run "recovery --measure ablation computes the ablation" 0 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" \
  --b "$TMP/B" --measure ablation
expect out "signs by ablation:"
run "recovery of runs with different seeds" 2 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A/run1" \
  --b "$TMP/B/run2"
expect err "has different readouts: run k of A and run k of B must be fitted with the same seed"
run "recovery of a missing truth" 2 celltype recovery --truth "$TMP/none.json" --a "$TMP/A" --b "$TMP/B"
expect err "none.json"
# The ablation measure: data from fit.toml (absolute here), or --data; a wrong --data names the file.
run "recovery --ablation" 0 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" --b "$TMP/B" --ablation
expect out "by ablation, B - A > 0 in the prediction change:"
expect out "signs by ablation:"
expect out "B - A per pair: "
expect out "feedforward  expected B - A > 0 in mean |w|"
cp "$TMP/out" "$TMP/ablation_default_threads.txt"
run "recovery --ablation --threads 1" 0 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" --b "$TMP/B" \
  --ablation --threads 1
checks=$((checks + 1))
cmp -s "$TMP/out" "$TMP/ablation_default_threads.txt" ||
  { echo "FAIL [recovery --ablation --threads 1]: the report differs from the default thread count's"; failures=$((failures + 1)); }
run "recovery, bad thread count" 2 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" --b "$TMP/B" --threads 0
expect err "--threads"
run "recovery --ablation --json" 0 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" --b "$TMP/B" --ablation \
  --json --data "$TMP/data"
expect out '"ablation_a":['
expect out '"ablation_signs_passed":'
run "recovery --ablation with wrong data" 2 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" --b "$TMP/B" \
  --ablation --data "$TMP/empty"
expect err "dff_V1_L4_pyr_familiar_no_change_train.npy"
run "recovery --data without --ablation" 2 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" --b "$TMP/B" \
  --data "$TMP/data"
expect err "--data is used only with --ablation"

# Ablation refuses data the runs were not fitted on: the null control's familiar_no_change data
# are the planted truth's byte for byte (so A passes), its familiar_change data are not.
run "bootstrap the null control" 0 celltype bootstrap "${SPEC[@]}" --trials "$TMP/null" --out "$TMP/nulldata" --samples 60 \
  --rows 20 --heldout 0.25 --conditions familiar_change,familiar_no_change
run "recovery --ablation on the wrong ground truth's data" 2 celltype recovery --truth "$TMP/synth/truth.json" \
  --a "$TMP/A" --b "$TMP/B" --ablation --data "$TMP/nulldata"
expect err "$TMP/B/run1: on the held-out test set of $TMP/nulldata its model explains"
expect err "that is not the data it was fitted on"

# Calibration against a baseline: the same two conditions fitted with the same seeds on the null control.
NULLFIT=("${SPEC[@]}" --data "$TMP/nulldata" --window half --runs 2 --dense-epochs 3 --finetune-epochs 2 --batch 20 --quiet)
run "fit the null control's A" 0 celltype fit "${NULLFIT[@]}" --condition familiar_no_change --out "$TMP/nullA"
run "fit the null control's B" 0 celltype fit "${NULLFIT[@]}" --condition familiar_change --out "$TMP/nullB"
run "recovery of the null control's fits" 0 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/nullA" \
  --b "$TMP/nullB" --ablation
null_wdiffs=$(grep -m1 "B - A per pair:" "$TMP/out" | sed 's/.*per pair://')
null_adiffs=$(grep "B - A per pair:" "$TMP/out" | sed -n 2p | sed 's/.*per pair://')
run "recovery against the baseline" 0 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" --b "$TMP/B" \
  --ablation --baseline-a "$TMP/nullA" --baseline-b "$TMP/nullB"
expect out "against the baseline (B - A minus its B - A) in mean |w|: "
expect out "against the baseline (B - A minus its B - A) in the prediction change: "
expect out "baseline runs (min R², reported, not judged):"
expect out "signs against the baseline: "
expect out "signs by ablation against the baseline: "
# The baseline's B - A is what scoring the baseline's fits directly gives, measure by measure.
checks=$((checks + 1))
base_wdiffs=$(grep -m1 "baseline B - A per pair:" "$TMP/out" | sed 's/.*per pair://')
base_adiffs=$(grep "baseline B - A per pair:" "$TMP/out" | sed -n 2p | sed 's/.*per pair://')
[ -n "$null_wdiffs" ] && [ "$null_wdiffs" = "$base_wdiffs" ] && [ -n "$null_adiffs" ] && [ "$null_adiffs" = "$base_adiffs" ] ||
  { echo "FAIL [baseline]: '$base_wdiffs' / '$base_adiffs' vs the null fits' '$null_wdiffs' / '$null_adiffs'"; failures=$((failures + 1)); }
# Runs that are their own baseline calibrate to exactly 0 in every pair: no pair shows a sign.
run "recovery against itself as the baseline" 0 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" \
  --b "$TMP/B" --ablation --baseline-a "$TMP/A" --baseline-b "$TMP/B" --json
expect out '"calibrated_matches":0,"calibrated_recovered":false,'
expect out '"calibrated_diffs":[0,0],'
expect out '"ablation_calibrated_diffs":[0,0]'
expect out '"calibrated_signs_passed":false'
# --check --calibrated reads the calibrated verdict of --measure (R² waived): the exit status
# follows the JSON, here with the null fits as the baseline. At --fraction 0.5 (1 of the 2 pairs)
# at least one measure's calibrated verdict differs from its plain one, so reading the plain
# verdict instead fails here; the guard below keeps it that way if the fits change.
run "recovery --json against the null baseline" 0 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" \
  --b "$TMP/B" --ablation --baseline-a "$TMP/nullA" --baseline-b "$TMP/nullB" --fraction 0.5 --json
cp "$TMP/out" "$TMP/calibrated.json"
verdicts_differ=0
for m in mean-abs coupling ablation; do
  plain=$(signs_key $m)
  key=$(signs_key $m calibrated_)
  want=$(grep -q "\"$key\":true" "$TMP/calibrated.json" && echo 0 || echo 1)
  plain_want=$(grep -q "\"$plain\":true" "$TMP/calibrated.json" && echo 0 || echo 1)
  [ "$want" = "$plain_want" ] || verdicts_differ=1
  run "recovery --check --calibrated --measure $m" "$want" celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" \
    --b "$TMP/B" --baseline-a "$TMP/nullA" --baseline-b "$TMP/nullB" --check --calibrated --measure $m --min-r2 -1e9 \
    --fraction 0.5
done
checks=$((checks + 1))
[ "$verdicts_differ" = 1 ] ||
  { echo "FAIL [--calibrated]: every calibrated verdict equals its plain one, so the checks above cannot tell them apart"; failures=$((failures + 1)); }
# Against itself every calibrated difference is 0, so the calibrated check fails whatever the plain verdict.
run "recovery --check --calibrated against itself" 1 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" \
  --b "$TMP/B" --baseline-a "$TMP/A" --baseline-b "$TMP/B" --check --calibrated --min-r2 -1e9
run "--calibrated without a baseline" 2 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" --b "$TMP/B" \
  --check --calibrated
expect err "--calibrated is used only with --check and a baseline"
run "--calibrated without --check" 2 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" --b "$TMP/B" \
  --baseline-a "$TMP/nullA" --baseline-b "$TMP/nullB" --calibrated
expect err "--calibrated is used only with --check and a baseline"
run "a baseline needs both sides" 2 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" --b "$TMP/B" \
  --baseline-a "$TMP/nullA"
expect err "--baseline-a and --baseline-b"
run "--baseline-data without --ablation" 2 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" --b "$TMP/B" \
  --baseline-a "$TMP/nullA" --baseline-b "$TMP/nullB" --baseline-data "$TMP/nulldata"
expect err "--baseline-data is used only with --ablation"
run "a baseline of the other conditions" 2 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" --b "$TMP/B" \
  --baseline-a "$TMP/nullB" --baseline-b "$TMP/nullA"
expect err "a baseline fits the same conditions and window"
run "a baseline with fewer runs" 2 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/A" --b "$TMP/B" \
  --baseline-a "$TMP/nullA/run1" --baseline-b "$TMP/nullB/run1"
expect err "run k is compared with run k"
run "a baseline against a null-control truth" 2 celltype recovery --truth "$TMP/null/truth.json" --a "$TMP/A" --b "$TMP/B" \
  --baseline-a "$TMP/nullA" --baseline-b "$TMP/nullB"
expect err "is a null control's truth"

# A sweep's jobs, run by bash here (GNU parallel or Slurm elsewhere), aggregated.
run "sweep" 0 sweep "${SPEC[@]}" --data "$TMP/data" --out "$TMP/study" --runs 2 --conditions familiar_change,familiar_omission \
  --windows half --dense-epochs 3 --finetune-epochs 2 --batch 20 --selection-samples 100 --program "$BIN"
expect out "celltype fit --data $TMP/data --spec $TMP/spec.toml --dense-epochs 3"
expect out "--batch 20 --selection-samples 100 "
expect out "--condition familiar_omission --window half --runs 1 --seed 2 --out $TMP/study/familiar_omission_half/seed2 --resume --quiet"
lines=$(wc -l < "$TMP/out")
checks=$((checks + 1))
[ "$lines" -eq 4 ] || { echo "FAIL [sweep]: $lines job lines, expected 4"; failures=$((failures + 1)); }
cp "$TMP/out" "$TMP/jobs.txt"
checks=$((checks + 1))
bash "$TMP/jobs.txt" >/dev/null 2>&1 || { echo "FAIL [sweep jobs]: a job failed"; failures=$((failures + 1)); }
run "aggregate the sweep" 0 aggregate --out "$TMP/agg" "$TMP/study"
expect out "4 runs; summary: $TMP/agg"
check_file "aggregate" "$TMP/agg/summary.csv"
check_file "aggregate" "$TMP/agg/summary.json"
expect out "familiar_omission      half     2      2"
# compare and recovery read a sweep's group directories (seed<S>/run1) as they read a fit's --out,
# the spec from the first seed's fit.toml, seeds paired in order.
run "recovery of a sweep's groups" 0 celltype recovery --truth "$TMP/synth/truth.json" --a "$TMP/study/familiar_change_half" \
  --b "$TMP/study/familiar_omission_half"
expect out "A: familiar_change (half window), 2 runs"
expect out "run pairs: 2"
expect out "study/familiar_omission_half/seed2/run1"
run "compare of a sweep's root (several groups)" 2 celltype compare --a "$TMP/study" --b "$TMP/study/familiar_change_half"
expect err "holds no finished run"
# celltype all's own summary and the aggregate of its directories are the same bytes.
run "celltype all" 0 celltype all "${SPEC[@]}" --data "$TMP/data" --runs 1 --dense-epochs 3 \
  --finetune-epochs 2 --batch 20 --quiet --conditions familiar_change,familiar_omission --out "$TMP/all"
run "aggregate celltype all" 0 aggregate --out "$TMP/agg_all" --quiet "$TMP/all/familiar_omission_half" "$TMP/all/familiar_change_full" \
  "$TMP/all/familiar_change_half" "$TMP/all/familiar_omission_full"
for f in summary.csv summary.json; do
  checks=$((checks + 1))
  cmp -s "$TMP/all/$f" "$TMP/agg_all/$f" || { echo "FAIL [aggregate = all]: $f differs"; failures=$((failures + 1)); }
done
run "compare of celltype all's root (several groups)" 2 celltype compare --a "$TMP/all" --b "$TMP/all/familiar_change_half"
expect err "holds no finished run"
run "aggregate the same fit twice" 2 aggregate --out "$TMP/agg_twice" "$TMP/all" "$TMP/all/familiar_change_half/run1/../run1"
expect err "are the same fit"

finish test_celltype_compare.sh
