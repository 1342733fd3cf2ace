-- The live RMS: what the monitors remember per scope and day (the day's
-- peak, the trailing lock, which limits are breached), so that the
-- process that takes the RMS duty over from a dead one neither forgets a
-- crossing nor fires it again; and one statement that records a breach
-- -- the watch, the incident opened or joined, its timeline, the alert in
-- the notification outbox and the audit row -- all or nothing.

CREATE TABLE rms_watches (
	scope_kind	text NOT NULL
			CHECK (scope_kind IN ('firm', 'group', 'account',
			    'strategy')),
	scope_name	text NOT NULL,
	day		date NOT NULL,
	peak		bigint NOT NULL DEFAULT 0,	-- paise
	started		boolean NOT NULL DEFAULT false,
	trail_armed	boolean NOT NULL DEFAULT false,
	breached	integer NOT NULL DEFAULT 0,	-- bit per limit
	stale_alerted	boolean NOT NULL DEFAULT false,
	updated_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (scope_kind, scope_name, day)
);

-- Save watches as the monitor left them: [{kind, name, peak, started,
-- trail_armed, breached, stale_alerted}].  Only the duty holder writes.
CREATE FUNCTION rms_watch_save(p_day date, p jsonb) RETURNS integer
LANGUAGE sql AS $$
	WITH w AS (
		INSERT INTO rms_watches AS t (scope_kind, scope_name, day,
		    peak, started, trail_armed, breached, stale_alerted)
		SELECT x->>'kind', x->>'name', p_day, (x->>'peak')::bigint,
		    (x->>'started')::boolean, (x->>'trail_armed')::boolean,
		    (x->>'breached')::integer, (x->>'stale_alerted')::boolean
		FROM jsonb_array_elements(p) x
		ON CONFLICT (scope_kind, scope_name, day) DO UPDATE SET
		    peak = EXCLUDED.peak, started = EXCLUDED.started,
		    trail_armed = EXCLUDED.trail_armed,
		    breached = EXCLUDED.breached,
		    stale_alerted = EXCLUDED.stale_alerted, updated_at = now()
		RETURNING 1
	)
	SELECT count(*)::integer FROM w
$$;

-- One crossing of one limit.  p_bit is the limit's bit in breached; a
-- crossing already recorded (by this process or one that died) answers
-- fired = false and changes nothing, so a response never runs twice.
CREATE FUNCTION rms_breach(p_kind text, p_name text, p_day date,
    p_rule text, p_bit integer, p_severity text, p_summary text,
    p_values jsonb, p_watch jsonb, p_response text, p_actor text,
    p_front text)
RETURNS TABLE (incident_id bigint, fired boolean, opened boolean,
    notification_id bigint)
LANGUAGE plpgsql AS $$
DECLARE
	w	rms_watches%ROWTYPE;
	iid	bigint;
	isnew	boolean := false;
	nid	bigint;
BEGIN
	INSERT INTO rms_watches (scope_kind, scope_name, day)
	VALUES (p_kind, p_name, p_day) ON CONFLICT DO NOTHING;
	SELECT * INTO w FROM rms_watches WHERE scope_kind = p_kind
	    AND scope_name = p_name AND day = p_day FOR UPDATE;
	IF p_bit >= 0 AND (w.breached & (1 << p_bit)) <> 0 THEN
		RETURN QUERY SELECT NULL::bigint, false, false, NULL::bigint;
		RETURN;
	END IF;
	IF p_bit < 0 AND w.stale_alerted THEN
		RETURN QUERY SELECT NULL::bigint, false, false, NULL::bigint;
		RETURN;
	END IF;
	UPDATE rms_watches SET
	    peak = COALESCE((p_watch->>'peak')::bigint, peak),
	    started = true,
	    trail_armed = COALESCE((p_watch->>'trail_armed')::boolean,
		trail_armed),
	    breached = CASE WHEN p_bit >= 0 THEN breached | (1 << p_bit)
		ELSE breached END,
	    stale_alerted = stale_alerted OR p_bit < 0,
	    updated_at = now()
	WHERE scope_kind = p_kind AND scope_name = p_name AND day = p_day;

	SELECT id INTO iid FROM incidents WHERE scope_kind = p_kind
	    AND scope_name = p_name AND rule = p_rule
	    AND state NOT IN ('RESOLVED', 'SIGNED_OFF');
	IF iid IS NULL THEN
		INSERT INTO incidents (severity, scope_kind, scope_name, rule,
		    summary, breach, playbook)
		VALUES (p_severity, p_kind, p_name, p_rule, p_summary,
		    p_values, (SELECT name FROM playbooks
			WHERE p_rule = ANY (rules) ORDER BY name LIMIT 1))
		RETURNING id INTO iid;
		isnew := true;
		INSERT INTO incident_steps (incident_id, n, title, automatic)
		SELECT iid, s.n, s.x->>'title',
		    COALESCE((s.x->>'automatic')::boolean, false)
		FROM incidents i JOIN playbooks p ON p.name = i.playbook,
		    jsonb_array_elements(p.steps) WITH ORDINALITY s(x, n)
		WHERE i.id = iid;
	END IF;
	INSERT INTO incident_events (incident_id, kind, actor, message, detail)
	VALUES (iid, 'breach', p_actor, p_summary,
	    p_values || jsonb_build_object('response', p_response));
	nid := notify_enqueue(p_severity, 'rms', p_kind || ':' || p_name,
	    'RMS ' || p_rule || ' breached at ' || p_kind || ' ' || p_name,
	    p_summary || E'\nresponse: ' || p_response, 'incident ' || iid);
	INSERT INTO incident_events (incident_id, kind, actor, message, detail)
	VALUES (iid, 'alert', p_actor, 'alert queued (notification ' || nid
	    || ')', jsonb_build_object('notification', nid));
	INSERT INTO audit_log (os_user, front, action, object, detail)
	VALUES (p_actor, p_front, 'rms.breach', 'incident:' || iid,
	    jsonb_build_object('rule', p_rule, 'scope', p_kind || ':' ||
		p_name, 'response', p_response, 'values', p_values));
	PERFORM pg_notify('phalanx_registry', 'incidents');
	RETURN QUERY SELECT iid, true, isnew, nid;
END
$$;
