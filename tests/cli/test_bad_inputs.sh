#!/usr/bin/env bash
# test_bad_inputs.sh — hostile files through the program: every command that reads a file
# answers a bad one with a non-zero exit, a message naming the file, the position (byte offset,
# line, column or key) and what was expected, and leaves no output directory behind.
#
#   usage: tests/cli/test_bad_inputs.sh path/to/biornn
set -uo pipefail
source "$(dirname "$0")/lib.bash"

no_output() {  # no_output DIR : nothing was created at DIR
  checks=$((checks + 1))
  if [ -e "$1" ]; then echo "FAIL [$current]: $1 was left behind"; failures=$((failures + 1)); fi
}

# ---- configs (TOML) ---------------------------------------------------------------------------
# (An empty config is valid: every setting has a default.)
printf 'task = "wave"\ntask = "wave"\n' > "$TMP/dup.toml"
run "duplicate key" 2 train --config "$TMP/dup.toml" --out "$TMP/o"
expect err "dup.toml line 2"
expect err "task"
no_output "$TMP/o"
printf '[model]\nhidden = 0\n[optimizer]\nlr = nan\n' > "$TMP/zero.toml"
run "zero size and NaN rate" 2 train --config "$TMP/zero.toml" --out "$TMP/o"
expect err "zero.toml line 2: 'model.hidden'"
expect err "zero.toml line 4: 'optimizer.lr'"
no_output "$TMP/o"
printf '[run]\nepochs = 99999999999999999999\n' > "$TMP/big.toml"
run "integer overflow" 2 train --config "$TMP/big.toml" --out "$TMP/o"
expect err "big.toml line 2"
no_output "$TMP/o"
printf 'task = "\xc3\x28"\n' > "$TMP/utf8.toml"
run "invalid UTF-8" 2 train --config "$TMP/utf8.toml" --out "$TMP/o"
expect err "utf8.toml line 1"
expect err "UTF-8"
run "config is a directory" 2 train --config "$TMP" --out "$TMP/o"
expect err "it is a directory, expected a file"
no_output "$TMP/o"

# ---- arrays (.npy) ----------------------------------------------------------------------------
: > "$TMP/empty.npy"
run "empty .npy" 2 mst --weights "$TMP/empty.npy"
expect err "empty.npy"
printf '\x93NUMPY\x01\x00\x76\x00{'"'"'descr'"'"': '"'"'<f4'"'"', '"'"'fortran_order'"'"': True, '"'"'shape'"'"': (2, 2), }' > "$TMP/f.npy"
printf '%*s\n' $((118 - 58)) '' | tr -d '\n' >> "$TMP/f.npy"; printf '\n' >> "$TMP/f.npy"
head -c 16 /dev/zero >> "$TMP/f.npy"
run "Fortran-order .npy" 2 mst --weights "$TMP/f.npy"
expect err "f.npy"
expect err "Fortran order"
printf '\x93NUMPX\x01\x00' > "$TMP/magic.npy"
run "wrong magic" 2 mst --weights "$TMP/magic.npy"
expect err "magic.npy"
run "unreadable path" 2 mst --weights "$TMP/missing/w.npy"
expect err "missing/w.npy"
expect err "no such file"

# ---- IDX data ---------------------------------------------------------------------------------
mkdir -p "$TMP/mnist"
printf '\x00\x00\x08\x03\x7f\xff\xff\xff\x7f\xff\xff\xff\x00\x00\x00\x1c' > "$TMP/mnist/train-images-idx3-ubyte"
printf '\x00\x00\x08\x01\x00\x00\x00\x01\x01' > "$TMP/mnist/train-labels-idx1-ubyte"
run "IDX dimensions that would exhaust memory" 2 train --task seqmnist --data "$TMP/mnist" --out "$TMP/o"
expect err "train-images-idx3-ubyte"
expect err "the header promises 2147483647 × 2147483647 × 28"
no_output "$TMP/o"

# ---- block tables and population specs --------------------------------------------------------
"$BIN" train --task flipflop --hidden 8 --exc-frac 0.75 --train-limit 20 --test-limit 10 --batch 10 --epochs 1 \
  --out "$TMP/run" --quiet >/dev/null 2>&1 || { echo "FAIL: could not make a small run"; failures=$((failures + 1)); }
printf 'population,size,E,I\nE,6,0.5,0.5\nI,-2,0.5,0.5\n' > "$TMP/neg.csv"
run "negative population size" 2 prune --model "$TMP/run" --blocks "$TMP/neg.csv" --out "$TMP/o"
expect err "neg.csv"
expect err "positive integer"
no_output "$TMP/o"
printf 'population,size,E,I\nE,6,0.5,nan\nI,2,0.5,0.5\n' > "$TMP/nan.csv"
run "NaN density" 2 prune --model "$TMP/run" --blocks "$TMP/nan.csv" --out "$TMP/o"
expect err "nan.csv line 2, column 4"
no_output "$TMP/o"
printf '[populations]\nratios = [2147483647, 1, 1]\nscale = 100000\n' > "$TMP/huge.toml"
run "spec whose unit count overflows" 2 celltype fit --spec "$TMP/huge.toml" --data "$TMP/none" --out "$TMP/o"
expect err "huge.toml"
expect err "at most 100000"
no_output "$TMP/o"
printf '[populations]\nareaz = ["V1"]\n' > "$TMP/unknown.toml"
run "spec with an unknown key" 2 celltype fit --spec "$TMP/unknown.toml" --data "$TMP/none" --out "$TMP/o"
expect err "unknown.toml line 2: unknown key 'populations.areaz'"
no_output "$TMP/o"

# ---- checkpoints ------------------------------------------------------------------------------
cp -r "$TMP/run" "$TMP/damaged"
printf 'X' | dd of="$TMP/damaged/checkpoint.bin" bs=1 seek=40 conv=notrunc 2>/dev/null
run "damaged checkpoint" 2 train --resume "$TMP/damaged"
expect err "damaged/checkpoint.bin"
expect err "checksum mismatch"
head -c 30 "$TMP/run/checkpoint.bin" > "$TMP/damaged/checkpoint.bin"
run "truncated checkpoint" 2 train --resume "$TMP/damaged"
expect err "damaged/checkpoint.bin"

finish test_bad_inputs.sh
