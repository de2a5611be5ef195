#!/usr/bin/env bash
# test_embed.sh — a trained flip-flop network inside a C program (examples/16_embed_flipflop.c,
# through include/biornn/infer.h) gives exactly the outputs of biornn's own forward pass.
#
# A tiny flip-flop run is trained, then pruned and fine-tuned; for each, the C example prints
# its fixed input sequence and its outputs, and `biornn infer --run` recomputes the outputs of
# the same inputs on the tape from the run's checkpoint. Both print every number with the digits
# that read back to the same bits, so equal text is equal bits. Then the C example and
# `biornn infer` meet a missing, a truncated and a garbage model file: a message and a non-zero
# exit, never a crash.
#
#   usage: tests/cli/test_embed.sh path/to/biornn
# The C example is $BIORNN_EMBED_EXAMPLE, else examples/16_embed_flipflop next to the program;
# $BIORNN_RUN_PREFIX (e.g. an emulator) runs it.
set -uo pipefail
source "$(dirname "$0")/lib.bash"
EXAMPLE=${BIORNN_EMBED_EXAMPLE:-$(dirname "$BIN")/examples/16_embed_flipflop}
RUNNER=${BIORNN_RUN_PREFIX:-}
QUICK=(--hidden 16 --train-limit 200 --test-limit 50 --batch 50 --quiet)

# run_example NAME EXPECTED_EXIT ARGS... : like `run`, for the C example.
run_example() {
  local name=$1 want=$2
  shift 2
  current=$name
  $RUNNER "$EXAMPLE" "$@" >"$TMP/out" 2>"$TMP/err"
  local got=$?
  checks=$((checks + 1))
  if [ "$got" -ne "$want" ]; then
    echo "FAIL [$name]: exit $got, expected $want"
    sed 's/^/  stderr: /' "$TMP/err"
    failures=$((failures + 1))
  fi
}

# same NAME FILE_A FILE_B : the two files are identical.
same() {
  checks=$((checks + 1))
  if ! cmp -s "$2" "$3"; then
    echo "FAIL [$1]: $2 and $3 differ"
    diff "$2" "$3" | head -n 10 | sed 's/^/  /'
    failures=$((failures + 1))
  fi
}

run "infer --help" 0 infer --help
expect out "usage: biornn infer"
run "train a tiny flip-flop" 0 train --task flipflop --epochs 2 "${QUICK[@]}" --out "$TMP/dense"
run "prune it" 0 prune --model "$TMP/dense" --sparsity 0.7 --out "$TMP/pruned"
run "fine-tune it" 0 finetune --model "$TMP/pruned" --epochs 1 --quiet

for model in dense pruned; do
  run_example "C example on the $model model" 0 "$TMP/$model/model.npz"
  expect out "16 hidden units"
  grep -v '^#' "$TMP/out" > "$TMP/$model.c.txt"
  awk -F'|' '{print $2}' "$TMP/$model.c.txt" > "$TMP/$model.inputs.txt"
  awk -F'|' '{sub(/^ +/, "", $3); print $3}' "$TMP/$model.c.txt" > "$TMP/$model.c_outputs.txt"
  checks=$((checks + 1))
  if [ "$(wc -l < "$TMP/$model.c_outputs.txt")" -ne 40 ] || grep -q '^$' "$TMP/$model.c_outputs.txt"; then
    echo "FAIL [$model]: the C example did not print 40 steps of outputs"; failures=$((failures + 1))
  fi
  run "tape forward pass of the $model run" 0 infer --run "$TMP/$model" --inputs "$TMP/$model.inputs.txt" --out "$TMP/$model.tape.txt"
  same "C example = tape, $model, bit for bit" "$TMP/$model.c_outputs.txt" "$TMP/$model.tape.txt"
  run "infer --model on the $model model" 0 infer --model "$TMP/$model/model.npz" --inputs "$TMP/$model.inputs.txt"
  same "infer --model = tape, $model" "$TMP/out" "$TMP/$model.tape.txt"
done
checks=$((checks + 1))
if cmp -s "$TMP/dense.tape.txt" "$TMP/pruned.tape.txt"; then
  echo "FAIL: the pruned model gave the dense model's outputs"; failures=$((failures + 1))
fi

run_example "C example without a model" 2
expect err "usage:"
run_example "missing model file" 1 "$TMP/nope.npz"
expect err "not_found"
expect err "nope.npz"
head -c 1000 "$TMP/dense/model.npz" > "$TMP/truncated.npz"
run_example "truncated model file" 1 "$TMP/truncated.npz"
expect err "corrupt"
expect err "truncated.npz"
printf 'PK\003\004 this is not a zip archive at all' > "$TMP/garbage.npz"
run_example "garbage model file" 1 "$TMP/garbage.npz"
expect err "garbage.npz"
run "infer on a truncated model" 2 infer --model "$TMP/truncated.npz" --inputs "$TMP/dense.inputs.txt"
expect err "truncated.npz"

run "infer needs one source" 2 infer --run "$TMP/dense" --model "$TMP/dense/model.npz" --inputs "$TMP/dense.inputs.txt"
expect err "exactly one of --run DIR and --model FILE"
run "infer needs inputs" 2 infer --model "$TMP/dense/model.npz"
expect err "--inputs FILE is required"
run "infer to an output path that cannot be written" 2 infer --model "$TMP/dense/model.npz" --inputs "$TMP/dense.inputs.txt" --out /proc/biornn_out.txt
expect err "/proc/biornn_out.txt"
printf '1 0\n' > "$TMP/short.txt"
run "inputs of the wrong width" 2 infer --model "$TMP/dense/model.npz" --inputs "$TMP/short.txt"
expect err "short.txt line 1: 2 numbers, but the model has 1 inputs per step"
printf '1 0 zero\n' > "$TMP/word.txt"
run "inputs that are not numbers" 2 infer --model "$TMP/dense/model.npz" --inputs "$TMP/word.txt"
expect err "word.txt line 1: 'zero' is not a number"

finish test_embed.sh
