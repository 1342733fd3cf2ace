/*
 * store_rms: the RMS's rows -- templates and their versions, bindings to
 * scopes, the state of firm and groups, overrides, incidents with their
 * timelines and sign-off -- and the audit chain check.  Every mutation
 * writes its audit_log row in the same statement.
 */
#ifndef PX_STORE_RMS_H
#define PX_STORE_RMS_H

#include "db/store.h"

/* NOTIFY payloads on STORE_REGISTRY_CHANNEL for RMS changes. */
#define STORE_RMS_CHANGED	"rms"
#define STORE_INCIDENTS_CHANGED	"incidents"

/* [{name, about, limits}]: inserted as version 1 where absent. */
void store_rms_seed(struct store *, json_t *templates, store_rows_cb, void *);
/* The newest version of each template: name, version, about, shipped,
 * limits, created_by, created_at, bound. */
void store_rms_template_list(struct store *, store_rows_cb, void *);
/* Every version of one template, newest first. */
void store_rms_template_get(struct store *, const char *name, store_rows_cb,
    void *);
/*
 * Write a template's next version.  create: only if the name is new
 * (else no row comes back); !create: only if it exists.
 */
void store_rms_template_put(struct store *, const char *name, json_t *limits,
    const char *about, int create, const struct store_actor *,
    store_rows_cb, void *);
/* scopes: [{kind, name}]; binds each to the template's newest version. */
void store_rms_apply(struct store *, const char *template, json_t *scopes,
    const struct store_actor *, store_rows_cb, void *);
/*
 * Everything the RMS needs to know the effective limits and states:
 * one row {bindings:[{kind,name,template,version,limits,approval}],
 * overrides:[{id,kind,name,limit,value,until}], states:[{kind,name,state}]}.
 */
void store_rms_load(struct store *, store_rows_cb, void *);
/* Per account: name, mtm (rupees text), open_positions, has_mis. */
void store_rms_marks(struct store *, store_rows_cb, void *);
/* firm ("") or group state, with the reason; NOTIFYs. */
void store_rms_state_set(struct store *, const char *kind, const char *name,
    const char *state, const char *reason, const struct store_actor *,
    store_rows_cb, void *);

struct store_override {
	const char	*kind;
	const char	*name;
	const char	*limit;
	const char	*value;
	int		 loosens;
	int		 pending;	/* waits for a second operator */
	const char	*until;		/* timestamptz text */
	const char	*reason;
};

void store_rms_override_add(struct store *, const struct store_override *,
    const struct store_actor *, store_rows_cb, void *);
/* One row {approved: row|null, current: row|null}. */
void store_rms_override_approve(struct store *, const char *id,
    const struct store_actor *, store_rows_cb, void *);
/* Overrides whose time is up become EXPIRED; the rows that did. */
void store_rms_override_expire(struct store *, store_rows_cb, void *);
void store_rms_override_list(struct store *, store_rows_cb, void *);

/* Incidents. */
struct store_breach {
	const char	*kind;		/* scope */
	const char	*name;
	const char	*rule;
	const char	*severity;	/* info, warning, critical */
	const char	*summary;
	json_t		*values;	/* at breach */
};

/* Opens an incident or joins the open one for the scope and rule: one
 * row {id, opened}. */
void store_incident_breach(struct store *, const struct store_breach *,
    const struct store_actor *, store_rows_cb, void *);
void store_incident_event(struct store *, const char *id, const char *kind,
    const char *message, json_t *detail, const struct store_actor *,
    store_rows_cb, void *);
void store_incident_list(struct store *, int open_only, int last,
    store_rows_cb, void *);
/* One row: the incident with events, steps, signoff and alerts (the
 * notifications about it, each with its deliveries: channel, kind, to,
 * state, attempts, sent_at, error). */
void store_incident_show(struct store *, const char *id, store_rows_cb,
    void *);
/*
 * Move an incident to state `to` if it is in one of `from` (a
 * comma-separated list): one row {done: row|null, was: state|null}.
 */
void store_incident_move(struct store *, const char *id, const char *to,
    const char *from, const char *event_kind, const char *note,
    const struct store_actor *, store_rows_cb, void *);
/* Mark step n of an incident's checklist done: {done, was}. */
void store_incident_step(struct store *, const char *id, const char *n,
    const char *note, const struct store_actor *, store_rows_cb, void *);
/* Sign off a RESOLVED incident by someone other than its resolver:
 * {done: row|null, was: incident|null}. */
void store_incident_signoff(struct store *, const char *id, const char *note,
    const struct store_actor *, store_rows_cb, void *);

/* Walk the audit chain: one row {rows, head_seq, head_hash, last_seq,
 * first_broken: {chain_seq, ts, action, object, problem}|null,
 * unchained}. */
void store_audit_verify(struct store *, store_rows_cb, void *);

#endif
