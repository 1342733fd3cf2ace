-- A breach is journaled before it is answered.  The RMS duty holder
-- saves a monitor pass's watches and its breaches (an intent, with a
-- random id) in one statement ahead of the responses' first; every
-- fan-out a response places is tagged rms:INTENT:L (L: s scaleout,
-- q squareoff, h hedge, k kill); the breach record (rms_breaches, after
-- the responses) marks the intent recorded in its own transaction.  If the
-- holder dies between the two, the process that takes the duty over
-- finds the intent, records the breaches with rms_breach_takeover --
-- incidents, timelines with the orders the dead holder placed, alerts,
-- audit -- and learns which responses ran, so none runs twice and no
-- incident is lost.

CREATE TABLE rms_breach_intents (
	id		text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{12}$'),
	day		date NOT NULL,
	breaches	jsonb NOT NULL CHECK (jsonb_typeof(breaches) = 'array'),
	actor		text NOT NULL CHECK (actor <> ''),
	front		text NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	recorded_at	timestamptz	-- NULL: pending
);

CREATE INDEX rms_breach_intents_pending ON rms_breach_intents (created_at)
	WHERE recorded_at IS NULL;

-- rms_watch_save and the intent, in one transaction.
CREATE FUNCTION rms_watch_intent(p_day date, p_watches jsonb, p_intent text,
    p_breaches jsonb, p_actor text, p_front text) RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO rms_breach_intents (id, day, breaches, actor, front)
	VALUES (p_intent, p_day, p_breaches, p_actor, p_front)
	ON CONFLICT (id) DO NOTHING;
	RETURN rms_watch_save(p_day, p_watches);
END
$$;

-- rms_breaches (0023), which now takes its pass's intent away first;
-- breaches carry "intent" (each element the same) when there is one.
CREATE OR REPLACE FUNCTION rms_breaches(p_day date, p jsonb, p_actor text,
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
	-- Journaled before the responses: whoever records it first (the
	-- owner, or the one that took the duty over) marks the intent
	-- recorded; the other finds it so and records nothing.  An intent
	-- whose own statement was lost is recorded all the same.
	IF p->0 ? 'intent' THEN
		INSERT INTO rms_breach_intents AS t (id, day, breaches, actor,
		    front, recorded_at)
		VALUES (p->0->>'intent', p_day, p, p_actor, p_front, now())
		ON CONFLICT (id) DO UPDATE SET recorded_at = now()
		    WHERE t.recorded_at IS NULL;
		IF NOT FOUND THEN
			RETURN;
		END IF;
		DELETE FROM rms_breach_intents
		    WHERE recorded_at < now() - interval '2 days';
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

-- Run by the process that has just taken the RMS duty: every intent
-- left behind is recorded (as its owner would have) and, per breach,
-- the fan-outs its response placed are put on the incident's timeline
-- with their orders.  Rows: intent, kind, name, rule, response,
-- incident_id, ran (a fan-out tagged for this response and scope
-- exists), recorded (false: someone recorded it first).
CREATE FUNCTION rms_breach_takeover(p_front text)
RETURNS TABLE (intent text, kind text, name text, rule text,
    response text, incident_id bigint, ran boolean, recorded boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	r	record;
	x	jsonb;
	n	integer;
	iid	bigint;
	f	record;
	o	record;
	tagged	text;
BEGIN
	FOR r IN SELECT * FROM rms_breach_intents WHERE recorded_at IS NULL
	    ORDER BY created_at FOR UPDATE SKIP LOCKED LOOP
		SELECT count(*) INTO n FROM rms_breaches(r.day,
		    (SELECT jsonb_agg(e || jsonb_build_object('intent', r.id))
			FROM jsonb_array_elements(r.breaches) e),
		    r.actor, p_front, gen_random_uuid());
		FOR x IN SELECT * FROM jsonb_array_elements(r.breaches) LOOP
			SELECT i.id INTO iid FROM incidents i
			    WHERE i.scope_kind = x->>'kind'
			    AND i.scope_name = x->>'name' AND i.rule = x->>'rule'
			    ORDER BY (i.state IN ('RESOLVED', 'SIGNED_OFF')),
				i.id DESC
			    LIMIT 1;
			tagged := 'rms:' || r.id || ':' ||
			    CASE x->>'response' WHEN 'scaleout' THEN 's'
				WHEN 'squareoff' THEN 'q' WHEN 'hedge' THEN 'h'
				WHEN 'kill' THEN 'k' ELSE 'x' END;
			ran := false;
			FOR f IN SELECT fo.id, fo.state FROM fanouts fo
			    JOIN accounts a ON a.name = x->>'name'
			    WHERE fo.tag = tagged AND (EXISTS (SELECT 1
				FROM orders od WHERE od.fanout_id = fo.id
				AND od.account_id = a.id)
				OR position(',acct:' || a.name || ',' IN
				    ',' || fo.target || ',') > 0)
			    ORDER BY fo.id LOOP
				ran := true;
				IF iid IS NULL OR n = 0 THEN
					CONTINUE;
				END IF;
				INSERT INTO incident_events (incident_id, kind,
				    actor, message, detail)
				VALUES (iid, 'action', r.actor,
				    (x->>'response') || ': fanout ' || f.id ||
				    ' ' || f.state || ', placed before the RMS '
				    'owner died (recorded by ' || p_front ||
				    ', which took the duty over)',
				    jsonb_build_object('fanout', f.id, 'state',
					f.state, 'intent', r.id));
				FOR o IN SELECT od.* FROM orders od
				    JOIN accounts a ON a.id = od.account_id
				    WHERE od.fanout_id = f.id
				    AND a.name = x->>'name' ORDER BY od.id LOOP
					INSERT INTO incident_events (incident_id,
					    kind, actor, message, detail)
					VALUES (iid, 'order', r.actor,
					    o.side || ' ' || o.symbol || ' ' ||
					    o.qty || ' ' || (x->>'name') ||
					    ': ' || o.state || ', filled ' ||
					    o.filled_qty || ', broker order ' ||
					    COALESCE(o.broker_order_id, 'none'),
					    jsonb_build_object('fanout', f.id,
						'order', o.id, 'side', o.side,
						'symbol', o.symbol, 'qty', o.qty,
						'state', o.state));
				END LOOP;
			END LOOP;
			intent := r.id;
			kind := x->>'kind';
			name := x->>'name';
			rule := x->>'rule';
			response := x->>'response';
			incident_id := iid;
			recorded := n > 0;
			RETURN NEXT;
		END LOOP;
	END LOOP;
END
$$;
