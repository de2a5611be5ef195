#!/usr/bin/env bash
# test_train.sh — `biornn train`, `prune`, `finetune` and `reproduce` as a user meets them:
# every command answers --help; bad flags, bad configs and bad data files give a message that
# names the problem, a non-zero exit, and leave no run directory behind; a small run, a prune
# and a fine-tune produce the promised files.
#
#   usage: tests/cli/test_train.sh path/to/biornn
set -uo pipefail
source "$(dirname "$0")/lib.bash"
QUICK=(--hidden 16 --train-limit 200 --test-limit 50 --batch 50 --quiet)

for cmd in train prune finetune reproduce mst info; do
  run "$cmd --help" 0 "$cmd" --help
  expect out "usage: biornn $cmd"
done
# Option help that runs over several lines stays indented under its option (none at the margin).
run "train --help layout" 0 train --help
expect out "                          checkpoint) or go back to it"
checks=$((checks + 1))
if sed -n '/^options:/,$p' "$TMP/out" | tail -n +2 | grep -q '^[^ ]'; then
  echo "FAIL [train --help layout]: an option's help line starts at the margin"
  failures=$((failures + 1))
fi
run "reproduce fig2 --help" 0 reproduce fig2 --help
expect out "--quick"
run "bench train --help" 0 bench train --help
expect out "--tasks"

# An unknown option names the command once: "biornn train: unknown option --bogus (see ...)".
for cmd in train prune finetune mst info verify "reproduce fig2" "reproduce fig3" "bench gemm" "bench train" \
           "stats hypergeom" "celltype fit" "celltype synth" sweep infer; do
  # shellcheck disable=SC2086  # $cmd is one or two words on purpose
  run "$cmd --bogus" 2 $cmd --bogus
  expect err "biornn $cmd: unknown option --bogus (see biornn $cmd --help)"
  checks=$((checks + 1))
  if [ "$(grep -o "biornn $cmd:" "$TMP/err" | wc -l)" -ne 1 ]; then
    echo "FAIL [$cmd --bogus]: the command's name is not printed exactly once: $(cat "$TMP/err")"
    failures=$((failures + 1))
  fi
done

run "unknown command" 2 frobnicate
expect err "unknown command 'frobnicate'"

run "unknown task" 2 train --task mnist --out "$TMP/a"
expect err "--task must be flipflop, wave or seqmnist, got 'mnist'"
[ ! -e "$TMP/a" ] || { echo "FAIL: a run directory was left behind for an unknown task"; failures=$((failures + 1)); }

run "unknown rule" 2 train --rule hebbian --out "$TMP/a"
expect err "--rule must be dale, conventional or rectified"

run "bad number" 2 train --lr fast --out "$TMP/a"
expect err "--lr expects a finite number, got 'fast'"

run "negative learning rate" 2 train --lr -1 --out "$TMP/a"
expect err "--lr must be > 0"

printf '[optimizer]\nlrate = 0.1\n[run]\nepochs = -3\n' > "$TMP/bad.toml"
run "config with an unknown key and a bad value" 2 train --config "$TMP/bad.toml" --out "$TMP/a"
expect err "bad.toml line 2: unknown key 'optimizer.lrate'"
expect err "bad.toml line 4: 'run.epochs' must be an integer"
[ ! -e "$TMP/a" ] || { echo "FAIL: a run directory was left behind for a bad config"; failures=$((failures + 1)); }

printf 'task = [1, 2\n' > "$TMP/broken.toml"
run "malformed config" 2 train --config "$TMP/broken.toml" --out "$TMP/a"
expect err "broken.toml line"

run "missing config" 2 train --config "$TMP/nope.toml" --out "$TMP/a"
expect err "nope.toml"

run "seqmnist without data" 2 train --task seqmnist --out "$TMP/a"
expect err "seqmnist needs --data DIR"

mkdir -p "$TMP/mnist"
printf 'not an idx file' > "$TMP/mnist/train-images-idx3-ubyte"
printf '\x00\x00\x08\x01\x00\x00\x00\x02\x01\x02' > "$TMP/mnist/train-labels-idx1-ubyte"
run "corrupt IDX file" 2 train --task seqmnist --data "$TMP/mnist" --out "$TMP/a"
expect err "train-images-idx3-ubyte"
[ ! -e "$TMP/a" ] || { echo "FAIL: a run directory was left behind for corrupt data"; failures=$((failures + 1)); }

printf '\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage' > "$TMP/mnist/train-images-idx3-ubyte.gz"
rm "$TMP/mnist/train-images-idx3-ubyte"
run "corrupt gzip file" 2 train --task seqmnist --data "$TMP/mnist" --out "$TMP/a"
expect err "train-images-idx3-ubyte.gz"

run "small training run" 0 train --epochs 2 "${QUICK[@]}" --out "$TMP/dense"
expect out "trained flipflop with dale for 2 epochs"
expect out "sign violations 0"
for f in config.toml metrics.csv checkpoint.bin summary.json model.npz loss.svg recurrent.svg weights_hist.svg report.html; do
  checks=$((checks + 1))
  [ -s "$TMP/dense/$f" ] || { echo "FAIL: run directory lacks $f"; failures=$((failures + 1)); }
done

run "existing run directory is protected" 2 train --epochs 1 "${QUICK[@]}" --out "$TMP/dense"
expect err "--force"

run "resume extends a finished run" 0 train --resume "$TMP/dense" --epochs 3 --quiet
expect out "for 3 epochs"

run "repeat from the recorded config" 0 train --config "$TMP/dense/config.toml" --epochs 1 --quiet --out "$TMP/again"

run "prune needs a sparsity" 2 prune --model "$TMP/dense" --out "$TMP/p"
expect err "exactly one of --sparsity"
run "sparsity outside [0, 1]" 2 prune --model "$TMP/dense" --sparsity 1.5 --out "$TMP/p"
expect err "--sparsity must lie in [0, 1]"
printf 'population,size,E,I\nE,10,0.5,0.5\nI,10,0.5,0.5\n' > "$TMP/blocks.csv"
run "block table that does not add up" 2 prune --model "$TMP/dense" --blocks "$TMP/blocks.csv" --out "$TMP/p"
expect err "add up to 20 units but the matrix is (16, 16)"
[ ! -e "$TMP/p" ] || { echo "FAIL: a pruned directory was left behind for a bad table"; failures=$((failures + 1)); }

run "prune" 0 prune --model "$TMP/dense" --sparsity 0.8 --exact --out "$TMP/p"
expect out "realised sparsity 0.8008"
for f in mask.npy prune_report.json checkpoint.bin config.toml; do
  checks=$((checks + 1))
  [ -s "$TMP/p/$f" ] || { echo "FAIL: pruned directory lacks $f"; failures=$((failures + 1)); }
done
# Fine-tuning anneals the learning rate by default (cosine, lr -> lr/10), constant on request.
checks=$((checks + 1))
grep -q '^schedule = "cosine"' "$TMP/p/config.toml" && grep -q '^lr_min = 0.0001$' "$TMP/p/config.toml" ||
  { echo "FAIL: the pruned run's config lacks the cosine fine-tuning schedule (lr_min = lr/10)"; failures=$((failures + 1)); }
run "unknown fine-tuning schedule" 2 prune --model "$TMP/dense" --sparsity 0.8 --finetune-schedule steps --out "$TMP/p_bad"
expect err "--finetune-schedule must be cosine or constant, got 'steps'"
[ ! -e "$TMP/p_bad" ] || { echo "FAIL: a pruned directory was left behind for a bad schedule"; failures=$((failures + 1)); }
run "prune, constant fine-tuning rate" 0 prune --model "$TMP/dense" --sparsity 0.8 --finetune-schedule constant --out "$TMP/p_flat"
checks=$((checks + 1))
grep -q '^schedule = "constant"' "$TMP/p_flat/config.toml" ||
  { echo "FAIL: --finetune-schedule constant did not reach the config"; failures=$((failures + 1)); }
run "train, bad schedule" 2 train --task flipflop --lr-schedule linear --out "$TMP/bad_schedule"
expect err "--lr-schedule must be constant or cosine, got 'linear'"
run "train, negative gradient-norm limit" 2 train --task flipflop --clip-grad-norm -1 --out "$TMP/bad_clip"
expect err "--clip-grad-norm must be a finite number >= 0 (0 = off), got -1"
[ ! -e "$TMP/bad_clip" ] || { echo "FAIL: a run directory was left behind for a bad --clip-grad-norm"; failures=$((failures + 1)); }
run "train, gradient-norm limit reaches the config" 0 train --task flipflop --clip-grad-norm 0.5 --epochs 1 --train-limit 200 --test-limit 100 --quiet --out "$TMP/clip"
checks=$((checks + 1))
grep -q '^clip_grad_norm = 0.5' "$TMP/clip/config.toml" ||
  { echo "FAIL: --clip-grad-norm did not reach the config"; failures=$((failures + 1)); }
run "train, unknown recurrent init" 2 train --task flipflop --recurrent-init gaussian --out "$TMP/bad_init"
expect err "--recurrent-init must be uniform or balanced, got 'gaussian'"
[ ! -e "$TMP/bad_init" ] || { echo "FAIL: a run directory was left behind for a bad --recurrent-init"; failures=$((failures + 1)); }
run "train, balanced init without I units" 2 train --task flipflop --recurrent-init balanced --exc-frac 1 "${QUICK[@]}" --out "$TMP/bad_init"
expect err "model.recurrent_init = balanced"
expect err "gives 16 E"
[ ! -e "$TMP/bad_init" ] || { echo "FAIL: a run directory was left behind for a balanced init without I units"; failures=$((failures + 1)); }
run "train, balanced init reaches the config" 0 train --task flipflop --recurrent-init balanced --epochs 1 "${QUICK[@]}" --out "$TMP/balanced"
checks=$((checks + 1))
grep -q '^recurrent_init = "balanced"' "$TMP/balanced/config.toml" ||
  { echo "FAIL: --recurrent-init balanced did not reach the config"; failures=$((failures + 1)); }
checks=$((checks + 1))
grep -q '^recurrent_init = "uniform"' "$TMP/dense/config.toml" ||
  { echo "FAIL: a default run's config does not record the uniform (SPEC) init"; failures=$((failures + 1)); }
run "finetune" 0 finetune --model "$TMP/p" --epochs 2 --quiet
expect out "fine-tuned"
expect out "51 weights kept, sign violations 0"
run "finetune refuses a dense run" 2 finetune --model "$TMP/dense"
expect err "is not a pruned run"

# reproduce fig2 / fig3 --quick: the figures run end to end; a run directory trained with another
# init is refused (naming the key), not silently reused, and is left as it was.
F2=(reproduce fig2 --quick --tasks flipflop --runs 1)
run "reproduce fig2 --quick" 0 "${F2[@]}" --out "$TMP/fig2"
expect out "Fig. 2 written to $TMP/fig2"
expect err "[3/3] training $TMP/fig2/flipflop/rectified/seed1"
expect err "[3/3] done in "
for f in table.md table.csv kl.csv fig2.json fig2_curves_flipflop.svg fig2_kl.svg fig2_hist_flipflop.svg; do
  checks=$((checks + 1))
  [ -s "$TMP/fig2/$f" ] || { echo "FAIL: reproduce fig2 --quick wrote no $f"; failures=$((failures + 1)); }
done
checks=$((checks + 1))
grep -q '"recurrent_init":"uniform"' "$TMP/fig2/fig2.json" && grep -q '^Recurrent init: uniform (SPEC' "$TMP/fig2/table.md" ||
  { echo "FAIL: reproduce fig2 does not record the uniform init"; failures=$((failures + 1)); }
checks=$((checks + 1))
grep -q '^| flipflop | dale | 1 / 0 | [0-9.e-]* |  | 0 |$' "$TMP/fig2/table.md" ||
  { echo "FAIL: fig2 table.md's Dale row is not 'one run, a mean, 0 sign violations':"; cat "$TMP/fig2/table.md"; failures=$((failures + 1)); }
cp "$TMP/fig2/flipflop/dale/seed1/model.npz" "$TMP/fig2_dale_before.npz"
run "reproduce fig2 reuses its runs" 0 "${F2[@]}" --out "$TMP/fig2"
expect err "reusing $TMP/fig2/flipflop/dale/seed1"
run "reproduce fig2 refuses runs of another init" 2 "${F2[@]}" --out "$TMP/fig2" --recurrent-init balanced
expect err "holds a run with another configuration"
expect err 'model.recurrent_init: the run has "uniform", this reproduction wants "balanced"'
checks=$((checks + 1))
cmp -s "$TMP/fig2/flipflop/dale/seed1/model.npz" "$TMP/fig2_dale_before.npz" ||
  { echo "FAIL: a refused reproduction changed the run it refused"; failures=$((failures + 1)); }
run "reproduce fig2, bad init" 2 "${F2[@]}" --out "$TMP/fig2_bad" --recurrent-init gaussian
expect err "--recurrent-init must be uniform or balanced, got 'gaussian'"
[ ! -e "$TMP/fig2_bad" ] || { echo "FAIL: reproduce fig2 left a directory behind for a bad --recurrent-init"; failures=$((failures + 1)); }
run "reproduce fig2, bad thread count" 2 "${F2[@]}" --out "$TMP/fig2_bad" --threads 0
expect err "--threads"
[ ! -e "$TMP/fig2_bad" ] || { echo "FAIL: reproduce fig2 left a directory behind for a bad --threads"; failures=$((failures + 1)); }
run "reproduce fig2 --recurrent-init balanced" 0 "${F2[@]}" --out "$TMP/fig2_bal" --recurrent-init balanced --threads 1
checks=$((checks + 1))
grep -q '"threads":1,' "$TMP/fig2_bal/flipflop/dale/seed1/summary.json" ||
  { echo "FAIL: reproduce fig2 --threads 1 did not reach the runs"; failures=$((failures + 1)); }
checks=$((checks + 1))
grep -q '^recurrent_init = "balanced"' "$TMP/fig2_bal/flipflop/rectified/seed1/config.toml" &&
  grep -q '"recurrent_init":"balanced"' "$TMP/fig2_bal/fig2.json" ||
  { echo "FAIL: reproduce fig2 --recurrent-init balanced did not reach the runs and fig2.json"; failures=$((failures + 1)); }
# Every run directory in the way is checked before anything is trained: the balanced flip-flop
# runs are refused before the wave runs listed first would have been trained.
run "reproduce fig2 refuses up front" 2 reproduce fig2 --quick --tasks wave,flipflop --runs 1 --out "$TMP/fig2_bal"
expect err 'model.recurrent_init: the run has "balanced", this reproduction wants "uniform"'
checks=$((checks + 1))
if grep -q "training" "$TMP/err" || [ -e "$TMP/fig2_bal/wave" ]; then
  echo "FAIL: reproduce fig2 trained a run before refusing a mismatched one"; failures=$((failures + 1))
fi
F3=(reproduce fig3 --quick --tasks flipflop --runs 1 --mst-draws 1)
run "reproduce fig3 refuses Fig. 2 runs of another init" 2 "${F3[@]}" --fig2 "$TMP/fig2_bal" --out "$TMP/fig3"
expect err 'model.recurrent_init: the run has "balanced", this reproduction wants "uniform"'
[ ! -e "$TMP/fig3" ] || { echo "FAIL: a refused reproduce fig3 left its output directory behind"; failures=$((failures + 1)); }
run "reproduce fig3 --quick on balanced Fig. 2 runs" 0 "${F3[@]}" --fig2 "$TMP/fig2_bal" --out "$TMP/fig3" --recurrent-init balanced
expect out "Fig. 3 written to $TMP/fig3"
expect err "reusing $TMP/fig2_bal/flipflop/dale/seed1"
checks=$((checks + 1))
[ -s "$TMP/fig3/fig3_mst.csv" ] && [ -s "$TMP/fig3/fig3C_flipflop.svg" ] && grep -q '"recurrent_init":"balanced"' "$TMP/fig3/fig3.json" ||
  { echo "FAIL: reproduce fig3 --quick did not write its outputs"; failures=$((failures + 1)); }
cp "$TMP/fig3/fig3.json" "$TMP/fig3_before.json"
run "reproduce fig3 reuses its fine-tuning runs" 0 "${F3[@]}" --fig2 "$TMP/fig2_bal" --out "$TMP/fig3" --recurrent-init balanced
expect err "reusing $TMP/fig3/finetune/flipflop/topprob/seed1"
run "reproduce fig3 refuses fine-tuning runs pruned from other networks" 2 "${F3[@]}" --fig2 "$TMP/fig2" --out "$TMP/fig3"
expect err "$TMP/fig3/finetune/flipflop/topprob/seed1 holds a run with another configuration"
expect err 'model.recurrent_init: the run has "balanced", this reproduction wants "uniform"'
checks=$((checks + 1))
if grep -q "error before fine-tuning" "$TMP/err"; then
  echo "FAIL: reproduce fig3 computed a panel before refusing a mismatched fine-tuning run"; failures=$((failures + 1))
fi
checks=$((checks + 1))
cmp -s "$TMP/fig3/fig3.json" "$TMP/fig3_before.json" ||
  { echo "FAIL: a refused reproduce fig3 changed the figure it refused to redo"; failures=$((failures + 1)); }

finish test_train.sh
