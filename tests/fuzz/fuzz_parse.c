/* libFuzzer target: the value parsers.  Each parse that succeeds must give a
 * canonical form that parses again to itself (numbers, dates), and text
 * folding must be idempotent and agree with folding a byte at a time. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "date.h"
#include "num.h"
#include "text.h"
#include "utf8.h"

/* Folding a byte at a time: what kpo_text_fold's word path must agree with. */
static size_t
fold_bytewise(const char *s, size_t n, char *out)
{
	size_t i = 0, k = 0, sp;
	int pending = 0;

	while (i < n) {
		if ((sp = kpo_space_at(s + i, n - i)) > 0) {
			pending = k > 0;
			i += sp;
			continue;
		}
		if (pending) {
			out[k++] = ' ';
			pending = 0;
		}
		out[k++] = s[i++];
	}
	out[k] = '\0';
	return k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 1;
	size_t n = size ? size - 1 : 0, k;
	char out[KPO_NUM_MAX], again[KPO_NUM_MAX], dt[KPO_DATETIME_MAX], *buf, *buf2;
	struct kpo_datefmt f = { 0 };
	struct kpo_dec d, e;
	kpo_money m;
	int64_t t, t2;
	int v;

	if (size < 1)
		return 0;
	switch (data[0] & 7) {
	case 0:
	case 1:
		if (kpo_num_canon(s, n, data[0] & 1 ? ',' : '.', out) == 0) {
			if (kpo_num_canon(out, strlen(out), '.', again) != 0 || strcmp(out, again) != 0)
				abort();
			if (kpo_dec_parse(out, strlen(out), &d) == 0 && kpo_dec_to_money(d, &m) == 0) {
				char fm[KPO_MONEY_MAX];

				kpo_money_format(m, 4, fm);
				kpo_money_format(m, 2, fm);
			}
		}
		break;
	case 2:
	case 3:
		f.order = data[0] & 1 ? 'd' : 'm';
		if (data[0] & 8)
			f.strptime = "%d %b %Y %H:%M:%S %z";
		if (data[0] & 16)
			f.tz = "Europe/Berlin";
		if (kpo_datetime_parse(s, n, &f, &t) == 0) {
			struct kpo_datefmt plain = { 0 };

			kpo_datetime_format(t, dt);
			if (kpo_datetime_parse(dt, strlen(dt), &plain, &t2) != 0 || t2 != t)
				abort();
		}
		break;
	case 4:
		kpo_bool_parse(s, n, &v);
		kpo_utf8_invalid_at(s, n);
		break;
	case 5:
		buf = malloc(n + 1);
		buf2 = malloc(n + 1);
		k = kpo_text_fold(s, n, buf);
		if (fold_bytewise(s, n, buf2) != k || memcmp(buf, buf2, k) != 0)
			abort();
		kpo_text_fold(buf, strlen(buf), buf2);
		if (memchr(s, 0, n) == NULL && strcmp(buf, buf2) != 0)
			abort();
		kpo_header_key(s, n, buf);
		kpo_snake_case(s, n, buf2);
		free(buf);
		free(buf2);
		break;
	case 6:
	case 7:
		if (n >= 2) {
			size_t half = n / 2;

			if (kpo_dec_parse(s, half, &d) == 0 && kpo_dec_parse(s + half, n - half, &e) == 0)
				kpo_dec_mul_money(d, e, &m);
		}
		break;
	}
	return 0;
}
