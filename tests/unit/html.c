/* HTML escaping, links, and the text kpo-chart hands to gnuplot. */
#include <stdlib.h>
#include <string.h>

#include "gnuplot.h"
#include "html.h"
#include "tap.h"

static const char *
esc(const char *s, size_t n)
{
	static char buf[1024];

	kpo_html_escape(s, n, buf);
	return buf;
}

static const char *
gp(const char *s, size_t n, size_t max)
{
	static char buf[1024];

	kpo_gp_text(s, n, max, buf);
	return buf;
}

static const char *
rel(const char *from, const char *to)
{
	static char buf[256];
	char *r = kpo_relpath(from, to);

	snprintf(buf, sizeof buf, "%s", r);
	free(r);
	return buf;
}

#define S(lit) lit, sizeof(lit) - 1

int
main(void)
{
	char big[6 * 16 + 1], url[64];
	size_t n;

	is(esc(S("plain text")), "plain text", "plain text unchanged");
	is(esc(S("<script>alert(1)</script>")), "&lt;script&gt;alert(1)&lt;/script&gt;", "tags escaped");
	is(esc(S("a & b")), "a &amp; b", "ampersand");
	is(esc(S("O'Brien \"Q\"")), "O&#39;Brien &quot;Q&quot;", "both quotes");
	is(esc(S("ООО «Рога и копыта»")), "ООО «Рога и копыта»", "Cyrillic kept");
	is(esc(S("a\xff" "b")), "a\xEF\xBF\xBD" "b", "invalid UTF-8 becomes U+FFFD");
	is(esc(S("\xc0\xaf")), "\xEF\xBF\xBD\xEF\xBF\xBD", "overlong form rejected");
	is(esc(S("\xed\xa0\x80")), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", "surrogate rejected");
	is(esc(S("a\0b")), "a\xEF\xBF\xBD" "b", "NUL becomes U+FFFD");
	is(esc(S("a\rb\tc\nd")), "a\xEF\xBF\xBD" "b\tc\nd", "CR replaced, TAB and LF kept");
	is(esc(S("\xe2\x82")), "\xEF\xBF\xBD\xEF\xBF\xBD", "truncated sequence at the end");
	n = kpo_html_escape(S("\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\""), big);
	is_int(n, 6 * 16, "worst case fits 6 x N");

	is(gp(S("`touch /tmp/x`"), 0), "`touch /tmp/x`", "backquotes are text in a data file");
	is(gp(S("system(\"id\")"), 0), "system(\xE2\x80\x9Did\xE2\x80\x9D)", "double quote replaced");
	is(gp(S("a\tb\r\nc"), 0), "a b  c", "TAB, CR, LF become spaces");
	is(gp(S("a\x01" "b\x7f"), 0), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD", "control bytes become U+FFFD");
	is(gp(S("a\xc2\x85" "b"), 0), "a\xEF\xBF\xBD" "b", "C1 control becomes U+FFFD");
	is(gp(S("bad\xfe"), 0), "bad\xEF\xBF\xBD", "invalid UTF-8 becomes U+FFFD");
	is(gp(S(""), 0), "(blank)", "empty text is named");
	is(gp(S("Рога и копыта"), 4), "Рога\xE2\x80\xA6", "cut by characters, not bytes");
	is(gp(S("abc def"), 4), "abc\xE2\x80\xA6", "a cut drops a trailing space");
	is(gp(S("abcd"), 4), "abcd", "no cut at the limit");
	n = kpo_gp_text(S("\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\""), 0, big);
	is_int(n, 3 * 16, "worst case fits 3 x N + 8");

	kpo_url_path("../summary/by domain#1?.csv.gz", url);
	is(url, "../summary/by%20domain%231%3F.csv.gz", "URL path encoding");
	is(rel("/a/b", "/a/c/d"), "../c/d", "relpath sibling");
	is(rel("/a", "/a/b"), "b", "relpath child");
	is(rel("/a/b", "/a"), "..", "relpath parent");
	is(rel("/a", "/a"), ".", "relpath same");
	is(rel("/", "/x/y"), "x/y", "relpath from root");
	is(rel("/x/y", "/"), "../..", "relpath to root");
	is(rel("/ab", "/a"), "../a", "relpath prefix is not a parent");
	is(rel("/out/2026-11-28/charts", "/out/2026-11-28/summary"), "../summary", "relpath nightly layout");
	return done_testing();
}
