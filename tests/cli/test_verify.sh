#!/usr/bin/env bash
# test_verify.sh — `biornn verify`: every check passes (exit 0), the table and the JSON carry
# every result with measured, bound and verdict, demonstrations never fail the run, bad flags
# are usage errors.
#
#   usage: tests/cli/test_verify.sh path/to/biornn
set -uo pipefail
source "$(dirname "$0")/lib.bash"

run "help" 0 verify --help
expect out "--json"
expect out "--seed"

run "table" 0 verify
for name in "Theorem 5" "Corollary 6" "Lemma 1" "Theorem 2" "Lemma 3" "Theorem 4" "App. 7" "App. 9" "App. 10.1" "App. 10.2"; do
  expect out "$name"
done
expect out "10 of 10 checks passed"
expect out "demonstrations"
expect out "broken"
expect err "biornn verify:"

run "json" 0 verify --json --seed 3
for key in '{"seed":3' '"checks":[{"id":"theorem5"' '"name":"Theorem 5"' '"measured":' '"bound":' \
           '"verdict":"pass"' '"slack":' '"tolerance":' '"demonstrations":[' '"verdict":"broken"' '"all_pass":true'; do
  expect out "$key"
done
n_pass=$(grep -o '"verdict":"pass"' "$TMP/out" | wc -l)
if [ "$n_pass" -ne 10 ]; then echo "FAIL [json]: expected 10 passing verdicts, found $n_pass"; failures=$((failures + 1)); fi
if grep -q '"verdict":"fail"' "$TMP/out"; then echo "FAIL [json]: a check failed"; failures=$((failures + 1)); fi
if command -v python3 >/dev/null; then
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["checks"]) == 10 and all(c["verdict"] == "pass" for c in d["checks"])' "$TMP/out" \
    || { echo "FAIL [json]: not valid JSON with 10 passing checks"; failures=$((failures + 1)); }
fi

run "same seed, same table" 0 verify --seed 5
cp "$TMP/out" "$TMP/first"
run "same seed again" 0 verify --seed 5
cmp -s "$TMP/out" "$TMP/first" || { echo "FAIL [determinism]: two runs with --seed 5 differ"; failures=$((failures + 1)); }

run "bad seed" 2 verify --seed banana
expect err "--seed"
run "unknown flag" 2 verify --fast
expect err "--fast"
finish test_verify.sh
