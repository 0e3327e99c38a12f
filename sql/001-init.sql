-- 001-init.sql: schema version 1, from an empty database (version 0).
--
-- Applied by voicepactctl migrate inside one BEGIN IMMEDIATE transaction;
-- do not put BEGIN, COMMIT or journal_mode here (see README).
-- Times: recordings and api_keys in unix seconds UTC, webhook_events in
-- unix microseconds. An absent value is NULL, never "".

-- One row per call (sessionId), folded from its callbacks.
CREATE TABLE recordings (
	recording_id		TEXT PRIMARY KEY NOT NULL
				CHECK (length(recording_id) BETWEEN 1 AND 128),
	processing_status	TEXT NOT NULL
				CHECK (processing_status IN ('in-progress',
				    'completed', 'failed', 'busy', 'no-answer',
				    'rejected')),
	recording_url		TEXT CHECK (length(recording_url) <= 2048),
	duration		INTEGER
				CHECK (duration BETWEEN 0 AND 86400),
	phone_number		TEXT,
	caller_number		TEXT,
	destination_number	TEXT,
	direction		TEXT,
	hangup_cause		TEXT,
	call_session_state	TEXT,
	amount			TEXT,
	currency_code		TEXT,
	call_start_time		TEXT,
	created_at		INTEGER NOT NULL,
	processed_at		INTEGER NOT NULL
);

-- Every delivery that reached a worker, accepted or rejected.
-- body_sha256 is the lowercase hex SHA-256 of the whole raw body.
CREATE TABLE webhook_events (
	id			INTEGER PRIMARY KEY,
	received_at		INTEGER NOT NULL,
	request_id		TEXT,
	remote_addr		TEXT,
	content_type		TEXT,
	body			BLOB NOT NULL,
	body_sha256		TEXT NOT NULL
				CHECK (length(body_sha256) = 64),
	session_id		TEXT,
	auth			TEXT,
	outcome			TEXT NOT NULL
				CHECK (outcome IN ('stored', 'duplicate',
				    'rejected')),
	http_status		INTEGER NOT NULL
				CHECK (http_status BETWEEN 100 AND 599),
	reason			TEXT
);

-- One index serves both the per-session lookups and the re-delivery check
-- (session_id, body_sha256): every index is one more page written per
-- delivery, and the write path is bounded by those writes.
CREATE INDEX webhook_events_session ON webhook_events (session_id, body_sha256);
CREATE INDEX webhook_events_received_at ON webhook_events (received_at);

-- Bearer keys for GET /api/v1/voice/recordings/{id}: only the SHA-256
-- of the whole key is stored; prefix (its first 12 characters) names it.
-- A name is never all digits, so "key revoke ID|NAME" is unambiguous.
CREATE TABLE api_keys (
	id			INTEGER PRIMARY KEY,
	name			TEXT NOT NULL UNIQUE
				CHECK (length(name) BETWEEN 1 AND 64
				    AND name GLOB '*[^0-9]*'),
	prefix			TEXT NOT NULL,
	key_hash		BLOB NOT NULL UNIQUE
				CHECK (length(key_hash) = 32),
	created_at		INTEGER NOT NULL,
	revoked_at		INTEGER
);

PRAGMA user_version = 1;
