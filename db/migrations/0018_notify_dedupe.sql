-- Notifications, the rest of delivery: de-duplication of identical alerts
-- within a window, a dead-letter alert to the remaining channels when a
-- delivery gives up, and the link from a notification to its incident.
--
-- De-duplication.  Identical alerts (same severity, source, scope, title,
-- ref and explicit channels) within phalanx.notify_dedupe_s seconds (60
-- unless the database or session sets it; 0 turns it off) are one
-- message with a count: while the first one's deliveries all wait
-- unclaimed, a repeat only counts on it (repeats + 1); once it has gone,
-- the next repeat becomes a held summary sent when the window ends, and
-- later repeats count on that.  A flapping limit sends its first alert at
-- once and then one message a window with the count, not a hundred.
-- Every repeat is still a row (dup_of names the one that carries it).

ALTER TABLE notifications
	ADD COLUMN incident_id bigint REFERENCES incidents (id)
	    ON DELETE SET NULL,
	ADD COLUMN dedupe_key text,
	ADD COLUMN dup_of bigint REFERENCES notifications (id)
	    ON DELETE SET NULL,
	ADD COLUMN repeats integer NOT NULL DEFAULT 0 CHECK (repeats >= 0),
	ADD COLUMN window_at timestamptz,
	ADD COLUMN dead_letter_of bigint REFERENCES notification_deliveries (id)
	    ON DELETE SET NULL;

-- 'notify': the outbox speaking about itself (a dead-letter alert).
ALTER TABLE notifications DROP CONSTRAINT notifications_source_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_source_check
	CHECK (source IN ('rms', 'workflow', 'report', 'operator', 'test',
	    'notify'));

CREATE INDEX notifications_dedupe ON notifications (dedupe_key, window_at)
	WHERE dup_of IS NULL AND dedupe_key IS NOT NULL;
CREATE INDEX notifications_incident ON notifications (incident_id)
	WHERE incident_id IS NOT NULL;

-- The window; a setting that is not a small whole number means 60 s
-- rather than an error inside the cause's transaction.
CREATE FUNCTION notify_dedupe_window() RETURNS interval
LANGUAGE sql STABLE AS $$
	SELECT make_interval(secs => CASE WHEN s ~ '^[0-9]{1,5}$'
	    THEN s::int ELSE 60 END)
	FROM (SELECT COALESCE(current_setting('phalanx.notify_dedupe_s', true),
	    '') AS s) x
$$;

-- The incident a notification is about: p_incident, else a ref such as
-- "INC-7" or "incident 7" (an RMS ref may also be the bare id); only an
-- incident that exists, so a stray ref never fails the cause.
CREATE FUNCTION notify_ref_incident(p_incident bigint, p_source text,
    p_ref text) RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT i.id FROM incidents i
	WHERE i.id = COALESCE(p_incident, CASE
	    WHEN p_ref ~* '^(inc-?|incident[ :#-]?)[0-9]{1,18}$'
	    THEN substring(p_ref FROM '[0-9]+$')::bigint
	    WHEN p_source = 'rms' AND p_ref ~ '^[0-9]{1,18}$'
	    THEN p_ref::bigint END)
$$;

DROP FUNCTION notify_enqueue(text, text, text, text, text, text, jsonb,
    text[], text);

-- As in 0010, plus de-duplication and p_incident (NULL: from the ref).
CREATE FUNCTION notify_enqueue(p_severity text, p_source text, p_scope text,
    p_title text, p_body text, p_ref text DEFAULT NULL,
    p_attachments jsonb DEFAULT '[]', p_channels text[] DEFAULT NULL,
    p_origin text DEFAULT NULL, p_incident bigint DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	nid	bigint;
	missing	text;
	win	interval := notify_dedupe_window();
	key	text;
	lead	record;
	n_all	integer;
	n_wait	integer;
	hold	timestamptz;
	inc	bigint := notify_ref_incident(p_incident, p_source, p_ref);
BEGIN
	IF p_channels IS NOT NULL THEN
		SELECT string_agg(c, ', ') INTO missing
		FROM unnest(p_channels) c
		WHERE NOT EXISTS (SELECT 1 FROM notify_channels
		    WHERE name = c);
		IF missing IS NOT NULL THEN
			RAISE EXCEPTION 'unknown channel %', missing
			    USING ERRCODE = 'P0002';
		END IF;
	END IF;
	IF p_source <> 'test' AND win > interval '0' THEN
		key := md5(concat_ws(chr(31), p_severity, p_source,
		    COALESCE(p_scope, ''), p_title, COALESCE(p_ref, ''),
		    COALESCE(p_channels::text, '')));
		SELECT id, window_at INTO lead FROM notifications
		WHERE dedupe_key = key AND dup_of IS NULL
		  AND window_at > now() - win
		ORDER BY window_at DESC, id DESC LIMIT 1 FOR UPDATE;
		IF FOUND THEN
			-- Locked, so no worker claims them until we commit;
			-- a claim that got there first shows as SENDING.
			SELECT count(*), count(*) FILTER (WHERE
			    state = 'PENDING') INTO n_all, n_wait
			FROM (SELECT state FROM notification_deliveries
			    WHERE notification_id = lead.id FOR UPDATE) d;
			IF n_all = n_wait THEN
				UPDATE notifications SET repeats = repeats + 1
				WHERE id = lead.id;
				INSERT INTO notifications (severity, source,
				    scope, title, body, ref, attachments,
				    origin, incident_id, dedupe_key, dup_of)
				VALUES (p_severity, p_source, p_scope, p_title,
				    COALESCE(p_body, ''), p_ref,
				    COALESCE(p_attachments, '[]'), p_origin,
				    inc, key, lead.id)
				RETURNING id INTO nid;
				RETURN nid;
			END IF;
			hold := lead.window_at + win;
		END IF;
	END IF;
	INSERT INTO notifications (severity, source, scope, title, body, ref,
	    attachments, origin, incident_id, dedupe_key, window_at)
	VALUES (p_severity, p_source, p_scope, p_title, COALESCE(p_body, ''),
	    p_ref, COALESCE(p_attachments, '[]'), p_origin, inc, key,
	    COALESCE(hold, now()))
	RETURNING id INTO nid;
	IF p_channels IS NOT NULL THEN
		INSERT INTO notification_deliveries (notification_id,
		    channel_id, channel_name, next_at)
		SELECT nid, c.id, c.name, COALESCE(hold, now())
		FROM notify_channels c
		WHERE c.name = ANY (p_channels);
	ELSE
		INSERT INTO notification_deliveries (notification_id,
		    channel_id, channel_name, next_at)
		SELECT nid, c.id, c.name,
		    greatest(min(notify_release_at(r.quiet_start, r.quiet_end,
		    p_severity)), COALESCE(hold, now()))
		FROM notify_rules r
		JOIN notify_rule_channels rc ON rc.rule_id = r.id
		JOIN notify_channels c ON c.id = rc.channel_id
		WHERE notify_severity_rank(p_severity) >=
		      notify_severity_rank(r.min_severity)
		  AND (r.source IS NULL OR r.source = p_source)
		  AND notify_scope_match(r.scope, p_scope)
		GROUP BY c.id, c.name;
	END IF;
	PERFORM pg_notify('phalanx_notify', nid::text);
	RETURN nid;
END $$;

-- Dead letter: a delivery a worker gave up on raises its own alert, of
-- the same severity, to the channels that remain: the notification's
-- other channels that have not failed, else those the notify rules route
-- it to but the dead one (none: the alert is stored unrouted).  Not
-- for a dead-letter alert itself (two dead channels would bounce alerts
-- between them), nor for a channel removed by the operator.
CREATE FUNCTION notify_dead_letter() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	n	notifications%ROWTYPE;
	chans	text[];
	nid	bigint;
BEGIN
	SELECT * INTO n FROM notifications WHERE id = NEW.notification_id;
	IF n.dead_letter_of IS NOT NULL OR n.source = 'notify' THEN
		RETURN NEW;
	END IF;
	SELECT array_agg(d.channel_name ORDER BY d.channel_name) INTO chans
	FROM notification_deliveries d
	WHERE d.notification_id = NEW.notification_id AND d.id <> NEW.id
	  AND d.state <> 'FAILED' AND d.channel_id IS NOT NULL;
	IF chans IS NULL THEN
		SELECT array_agg(DISTINCT c.name) INTO chans
		FROM notify_rules r
		JOIN notify_rule_channels rc ON rc.rule_id = r.id
		JOIN notify_channels c ON c.id = rc.channel_id
		WHERE c.id IS DISTINCT FROM NEW.channel_id
		  AND notify_severity_rank(n.severity) >=
		      notify_severity_rank(r.min_severity)
		  AND (r.source IS NULL OR r.source = n.source)
		  AND notify_scope_match(r.scope, n.scope);
	END IF;
	nid := notify_enqueue(n.severity, 'notify', n.scope,
	    format('Alerts undelivered over %s', NEW.channel_name),
	    format('alert %s "%s" gave up after %s attempts: %s', n.id,
	    left(n.title, 200), NEW.attempts,
	    COALESCE(NEW.last_error, 'no reason recorded')),
	    n.ref, '[]', COALESCE(chans, '{}'), 'notify', n.incident_id);
	UPDATE notifications SET dead_letter_of = NEW.id WHERE id = nid;
	RETURN NEW;
END $$;

CREATE TRIGGER notification_deliveries_dead AFTER UPDATE OF state
	ON notification_deliveries FOR EACH ROW
	WHEN (NEW.state = 'FAILED' AND OLD.state = 'SENDING'
	    AND NEW.last_error IS DISTINCT FROM 'channel removed')
	EXECUTE FUNCTION notify_dead_letter();
