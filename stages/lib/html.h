/* HTML text for kpo-chart's index.html: escaping, and links. */
#ifndef KPO_HTML_H
#define KPO_HTML_H

#include <stddef.h>

struct kpo_out;

/* Copies S (N bytes) to OUT with & < > " ' escaped as entities, invalid
 * UTF-8 and control bytes other than TAB and LF replaced by U+FFFD (so NUL
 * and CR never reach the page).  OUT needs 6 * N + 1 bytes.  Returns the
 * length. */
size_t kpo_html_escape(const char *s, size_t n, char *out);

/* Escapes and writes; the result of kpo_out_write. */
int kpo_html_put(struct kpo_out *o, const char *s, size_t n);
int kpo_html_putz(struct kpo_out *o, const char *s);

/* Percent-encodes a path for a URL: every byte but ASCII letters, digits,
 * '-', '.', '_', '~' and '/' becomes %XX.  OUT needs 3 * strlen(S) + 1
 * bytes.  Returns the length. */
size_t kpo_url_path(const char *s, char *out);

/* The path of TO relative to the folder FROM, both absolute and canonical
 * (as realpath gives them): "/a/b", "/a/c/d" -> "../c/d"; "/a", "/a" -> ".".
 * Malloc'ed. */
char *kpo_relpath(const char *from, const char *to);

#endif
