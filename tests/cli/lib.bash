# lib.bash — shared helpers for the command-line checks in tests/cli/*.sh (sourced, not run).
#
# A script sources this with the path of the biornn binary as its first argument and gets
#   run NAME EXPECTED_EXIT ARGS...   runs "$BIN" ARGS..., keeps stdout/stderr, checks the exit code
#   expect out|err TEXT              the last run's stdout or stderr contains TEXT (a fixed string)
#   finish SCRIPT_NAME               prints the tally and exits 1 if any check failed
# and $TMP, a scratch directory removed on exit.
if [ $# -ne 1 ] || [ ! -x "$1" ]; then
  echo "usage: $0 path/to/biornn (an executable)" >&2
  exit 2
fi
BIN=$1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0
checks=0

# run NAME EXPECTED_EXIT ARGS... : runs `biornn ARGS`, keeps stdout/stderr for `expect`.
run() {
  local name=$1 want=$2
  shift 2
  current=$name
  "$BIN" "$@" >"$TMP/out" 2>"$TMP/err"
  local got=$?
  checks=$((checks + 1))
  if [ "$got" -ne "$want" ]; then
    echo "FAIL [$name]: exit $got, expected $want"
    sed 's/^/  stderr: /' "$TMP/err"
    failures=$((failures + 1))
  fi
}

# expect out|err TEXT : the last run's stdout or stderr contains TEXT (a fixed string).
expect() {
  local stream=$1 text=$2
  checks=$((checks + 1))
  if ! grep -qF -- "$text" "$TMP/$stream"; then
    echo "FAIL [$current]: $stream does not contain: $text"
    sed "s/^/  $stream: /" "$TMP/$stream"
    failures=$((failures + 1))
  fi
}

finish() {
  if [ "$failures" -ne 0 ]; then
    echo "$1: $failures of $checks checks failed"
    exit 1
  fi
  echo "$1: all $checks checks passed"
}
