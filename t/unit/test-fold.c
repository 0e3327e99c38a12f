/*
 * test-fold.c: folding events into the recording row (fold.c): every
 * ordering of one call's callbacks, redeliveries, late live requests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extern.h"
#include "tap.h"

#define FULL_URL "https://recordings.example-at.test/voice/3f9a1c0d-full.mp3"
#define PART_URL "https://recordings.example-at.test/voice/3f9a1c0d.mp3"

struct fx {
	const char	*file;
	struct kvlist	 kv;
	struct event	 ev;
};

static struct fx	 fx[] = {
	{ "at/01-inbound-start.form", { NULL, 0, 0 }, { 0 } },
	{ "at/04-dtmf-single.form", { NULL, 0, 0 }, { 0 } },
	{ "at/06-partial-record.form", { NULL, 0, 0 }, { 0 } },
	{ "at/07-final-completed-recorded.form", { NULL, 0, 0 }, { 0 } },
	{ "at/09-final-no-answer.form", { NULL, 0, 0 }, { 0 } },
	{ "at/10-final-busy.form", { NULL, 0, 0 }, { 0 } },
	{ "at/20-final-busy-redelivery.form", { NULL, 0, 0 }, { 0 } },
	{ "at/16-final-minimal.form", { NULL, 0, 0 }, { 0 } },
	{ "at/02-outbound-answered.form", { NULL, 0, 0 }, { 0 } },
	{ "at/11-final-rejected.form", { NULL, 0, 0 }, { 0 } },
	{ "at/12-final-absent-ugx.form", { NULL, 0, 0 }, { 0 } },
	{ "at/13-final-unallocated.form", { NULL, 0, 0 }, { 0 } },
	{ "seed/completed.form", { NULL, 0, 0 }, { 0 } },
	{ "seed/no-answer.form", { NULL, 0, 0 }, { 0 } },
	{ "seed/local-test.form", { NULL, 0, 0 }, { 0 } },
};
#define NFX	(sizeof(fx) / sizeof(fx[0]))
enum { F01, F04, F06, F07, F09, F10, F20, F16, F02, F11, F12, F13, FSC,
    FSN, FSL };

static char	 err[256];

static int
load(void)
{
	char	*body;
	size_t	 i, len;
	int	 good = 1;

	for (i = 0; i < NFX; i++) {
		if ((body = tap_slurp(fx[i].file, &len)) == NULL ||
		    form_parse(body, len, &fx[i].kv, err, sizeof(err)) !=
		    APP_OK ||
		    event_normalize(&fx[i].kv, &fx[i].ev, err, sizeof(err)) !=
		    APP_OK) {
			diag("%s: %s", fx[i].file, err);
			good = 0;
		}
		free(body);
	}
	return good;
}

/* Checks status, duration and URL of rec. */
static int
row_is(const struct recording *r, enum call_status st, long long dur,
    const char *url)
{
	return r->exists && r->status == st && r->duration == dur &&
	    strcmp(r->recording_url, url != NULL ? url : "") == 0;
}

/* Field-by-field equality of two rows (no padding compared). */
static int
same_row(const struct recording *a, const struct recording *b)
{
	return a->exists == b->exists && a->status == b->status &&
	    a->duration == b->duration && a->created_at == b->created_at &&
	    a->processed_at == b->processed_at &&
	    strcmp(a->id, b->id) == 0 &&
	    strcmp(a->recording_url, b->recording_url) == 0 &&
	    strcmp(a->phone_number, b->phone_number) == 0 &&
	    strcmp(a->caller_number, b->caller_number) == 0 &&
	    strcmp(a->destination_number, b->destination_number) == 0 &&
	    strcmp(a->direction, b->direction) == 0 &&
	    strcmp(a->hangup_cause, b->hangup_cause) == 0 &&
	    strcmp(a->call_session_state, b->call_session_state) == 0 &&
	    strcmp(a->amount, b->amount) == 0 &&
	    strcmp(a->currency_code, b->currency_code) == 0 &&
	    strcmp(a->call_start_time, b->call_start_time) == 0;
}

static void
show(const struct recording *r)
{
	diag("row: status %s duration %lld url '%s'", status_name(r->status),
	    r->duration, r->recording_url);
}

static void
test_permutations(void)
{
	static const int	 ids[4] = { F01, F04, F06, F07 };
	struct recording	 r;
	int			 a, b, c, d, perm[4], k, n = 0, good;
	int64_t			 t;
	char			 name[64];

	for (a = 0; a < 4; a++)
	for (b = 0; b < 4; b++)
	for (c = 0; c < 4; c++)
	for (d = 0; d < 4; d++) {
		if (a == b || a == c || a == d || b == c || b == d || c == d)
			continue;
		perm[0] = a; perm[1] = b; perm[2] = c; perm[3] = d;
		memset(&r, 0, sizeof(r));
		t = 1000;
		for (k = 0; k < 4; k++)
			fold_event(&r, &fx[ids[perm[k]]].ev, t++);
		snprintf(name, sizeof(name), "order %s %s %s %s",
		    fx[ids[a]].file + 3, fx[ids[b]].file + 3,
		    fx[ids[c]].file + 3, fx[ids[d]].file + 3);
		name[sizeof(name) - 1] = '\0';
		good = row_is(&r, ST_COMPLETED, 187, FULL_URL) &&
		    strcmp(r.id, "ATVId_3f9a1c0d5e7b4a2c8d6e0f1a2b3c4d5e") == 0 &&
		    r.created_at == 1000;
		if (!ok(good, "%s -> completed, 187, -full.mp3", name))
			show(&r);
		n++;
	}
	is_int(n, 24, "all 24 orderings tried");
}

/*
 * 01, 06 and 16 on one session (16 is a final without URL, numbers or
 * start time): every ordering must give the same row, field by field,
 * and keep the partial URL and the live request's numbers.
 */
static void
test_permutations_minimal_final(void)
{
	static const int	 ids[3] = { F01, F06, F16 };
	static const int	 perms[6][3] = { { 0, 1, 2 }, { 0, 2, 1 },
	    { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };
	struct recording	 first, r;
	struct event		 ev;
	int			 p, k;

	memset(&first, 0, sizeof(first));
	for (p = 0; p < 6; p++) {
		memset(&r, 0, sizeof(r));
		for (k = 0; k < 3; k++) {
			ev = fx[ids[perms[p][k]]].ev;
			ev.session_id = "ATVId_perm3";
			fold_event(&r, &ev, 1000);
		}
		ok(row_is(&r, ST_COMPLETED, 42, PART_URL) &&
		    strcmp(r.caller_number, "+254700000001") == 0 &&
		    strcmp(r.call_start_time, "2024-05-14 09:12:03") == 0,
		    "01/06/16 order %d%d%d -> completed, 42, partial URL, "
		    "numbers kept", perms[p][0], perms[p][1], perms[p][2]);
		if (p == 0)
			first = r;
		else if (!ok(same_row(&r, &first),
		    "order %d%d%d: same row as order 012", perms[p][0],
		    perms[p][1], perms[p][2]))
			show(&r);
	}
}

static void
test_sequence(void)
{
	struct recording	 r, before;

	/* 01, 04, 06, 07 in order, step by step (expected.md). */
	memset(&r, 0, sizeof(r));
	is_int(fold_event(&r, &fx[F01].ev, 100), 1, "01: new row");
	ok(row_is(&r, ST_IN_PROGRESS, -1, NULL), "01: in-progress, null, null");
	ok(r.created_at == 100 && r.processed_at == 100, "01: times set");
	is_str(r.caller_number, "+254700000001", "01: callerNumber stored");
	is_str(r.call_session_state, "Ringing", "01: state Ringing");
	is_str(r.call_start_time, "2024-05-14 09:12:03", "01: start time");
	is_str(r.direction, "Inbound", "01: direction");

	is_int(fold_event(&r, &fx[F04].ev, 110), 1,
	    "04: state Ringing -> Active is a change");
	ok(row_is(&r, ST_IN_PROGRESS, -1, NULL), "04: unchanged by digits");
	is_str(r.call_start_time, "2024-05-14 09:12:03",
	    "04: start time not erased");
	is_int(fold_event(&r, &fx[F04].ev, 115), 0, "04 again: no change");
	is_int(r.processed_at, 110, "04 again: processed_at kept");

	is_int(fold_event(&r, &fx[F06].ev, 120), 1, "06: partial URL");
	ok(row_is(&r, ST_IN_PROGRESS, -1, PART_URL),
	    "06: url set, status stays in-progress");

	is_int(fold_event(&r, &fx[F01].ev, 125), 1,
	    "01 again: only callSessionState goes back to Ringing");
	is_str(r.recording_url, PART_URL, "01 again: URL not erased");

	is_int(fold_event(&r, &fx[F07].ev, 130), 1, "07: final");
	ok(row_is(&r, ST_COMPLETED, 187, FULL_URL), "07: completed, 187, full");
	is_str(r.hangup_cause, "NORMAL_CLEARING", "07: cause stored");
	is_str(r.amount, "7.4800", "07: amount stored");
	is_str(r.currency_code, "KES", "07: currency stored");
	ok(r.created_at == 100 && r.processed_at == 130, "07: times");

	/* Late live requests after the final one. */
	before = r;
	is_int(fold_event(&r, &fx[F01].ev, 140), 0, "late 01: no change");
	is_int(fold_event(&r, &fx[F06].ev, 150), 0, "late 06: no change");
	is_int(fold_event(&r, &fx[F04].ev, 160), 0, "late 04: no change");
	ok(same_row(&r, &before),
	    "late live requests leave the row identical");
	ok(row_is(&r, ST_COMPLETED, 187, FULL_URL), "still completed");

	/* Redelivery of the final one. */
	is_int(fold_event(&r, &fx[F07].ev, 170), 0, "07 redelivered: no change");
	is_int(r.processed_at, 130, "redelivery keeps processed_at");

	/* A final notification without URL or duration erases nothing. */
	{
		struct event	 e = fx[F07].ev;

		e.recording_url = NULL;
		e.duration = -1;
		e.hangup_cause = NULL;
		is_int(fold_event(&r, &e, 180), 0,
		    "final lacking URL and duration: no change");
		ok(row_is(&r, ST_COMPLETED, 187, FULL_URL), "nothing erased");
	}
}

static void
test_redelivery(void)
{
	struct recording	 r, before;

	memset(&r, 0, sizeof(r));
	is_int(fold_event(&r, &fx[F10].ev, 500), 1, "10: new row");
	ok(row_is(&r, ST_BUSY, 0, NULL), "10: busy, 0, null");
	before = r;
	is_int(fold_event(&r, &fx[F20].ev, 600), 0,
	    "20 (byte-identical redelivery): no change");
	ok(same_row(&r, &before), "row identical after 20");
	is_int(fold_event(&r, &fx[F10].ev, 700), 0, "10 again: no change");
}

static void
test_single(void)
{
	static const struct {
		int			 f;
		enum call_status	 st;
		long long		 dur;
		const char		*url;
	} t[] = {
		{ F01, ST_IN_PROGRESS, -1, NULL },
		{ F02, ST_IN_PROGRESS, -1, NULL },
		{ F07, ST_COMPLETED, 187, FULL_URL },
		{ F09, ST_NO_ANSWER, 0, NULL },
		{ F10, ST_BUSY, 0, NULL },
		{ F11, ST_REJECTED, 0, NULL },
		{ F12, ST_FAILED, 0, NULL },
		{ F13, ST_FAILED, 0, NULL },
		{ F16, ST_COMPLETED, 42, NULL },
		{ F20, ST_BUSY, 0, NULL },
		{ FSC, ST_COMPLETED, 420, "https://voice.africastalking.com/"
		    "recordings/a1b2c3d4e5f6.mp3" },
		{ FSN, ST_NO_ANSWER, -1, NULL },
		{ FSL, ST_COMPLETED, 300, "https://example.com/test.mp3" },
	};
	struct recording	 r;
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&r, 0, sizeof(r));
		is_int(fold_event(&r, &fx[t[i].f].ev, 42), 1, fx[t[i].f].file);
		if (!ok(row_is(&r, t[i].st, t[i].dur, t[i].url),
		    "%s: row per expected.md", fx[t[i].f].file))
			show(&r);
		is_str(r.id, fx[t[i].f].ev.session_id, "row id = sessionId");
	}
	memset(&r, 0, sizeof(r));
	fold_event(&r, &fx[FSC].ev, 42);
	is_str(r.phone_number, "+254712345678", "seed phone stored");
	is_int(fold_event(&r, &fx[FSC].ev, 43), 0, "seed redelivery: 0");
}

static void
test_rules(void)
{
	struct recording	 r;
	struct event		 e;
	char			 longs[300];

	/* Terminal replaces terminal (a later, different final status). */
	memset(&r, 0, sizeof(r));
	fold_event(&r, &fx[F10].ev, 1);
	e = fx[F10].ev;
	e.status = ST_COMPLETED;
	e.duration = 5;
	is_int(fold_event(&r, &e, 2), 1, "busy then completed: change");
	ok(row_is(&r, ST_COMPLETED, 5, NULL), "terminal event replaces");
	is_int(r.processed_at, 2, "processed_at updated");

	/* Live request on a live row keeps in-progress, adds the URL. */
	memset(&r, 0, sizeof(r));
	fold_event(&r, &fx[F01].ev, 1);
	e = fx[F01].ev;
	e.duration = 3;
	is_int(fold_event(&r, &e, 2), 1, "live duration on live row");
	is_int(r.duration, 3, "duration replaced");
	e.duration = -1;
	is_int(fold_event(&r, &e, 3), 0, "absent duration keeps 3");
	is_int(r.duration, 3, "duration not erased");
	e.duration = 0;
	is_int(fold_event(&r, &e, 4), 1, "duration 0 replaces 3");
	is_int(r.duration, 0, "duration 0 stored");

	/* Over-long strings are cut at the array bound, stably. */
	memset(&r, 0, sizeof(r));
	memset(longs, 'd', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	memset(&e, 0, sizeof(e));
	e.session_id = longs;
	e.status = ST_FAILED;
	e.duration = -1;
	e.direction = longs;
	e.recording_url = longs;
	is_int(fold_event(&r, &e, 1), 1, "long strings: new row");
	is_int(strlen(r.id), VP_SESSION_MAX, "id cut to its array");
	is_int(strlen(r.direction), VP_SHORT_MAX, "direction cut");
	is_int(strlen(r.recording_url), 299, "url fits");
	is_int(fold_event(&r, &e, 2), 0, "same long strings: no change");

	/* A different seed status replaces; identical seed is a no-op. */
	memset(&r, 0, sizeof(r));
	fold_event(&r, &fx[FSC].ev, 1);
	e = fx[FSC].ev;
	e.status = ST_FAILED;
	e.recording_url = NULL;
	e.duration = -1;
	e.phone_number = NULL;
	is_int(fold_event(&r, &e, 2), 1, "seed failed after completed");
	ok(row_is(&r, ST_FAILED, 420, "https://voice.africastalking.com/"
	    "recordings/a1b2c3d4e5f6.mp3"), "status replaced, rest kept");
	is_str(r.phone_number, "+254712345678", "phone kept");
}

static void
test_json_view(void)
{
	struct recording	 r;
	char			*s;
	int			 k;

	memset(&r, 0, sizeof(r));
	for (k = F01; k <= F07; k++)
		fold_event(&r, &fx[k].ev, 1772805600 + k);
	s = json_recording(&r);
	is_str(s, "{\"recording_id\":\"ATVId_3f9a1c0d5e7b4a2c8d6e0f1a2b3c4d5e\","
	    "\"status\":\"completed\",\"duration\":187,\"recording_url\":\""
	    FULL_URL "\",\"created_at\":\"2026-03-06T14:00:00Z\","
	    "\"processed_at\":\"2026-03-06T14:00:03Z\"}", "JSON of the call");
	free(s);
	memset(&r, 0, sizeof(r));
	fold_event(&r, &fx[F01].ev, 1772805600);
	s = json_recording(&r);
	is_str(s, "{\"recording_id\":\"ATVId_3f9a1c0d5e7b4a2c8d6e0f1a2b3c4d5e\","
	    "\"status\":\"in-progress\",\"duration\":null,\"recording_url\":"
	    "null,\"created_at\":\"2026-03-06T14:00:00Z\","
	    "\"processed_at\":\"2026-03-06T14:00:00Z\"}", "JSON after 01");
	free(s);
}

int
main(void)
{
	size_t	 i;

	if (!ok(load(), "all fixtures parse and normalise"))
		return done_testing();
	test_permutations();
	test_permutations_minimal_final();
	test_sequence();
	test_redelivery();
	test_single();
	test_rules();
	test_json_view();
	for (i = 0; i < NFX; i++)
		kvlist_clear(&fx[i].kv);
	return done_testing();
}
