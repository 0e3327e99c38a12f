/*
 * fold.c: folds one normalised event into the stored recording row.
 */
#include <string.h>

#include "extern.h"

/*
 * Stores src (if not NULL) into dst[size], bounded; with fill_only, only
 * into an empty dst. Sets *changed if the stored value differs afterwards.
 */
static void
set_str(char *dst, size_t size, const char *src, int fill_only,
    int *changed)
{
	size_t	 n;

	if (src == NULL || (fill_only && dst[0] != '\0'))
		return;
	n = strnlen(src, size - 1);
	if (strncmp(dst, src, n) == 0 && dst[n] == '\0')
		return;
	memcpy(dst, src, n);
	dst[n] = '\0';
	*changed = 1;
}

#define SET(field, src) \
	set_str((field), sizeof(field), (src), fill_only, changed)

/*
 * Copies every field the event carries (besides status and duration);
 * with fill_only, only into fields still empty.
 */
static void
set_fields(struct recording *rec, const struct event *ev, int fill_only,
    int *changed)
{
	SET(rec->recording_url, ev->recording_url);
	SET(rec->phone_number, ev->phone_number);
	SET(rec->caller_number, ev->caller_number);
	SET(rec->destination_number, ev->destination_number);
	SET(rec->direction, ev->direction);
	SET(rec->hangup_cause, ev->hangup_cause);
	SET(rec->call_session_state, ev->call_session_state);
	SET(rec->amount, ev->amount);
	SET(rec->currency_code, ev->currency_code);
	SET(rec->call_start_time, ev->call_start_time);
}

/*
 * Folds ev into rec (see extern.h). For an existing row:
 *  - a live (in-progress) event that arrives after the final one keeps
 *    the terminal status and only fills fields still empty, so that the
 *    final row does not depend on the order of delivery;
 *  - a terminal event status replaces the stored status; an in-progress
 *    one only fills a row without status;
 *  - a non-NULL URL / field and a duration >= 0 replace stored values,
 *    absent ones never erase them.
 * Returns 1 and sets processed_at = now if some stored value changed;
 * returns 0 otherwise (an identical redelivery).
 */
int
fold_event(struct recording *rec, const struct event *ev, int64_t now)
{
	int	 changed = 0;

	if (!rec->exists) {
		memset(rec, 0, sizeof(*rec));
		rec->exists = 1;
		vp_strlcpy(rec->id, ev->session_id, sizeof(rec->id));
		rec->status = ev->status;
		rec->duration = ev->duration >= 0 ? ev->duration : -1;
		set_fields(rec, ev, 0, &changed);
		rec->created_at = rec->processed_at = now;
		return 1;
	}
	if (status_is_terminal(rec->status) &&
	    !status_is_terminal(ev->status)) {
		if (rec->duration < 0 && ev->duration >= 0) {
			rec->duration = ev->duration;
			changed = 1;
		}
		set_fields(rec, ev, 1, &changed);
		if (changed)
			rec->processed_at = now;
		return changed;
	}
	if (ev->status != ST_NONE && ev->status != rec->status &&
	    (status_is_terminal(ev->status) ||
	    !status_is_terminal(rec->status))) {
		rec->status = ev->status;
		changed = 1;
	}
	if (ev->duration >= 0 && ev->duration != rec->duration) {
		rec->duration = ev->duration;
		changed = 1;
	}
	set_fields(rec, ev, 0, &changed);
	if (changed)
		rec->processed_at = now;
	return changed;
}
