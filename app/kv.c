/*
 * kv.c: the list of decoded key/value pairs of one request body.
 */
#include <stdlib.h>
#include <string.h>

#include "extern.h"

/*
 * Appends a pair. The list takes ownership of key and val (both malloc'd)
 * in every case: on APP_ENOMEM they have been freed.
 */
enum app_err
kvlist_add(struct kvlist *l, char *key, char *val, size_t vallen,
    enum kv_type type)
{
	struct kv	*nv;
	size_t		 ncap;

	if (l->n == l->cap) {
		ncap = l->cap == 0 ? 16 : l->cap * 2;
		if (ncap < l->cap || ncap > SIZE_MAX / sizeof(*nv))
			goto fail;
		if ((nv = realloc(l->v, ncap * sizeof(*nv))) == NULL)
			goto fail;
		l->v = nv;
		l->cap = ncap;
	}
	l->v[l->n].key = key;
	l->v[l->n].val = val;
	l->v[l->n].vallen = vallen;
	l->v[l->n].type = type;
	l->n++;
	return APP_OK;
fail:
	free(key);
	free(val);
	return APP_ENOMEM;
}

/*
 * Returns the first pair named key, or NULL. The pair is borrowed and
 * valid until the list is cleared. Linear: callers look up few names.
 */
const struct kv *
kvlist_get(const struct kvlist *l, const char *key)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0)
			return &l->v[i];
	return NULL;
}

/*
 * Frees every pair and the array; the list is empty and reusable.
 */
void
kvlist_clear(struct kvlist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].val);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static uint64_t
kv_hash(const char *s)
{
	uint64_t	 h = 1469598103934665603ULL;	/* FNV-1a */

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

/*
 * Returns 1 if some key occurs twice and sets *dupkey (if not NULL) to
 * the second occurrence's key (borrowed from the list); else 0.
 * Expected linear time through an open-addressing hash set; should its
 * allocation fail, falls back to pairwise comparison.
 */
int
kvlist_has_dup(const struct kvlist *l, const char **dupkey)
{
	size_t		*set = NULL, mask, nslots, i, j, k;
	int		 found = 0;

	if (dupkey != NULL)
		*dupkey = NULL;
	if (l->n < 2)
		return 0;
	nslots = 16;
	while (nslots < l->n * 2 && nslots < SIZE_MAX / 4)
		nslots *= 2;
	if (nslots >= l->n * 2)
		set = calloc(nslots, sizeof(*set));
	if (set == NULL) {
		for (i = 1; i < l->n && !found; i++)
			for (j = 0; j < i; j++)
				if (strcmp(l->v[i].key, l->v[j].key) == 0) {
					found = 1;
					if (dupkey != NULL)
						*dupkey = l->v[i].key;
					break;
				}
		return found;
	}
	/* Slots hold index + 1; 0 is an empty slot. */
	mask = nslots - 1;
	for (i = 0; i < l->n && !found; i++) {
		k = (size_t)kv_hash(l->v[i].key) & mask;
		while (set[k] != 0) {
			if (strcmp(l->v[set[k] - 1].key, l->v[i].key) == 0) {
				found = 1;
				if (dupkey != NULL)
					*dupkey = l->v[i].key;
				break;
			}
			k = (k + 1) & mask;
		}
		if (!found)
			set[k] = i + 1;
	}
	free(set);
	return found;
}
