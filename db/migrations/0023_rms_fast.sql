-- The RMS answers a breach before it writes about it.  The duty holder
-- saves its watches (the breached bits) ahead of the response's first
-- statement, sends the response from the positions it holds, and records
-- the pass's breaches -- incidents, timelines, alerts, audit -- in one
-- statement after it, journaled when the store is away (so each write
-- carries a uid: a replay of one that did commit changes nothing).
-- Timeline events of a response name the incident by scope and rule, so
-- they need not wait for its id.  And the duty holder's live values per
-- scope, for `rms state` in every other process.

-- p: [{kind, name, rule, severity, summary, values, response}].  Opens or
-- joins each scope's incident for the rule, writes the breach and the
-- alert on its timeline, queues the alert and audits it.  Rows: kind,
-- name, rule, incident_id.  The watches were saved before; the bits they
-- carry are set here too, in case that save was lost.
CREATE FUNCTION rms_breaches(p_day date, p jsonb, p_actor text,
    p_front text, p_uid uuid)
RETURNS TABLE (kind text, name text, rule text, incident_id bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	x	jsonb;
	iid	bigint;
	nid	bigint;
	bit	integer;
BEGIN
	INSERT INTO journal_applied (uid, op) VALUES (p_uid, 'rms.breaches')
	    ON CONFLICT DO NOTHING;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	FOR x IN SELECT * FROM jsonb_array_elements(p) LOOP
		bit := (x->>'bit')::integer;
		INSERT INTO rms_watches AS t (scope_kind, scope_name, day, started,
		    breached, stale_alerted)
		VALUES (x->>'kind', x->>'name', p_day, true,
		    CASE WHEN bit >= 0 THEN 1 << bit ELSE 0 END, bit < 0)
		ON CONFLICT (scope_kind, scope_name, day) DO UPDATE SET
		    breached = t.breached | EXCLUDED.breached,
		    stale_alerted = t.stale_alerted OR EXCLUDED.stale_alerted,
		    started = true, updated_at = now();
		iid := NULL;
		SELECT i.id INTO iid FROM incidents i
		    WHERE i.scope_kind = x->>'kind' AND i.scope_name = x->>'name'
		    AND i.rule = x->>'rule'
		    AND i.state NOT IN ('RESOLVED', 'SIGNED_OFF');
		IF iid IS NULL THEN
			INSERT INTO incidents (severity, scope_kind, scope_name,
			    rule, summary, breach, playbook)
			VALUES (x->>'severity', x->>'kind', x->>'name',
			    x->>'rule', x->>'summary', x->'values',
			    (SELECT pb.name FROM playbooks pb
				WHERE x->>'rule' = ANY (pb.rules)
				ORDER BY pb.name LIMIT 1))
			RETURNING id INTO iid;
			INSERT INTO incident_steps (incident_id, n, title,
			    automatic)
			SELECT iid, s.n, s.y->>'title',
			    COALESCE((s.y->>'automatic')::boolean, false)
			FROM incidents i JOIN playbooks pb ON pb.name = i.playbook,
			    jsonb_array_elements(pb.steps) WITH ORDINALITY s(y, n)
			WHERE i.id = iid;
		END IF;
		INSERT INTO incident_events (incident_id, kind, actor, message,
		    detail)
		VALUES (iid, 'breach', p_actor, x->>'summary',
		    x->'values' || jsonb_build_object('response',
			x->>'response'));
		nid := notify_enqueue(x->>'severity', 'rms',
		    (x->>'kind') || ':' || (x->>'name'),
		    'RMS ' || (x->>'rule') || ' breached at ' || (x->>'kind') ||
		    ' ' || (x->>'name'),
		    (x->>'summary') || E'\nresponse: ' || (x->>'response'),
		    'incident ' || iid);
		INSERT INTO incident_events (incident_id, kind, actor, message,
		    detail)
		VALUES (iid, 'alert', p_actor, 'alert queued (notification ' ||
		    nid || ')', jsonb_build_object('notification', nid));
		INSERT INTO audit_log (os_user, front, action, object, detail)
		VALUES (p_actor, p_front, 'rms.breach', 'incident:' || iid,
		    jsonb_build_object('rule', x->>'rule', 'scope',
			(x->>'kind') || ':' || (x->>'name'), 'response',
			x->>'response', 'values', x->'values'));
		kind := x->>'kind';
		name := x->>'name';
		rule := x->>'rule';
		incident_id := iid;
		RETURN NEXT;
	END LOOP;
	PERFORM pg_notify('phalanx_registry', 'incidents');
END
$$;

-- One event on the timeline of the scope's open incident for a rule (the
-- one rms_breaches opened or joined).  Rows: incident_id (none when no
-- such incident is open, or when the uid was applied before).
CREATE FUNCTION rms_incident_note(p_kind text, p_name text, p_rule text,
    p_ev text, p_message text, p_detail jsonb, p_actor text, p_uid uuid)
RETURNS TABLE (incident_id bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	iid	bigint;
BEGIN
	INSERT INTO journal_applied (uid, op) VALUES (p_uid, 'rms.note')
	    ON CONFLICT DO NOTHING;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	SELECT i.id INTO iid FROM incidents i WHERE i.scope_kind = p_kind
	    AND i.scope_name = p_name AND i.rule = p_rule
	    ORDER BY (i.state IN ('RESOLVED', 'SIGNED_OFF')), i.id DESC
	    LIMIT 1;
	IF iid IS NULL THEN
		RETURN;
	END IF;
	INSERT INTO incident_events (incident_id, kind, actor, message, detail)
	VALUES (iid, p_ev, p_actor, p_message, COALESCE(p_detail, '{}'));
	UPDATE incidents SET updated_at = now() WHERE id = iid;
	incident_id := iid;
	RETURN NEXT;
END
$$;

-- What the duty holder's monitors saw at their last pass, per scope:
-- the mark (MTM, margin, open MIS, stale prices) and the watch (the
-- day's peak, the trailing lock), for `rms state` anywhere.
CREATE TABLE rms_live (
	scope_kind	text NOT NULL
			CHECK (scope_kind IN ('firm', 'group', 'account',
			    'strategy')),
	scope_name	text NOT NULL,
	mtm		bigint NOT NULL,	-- paise
	peak		bigint NOT NULL,	-- paise
	trail_armed	boolean NOT NULL DEFAULT false,
	margin_used	bigint NOT NULL DEFAULT 0,	-- paise
	margin_total	bigint NOT NULL DEFAULT 0,	-- paise
	open_positions	integer NOT NULL DEFAULT 0,
	has_mis		boolean NOT NULL DEFAULT false,
	stale		boolean NOT NULL DEFAULT false,
	front		text NOT NULL,
	marked_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (scope_kind, scope_name)
);

-- p: [{kind, name, mtm, peak, trail_armed, margin_used, margin_total,
-- open_positions, has_mis, stale}]
CREATE FUNCTION rms_live_save(p jsonb, p_front text) RETURNS integer
LANGUAGE sql AS $$
	WITH w AS (
		INSERT INTO rms_live AS t (scope_kind, scope_name, mtm, peak,
		    trail_armed, margin_used, margin_total, open_positions,
		    has_mis, stale, front, marked_at)
		SELECT x->>'kind', x->>'name', (x->>'mtm')::bigint,
		    (x->>'peak')::bigint, (x->>'trail_armed')::boolean,
		    (x->>'margin_used')::bigint, (x->>'margin_total')::bigint,
		    (x->>'open_positions')::integer, (x->>'has_mis')::boolean,
		    (x->>'stale')::boolean, p_front, now()
		FROM jsonb_array_elements(p) x
		ON CONFLICT (scope_kind, scope_name) DO UPDATE SET
		    mtm = EXCLUDED.mtm, peak = EXCLUDED.peak,
		    trail_armed = EXCLUDED.trail_armed,
		    margin_used = EXCLUDED.margin_used,
		    margin_total = EXCLUDED.margin_total,
		    open_positions = EXCLUDED.open_positions,
		    has_mis = EXCLUDED.has_mis, stale = EXCLUDED.stale,
		    front = EXCLUDED.front, marked_at = now()
		RETURNING 1
	)
	SELECT count(*)::integer FROM w
$$;

-- The RMS duty, (1885893240, 1), with hand-over to a daemon: a daemon
-- that cannot take it holds (1885893240, 2) shared, "a daemon wants
-- it"; a console that holds the duty and sees that lets it go (after
-- everything it queued before this statement: its watches are saved), and
-- no console takes it while a daemon waits.  Rows: held, yielded.
CREATE FUNCTION rms_duty(p_daemon boolean)
RETURNS TABLE (held boolean, yielded boolean)
LANGUAGE plpgsql AS $$
DECLARE
	mine	boolean := phalanx_lock_held(1885893240, 1, true);
	wanting	boolean := phalanx_lock_held(1885893240, 2, true);
BEGIN
	IF p_daemon THEN
		IF NOT mine AND NOT phalanx_lock_held(1885893240, 1) THEN
			mine := pg_try_advisory_lock(1885893240, 1);
		END IF;
		IF mine AND wanting THEN
			PERFORM pg_advisory_unlock_shared(1885893240, 2);
		ELSIF NOT mine AND NOT wanting THEN
			PERFORM pg_try_advisory_lock_shared(1885893240, 2);
		END IF;
		RETURN QUERY SELECT mine, false;
		RETURN;
	END IF;
	IF phalanx_lock_held(1885893240, 2) THEN
		IF mine THEN
			PERFORM pg_advisory_unlock(1885893240, 1);
		END IF;
		RETURN QUERY SELECT false, mine;
		RETURN;
	END IF;
	IF NOT mine AND NOT phalanx_lock_held(1885893240, 1) THEN
		mine := pg_try_advisory_lock(1885893240, 1);
	END IF;
	RETURN QUERY SELECT mine, false;
END
$$;
