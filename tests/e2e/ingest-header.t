#!/bin/sh
# kpo-ingest finding the header (kpo-ingest(1), "Finding the header"): a bank
# statement with a 6-line preamble and a 3-line footer, read with --skip or by
# detection, and a psql dump without a header, read with --no-header
# --columns; the goldens are the independent reference's
# (tests/golden/ingest/SAMPLES, the lines with --skip or --no-header).
# Skipped while kpo-ingest has no --skip.
. tests/e2e/lib.sh
S=samples/exports
G=tests/golden/ingest

if ! kpo-ingest --help 2>&1 | grep -q -- --skip; then
	skip "kpo-ingest has no --skip yet (Finding the header is not implemented)"
	done_testing
fi

kinds() {  # the rejects file with each reason cut to its kind
	python3 - "$1" <<'PY'
import csv, sys
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["source", "stage", "kind", "record"])
with open(sys.argv[1], encoding="utf-8", errors="surrogateescape", newline="") as f:
    for r in list(csv.reader(f))[1:]:
        w.writerow([r[0], r[1], r[2].split(": ")[0], r[3]])
PY
}

grep -v '^#' $G/SAMPLES | grep -e '--skip' -e '--no-header' >"$T/list"
is "$(wc -l <"$T/list")" 2 "two samples need the header found"
while read -r f opts; do
	name=${f%.*}
	eval "set -- $opts"
	run kpo-ingest --rejects "$T/rej.csv" "$@" "$S/$f"
	is "$rc" 0 "$name: exit 0"
	same "$T/out" "$G/$name.csv" "$name: canonical stream equals the golden file"
	kinds "$T/rej.csv" >"$T/kinds.csv"
	if [ -f "$G/$name.rejects.csv" ]; then
		same "$T/kinds.csv" "$G/$name.rejects.csv" "$name: the rejected rows and their kinds equal the golden file"
	else
		is "$(($(wc -l <"$T/kinds.csv") - 1))" 0 "$name: nothing rejected"
	fi
	kpo-ingest -q "$@" "$S/$f" 2>/dev/null >"$T/c.csv"
	run kpo-enrich --rates samples/rates.csv --fx samples/fx.csv --as-of 2026-11-28 "$T/c.csv"
	is "$rc" 0 "$name: kpo-enrich exit 0"
	mv "$T/out" "$T/e.csv"
	run kpo-metrics --bundle "$T/bundle-$name" "$T/e.csv"
	is "$rc" 0 "$name: kpo-metrics --bundle exit 0"
done <"$T/list"

# The bank statement: lines 1-6 are its preamble, the header is line 7.
bank="--map $S/m-bank-ru.map --set domain=Financial\ Advisory --set currency=RUB --tz Europe/Moscow --max-reject-pct 10"
ok "$(sed -n 7p $S/m-bank-ru.csv | grep -q '^Дата;№ док\.;Контрагент;'; echo $?)" "bank: line 7 is the header"
eval "set -- $bank"
run kpo-ingest --rejects "$T/rej.csv" --skip 6 "$@" $S/m-bank-ru.csv
like "$T/err" 'rows read.*[^0-9]6[^0-9]' "bank: the summary line counts the 6 lines before the header"
unlike "$T/rej.csv" 'm-bank-ru.csv:[1-7],' "bank: the preamble is never rejected"
unlike "$T/err" 'Выписка по счёту|40702810938000012345|Северный консалтинг' "bank: nor shown"
# Found without --skip: the first of the first 50 lines naming three
# canonical columns (with the --map, line 7 names four).
run kpo-ingest "$@" $S/m-bank-ru.csv
is "$rc" 0 "bank, header detected: exit 0"
same "$T/out" $G/m-bank-ru.csv "bank, header detected: the same stream as with --skip 6"
# The footer is not data: two rows whose Дата is no date, one of 1 field.
run kpo-ingest "$@" --max-reject-pct 5 $S/m-bank-ru.csv
is "$rc" 65 "bank: the 3 footer lines are 3 of 55 rows rejected, more than 5 %: exit 65"

# The dump without a header.
run kpo-ingest $S/n-headerless.tsv
is "$rc" 65 "headerless, without --no-header: exit 65"
like "$T/err" 'n-headerless.tsv' "the message names the file"
like "$T/err" -- '--no-header' "and suggests --no-header --columns"
like "$T/err" -- '--skip' "and --skip"
unlike "$T/err" 'DB-1|Battery materials|Volga Research' "it never prints a line of the file"
run kpo-ingest --no-header --columns 'Task ID,Engagement,Vendor,Domain,Region,Requested At,Due At,Delivered At,Hours,Cost,Currency,In-house Rate,Quality,Defects,Reworked' $S/n-headerless.tsv
same "$T/out" $G/n-headerless.csv "--columns with header texts the aliases know: the same stream"
run kpo-ingest --no-header $S/n-headerless.tsv
is "$rc" 64 "--no-header without --columns: exit 64"
done_testing
