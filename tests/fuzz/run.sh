#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs every libFuzzer harness of a -Dfuzzing=true build for SECONDS each,
# one at a time, and reports per harness: executions, coverage (libFuzzer's
# cov: edges and ft: features at the end) and findings (crash, leak,
# timeout and oom inputs written).  See tests/fuzz/README.
#
#   tests/fuzz/run.sh BUILDDIR SECONDS [--merge] [--keep-going] [NAME...]
#
# Each harness fuzzes a scratch copy of tests/fuzz/corpus/NAME (in a
# directory under $TMPDIR, printed, kept when something was found); the
# repository is written only with --merge, which merges the inputs that
# added coverage back into corpus/NAME (libFuzzer -merge=1: only what adds
# features).  --keep-going runs libFuzzer in fork mode with one job
# (-fork=1 -ignore_crashes=1 ...), which keeps fuzzing past a finding and
# collects every one; without it a harness stops at its first finding.
# NAME... restricts the run to those harnesses.
#
# Exit status: 0 when no harness found anything, 1 when one did, 2 on a
# usage or set-up error.
set -euo pipefail

usage() { echo "usage: $0 BUILDDIR SECONDS [--merge] [--keep-going] [NAME...]" >&2; exit 2; }
[ $# -ge 2 ] || usage
build=$(realpath "$1")
seconds=$2
shift 2
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || usage
merge= keep_going= only=()
for a in "$@"; do
        case $a in
        --merge) merge=1 ;;
        --keep-going) keep_going=1 ;;
        -*) usage ;;
        *) only+=("$a") ;;
        esac
done

src=$(dirname "$(realpath "$0")")
bindir=$build/tests/fuzz
harnesses=()
for exe in "$bindir"/fuzz-*; do
        [ -x "$exe" ] && [ -f "$exe" ] || continue
        name=${exe##*/fuzz-}
        case $name in replay-*) continue ;; esac
        if [ ${#only[@]} -gt 0 ] && ! printf '%s\n' "${only[@]}" | grep -qx -- "$name"; then
                continue
        fi
        harnesses+=("$name")
done
if [ ${#harnesses[@]} -eq 0 ]; then
        echo "no libFuzzer harness in $bindir: configure with -Dfuzzing=true (tests/fuzz/README)" >&2
        exit 2
fi
if ! "$bindir/fuzz-${harnesses[0]}" -help=1 2>&1 | grep max_total_time >/dev/null; then
        echo "$bindir/fuzz-${harnesses[0]} is not a libFuzzer binary: configure with -Dfuzzing=true" >&2
        exit 2
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/sg-fuzz-run.XXXXXX")
echo "scratch: $scratch"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
# UBSan's reports are findings: they stop the run and leave a crash file
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}

total_found=0 total_execs=0
printf '%-18s %12s %8s %8s %8s  %s\n' harness executions cov ft findings log
for name in "${harnesses[@]}"; do
        exe=$bindir/fuzz-$name
        work=$scratch/$name
        mkdir -p "$work/corpus" "$work/artifacts" "$work/tmp"
        [ -d "$src/corpus/$name" ] && cp -r "$src/corpus/$name/." "$work/corpus/"
        args=(-max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$work/artifacts/"
              -timeout=25 -rss_limit_mb=2048 -max_len=65536)
        [ -n "$keep_going" ] && args+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
        rc=0
        TMPDIR=$work/tmp nice -n 10 "$exe" "${args[@]}" "$work/corpus" >"$work/log" 2>&1 || rc=$?

        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
        [ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$work/log" | tail -n 1 | tr -d '#')
        last=$(grep -E 'cov: [0-9]+ ft: [0-9]+' "$work/log" | tail -n 1 || true)
        cov=$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$last")
        ft=$(sed -nE 's/.*ft: ([0-9]+).*/\1/p' <<<"$last")
        found=$(find "$work/artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
                -o -name 'oom-*' \) | wc -l)
        # a harness that died without leaving an input still failed
        if [ "$found" -eq 0 ] && [ "$rc" -ne 0 ]; then
                found=1
                echo "fuzz-$name exited with status $rc without a finding; see $work/log" >&2
        fi
        printf '%-18s %12s %8s %8s %8s  %s\n' "$name" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$found" "$work/log"
        find "$work/artifacts" -type f ! -name 'slow-unit-*' | sed 's/^/    finding: /'
        total_found=$((total_found + found))
        total_execs=$((total_execs + ${execs:-0}))

        if [ -n "$merge" ]; then
                mkdir -p "$src/corpus/$name"
                TMPDIR=$work/tmp nice -n 10 "$exe" -merge=1 -max_len=65536 -timeout=25 \
                        "$src/corpus/$name" "$work/corpus" >"$work/merge.log" 2>&1 ||
                        echo "merge of $name failed; see $work/merge.log" >&2
        fi
        rm -rf "$work/tmp"
        [ "$found" -gt 0 ] || rm -rf "$work/corpus"
done

echo "summary: ${#harnesses[@]} harnesses, ${seconds}s each, $total_execs executions, $total_found findings"
if [ "$total_found" -gt 0 ]; then
        echo "findings kept in $scratch (replay one: $bindir/fuzz-NAME FILE)"
        exit 1
fi
echo "logs in $scratch"
exit 0
