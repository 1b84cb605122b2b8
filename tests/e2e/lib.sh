# Shared by the end-to-end tests: TAP output, a scratch folder, and the
# binaries of the build under test ($KPO_BUILD, set by make check).
#
#   . tests/e2e/lib.sh
#   run kpo-ingest x.csv      # sets $rc; stdout in $T/out, stderr in $T/err
#   is "$rc" 0 "exit status"
#   same "$T/out" tests/golden/x.csv "output"   # diff shown on failure
#   done_testing
set -u
cd "$(dirname "$0")/../.." || exit 1
TOP=$(pwd)
: "${KPO_BUILD:=$TOP/build}"
PATH=$KPO_BUILD/bin:$KPO_BUILD/tools:$PATH
export PATH TOP KPO_BUILD
unset KPO_CONF
T=$(mktemp -d "${TMPDIR:-/tmp}/kpo-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
# python3 (the tests' own checks, tests/ref/, scripts/gen-data) is started
# hundreds of times per pass.  A version manager's shim in PATH (pyenv's
# costs about 0.6 s of CPU per start, more than the script it runs) is
# passed once: $T/.py/python3 execs the interpreter the shim chose, the same
# one, resolved once per make check (KPO_PYTHON, set by the Makefile) or
# else once per test file.
: "${KPO_PYTHON:=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)}"
if [ -n "$KPO_PYTHON" ] && [ -x "$KPO_PYTHON" ] && mkdir "$T/.py"; then
	printf '#!/bin/sh\nexec "%s" "$@"\n' "$KPO_PYTHON" >"$T/.py/python3"
	chmod +x "$T/.py/python3"
	PATH=$T/.py:$PATH
fi
export KPO_PYTHON
tap_n=0
tap_failed=0

ok() {  # ok STATUS NAME: passes when STATUS is 0
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

is() {  # is GOT WANT NAME
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "     got: '$1'" "expected: '$2'"
	fi
}

like() {  # like FILE REGEX NAME: FILE has a line matching the extended REGEX
	if grep -Eq -- "$2" "$1"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "no line of $1 matches: $2" "--- $1:"
		head -n 20 "$1" | diag "$(cat)"
	fi
}

unlike() {  # unlike FILE REGEX NAME
	if grep -Eq -- "$2" "$1"; then
		ok 1 "$3"
		grep -E -- "$2" "$1" | head -n 5 | diag "$(cat)"
	else
		ok 0 "$3"
	fi
}

same() {  # same GOT_FILE WANT_FILE NAME
	if diff -u "$2" "$1" >"$T/diff" 2>&1; then
		ok 0 "$3"
	else
		ok 1 "$3"
		head -n 40 "$T/diff" | sed 's/^/# /'
	fi
}

run() {  # run CMD ARGS...: $rc, and $T/out, $T/err
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# same_as_chain NAME STAGE...: after a run of the chain into $T/c and of
# kpo-run into $T/r (out, err, bundle/, STAGE.rej), the same standard
# output, bundle, each STAGE's rejects file and its lines on stderr, and
# nothing else on kpo-run's stderr.  $T/empty must be an empty file.
same_as_chain() {
	sc_name=$1
	shift
	same "$T/r/out" "$T/c/out" "$sc_name: the same standard output"
	if [ -d "$T/c/bundle" ]; then
		diff -r "$T/c/bundle" "$T/r/bundle" >"$T/diff" 2>&1
		ok $? "$sc_name: the same bundle"
	fi
	cp "$T/r/err" "$T/r/err.other"
	for s in "$@"; do
		if [ -f "$T/c/$s.rej" ]; then
			cmp -s "$T/c/$s.rej" "$T/r/$s.rej"
			ok $? "$sc_name: the same $s rejects ($(($(wc -l <"$T/c/$s.rej") - 1)) rows)"
		else
			test ! -e "$T/r/$s.rej"
			ok $? "$sc_name: no $s rejects file, as the chain"
		fi
		grep -a "^kpo-$s: " "$T/c/err" >"$T/c/err.$s"
		grep -a "^kpo-$s: " "$T/r/err" >"$T/r/err.$s"
		same "$T/r/err.$s" "$T/c/err.$s" "$sc_name: the same kpo-$s lines on stderr"
		grep -av "^kpo-$s: " "$T/r/err.other" >"$T/r/err.rest"
		mv "$T/r/err.rest" "$T/r/err.other"
	done
	same "$T/r/err.other" "$T/empty" "$sc_name: nothing else on stderr"
}

# rejected_stream: a kpo-ingest stream of rows that each stage rejects: kpo-enrich (a date that is not
# one, a currency without a rate, delivered before requested), kpo-metrics
# (a quality or a reworked it cannot read); and names that a reader could
# take apart: quoted line ends (LF, CRLF, a CR alone) inside a field,
# blanks around one, quotes in one.  Each row's source is FILE:LINE, the
# rejects' place; with NOSOURCE every fifth row has none, and a reject is
# placed at its line in the stream.
rejected_stream() {  # rejected_stream EOL INNER_EOL [NOSOURCE]
	printf 'task_id,engagement_id,vendor,domain,region,requested_at,due_at,delivered_at,hours,cost,currency,inhouse_rate,quality,defects,reworked,source%s' "$1"
	i=1
	while [ $i -le 120 ]; do
		src="exp.csv:$((i + 1))"
		[ -n "${3:-}" ] && [ $((i % 5)) = 0 ] && src=
		case $((i % 9)) in
		1) printf 'R-%d,e,V,Legal,EU,not a date,,,1,1,USD,1,90,0,0,%s%s' $i "$src" "$1" ;;
		2) printf 'R-%d,e,"V, %d",Legal,EU,2025-08-09T06:15:00Z,2025-08-19T00:00:00Z,,1,1,XYZ,1,90,0,0,%s%s' $i $i "$src" "$1" ;;
		3) printf 'R-%d,e,V,Legal,EU,2025-08-09T06:15:00Z,,2025-08-20T03:38:00Z,1,10,USD,80,high,0,0,%s%s' $i "$src" "$1" ;;
		4) printf 'R-%d,e,W,Finance,US,2025-09-09T06:15:00Z,,2025-09-20T03:38:00Z,1,10,USD,80,90,0,maybe,%s%s' $i "$src" "$1" ;;
		5) printf 'R-%d,e,"Vendor ""%d""%sline two",Legal,EU,2025-08-09T06:15:00Z,2025-08-19T00:00:00Z,2025-08-20T03:38:00Z,2,100,EUR,80,90,0,0,%s%s' \
			$i $((i % 4)) "$2" "$src" "$1" ;;
		6) printf 'R-%d,e," Spaced %d ",Finance,US,2025-0%d-09T06:15:00Z,2025-10-19T00:00:00Z,,1.5,75.25,USD,80,88,1,0,%s%s' \
			$i $((i % 3)) $((i % 9 + 1)) "$src" "$1" ;;
		7) printf 'R-%d,e,V,Legal,EU,2025-08-09T06:15:00Z,,2025-08-01T03:38:00Z,1,1,USD,1,90,0,0,%s%s' $i "$src" "$1" ;;
		*) printf 'R-%d,e,"Firm %d",Finance,"US%sWest",2025-0%d-09T06:15:00Z,2025-09-19T00:00:00Z,2025-09-20T03:38:00Z,1.5,75.25,GBP,80,88,1,%d,%s%s' \
			$i $((i % 7)) "$2" $((i % 9 + 1)) $((i % 2)) "$src" "$1" ;;
		esac
		i=$((i + 1))
	done
}
# ingest_samples DIR: every sample export ingested alone, as the nightly
# ingests them, into DIR: the demo's inbox (inbox-N.csv), every format with
# its options (tests/golden/ingest/SAMPLES; export-N.csv), and every bad
# sample kpo-ingest writes anything of (bad-N.csv).
ingest_samples() {
	is_dir=$1 is_n=0
	mkdir -p "$is_dir"
	for is_f in samples/inbox/*.csv; do
		kpo-ingest -q -o "$is_dir/inbox-$is_n.csv" "$is_f"
		is_n=$((is_n + 1))
	done
	is_n=0
	grep -v '^#' tests/golden/ingest/SAMPLES | while read -r is_f is_opts; do
		eval "kpo-ingest -q --max-reject-pct 100 $is_opts \"samples/exports/\$is_f\"" >"$is_dir/export-$is_n.csv" \
			2>/dev/null
		is_n=$((is_n + 1))
	done
	is_n=0
	for is_f in samples/bad/*.csv; do
		kpo-ingest -q --max-reject-pct 100 "$is_f" >"$is_dir/bad-$is_n.csv" 2>/dev/null
		[ -s "$is_dir/bad-$is_n.csv" ] || rm -f "$is_dir/bad-$is_n.csv"
		is_n=$((is_n + 1))
	done
}

# nightly_beside DIR 'CASE BRANCHES': a copy of kpo-nightly in DIR beside
# the stage programs and a kpo-run that, for the arguments matching a
# branch of CASE BRANCHES (sh case syntax, on " ARGS "), does what it says
# first: the nightly runs the programs next to itself.
nightly_beside() {
	mkdir -p "$1"
	cp "$TOP/pipeline/kpo-nightly" "$1/"
	for nb_p in kpo-ingest kpo-rejects kpo-chart kpo-score; do ln -sf "$KPO_BUILD/bin/$nb_p" "$1/$nb_p"; done
	printf '#!/bin/sh\ncase " $* " in\n%s\nesac\nexec "%s/bin/kpo-run" "$@"\n' "$2" "$KPO_BUILD" >"$1/kpo-run"
	chmod +x "$1/kpo-run"
}

skip() {  # skip REASON
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP $1"
}

# Big inputs written by python3 in 1 MiB blocks straight into a pipe: the
# bytes of `head -c N /dev/zero | tr '\0' C` and of `... | gzip -1`, for a
# fraction of the CPU (tr's extra pipe and gzip's slower deflate cost more
# than the stage that reads them).
fill() {  # fill N C: N bytes C (one ASCII character; "" is NUL), no line end
	python3 -c '
import sys
n, c = int(sys.argv[1]), sys.argv[2].encode() or b"\0"
b = c * (1 << 20); out = sys.stdout.buffer
for _ in range(n >> 20): out.write(b)
out.write(b[: n & ((1 << 20) - 1)])' "$1" "$2"
}
fill_gz() {  # fill_gz N C: fill N C as one gzip member (level 1)
	python3 -c '
import sys, zlib
n, c = int(sys.argv[1]), sys.argv[2].encode() or b"\0"
z = zlib.compressobj(1, zlib.DEFLATED, 31); b = c * (1 << 20); out = sys.stdout.buffer
for _ in range(n >> 20): out.write(z.compress(b))
out.write(z.compress(b[: n & ((1 << 20) - 1)])); out.write(z.flush())' "$1" "$2"
}

# gravity STATUS: kpo(7)'s order of exit statuses, most serious highest
gravity() {
	case $1 in
	0) echo 0 ;; 65) echo 1 ;; 66) echo 2 ;; 64) echo 3 ;; 70) echo 4 ;; 73) echo 5 ;; 74) echo 6 ;; *) echo 7 ;;
	esac
}
worst() {  # worst STATUS...: the most serious, as a chain's stages add up (kpo-run)
	w=0
	for s in "$@"; do
		[ "$(gravity "$s")" -gt "$(gravity "$w")" ] && w=$s
	done
	echo "$w"
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
	exit $?
}
