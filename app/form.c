/*
 * form.c: strict application/x-www-form-urlencoded decoding.
 *
 * Pairs are separated by '&'; empty segments ("a=1&&b=2") are skipped.
 * A segment without '=' is a key with an empty value. In keys and values
 * '+' is a space and %XX (hex in either case) a byte; every other '%' is
 * an error. Decoded keys and values must be valid UTF-8 without control
 * bytes (tab, NUL and DEL included). Keys must be non-empty and unique.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"

enum decode_res {
	DEC_OK = 0,
	DEC_ENOMEM,
	DEC_EPERCENT,
	DEC_ECONTROL,
	DEC_EUTF8
};

/*
 * Decodes s[0..len) into a malloc'd NUL-terminated *out (length *outlen).
 * On failure *out is NULL.
 */
static enum decode_res
decode(const char *s, size_t len, char **out, size_t *outlen)
{
	char		*d;
	size_t		 i, n = 0;
	int		 hi, lo;
	unsigned char	 c;

	*out = NULL;
	if ((d = malloc(len + 1)) == NULL)
		return DEC_ENOMEM;
	for (i = 0; i < len; i++) {
		if (s[i] == '+')
			c = ' ';
		else if (s[i] == '%') {
			if (len - i < 3 || (hi = hex_digit(s[i + 1])) < 0 ||
			    (lo = hex_digit(s[i + 2])) < 0) {
				free(d);
				return DEC_EPERCENT;
			}
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else
			c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f) {
			free(d);
			return DEC_ECONTROL;
		}
		d[n++] = (char)c;
	}
	d[n] = '\0';
	if (!valid_utf8(d, n)) {
		free(d);
		return DEC_EUTF8;
	}
	if (has_control(d, n)) {	/* C1 controls (C0 caught above) */
		free(d);
		return DEC_ECONTROL;
	}
	*out = d;
	*outlen = n;
	return DEC_OK;
}

static const char *
decode_strerror(enum decode_res r)
{
	switch (r) {
	case DEC_EPERCENT:
		return "malformed percent-encoding";
	case DEC_ECONTROL:
		return "control character";
	case DEC_EUTF8:
		return "invalid UTF-8";
	default:
		return "cannot decode";
	}
}

/*
 * Decodes the form body[0..len) into out (which should be empty).
 * Returns APP_OK; APP_EEMPTY if the body holds no pair; APP_EINVAL for a
 * malformed escape, a control byte, invalid UTF-8 or an empty key;
 * APP_EAMBIG for a repeated key; APP_ENOMEM. err names the key (escaped,
 * bounded). On any error out is cleared.
 */
enum app_err
form_parse(const char *body, size_t len, struct kvlist *out, char *err,
    size_t errsz)
{
	const char		*seg, *eq, *end, *p, *dup;
	char			*key = NULL, *val = NULL;
	char			 echo[VP_ECHO_MAX + 4];
	size_t			 seglen, klen, vlen, keylen;
	enum decode_res		 r;
	enum app_err		 e;

	if (errsz > 0)
		err[0] = '\0';
	if (len == 0 || body == NULL) {
		snprintf(err, errsz, "empty form body");
		return APP_EEMPTY;
	}
	end = body + len;
	for (seg = body; seg < end; seg = p + 1) {
		if ((p = memchr(seg, '&', end - seg)) == NULL)
			p = end;
		seglen = p - seg;
		if (seglen == 0)
			continue;
		eq = memchr(seg, '=', seglen);
		klen = eq != NULL ? (size_t)(eq - seg) : seglen;
		vlen = eq != NULL ? seglen - klen - 1 : 0;
		if (klen == 0) {
			snprintf(err, errsz, "empty key in form body");
			e = APP_EINVAL;
			goto fail;
		}
		if ((r = decode(seg, klen, &key, &keylen)) != DEC_OK) {
			if (r == DEC_ENOMEM) {
				e = APP_ENOMEM;
				goto fail;
			}
			echo_safe(seg, klen, echo, sizeof(echo));
			snprintf(err, errsz, "%s in form key \"%s\"",
			    decode_strerror(r), echo);
			e = APP_EINVAL;
			goto fail;
		}
		if ((r = decode(eq != NULL ? eq + 1 : seg + klen, vlen, &val,
		    &vlen)) != DEC_OK) {
			if (r == DEC_ENOMEM) {
				e = APP_ENOMEM;
				goto fail;
			}
			echo_safe(key, keylen, echo, sizeof(echo));
			snprintf(err, errsz, "%s in value of \"%s\"",
			    decode_strerror(r), echo);
			e = APP_EINVAL;
			goto fail;
		}
		e = kvlist_add(out, key, val, vlen, KV_STRING);
		key = val = NULL;	/* owned by out, or freed */
		if (e != APP_OK)
			goto fail;
	}
	if (out->n == 0) {
		snprintf(err, errsz, "empty form body");
		e = APP_EEMPTY;
		goto fail;
	}
	if (kvlist_has_dup(out, &dup)) {
		echo_safe(dup, strlen(dup), echo, sizeof(echo));
		snprintf(err, errsz, "duplicate key \"%s\" in form body", echo);
		e = APP_EAMBIG;
		goto fail;
	}
	return APP_OK;
fail:
	if (e == APP_ENOMEM)
		snprintf(err, errsz, "out of memory");
	free(key);
	free(val);
	kvlist_clear(out);
	return e;
}
