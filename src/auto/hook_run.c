/*
 * Every webhook signal is a workflow run (kind "webhook", ref "signal N"):
 * created and begun beside the signal's execution, never in front of it,
 * so the order goes to the wire without waiting for the run's rows.  The
 * link owns itself: the signal's job may be gone by the time the store
 * has begun the run, and the run is then finished with what the job left.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auto/hook_int.h"
#include "auto/run.h"

struct hook_run {
	struct store	*store;
	struct run	*run;
	char		*state;		/* set once the signal is done */
	char		*msg;
	int		 failed;	/* the run could not be made */
};

static void
hook_run_free(struct hook_run *hr)
{
	free(hr->state);
	free(hr->msg);
	free(hr);
}

static void
hook_run_close(struct hook_run *hr)
{
	run_log(hr->run, "sys", hr->msg);
	run_finish(hr->run, hr->state, hr->msg, NULL, NULL);
	hook_run_free(hr);
}

static void
hook_run_begun(struct run *run, const struct err *err, void *arg)
{
	struct hook_run	*hr = arg;

	if (run == NULL) {
		log_warn("hook", "a signal's run did not start: %s",
		    err != NULL ? err->msg : "?");
		if (hr->state != NULL)
			hook_run_free(hr);
		else
			hr->failed = 1;
		return;
	}
	hr->run = run;
	if (hr->state != NULL)
		hook_run_close(hr);
}

static void
hook_run_created(int64_t id, const struct err *err, void *arg)
{
	struct hook_run	*hr = arg;

	if (id <= 0) {
		log_warn("hook", "a signal's run was not recorded: %s",
		    err != NULL ? err->msg : "?");
		if (hr->state != NULL)
			hook_run_free(hr);
		else
			hr->failed = 1;
		return;
	}
	run_begin(hr->store, id, run_owner(), hook_run_begun, hr);
}

struct hook_run *
hook_run_start(struct store *store, int64_t signal_id)
{
	struct hook_run		*hr = xcalloc(1, sizeof *hr);
	struct store_run_spec	 spec;
	char			 ref[64];

	hr->store = store;
	snprintf(ref, sizeof ref, "signal %lld", (long long)signal_id);
	memset(&spec, 0, sizeof spec);
	spec.kind = "webhook";
	spec.ref = ref;
	run_create(store, &spec, "webhook", hook_run_created, hr);
	return hr;
}

/* The signal's outcome: DONE succeeds, a requeue cancels, else fails. */
void
hook_run_end(struct hook_run *hr, const char *status, const char *msg)
{
	if (hr == NULL)
		return;
	hr->state = xstrdup(strcmp(status, "DONE") == 0 ? "SUCCEEDED" :
	    strcmp(status, "QUEUED") == 0 ? "CANCELLED" : "FAILED");
	hr->msg = xasprintf("signal %s: %s", status, msg);
	if (hr->failed)
		hook_run_free(hr);
	else if (hr->run != NULL)
		hook_run_close(hr);
}
