#!/usr/bin/env bash
# test_celltype_data.sh — `biornn celltype synth` and `biornn celltype bootstrap` as a user meets
# them: both answer --help; bad flags and bad data give a message naming the problem, a non-zero
# exit, and leave no output (nor staging) directory behind; an existing output is replaced only
# with --force; synth -> bootstrap end to end writes the promised files. A 1-unit-per-ratio spec
# keeps it fast.
#
#   usage: tests/cli/test_celltype_data.sh path/to/biornn
set -uo pipefail
source "$(dirname "$0")/lib.bash"

no_output() {  # no_output NAME DIR : DIR and its staging directories must not exist
  checks=$((checks + 1))
  if [ -e "$2" ] || compgen -G "$2.partial-*" > /dev/null; then
    echo "FAIL [$1]: $2 (or a staging directory) was left behind"; failures=$((failures + 1))
  fi
}
has_file() {  # has_file NAME PATH
  checks=$((checks + 1))
  [ -s "$2" ] || { echo "FAIL [$1]: $2 is missing or empty"; failures=$((failures + 1)); }
}

for sub in synth bootstrap; do
  run "celltype $sub --help" 0 celltype $sub --help
  expect out "usage: biornn celltype $sub"
  expect out "--force"
done
run "celltype help lists the data commands" 0 celltype help
expect out "synth"
expect out "bootstrap"

run "synth without --out" 2 celltype synth
expect err "--out DIR is required"
run "synth with a bad trial count" 2 celltype synth --trials 0 --out "$TMP/raw"
expect err "--trials expects an integer from 1"
no_output "bad trial count" "$TMP/raw"
run "synth with an unknown option" 2 celltype synth --trails 3 --out "$TMP/raw"
expect err "unknown option --trails"
run "synth with a missing spec" 2 celltype synth --spec "$TMP/nope.toml" --out "$TMP/raw"
expect err "nope.toml"
no_output "missing spec" "$TMP/raw"
run "synth with a negative later-area drive" 2 celltype synth --later-area-drive -0.1 --out "$TMP/raw"
expect err "--later-area-drive must be a finite number >= 0, got -0.1"
no_output "negative later-area drive" "$TMP/raw"
run "synth with a negative later-area ramp" 2 celltype synth --later-area-ramp -1 --out "$TMP/raw"
expect err "--later-area-ramp must be a finite number >= 0, got -1"
no_output "negative later-area ramp" "$TMP/raw"
run "synth with a non-numeric later-area ramp" 2 celltype synth --later-area-ramp lots --out "$TMP/raw"
expect err "--later-area-ramp expects a finite number, got 'lots'"
no_output "non-numeric later-area ramp" "$TMP/raw"

run "synth with a planted factor of 1" 2 celltype synth --planted-factor 1 --out "$TMP/raw"
expect err "--planted-factor: expected a number > 1 (the expected signs assume it), got 1"
no_output "planted factor 1" "$TMP/raw"

printf '[populations]\nscale = 1\n' > "$TMP/small.toml"
SPEC=(--spec "$TMP/small.toml")
run "synth with a weaker later-area drive and a ramp" 0 celltype synth --trials 8 --later-area-drive 0.2 --later-area-ramp 0.6 "${SPEC[@]}" --out "$TMP/raw_weak"
checks=$((checks + 1))
grep -q '"later_area_drive":0.2' "$TMP/raw_weak/truth.json" ||
  { echo "FAIL: truth.json does not record --later-area-drive"; failures=$((failures + 1)); }
checks=$((checks + 1))
grep -q '"later_area_ramp":0.6' "$TMP/raw_weak/truth.json" ||
  { echo "FAIL: truth.json does not record --later-area-ramp"; failures=$((failures + 1)); }
run "synth with a matched feedback source" 0 celltype synth --trials 8 --matched-feedback-source "${SPEC[@]}" --out "$TMP/raw_matched"
checks=$((checks + 1))
grep -q '"matched_feedback_source":true' "$TMP/raw_matched/truth.json" && grep -q '"omission_ramp_targets":"every Vip"' "$TMP/raw_matched/truth.json" ||
  { echo "FAIL: truth.json does not record --matched-feedback-source"; failures=$((failures + 1)); }
checks=$((checks + 1))
grep -q '"matched_feedback_source":false' "$TMP/raw_weak/truth.json" ||
  { echo "FAIL: truth.json does not record the default feedback source"; failures=$((failures + 1)); }
run "synth with a planted factor of 4" 0 celltype synth --trials 8 --planted-factor 4 "${SPEC[@]}" --out "$TMP/raw_x4"
checks=$((checks + 1))
grep -q '"factor":4,' "$TMP/raw_x4/truth.json" && grep -q '"factor":0.25,' "$TMP/raw_x4/truth.json" ||
  { echo "FAIL: truth.json does not record --planted-factor 4 (x4 and x0.25)"; failures=$((failures + 1)); }
checks=$((checks + 1))
[ "$(grep -o '"effect":{"targets":[0-9]*,"planted_rms":[0-9.e-]*,"planted_step_rms":[0-9.e-]*,"unplanted_step_rms":' "$TMP/raw_x4/truth.json" | wc -l)" = 9 ] ||
  { echo "FAIL: truth.json does not give the planted effect of all 9 comparisons"; failures=$((failures + 1)); }
run "synth writes raw arrays and truth.json" 0 celltype synth --trials 8 --seed 3 "${SPEC[@]}" --out "$TMP/raw"
expect out "wrote 109 files to $TMP/raw"
expect err "simulated familiar_change"
expect err "(6/6)"
has_file "synth" "$TMP/raw/truth.json"
has_file "synth" "$TMP/raw/dff_pyr_visp_L23_familiar_change.npy"
has_file "synth" "$TMP/raw/dff_vip_visl_L5_novel_omission.npy"
checks=$((checks + 1))
grep -q '"feedforward"' "$TMP/raw/truth.json" || { echo "FAIL: truth.json lacks the feedforward difference"; failures=$((failures + 1)); }
checks=$((checks + 1))
! compgen -G "$TMP/*.partial-*" > /dev/null || { echo "FAIL: synth left a staging directory"; failures=$((failures + 1)); }

# --noise-seed: equal to --seed it changes nothing (truth.json included); another value keeps the
# teacher (truth.json's block weights) and redraws every trial.
run "synth with the noise seed equal to the seed" 0 celltype synth --trials 8 --seed 3 --noise-seed 3 "${SPEC[@]}" \
  --out "$TMP/raw_noise3"
checks=$((checks + 1))
diff -rq "$TMP/raw" "$TMP/raw_noise3" > /dev/null ||
  { echo "FAIL: --noise-seed equal to --seed changed the output"; failures=$((failures + 1)); }
run "synth with another noise seed" 0 celltype synth --trials 8 --seed 3 --noise-seed 4 "${SPEC[@]}" --out "$TMP/raw_noise4"
checks=$((checks + 1))
grep -q '"seed":3,"noise_seed":4,' "$TMP/raw_noise4/truth.json" &&
  [ "$(sed 's/.*"block_mean_abs"//' "$TMP/raw_noise4/truth.json")" = "$(sed 's/.*"block_mean_abs"//' "$TMP/raw/truth.json")" ] ||
  { echo "FAIL: --noise-seed 4 is not recorded, or the teacher's block weights changed"; failures=$((failures + 1)); }
checks=$((checks + 1))
same_arrays=0
for f in "$TMP"/raw/*.npy; do cmp -s "$f" "$TMP/raw_noise4/$(basename "$f")" && same_arrays=$((same_arrays + 1)); done
[ "$same_arrays" = 0 ] || { echo "FAIL: --noise-seed 4 left $same_arrays raw arrays as they were"; failures=$((failures + 1)); }
run "synth with a negative noise seed" 2 celltype synth --noise-seed -1 --out "$TMP/raw_bad_noise"
expect err "--noise-seed"
no_output "negative noise seed" "$TMP/raw_bad_noise"

run "an existing output directory is protected" 2 celltype synth --trials 8 "${SPEC[@]}" --out "$TMP/raw"
expect err "already exists; pass --force"

run "bootstrap without --trials" 2 celltype bootstrap --out "$TMP/proc"
expect err "--trials DIR is required"
run "bootstrap from a missing directory" 2 celltype bootstrap --trials "$TMP/none" --out "$TMP/proc"
expect err "no such directory"
no_output "missing trials directory" "$TMP/proc"
run "bootstrap with a bad held-out fraction" 2 celltype bootstrap --trials "$TMP/raw" --heldout 1.5 --out "$TMP/proc"
expect err "--heldout must lie in [0, 1)"
run "bootstrap with a bad sample count" 2 celltype bootstrap --trials "$TMP/raw" --samples many --out "$TMP/proc"
expect err "--samples expects an integer"
run "bootstrap of an unknown condition" 2 celltype bootstrap --trials "$TMP/raw" "${SPEC[@]}" --conditions familiar_change,novel_flash --out "$TMP/proc"
expect err "dff_pyr_visp_L4_novel_flash.npy: missing"
no_output "unknown condition" "$TMP/proc"

cp -r "$TMP/raw" "$TMP/bad"
printf 'not an npy file' > "$TMP/bad/dff_sst_visl_L23_familiar_change.npy"
run "bootstrap of a corrupt array" 2 celltype bootstrap --trials "$TMP/bad" "${SPEC[@]}" --out "$TMP/proc"
expect err "dff_sst_visl_L23_familiar_change.npy"
no_output "corrupt array" "$TMP/proc"
rm "$TMP/bad/dff_sst_visl_L23_familiar_change.npy"
run "bootstrap with a population missing" 2 celltype bootstrap --trials "$TMP/bad" "${SPEC[@]}" --out "$TMP/proc"
expect err "dff_sst_visl_L23_familiar_change.npy: missing"
expect err "LM_L23_Sst"
no_output "population missing" "$TMP/proc"

run "bootstrap end to end" 0 celltype bootstrap --trials "$TMP/raw" "${SPEC[@]}" --samples 20 --rows 5 --heldout 0.25 \
  --conditions familiar_change,novel_omission --out "$TMP/proc"
expect out "wrote 145 files to $TMP/proc"
expect err "bootstrapped novel_omission"
for f in dff_V1_L23_pyr_familiar_change_train.npy dff_LM_L5_vip_novel_omission_test.npy bootstrap.json \
         heldout/dff_V1_L4_sst_familiar_change_test.npy; do
  has_file "bootstrap" "$TMP/proc/$f"
done
run "bootstrap replaces its output with --force" 0 celltype bootstrap --trials "$TMP/raw" "${SPEC[@]}" --samples 10 --rows 5 \
  --conditions novel_change --out "$TMP/proc" --force
checks=$((checks + 1))
[ ! -e "$TMP/proc/heldout" ] && [ -s "$TMP/proc/dff_V1_L4_pyr_novel_change_train.npy" ] ||
  { echo "FAIL: --force did not replace the old output"; failures=$((failures + 1)); }

finish test_celltype_data.sh
