/* One name for one thing: the domains and vendors an export spells its own
 * way ("Legal", "legal services", "Юридические услуги"), and the
 * currencies it writes as names or symbols ("United States Dollar - USD",
 * "€").
 *
 * A dictionary maps aliases to names; aliases are compared as header keys
 * (kpo_header_key: case, spaces and punctuation ignored), so "R&D" and
 * "r & d" are one alias. */
#ifndef KPO_NAMES_H
#define KPO_NAMES_H

#include <stddef.h>

struct kpo_names;

struct kpo_names *kpo_names_new(void);
void kpo_names_free(struct kpo_names *d);

/* The eight KPO domains with their common English and Russian names. */
void kpo_names_add_domains(struct kpo_names *d);

/* Adds ALIAS -> NAME; a later alias wins over an earlier one. */
void kpo_names_add(struct kpo_names *d, const char *alias, size_t an, const char *name, size_t nn);

/* Reads an "alias,NAME" table for option WHAT (--domains: "alias,domain");
 * a bad table ends the program (a main() helper, as reftable.h). */
void kpo_names_load(struct kpo_names *d, const char *path, const char *what, const char *column);

/* The name S (N bytes) stands for, or NULL when it is none of the aliases;
 * *LEN gets its length. */
const char *kpo_names_find(const struct kpo_names *d, const char *s, size_t n, size_t *len);

/* The ISO code in a currency as exports write it: "United States Dollar -
 * USD" and "usd" give USD, "€" gives EUR.  Writes 3 letters and a NUL to
 * OUT and returns 0, or -1 when S is not one. */
int kpo_currency_code(const char *s, size_t n, char out[4]);

#endif
