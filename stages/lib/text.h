/* Text as kpo compares and writes it: white space, case, header keys.
 * UTF-8 in, UTF-8 out; only ASCII, Latin-1 and Cyrillic letters change case. */
#ifndef KPO_TEXT_H
#define KPO_TEXT_H

#include <stddef.h>

/* The length of the white space character at S (ASCII blanks, NBSP, narrow
 * NBSP), or 0. */
size_t kpo_space_at(const char *s, size_t n);

/* Moves *S and shortens *N past white space at both ends. */
void kpo_trim(const char **s, size_t *n);

/* Trims white space (ASCII, NBSP, narrow NBSP) at both ends and folds inner
 * runs to one space; OUT needs N + 1 bytes and must not overlap S (it is
 * written eight bytes at a time).  Returns the length. */
size_t kpo_text_fold(const char *s, size_t n, char *out);

/* Lower case (ASCII, Latin-1, Cyrillic) of S into OUT, which gets exactly N bytes. */
void kpo_lower_utf8(const char *s, size_t n, char *out);

/* A header's match key: lower case (ASCII, Latin-1, Cyrillic), letters and digits
 * only.  OUT needs N + 1 bytes.  Returns the length. */
size_t kpo_header_key(const char *s, size_t n, char *out);

/* lower_snake_case of a column name (letters and digits kept, runs of
 * anything else one '_').  OUT needs N + 1 bytes. */
size_t kpo_snake_case(const char *s, size_t n, char *out);

#endif
