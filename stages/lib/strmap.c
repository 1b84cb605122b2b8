#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "strmap.h"

struct entry {
	const char *key;
	size_t n;
	uint64_t hash;
	void *value;
};

struct chunk {
	struct chunk *next;
	size_t used, size;
	char data[];
};

struct kpo_strmap {
	struct entry *slots;
	size_t cap, count;
	struct chunk *arena;
};

uint64_t
kpo_strmap_hash(const char *s, size_t n)
{
	/* Eight bytes at a time (keys are names of 10 to 40 bytes, looked up
	 * for every row), each word multiplied in, then a final mix. */
	uint64_t h = 0xcbf29ce484222325ULL ^ n, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	if (n > 0) {
		w = 0;
		memcpy(&w, s, n);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

struct kpo_strmap *
kpo_strmap_new(void)
{
	struct kpo_strmap *m = kpo_xcalloc(1, sizeof *m);

	m->cap = 64;
	m->slots = kpo_xcalloc(m->cap, sizeof *m->slots);
	return m;
}

static const char *
arena_copy(struct kpo_strmap *m, const char *s, size_t n)
{
	struct chunk *c = m->arena;
	char *p;

	if (!c || c->used + n + 1 > c->size) {
		size_t size = n + 1 > 60000 ? n + 1 : 60000;

		c = kpo_xmalloc(sizeof *c + size);
		c->next = m->arena;
		c->used = 0;
		c->size = size;
		m->arena = c;
	}
	p = c->data + c->used;
	memcpy(p, s, n);
	p[n] = '\0';
	c->used += n + 1;
	return p;
}

static void
grow(struct kpo_strmap *m)
{
	struct entry *old = m->slots;
	size_t oldcap = m->cap, i;

	m->cap *= 2;
	m->slots = kpo_xcalloc(m->cap, sizeof *m->slots);
	for (i = 0; i < oldcap; i++) {
		size_t j;

		if (!old[i].key)
			continue;
		for (j = old[i].hash & (m->cap - 1); m->slots[j].key; j = (j + 1) & (m->cap - 1))
			;
		m->slots[j] = old[i];
	}
	free(old);
}

void **
kpo_strmap_get(struct kpo_strmap *m, const char *key, size_t n, int insert)
{
	uint64_t h = kpo_strmap_hash(key, n);
	size_t j;

	for (j = h & (m->cap - 1); m->slots[j].key; j = (j + 1) & (m->cap - 1))
		if (m->slots[j].hash == h && m->slots[j].n == n && memcmp(m->slots[j].key, key, n) == 0)
			return &m->slots[j].value;
	if (!insert)
		return NULL;
	if (2 * (m->count + 1) > m->cap) {
		grow(m);
		return kpo_strmap_get(m, key, n, insert);
	}
	m->slots[j].key = arena_copy(m, key, n);
	m->slots[j].n = n;
	m->slots[j].hash = h;
	m->slots[j].value = NULL;
	m->count++;
	return &m->slots[j].value;
}

size_t
kpo_strmap_size(const struct kpo_strmap *m)
{
	return m->count;
}

void
kpo_strmap_each(struct kpo_strmap *m, void (*fn)(const char *, size_t, void **, void *), void *ctx)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			fn(m->slots[i].key, m->slots[i].n, &m->slots[i].value, ctx);
}

void
kpo_strmap_free(struct kpo_strmap *m)
{
	struct chunk *c, *next;

	if (!m)
		return;
	for (c = m->arena; c; c = next) {
		next = c->next;
		free(c);
	}
	free(m->slots);
	free(m);
}
