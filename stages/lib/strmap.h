/* A hash table from byte strings to one pointer each, for group-by and
 * duplicate checks.  Keys are copied into an arena owned by the table. */
#ifndef KPO_STRMAP_H
#define KPO_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct kpo_strmap;

struct kpo_strmap *kpo_strmap_new(void);
void kpo_strmap_free(struct kpo_strmap *m);

/* The value slot of KEY, or NULL when absent and INSERT is 0.  A new slot
 * holds NULL. */
void **kpo_strmap_get(struct kpo_strmap *m, const char *key, size_t n, int insert);

size_t kpo_strmap_size(const struct kpo_strmap *m);

/* Visits every entry in no particular order. */
void kpo_strmap_each(struct kpo_strmap *m, void (*fn)(const char *key, size_t n, void **value, void *ctx), void *ctx);

/* The hash the table uses, for tables of their own. */
uint64_t kpo_strmap_hash(const char *s, size_t n);
#endif
