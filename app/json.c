/*
 * json.c: the only user of json-c: strict request parsing and response
 * building.
 *
 * json-c ownership rules restated: json_object_object_add() and
 * json_object_array_add() take ownership of the value added;
 * json_object_get_string() and json_object_to_json_string_ext() return
 * memory owned by the object (copied here before the object is put);
 * json_object_put() releases a tree.
 *
 * json-c 0.16 is lenient even in strict mode (see spec/HARDENING.md 0.5
 * and 6.C): it keeps the last of duplicate keys, clamps out-of-range
 * integers, accepts NaN/Infinity, single quotes, raw control bytes in
 * strings, "\u0000", lone surrogate escapes, and (despite
 * JSON_TOKENER_VALIDATE_UTF8) overlong and surrogate UTF-8 sequences.
 * json_parse_object() therefore checks the body's UTF-8 itself, runs
 * json-c strictly, then scans the (now known to be well-formed) raw text
 * for what json-c lets through, then compares each object's member count
 * in the raw text with json-c's tree: a smaller count in the tree means
 * a key was repeated.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "extern.h"

#define JSON_DEPTH	32
#define JSON_OUT_FLAGS	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* One object of the raw text, in document (pre-)order. */
struct objinfo {
	size_t	 start;		/* offset of its '{' */
	size_t	 count;		/* members in the raw text */
};

static int
isws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Reads the 4 hex digits at s[i..i+4) into *v; -1 if not there. */
static int
hex4(const char *s, size_t len, size_t i, unsigned int *v)
{
	int	 k, h;

	*v = 0;
	if (len < 4 || i > len - 4)
		return -1;
	for (k = 0; k < 4; k++) {
		if ((h = hex_digit(s[i + k])) < 0)
			return -1;
		*v = *v << 4 | (unsigned int)h;
	}
	return 0;
}

/*
 * Skips the string starting at s[*i] == '"', leaving *i after its end.
 * Refuses raw control bytes, "\u0000" and unpaired surrogate escapes.
 * Returns NULL or the reason.
 */
static const char *
scan_string(const char *s, size_t len, size_t *i)
{
	size_t		 j = *i + 1;
	unsigned int	 v, w;

	for (;;) {
		if (j >= len)
			return "malformed JSON: unterminated string";
		if (s[j] == '"')
			break;
		if ((unsigned char)s[j] < 0x20)
			return "control character inside a JSON string";
		if (s[j] != '\\') {
			j++;
			continue;
		}
		if (j + 1 >= len)
			return "malformed JSON: unterminated string";
		if (s[j + 1] != 'u') {
			j += 2;
			continue;
		}
		if (hex4(s, len, j + 2, &v) == -1)
			return "malformed JSON: bad \\u escape";
		if (v == 0)
			return "\\u0000 is not allowed in a JSON string";
		if (v >= 0xdc00 && v <= 0xdfff)
			return "unpaired surrogate escape in a JSON string";
		if (v >= 0xd800 && v <= 0xdbff) {
			if (j + 7 >= len || s[j + 6] != '\\' ||
			    s[j + 7] != 'u' ||
			    hex4(s, len, j + 8, &w) == -1 ||
			    w < 0xdc00 || w > 0xdfff)
				return "unpaired surrogate escape in a JSON string";
			j += 6;
		}
		j += 6;
	}
	*i = j + 1;
	return NULL;
}

/*
 * Scans text that json-c accepted, recording every object's member count
 * into objs (pre-order) and refusing what json-c lets through.
 * Returns APP_OK, APP_EINVAL (err set) or APP_ENOMEM.
 */
static enum app_err
scan_raw(const char *s, size_t len, struct objinfo **objsp, size_t *nobjp,
    char *err, size_t errsz)
{
	struct objinfo	*objs = NULL;
	long		 stack[JSON_DEPTH + 2];	/* object index, -1: array */
	size_t		 nobj = 0, maxobj = 0, i, j, depth = 0;
	const char	*p, *why = NULL;
	char		 num[32], key[VP_ECHO_MAX + 4];
	size_t		 kstart = 0, kend = 0, mstart = 0, mend = 0;
	long long	 ll;
	int		 isint, range = 0;

	*objsp = NULL;
	*nobjp = 0;
	key[0] = '\0';
	for (p = s; (p = memchr(p, '{', len - (p - s))) != NULL; p++)
		maxobj++;
	if (maxobj > 0 && (objs = calloc(maxobj, sizeof(*objs))) == NULL)
		return APP_ENOMEM;

	for (i = 0; i < len && why == NULL; ) {
		switch (s[i]) {
		case ' ': case '\t': case '\n': case '\r': case ',':
			i++;
			break;
		case '"':
			kstart = i + 1;
			why = scan_string(s, len, &i);
			kend = why == NULL ? i - 1 : kstart;
			break;
		case '{':
		case '[':
			if (depth >= JSON_DEPTH + 1) {
				why = "malformed JSON: nesting too deep";
				break;
			}
			if (s[i] == '{') {
				if (nobj >= maxobj) {
					why = "malformed JSON";
					break;
				}
				objs[nobj].start = i;
				stack[depth++] = (long)nobj++;
			} else
				stack[depth++] = -1;
			i++;
			break;
		case '}':
		case ']':
			if (depth == 0) {
				why = "malformed JSON";
				break;
			}
			depth--;
			i++;
			break;
		case ':':
			if (depth == 0 || stack[depth - 1] < 0) {
				why = "malformed JSON";
				break;
			}
			objs[stack[depth - 1]].count++;
			mstart = kstart;	/* the member being parsed */
			mend = kend;
			i++;
			break;
		case '\'':
			why = "malformed JSON: single-quoted strings are not JSON";
			break;
		default:
			if (s[i] == '-' || (s[i] >= '0' && s[i] <= '9')) {
				isint = 1;
				for (j = i; j < len &&
				    strchr("0123456789+-.eE", s[j]) != NULL &&
				    s[j] != '\0'; j++)
					if (s[j] == '.' || s[j] == 'e' ||
					    s[j] == 'E')
						isint = 0;
				if (j == i + 1 && s[i] == '-') {
					/* "-Infinity", "-NaN" */
					i = j;
					break;
				}
				if (isint) {
					if (j - i >= sizeof(num)) {
						why = "";
						range = 1;
						break;
					}
					memcpy(num, s + i, j - i);
					num[j - i] = '\0';
					errno = 0;
					ll = strtoll(num, NULL, 10);
					(void)ll;
					if (errno == ERANGE) {
						why = "";
						range = 1;
						break;
					}
				}
				i = j;
			} else if ((s[i] >= 'a' && s[i] <= 'z') ||
			    (s[i] >= 'A' && s[i] <= 'Z')) {
				for (j = i; j < len && ((s[j] >= 'a' &&
				    s[j] <= 'z') || (s[j] >= 'A' &&
				    s[j] <= 'Z')); j++)
					continue;
				if ((j - i == 4 && memcmp(s + i, "true", 4) == 0) ||
				    (j - i == 5 && memcmp(s + i, "false", 5) == 0) ||
				    (j - i == 4 && memcmp(s + i, "null", 4) == 0))
					i = j;
				else if ((j - i == 3 && memcmp(s + i, "NaN", 3) == 0) ||
				    (j - i == 8 && memcmp(s + i, "Infinity", 8) == 0))
					why = "NaN and Infinity are not allowed "
					    "in JSON";
				else
					why = "malformed JSON";
			} else
				why = "malformed JSON";
			break;
		}
	}
	if (why != NULL) {
		echo_safe(s + mstart, mend - mstart, key, sizeof(key));
		if (range && key[0] != '\0')
			snprintf(err, errsz, "%s must be an integer within "
			    "the 64-bit range", key);
		else if (range)
			snprintf(err, errsz, "JSON integer out of the "
			    "64-bit range");
		else
			snprintf(err, errsz, "%s", why);
		free(objs);
		return APP_EINVAL;
	}
	*objsp = objs;
	*nobjp = nobj;
	return APP_OK;
}

/*
 * Finds a repeated key among the direct members of the object whose '{'
 * is at s[start], comparing the raw (undecoded) key texts. Writes the
 * message into err; without a name if the keys differ only by escapes.
 */
static void
name_dup(const char *s, size_t len, size_t start, char *err, size_t errsz)
{
	struct kvlist	 keys = { NULL, 0, 0 };
	const char	*dup;
	char		*k, *v, echo[VP_ECHO_MAX + 4];
	size_t		 i = start + 1, ks;
	int		 depth = 0, expect_key = 1;

	snprintf(err, errsz, "duplicate key in JSON object");
	while (i < len) {
		if (s[i] == '"') {
			ks = i;
			if (scan_string(s, len, &i) != NULL)
				break;
			if (depth == 0 && expect_key) {
				k = strndup(s + ks + 1, i - ks - 2);
				v = strdup("");
				if (k == NULL || v == NULL) {
					free(k);
					free(v);
					goto done;
				}
				if (kvlist_add(&keys, k, v, 0, KV_STRING) !=
				    APP_OK)
					goto done;
				expect_key = 0;
			}
			continue;
		}
		if (s[i] == '{' || s[i] == '[')
			depth++;
		else if (s[i] == '}' || s[i] == ']') {
			if (depth-- == 0)
				break;
		} else if (s[i] == ',' && depth == 0)
			expect_key = 1;
		i++;
	}
	if (kvlist_has_dup(&keys, &dup)) {
		echo_safe(dup, strlen(dup), echo, sizeof(echo));
		snprintf(err, errsz, "duplicate key \"%s\" in JSON object",
		    echo);
	}
done:
	kvlist_clear(&keys);
}

/*
 * Walks json-c's tree in pre-order beside the raw scan: compares member
 * counts, refuses non-finite doubles and strings holding NUL.
 */
static enum app_err
walk(struct json_object *o, const struct objinfo *objs, size_t nobj,
    size_t *next, const char *s, size_t len, char *err, size_t errsz)
{
	struct json_object	*v;
	size_t			 k, i, n;
	const char		*str;
	enum app_err		 e;

	switch (json_object_get_type(o)) {
	case json_type_object:
		if ((k = (*next)++) >= nobj) {
			snprintf(err, errsz, "malformed JSON");
			return APP_EINVAL;
		}
		if ((size_t)json_object_object_length(o) != objs[k].count) {
			name_dup(s, len, objs[k].start, err, errsz);
			return APP_EAMBIG;
		}
		{
			json_object_object_foreach(o, key, val) {
				(void)key;
				if ((e = walk(val, objs, nobj, next, s, len,
				    err, errsz)) != APP_OK)
					return e;
			}
		}
		break;
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++) {
			v = json_object_array_get_idx(o, i);
			if ((e = walk(v, objs, nobj, next, s, len, err,
			    errsz)) != APP_OK)
				return e;
		}
		break;
	case json_type_double:
		if (!isfinite(json_object_get_double(o))) {
			snprintf(err, errsz, "JSON number out of range "
			    "(not finite)");
			return APP_EINVAL;
		}
		break;
	case json_type_string:
		str = json_object_get_string(o);
		if (strlen(str) != (size_t)json_object_get_string_len(o)) {
			snprintf(err, errsz, "\\u0000 is not allowed in a "
			    "JSON string");
			return APP_EINVAL;
		}
		break;
	default:
		break;
	}
	return APP_OK;
}

/* Appends the top-level member key/v to out as a pair. */
static enum app_err
add_member(struct kvlist *out, const char *key, struct json_object *v)
{
	char		*k, *val, num[32];
	size_t		 vlen = 0;
	enum kv_type	 t;

	switch (json_object_get_type(v)) {
	case json_type_string:
		t = KV_STRING;
		vlen = (size_t)json_object_get_string_len(v);
		val = malloc(vlen + 1);
		if (val != NULL) {
			memcpy(val, json_object_get_string(v), vlen);
			val[vlen] = '\0';
		}
		break;
	case json_type_int:
		t = KV_INT;
		snprintf(num, sizeof(num), "%" PRId64,
		    json_object_get_int64(v));
		vlen = strlen(num);
		val = strdup(num);
		break;
	case json_type_null:
		t = KV_NULL;
		val = strdup("");
		break;
	case json_type_boolean:
		t = KV_OTHER;
		val = strdup(json_object_get_boolean(v) ? "true" : "false");
		vlen = val != NULL ? strlen(val) : 0;
		break;
	default:
		t = KV_OTHER;
		val = strdup("");
		break;
	}
	k = strdup(key);
	if (k == NULL || val == NULL) {
		free(k);
		free(val);
		return APP_ENOMEM;
	}
	return kvlist_add(out, k, val, vlen, t);
}

/*
 * Decodes body[0..len) as one JSON object (see extern.h) into out, which
 * should be empty. Top-level members become pairs: strings KV_STRING,
 * integers KV_INT (decimal text), null KV_NULL, anything else KV_OTHER
 * with an empty value. Only whitespace may follow the object.
 * Returns APP_OK; APP_EEMPTY for an empty or all-whitespace body;
 * APP_EINVAL or APP_EAMBIG (err says why); APP_ENOMEM. On any error out
 * is cleared.
 */
enum app_err
json_parse_object(const char *body, size_t len, struct kvlist *out,
    char *err, size_t errsz)
{
	struct json_tokener	*tok = NULL;
	struct json_object	*root = NULL;
	struct objinfo		*objs = NULL;
	enum json_tokener_error	 jerr;
	size_t			 i, nobj = 0, next = 0;
	enum app_err		 e;

	if (errsz > 0)
		err[0] = '\0';
	for (i = 0; body != NULL && i < len && isws(body[i]); i++)
		continue;
	if (body == NULL || i == len) {
		snprintf(err, errsz, "empty JSON body");
		return APP_EEMPTY;
	}
	if (len > INT32_MAX) {
		snprintf(err, errsz, "JSON body too large");
		return APP_EINVAL;
	}
	if (memchr(body, '\0', len) != NULL) {
		snprintf(err, errsz, "NUL byte in JSON body");
		return APP_EINVAL;
	}
	/* json-c's own check lets overlongs and surrogates through. */
	if (!valid_utf8(body, len)) {
		snprintf(err, errsz, "invalid UTF-8 in JSON body");
		return APP_EINVAL;
	}
	if (body[i] != '{') {
		snprintf(err, errsz, "body must be a JSON object");
		return APP_EINVAL;
	}
	if ((tok = json_tokener_new_ex(JSON_DEPTH)) == NULL) {
		e = APP_ENOMEM;
		goto fail;
	}
	json_tokener_set_flags(tok,
	    JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, body, (int)len);
	jerr = json_tokener_get_error(tok);
	if (root == NULL) {
		if (jerr == json_tokener_continue)
			snprintf(err, errsz,
			    "malformed JSON: unexpected end of body");
		else if (jerr == json_tokener_error_depth)
			snprintf(err, errsz, "malformed JSON: nesting too deep "
			    "(more than %d levels)", JSON_DEPTH);
		else
			snprintf(err, errsz, "malformed JSON at byte %zu: %s",
			    json_tokener_get_parse_end(tok),
			    json_tokener_error_desc(jerr));
		e = APP_EINVAL;
		goto fail;
	}
	if (json_tokener_get_parse_end(tok) != len) {
		snprintf(err, errsz, "malformed JSON: unexpected data after "
		    "the object at byte %zu", json_tokener_get_parse_end(tok));
		e = APP_EINVAL;
		goto fail;
	}
	if (!json_object_is_type(root, json_type_object)) {
		snprintf(err, errsz, "body must be a JSON object");
		e = APP_EINVAL;
		goto fail;
	}
	if ((e = scan_raw(body, len, &objs, &nobj, err, errsz)) != APP_OK)
		goto fail;
	if ((e = walk(root, objs, nobj, &next, body, len, err, errsz)) !=
	    APP_OK)
		goto fail;
	if (next != nobj) {
		snprintf(err, errsz, "malformed JSON");
		e = APP_EINVAL;
		goto fail;
	}
	{
		json_object_object_foreach(root, key, val) {
			char	 echo[VP_ECHO_MAX + 4];

			if (has_control(key, strlen(key)) ||
			    (json_object_is_type(val, json_type_string) &&
			    has_control(json_object_get_string(val),
			    (size_t)json_object_get_string_len(val)))) {
				echo_safe(key, strlen(key), echo, sizeof(echo));
				snprintf(err, errsz, "control character in "
				    "the member %s", echo);
				e = APP_EINVAL;
				goto fail;
			}
			if ((e = add_member(out, key, val)) != APP_OK)
				goto fail;
		}
	}
	free(objs);
	json_object_put(root);
	json_tokener_free(tok);
	return APP_OK;
fail:
	if (e == APP_ENOMEM)
		snprintf(err, errsz, "out of memory");
	free(objs);
	json_object_put(root);
	if (tok != NULL)
		json_tokener_free(tok);
	kvlist_clear(out);
	return e;
}

/* Serialises and releases o; returns a malloc'd copy or NULL. */
static char *
finish(struct json_object *o)
{
	const char	*s;
	char		*r = NULL;

	if (o == NULL)
		return NULL;
	if ((s = json_object_to_json_string_ext(o, JSON_OUT_FLAGS)) != NULL)
		r = strdup(s);
	json_object_put(o);
	return r;
}

/* Adds key: v (a string, or null if v is NULL). 0 on success. */
static int
add_str(struct json_object *o, const char *key, const char *v)
{
	struct json_object	*s = NULL;

	if (v != NULL && (s = json_object_new_string(v)) == NULL)
		return -1;
	if (json_object_object_add(o, key, s) != 0) {
		json_object_put(s);
		return -1;
	}
	return 0;
}

/* Adds key: v (an integer, or null if v < 0). 0 on success. */
static int
add_int(struct json_object *o, const char *key, long long v)
{
	struct json_object	*n = NULL;

	if (v >= 0 && (n = json_object_new_int64(v)) == NULL)
		return -1;
	if (json_object_object_add(o, key, n) != 0) {
		json_object_put(n);
		return -1;
	}
	return 0;
}

/* Adds key: RFC 3339 time of t (or null if t == 0). 0 on success. */
static int
add_time(struct json_object *o, const char *key, int64_t t)
{
	char	 buf[21];

	if (t == 0)
		return add_str(o, key, NULL);
	rfc3339(t, buf);
	return add_str(o, key, buf[0] != '\0' ? buf : NULL);
}

/*
 * Returns {"status":"webhook_processed","session_id":...} plus
 * "duplicate":true when duplicate; malloc'd, or NULL.
 */
char *
json_webhook_ok(const char *session_id, int duplicate)
{
	struct json_object	*o, *b;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (add_str(o, "status", "webhook_processed") == -1 ||
	    add_str(o, "session_id", session_id != NULL ? session_id : "") ==
	    -1)
		goto fail;
	if (duplicate) {
		if ((b = json_object_new_boolean(1)) == NULL)
			goto fail;
		if (json_object_object_add(o, "duplicate", b) != 0) {
			json_object_put(b);
			goto fail;
		}
	}
	return finish(o);
fail:
	json_object_put(o);
	return NULL;
}

/*
 * Returns {"status":"webhook_error","error":reason}; malloc'd, or NULL.
 */
char *
json_webhook_error(const char *reason)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (add_str(o, "status", "webhook_error") == -1 ||
	    add_str(o, "error", reason != NULL ? reason : "") == -1) {
		json_object_put(o);
		return NULL;
	}
	return finish(o);
}

/*
 * Returns {"detail":detail}; malloc'd, or NULL.
 */
char *
json_detail(const char *detail)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (add_str(o, "detail", detail != NULL ? detail : "") == -1) {
		json_object_put(o);
		return NULL;
	}
	return finish(o);
}

/*
 * Returns the public view of r: recording_id, status, duration,
 * recording_url, created_at, processed_at in that order, unknown values
 * as null. malloc'd, or NULL.
 */
char *
json_recording(const struct recording *r)
{
	struct json_object	*o;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (add_str(o, "recording_id", r->id) == -1 ||
	    add_str(o, "status", r->status > ST_NONE && r->status < ST__MAX ?
	    status_name(r->status) : NULL) == -1 ||
	    add_int(o, "duration", r->duration) == -1 ||
	    add_str(o, "recording_url", r->recording_url[0] != '\0' ?
	    r->recording_url : NULL) == -1 ||
	    add_time(o, "created_at", r->created_at) == -1 ||
	    add_time(o, "processed_at", r->processed_at) == -1) {
		json_object_put(o);
		return NULL;
	}
	return finish(o);
}
