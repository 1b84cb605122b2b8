/* UTF-8 checking: the one decoder behind the stages' validation, the HTML
 * escaper and the gnuplot text cleaner. */
#ifndef KPO_UTF8_H
#define KPO_UTF8_H

#include <stddef.h>

/* The length of the valid UTF-8 character at S (at most N > 0 bytes), with
 * its code point in *CP, or 0 when it is not valid: overlong forms,
 * surrogates and code points past U+10FFFF are not. */
size_t kpo_utf8_char(const char *s, size_t n, unsigned long *cp);

/* -1 when S is valid UTF-8, else the offset of the first bad byte. */
long kpo_utf8_invalid_at(const char *s, size_t n);

/* The same, and a NUL byte is bad too (U+0000 is UTF-8, but no tool takes it
 * as text). */
long kpo_text_invalid_at(const char *s, size_t n);

#endif
