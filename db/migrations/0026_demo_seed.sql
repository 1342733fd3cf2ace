-- Demo data: what `phalanx demo seed` writes after it has registered the
-- brokers, accounts, strategies, connectors, schedules and RMS bindings
-- through the command language (so those carry their audit rows).  This
-- adds the history a trading desk would have: fan-outs with their orders,
-- lifecycle events, latencies and fills, the positions they leave, webhook
-- payloads (accepted, rejected, duplicate) with their signals, incidents in
-- every state with their timelines and alerts, schedule runs with logs,
-- and D days of equity snapshots (the rollups follow by their trigger).
--
-- Deterministic: every choice comes from phalanx_demo_rand(seed, key), a
-- hash, never from random(); every time is relative to p_now.  Incidents,
-- alerts and runs are made by the store's own functions (rms_breach,
-- notify_enqueue, run_move), then their times moved back to p_now's day.

CREATE FUNCTION phalanx_demo_rand(p_seed bigint, p_key text)
RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
	SELECT round(((hashtextextended(p_key, p_seed) >> 11)
	    & 4503599627370495)::numeric / 4503599627370496, 12)
$$;

-- A price rounded to the tick (0.05).
CREATE FUNCTION phalanx_demo_tick(p numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
	SELECT round(p * 20) / 20
$$;

CREATE FUNCTION phalanx_demo_seed(p_seed bigint, p_days integer,
    p_now timestamptz, p_actor text)
RETURNS jsonb LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	ist	constant text := 'Asia/Kolkata';
	day0	date := (p_now AT TIME ZONE ist)::date;
	expiry	date;
	fut	text[];
	lot	integer[] := ARRAY[65, 30];
	base	numeric[] := ARRAY[26000, 59000];
	groups	text[] := ARRAY['scalpers', 'family', 'hni', 'all'];
	fo	bigint;
	t0	timestamptz;
	k	integer;
	d	integer;
	g	text;
	s	integer;
	side	text;
	lots	integer;
	src	text;
	strat	bigint;
	a	record;
	r	numeric;
	st	text;
	lat	bigint;
	px	numeric;
	oid	bigint;
	nfill	integer;
	nbad	integer;
	c	record;
	pid	bigint;
	body	text;
	inc	record;
	iid	bigint;
	sc	record;
	rid	bigint;
	ok	boolean;
	n_fanouts integer := 0;
	n_payloads integer := 0;
	n_runs	integer := 0;
	n_points integer;
	tday	date;
	tend	timestamptz;
	-- Minutes between equity points: finer for a short history.
	step	integer := CASE WHEN p_days <= 31 THEN 15
	    WHEN p_days <= 120 THEN 75 ELSE 375 END;
BEGIN
	IF p_days < 1 OR p_days > 366 THEN
		RAISE EXCEPTION 'demo seed: days % is out of 1..366', p_days;
	END IF;
	IF EXISTS (SELECT 1 FROM fanouts) OR EXISTS (SELECT 1 FROM incidents)
	    OR EXISTS (SELECT 1 FROM runs) OR EXISTS (SELECT 1 FROM positions)
	    OR EXISTS (SELECT 1 FROM webhook_payloads) THEN
		RAISE EXCEPTION 'demo seed: the store already holds trading '
		    'history (fan-outs, positions, incidents, runs or webhook '
		    'payloads)';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM accounts) THEN
		RAISE EXCEPTION 'demo seed: no accounts to trade for';
	END IF;

	-- The near-month futures, expiring the month's last Tuesday.
	expiry := (date_trunc('month', day0) + interval '1 month - 1 day')::date;
	expiry := expiry - ((extract(dow FROM expiry)::int - 2 + 7) % 7);
	IF expiry < day0 THEN
		expiry := (date_trunc('month', day0) + interval '2 month - 1 day')::date;
		expiry := expiry - ((extract(dow FROM expiry)::int - 2 + 7) % 7);
	END IF;
	fut := ARRAY['NIFTY' || upper(to_char(expiry, 'YYMON')) || 'FUT',
	    'BANKNIFTY' || upper(to_char(expiry, 'YYMON')) || 'FUT'];
	INSERT INTO instruments (instrument_token, exchange_token,
	    tradingsymbol, name, last_price, expiry, strike, tick_size,
	    lot_size, instrument_type, segment, exchange, freeze_qty)
	VALUES (9900001, 38700, fut[1], 'NIFTY', base[1], expiry, 0, 0.05,
		lot[1], 'FUT', 'NFO-FUT', 'NFO', 1800),
	    (9900002, 38701, fut[2], 'BANKNIFTY', base[2], expiry, 0, 0.05,
		lot[2], 'FUT', 'NFO-FUT', 'NFO', 900)
	ON CONFLICT (exchange, tradingsymbol) DO NOTHING;

	-- The last trading session up to p_now: today's when it is a
	-- weekday past 10:00 IST, else the weekday before.
	tday := day0;
	WHILE extract(isodow FROM tday) > 5 LOOP
		tday := tday - 1;
	END LOOP;
	tend := least(p_now, (tday + time '15:25') AT TIME ZONE ist);
	IF tend < (tday + time '10:00') AT TIME ZONE ist THEN
		tday := tday - 1;
		WHILE extract(isodow FROM tday) > 5 LOOP
			tday := tday - 1;
		END LOOP;
		tend := (tday + time '15:25') AT TIME ZONE ist;
	END IF;

	-- Fan-outs: ten in that session (the newest a few minutes before
	-- its end), two on each of the three trading days before, and every
	-- third one from a connector's webhook.
	CREATE TEMP TABLE demo_ev ON COMMIT DROP AS
	    SELECT ts, order_id, state, broker_status, filled_qty, message,
		latency_us FROM order_events WITH NO DATA;
	-- Oldest first, so ids grow with time as they do in a live store.
	FOREACH k IN ARRAY ARRAY[14, 15, 12, 13, 10, 11, 0, 1, 2, 3, 4, 5, 6,
	    7, 8, 9] LOOP
		IF k < 10 THEN
			t0 := tend - (10 - k) * interval '11 minutes'
			    - (phalanx_demo_rand(p_seed, 'fo-s' || k) * 50)::int
			    * interval '1 second';
		ELSE
			d := (k - 10) / 2 + 1;
			t0 := ((SELECT x::date FROM generate_series(tday - 12,
				tday - 1, interval '1 day') x
			    WHERE extract(isodow FROM x) < 6
			    ORDER BY x DESC OFFSET d - 1 LIMIT 1)::timestamp
			    + CASE WHEN k % 2 = 0 THEN interval '10 hours 5 minutes'
			      ELSE interval '14 hours 20 minutes' END)
			    AT TIME ZONE ist;
		END IF;
		s := 1 + (phalanx_demo_rand(p_seed, 'fo-sym' || k) * 2)::int % 2;
		g := groups[1 + (phalanx_demo_rand(p_seed, 'fo-g' || k) * 4)::int % 4];
		side := CASE WHEN phalanx_demo_rand(p_seed, 'fo-side' || k) < 0.55
		    THEN 'BUY' ELSE 'SELL' END;
		lots := 1 + (phalanx_demo_rand(p_seed, 'fo-lots' || k) * 2)::int % 2;
		strat := NULL;
		src := 'console';
		IF k % 3 = 1 THEN
			SELECT st2.id, cn.name INTO strat, src FROM connectors cn
			    JOIN strategies st2 ON st2.id = cn.strategy_id
			ORDER BY cn.id OFFSET (k / 3) % greatest(1,
			    (SELECT count(*) FROM connectors)::int) LIMIT 1;
			IF strat IS NULL THEN
				src := 'console';
			ELSE
				SELECT coalesce(target, 'all') INTO g
				FROM strategies WHERE id = strat;
				g := replace(g, 'group:', '');
			END IF;
		END IF;
		INSERT INTO fanouts (who, source, strategy_id, intent, target,
		    side, symbol, exchange, qty, unit, product, order_type,
		    policy, mode, on_fail, state, t_intent, t_rms,
		    t_first_send, created_at, tag, ltp_at_intent)
		VALUES (p_actor, src, strat, 'order',
		    CASE WHEN g = 'all' THEN 'all' ELSE 'group:' || g END,
		    side, fut[s], 'NFO', lots, 'lots', 'NRML', 'MARKET',
		    'fixed', 'async', 'best-effort', 'RUNNING', t0,
		    t0 + interval '180 microseconds',
		    t0 + interval '410 microseconds', t0,
		    CASE WHEN strat IS NULL THEN 'demo' END,
		    phalanx_demo_tick(base[s] * (1 + (phalanx_demo_rand(p_seed,
			'px' || k) - 0.5) / 100)))
		RETURNING id INTO fo;
		n_fanouts := n_fanouts + 1;
		nfill := 0;
		nbad := 0;
		FOR a IN SELECT ac.id, ac.name, ac.lots AS alots,
			ac.priority FROM accounts ac
		    WHERE ac.enabled AND (g = 'all' OR EXISTS (SELECT 1
			FROM account_tags t WHERE t.account_id = ac.id
			AND t.tag = g))
		    ORDER BY ac.priority, ac.name LOOP
			r := phalanx_demo_rand(p_seed, 'ord' || fo || ':' || a.id);
			st := CASE WHEN r < 0.06 THEN 'DENIED'
			    WHEN r < 0.13 THEN 'REJECTED' ELSE 'FILLED' END;
			lat := (35000 + 240000 * phalanx_demo_rand(p_seed,
			    'lat' || fo || ':' || a.id) ^ 3)::bigint;
			px := phalanx_demo_tick(base[s] * (1 + (phalanx_demo_rand(
			    p_seed, 'px' || k) - 0.5) / 100 + (phalanx_demo_rand(
			    p_seed, 'slip' || fo || ':' || a.id) - 0.3) / 4000));
			INSERT INTO orders (fanout_id, account_id, slice,
			    client_tag, broker_order_id, state, side, symbol,
			    exchange, product, order_type, qty, filled_qty,
			    avg_price, message, created_at, updated_at,
			    pos_qty, pos_value)
			VALUES (fo, a.id, 0, 'D' || fo || 'A' || a.id,
			    CASE WHEN st = 'DENIED' THEN NULL ELSE
				to_char(day0, 'YYMMDD') || lpad((fo * 1000
				+ a.id)::text, 9, '0') END,
			    st, side, fut[s], 'NFO', 'NRML', 'MARKET',
			    lots * a.alots * lot[s],
			    CASE WHEN st = 'FILLED' THEN lots * a.alots * lot[s]
				ELSE 0 END,
			    CASE WHEN st = 'FILLED' THEN px ELSE 0 END,
			    CASE st WHEN 'DENIED' THEN
				'RMS: max-lots-per-order (' || lots * a.alots
				|| ' lots)' WHEN 'REJECTED' THEN
				'Insufficient funds. Required margin is higher than available'
				END,
			    t0, t0 + lat * interval '1 microsecond',
			    CASE WHEN st = 'FILLED' THEN lots * a.alots * lot[s]
				ELSE 0 END,
			    CASE WHEN st = 'FILLED' THEN px * lots * a.alots
				* lot[s] ELSE 0 END)
			RETURNING id INTO oid;
			INSERT INTO demo_ev (ts, order_id, state,
			    broker_status, filled_qty, message, latency_us)
			SELECT t0 + e.off * interval '1 microsecond', oid,
			    e.state, e.bs, e.fq, e.msg, e.lat
			FROM (VALUES
			    (400::bigint, 'NEW', NULL::text, 0, NULL::text,
				NULL::bigint),
			    (900, CASE WHEN st = 'DENIED' THEN 'DENIED'
				ELSE 'SUBMITTED' END, NULL, 0,
				CASE WHEN st = 'DENIED' THEN 'RMS: max-lots-per-order' END,
				NULL),
			    (lat, CASE st WHEN 'FILLED' THEN 'OPEN'
				WHEN 'REJECTED' THEN 'REJECTED' END,
				CASE st WHEN 'FILLED' THEN 'OPEN'
				WHEN 'REJECTED' THEN 'REJECTED' END, 0,
				CASE WHEN st = 'REJECTED' THEN
				'Insufficient funds' END, lat),
			    (lat + 18000, CASE WHEN st = 'FILLED' THEN
				'FILLED' END, 'COMPLETE',
				lots * a.alots * lot[s], NULL, NULL)) AS
			    e(off, state, bs, fq, msg, lat)
			WHERE e.state IS NOT NULL;
			IF st = 'FILLED' THEN
				nfill := nfill + 1;
				INSERT INTO fills (order_id, account_id,
				    trade_id, exchange_order_id, exchange,
				    symbol, product, side, qty, price, fill_ts)
				VALUES (oid, a.id, 'T' || oid, '1100000'
				    || lpad(oid::text, 9, '0'), 'NFO', fut[s],
				    'NRML', side, lots * a.alots * lot[s], px,
				    t0 + (lat + 18000) * interval '1 microsecond');
			ELSE
				nbad := nbad + 1;
			END IF;
		END LOOP;
		-- A fan-out's events in the order they happened, as the
		-- router writes them.
		INSERT INTO order_events (ts, order_id, state, broker_status,
		    filled_qty, message, latency_us)
		SELECT ts, order_id, state, broker_status, filled_qty, message,
		    latency_us FROM demo_ev ORDER BY ts, order_id;
		DELETE FROM demo_ev;
		UPDATE fanouts SET
		    state = CASE WHEN nbad = 0 THEN 'COMPLETED'
			WHEN nfill = 0 THEN 'FAILED' ELSE 'PARTIAL' END,
		    message = CASE WHEN nbad > 0 THEN nbad || ' of '
			|| (nfill + nbad) || ' legs failed' END,
		    t_last_send = t0 + interval '2100 microseconds',
		    t_last_ack = (SELECT max(e.ts) FROM order_events e
			JOIN orders o ON o.id = e.order_id
			WHERE o.fanout_id = fo)
		WHERE id = fo;
	END LOOP;

	-- Positions: what the fills left, marked at a price near the last.
	INSERT INTO positions (account_id, exchange, symbol, product, qty,
	    avg_price, last_price, realised_pnl, unrealised_pnl, updated_at)
	SELECT x.account_id, 'NFO', x.symbol, 'NRML', x.net,
	    x.avg_open, x.mark,
	    round(x.closed * (x.sell_avg - x.buy_avg), 2),
	    round(x.net * (x.mark - x.avg_open), 2), p_now
	FROM (SELECT f.account_id, f.symbol,
		coalesce(f.bq, 0) - coalesce(f.sq, 0) AS net,
		least(coalesce(f.bq, 0), coalesce(f.sq, 0)) AS closed,
		coalesce(f.bv / nullif(f.bq, 0), 0) AS buy_avg,
		coalesce(f.sv / nullif(f.sq, 0), 0) AS sell_avg,
		round(CASE WHEN coalesce(f.bq, 0) >= coalesce(f.sq, 0)
		    THEN coalesce(f.bv / nullif(f.bq, 0), 0)
		    ELSE f.sv / f.sq END, 2) AS avg_open,
		phalanx_demo_tick(CASE WHEN f.symbol = fut[1] THEN base[1]
		    ELSE base[2] END * (1 + (phalanx_demo_rand(p_seed,
		    'mark' || f.symbol) - 0.45) / 600)) AS mark
	    FROM (SELECT account_id, symbol,
		    sum(qty) FILTER (WHERE side = 'BUY') AS bq,
		    sum(qty * price) FILTER (WHERE side = 'BUY') AS bv,
		    sum(qty) FILTER (WHERE side = 'SELL') AS sq,
		    sum(qty * price) FILTER (WHERE side = 'SELL') AS sv
		FROM fills GROUP BY account_id, symbol) f) x;
	UPDATE instruments i SET last_price = p.last_price
	FROM (SELECT DISTINCT symbol, last_price FROM positions) p
	WHERE i.tradingsymbol = p.symbol AND i.exchange = 'NFO';

	-- Webhook payloads per connector: accepted ones (their signals made
	-- the webhook fan-outs above), a wrong token, a malformed body and a
	-- repeat of the last accepted one within the dedupe window.
	FOR c IN SELECT cn.id, cn.name, cn.dialect, cn.strategy_id
	    FROM connectors cn ORDER BY cn.id LOOP
		FOR fo IN SELECT f.id FROM fanouts f WHERE f.source = c.name
		    ORDER BY f.id LOOP
			SELECT '{"passphrase":"***","action":"' || lower(f.side)
			    || '","symbol":"' || f.symbol || '","qty":' || f.qty
			    || ',"id":"tv-' || f.id || '"}', f.t_intent
			INTO body, t0 FROM fanouts f WHERE f.id = fo;
			INSERT INTO webhook_payloads (ts, connector_id,
			    connector, method, remote, content_type, body,
			    hash)
			VALUES (t0 - interval '35 milliseconds', c.id, c.name,
			    'POST', '52.89.214.238', 'application/json',
			    convert_to(body, 'UTF8'),
			    sha256(convert_to(body, 'UTF8')))
			RETURNING id INTO pid;
			INSERT INTO signals (ts, payload_id, seq, connector_id,
			    strategy_id, source, ext_id, action, symbol,
			    exchange, qty, unit, order_type, product, parsed,
			    status, rms_verdict, signed_lots, exec_side,
			    exec_qty, fanout_id, t_queued, t_started, t_done)
			SELECT t0 - interval '35 milliseconds', pid, 0, c.id,
			    c.strategy_id, c.name, 'tv-' || f.id,
			    lower(f.side), f.symbol, 'NFO', f.qty, 'lots',
			    'market', 'nrml', body::jsonb, 'DONE', 'pass',
			    CASE WHEN f.side = 'BUY' THEN f.qty ELSE -f.qty END,
			    f.side, f.qty, f.id,
			    t0 - interval '34 milliseconds',
			    t0 - interval '2 milliseconds', f.t_last_ack
			FROM fanouts f WHERE f.id = fo;
			n_payloads := n_payloads + 1;
		END LOOP;
		INSERT INTO webhook_payloads (ts, connector_id, connector,
		    method, remote, content_type, body, reason, hash)
		VALUES (tend - interval '47 minutes', c.id, c.name, 'POST',
		    '203.0.113.7', 'application/json',
		    convert_to('{"passphrase":"***","action":"buy","symbol":"NIFTY","qty":1}', 'UTF8'),
		    'wrong token', sha256(convert_to('bad-token' || c.id, 'UTF8'))),
		    (tend - interval '23 minutes', c.id, c.name, 'POST',
		    '52.89.214.238', 'application/json',
		    convert_to('{"action":"buy","symbol":', 'UTF8'),
		    'malformed JSON: end of file expected near end of input',
		    sha256(convert_to('bad-json' || c.id, 'UTF8')));
		n_payloads := n_payloads + 2;
		SELECT w.id, w.body INTO pid, body FROM webhook_payloads w
		WHERE w.connector_id = c.id AND w.reason IS NULL
		ORDER BY w.ts DESC LIMIT 1;
		IF pid IS NOT NULL THEN
			INSERT INTO webhook_payloads (ts, connector_id,
			    connector, method, remote, content_type, body,
			    reason, hash, duplicate_of)
			SELECT w.ts + interval '1200 milliseconds', c.id,
			    c.name, 'POST', w.remote, w.content_type, w.body,
			    'duplicate of payload ' || w.id, w.hash, w.id
			FROM webhook_payloads w WHERE w.id = pid
			RETURNING id INTO rid;
			INSERT INTO signals (ts, payload_id, seq, connector_id,
			    strategy_id, source, ext_id, action, symbol,
			    exchange, qty, unit, order_type, parsed, status,
			    reason, duplicate_of)
			SELECT w.ts, rid, 0, c.id, c.strategy_id, c.name,
			    s2.ext_id, s2.action, s2.symbol, s2.exchange,
			    s2.qty, s2.unit, s2.order_type, s2.parsed,
			    'DUPLICATE', 'same payload within the dedupe window',
			    s2.id
			FROM webhook_payloads w, signals s2
			WHERE w.id = rid AND s2.payload_id = pid;
			n_payloads := n_payloads + 1;
		END IF;
	END LOOP;

	-- Incidents in each state, through the RMS's own breach function.
	FOR inc IN SELECT * FROM (VALUES
	    (10, 'account', 1, 'mtm-loss', 'critical', 'OPEN', 25, 'squareoff'),
	    (16, 'group', 0, 'margin-max-pct', 'warning', 'ACKNOWLEDGED', 70,
		'alert'),
	    (15, 'account', 2, 'max-drawdown', 'warning', 'RESOLVED', 140,
		'halt'),
	    (12, 'account', 3, 'profit-target', 'info', 'SIGNED_OFF', 1500,
		'alert')) AS v(bit, kind, acct, rule, sev, state, ago, response)
	LOOP
		IF inc.kind = 'group' THEN
			g := coalesce((SELECT t.tag FROM account_tags t
			    ORDER BY t.tag LIMIT 1), 'all');
		ELSE
			SELECT ac.name INTO g FROM accounts ac
			ORDER BY ac.priority, ac.name
			OFFSET (inc.acct - 1) % (SELECT count(*) FROM accounts)
			LIMIT 1;
		END IF;
		t0 := tend - inc.ago * interval '1 minute';
		SELECT b.incident_id INTO iid FROM rms_breach(inc.kind, g,
		    (t0 AT TIME ZONE ist)::date, inc.rule, inc.bit,
		    inc.sev, CASE inc.rule
			WHEN 'mtm-loss' THEN 'MTM -52,340.00 crossed the loss limit -50,000.00'
			WHEN 'margin-max-pct' THEN 'margin used 83.4% crossed 80%'
			WHEN 'max-drawdown' THEN 'drawdown 6.1% from the day''s peak crossed 5%'
			ELSE 'profit 41,250.00 reached the target 40,000.00' END,
		    jsonb_build_object('rule', inc.rule), '{}'::jsonb,
		    inc.response, p_actor, 'cli') b;
		UPDATE incidents SET opened_at = t0, updated_at = t0
		WHERE id = iid;
		UPDATE incident_events SET ts = t0 + (CASE kind WHEN 'breach'
		    THEN 0 ELSE 1 END) * interval '1 second' WHERE incident_id = iid;
		UPDATE notifications SET ts = t0 + interval '1 second',
		    window_at = t0 + interval '1 second' WHERE incident_id = iid;
		INSERT INTO incident_events (ts, incident_id, kind, actor,
		    message)
		VALUES (t0 + interval '2 seconds', iid, 'action', 'rms',
		    'response ' || inc.response || ' for ' || inc.kind || ' '
		    || g);
		IF inc.state <> 'OPEN' THEN
			INSERT INTO incident_events (ts, incident_id, kind,
			    actor, message)
			VALUES (t0 + interval '3 minutes', iid, 'ack', 'priya',
			    'acknowledged'),
			    (t0 + interval '6 minutes', iid, 'note', 'priya',
			    'called the account holder: positions are intended, '
			    || 'hedge on');
			UPDATE incidents SET state = 'ACKNOWLEDGED',
			    acked_by = 'priya', acked_at = t0 + interval '3 minutes',
			    updated_at = t0 + interval '6 minutes'
			WHERE id = iid;
			UPDATE incident_steps SET done_by = 'priya',
			    done_at = t0 + interval '5 minutes',
			    note = 'flat at the broker'
			WHERE incident_id = iid AND n <= 2;
		END IF;
		IF inc.state IN ('RESOLVED', 'SIGNED_OFF') THEN
			INSERT INTO incident_events (ts, incident_id, kind,
			    actor, message)
			VALUES (t0 + interval '25 minutes', iid, 'resolve',
			    'priya', 'resolved: limits reset for tomorrow');
			UPDATE incidents SET state = 'RESOLVED',
			    resolved_by = 'priya',
			    resolved_at = t0 + interval '25 minutes',
			    updated_at = t0 + interval '25 minutes'
			WHERE id = iid;
		END IF;
		IF inc.state = 'SIGNED_OFF' THEN
			INSERT INTO incident_events (ts, incident_id, kind,
			    actor, message)
			VALUES (t0 + interval '4 hours', iid, 'signoff',
			    'compliance', 'signed off: within policy');
			INSERT INTO signoffs (incident_id, signed_by, signed_at,
			    note)
			VALUES (iid, 'compliance', t0 + interval '4 hours',
			    'within policy');
			UPDATE incidents SET state = 'SIGNED_OFF',
			    updated_at = t0 + interval '4 hours'
			WHERE id = iid;
		END IF;
	END LOOP;

	-- Deliveries: the first alert failed (and is dead-lettered by the
	-- store's trigger), the rest were sent.
	UPDATE notification_deliveries d SET state = 'SENT', attempts = 1,
	    sent_at = n.ts + interval '900 milliseconds', latency_ms = 900,
	    next_at = n.ts
	FROM notifications n WHERE n.id = d.notification_id
	  AND d.state = 'PENDING' AND n.id > (SELECT min(id)
	    FROM notifications);
	UPDATE notification_deliveries d SET state = 'FAILED', attempts = 6,
	    next_at = n.ts + interval '5 minutes',
	    last_error = 'HTTP 503 Service Unavailable from the endpoint'
	FROM notifications n WHERE n.id = d.notification_id
	  AND d.state = 'PENDING';

	-- Schedule runs: one per schedule and trading day, at its time.
	FOR sc IN SELECT s2.id, s2.name, s2.cron, s2.command
	    FROM schedules s2 ORDER BY s2.id LOOP
		FOR d IN REVERSE least(p_days, 5)..0 LOOP
			t0 := (day0 - d)::timestamp AT TIME ZONE ist
			    + CASE WHEN sc.cron LIKE '20 15 %' THEN
				interval '15 hours 20 minutes'
			      ELSE interval '9 hours 10 minutes' END;
			CONTINUE WHEN t0 > p_now OR extract(isodow FROM
			    (day0 - d)) > 5;
			INSERT INTO runs (kind, ref, schedule_id, fire_at,
			    command, created_by, created_at)
			VALUES ('schedule', sc.name, sc.id, t0, sc.command,
			    'scheduler', t0)
			RETURNING id INTO rid;
			PERFORM run_move(rid, 'RUNNING', 'started', 'serve');
			ok := phalanx_demo_rand(p_seed, 'run' || rid) > 0.2;
			INSERT INTO run_logs (ts, run_id, stream, line)
			VALUES (t0 + interval '20 milliseconds', rid, 'sys',
			    '> ' || coalesce(sc.command, 'batch')),
			    (t0 + interval '850 milliseconds', rid,
			    CASE WHEN ok THEN 'out' ELSE 'err' END,
			    CASE WHEN ok THEN sc.command || ': done'
			    ELSE 'broker demo-sim: connection refused' END),
			    (t0 + interval '900 milliseconds', rid, 'sys',
			    CASE WHEN ok THEN '1 command succeeded'
			    ELSE '1 command failed' END);
			PERFORM run_move(rid, CASE WHEN ok THEN 'SUCCEEDED'
			    ELSE 'FAILED' END, CASE WHEN ok THEN
			    '1 command succeeded' ELSE '1 command failed' END);
			UPDATE runs SET started_at = t0 + interval '10 milliseconds',
			    finished_at = t0 + interval '950 milliseconds'
			WHERE id = rid;
			UPDATE run_events SET ts = t0 + CASE state
			    WHEN 'PENDING' THEN interval '0'
			    WHEN 'RUNNING' THEN interval '10 milliseconds'
			    ELSE interval '950 milliseconds' END
			WHERE run_id = rid;
			UPDATE schedules SET last_fire = t0 WHERE id = sc.id;
			n_runs := n_runs + 1;
		END LOOP;
	END LOOP;

	-- Equity: the snapshots the positions' trigger took just now are
	-- replaced by D days of history, every 15 minutes of each session
	-- (75 past a month, open and close past four months),
	-- each account's curve a bridge from its capital to where its
	-- positions stand at p_now.
	DELETE FROM equity_points;
	DELETE FROM equity_rollups;
	CREATE TEMP TABLE demo_eq ON COMMIT DROP AS
	WITH slots AS (
		SELECT ts, row_number() OVER (ORDER BY ts) AS i
		FROM (SELECT (dd::date::timestamp + interval '9 hours 15 minutes'
			+ m * step * interval '1 minute') AT TIME ZONE ist AS ts
		    FROM generate_series(day0 - p_days + 1, day0,
			interval '1 day') dd,
			generate_series(0, 375 / step, 1) m
		    WHERE extract(isodow FROM dd) < 6) x
		WHERE ts <= p_now
	), acc AS (
		SELECT e.account_id, e.name, e.broker, e.equity,
		    e.realised, e.unrealised, e.margin_used, ac.capital
		FROM equity_now e JOIN accounts ac ON ac.id = e.account_id
	), walk AS (
		SELECT acc.*, s.ts, s.i, max(s.i) OVER () AS n,
		    sum(phalanx_demo_rand(p_seed, 'eq' || acc.account_id
			|| ':' || s.i) - 0.5) OVER (PARTITION BY
			acc.account_id ORDER BY s.i) AS w
		FROM acc CROSS JOIN slots s
	)
	SELECT ts, account_id, name, broker,
	    round(capital + (equity - capital) * i / n + (w - last_value(w)
		OVER (PARTITION BY account_id ORDER BY i ROWS BETWEEN
		UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) * i / n)
		* greatest(capital, 100000) / 400, 2) AS equity,
	    round(realised * i / n, 2) AS realised,
	    round(unrealised * i / n, 2) AS unrealised,
	    round(margin_used * i / n, 2) AS margin_used
	FROM walk;
	INSERT INTO equity_points (ts, scope, name, account_id, equity,
	    realised, unrealised, margin_used, reason)
	SELECT ts, 'account', name, account_id, equity, realised, unrealised,
	    margin_used, 'timer' FROM demo_eq
	UNION ALL
	SELECT ts, 'broker', broker, NULL, sum(equity), sum(realised),
	    sum(unrealised), sum(margin_used), 'timer' FROM demo_eq
	GROUP BY ts, broker
	UNION ALL
	SELECT ts, 'firm', 'firm', NULL, sum(equity), sum(realised),
	    sum(unrealised), sum(margin_used), 'timer' FROM demo_eq
	GROUP BY ts
	UNION ALL
	SELECT q.ts, 'strategy', sp.name, NULL,
	    round(sp.equity * q.i / q.n, 2), round(sp.realised * q.i / q.n, 2),
	    round(sp.unrealised * q.i / q.n, 2),
	    round(sp.margin_used * q.i / q.n, 2), 'timer'
	FROM strategy_pnl_now sp CROSS JOIN (SELECT ts,
		row_number() OVER (ORDER BY ts) AS i, count(*) OVER () AS n
	    FROM (SELECT DISTINCT ts FROM demo_eq) t) q
	ORDER BY 1, 2, 3;
	GET DIAGNOSTICS n_points = ROW_COUNT;

	RETURN jsonb_build_object('fanouts', n_fanouts,
	    'orders', (SELECT count(*) FROM orders),
	    'events', (SELECT count(*) FROM order_events),
	    'positions', (SELECT count(*) FROM positions),
	    'payloads', n_payloads,
	    'incidents', (SELECT count(*) FROM incidents),
	    'notifications', (SELECT count(*) FROM notifications),
	    'runs', n_runs, 'equity_points', n_points);
END $$;
