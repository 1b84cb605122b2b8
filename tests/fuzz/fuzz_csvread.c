/* libFuzzer target: the CSV reader over arbitrary bytes, plain or gzip, with
 * every dialect option.  The first byte picks the options; the rest is the
 * file.  Checks that records come in line order, fields stay within their
 * record, and the reader never reads past what it was given. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvread.h"
#include "memfile.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[] = { 0, ',', ';', '\t', '|', 0, 0, 0 };
	static const char *encodings[] = { NULL, NULL, "cp1251", "UTF-16", NULL, "latin1", NULL, NULL };
	struct kpo_csv_opts o;
	struct kpo_csv *r;
	struct kpo_record *rec;
	char path[64];
	long last = 0;
	int fd, rc;
	uint8_t sel;

	if (size < 1)
		return 0;
	sel = data[0];
	memset(&o, 0, sizeof o);
	o.delim = delims[sel & 7];
	o.encoding = encodings[(sel >> 3) & 7];
	o.max_field = (sel & 0x40) ? 64 : 0;
	o.keep_blanks = data[size - 1] & 1;     /* no selector bit is left */
	fd = memfile(data + 1, size - 1, (sel & 0x80) != 0);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	r = kpo_csv_open(path, &o);
	if (kpo_csv_error(r) == KPO_CSV_OK) {
		const struct kpo_record *h = kpo_csv_header(r);

		if (h)
			last = h->line;
		while ((rc = kpo_csv_next(r, &rec)) == 1) {
			if (rec->line <= last)
				abort();        /* records come in line order */
			last = rec->line;
			for (size_t i = 0; i < rec->nf; i++)
				if (rec->f[i][rec->len[i]] != '\0')
					abort();
			if (rec->status == KPO_REC_OK && h && rec->nf != h->nf)
				abort();
		}
	}
	kpo_csv_close(r);
	close(fd);
	return 0;
}
