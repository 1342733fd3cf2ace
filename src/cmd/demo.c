/*
 * `phalanx demo seed`: a store with something true in every view on first
 * start.  The registry (brokers, accounts with groups, strategies,
 * connectors, RMS bindings, schedules, an alert channel and rule) is made
 * by the command language, so it carries the audit rows and checks any
 * operator's commands would; the trading history that only time would
 * bring (fan-outs, orders, events, fills, positions, webhook payloads,
 * incidents, alerts, runs, equity) by phalanx_demo_seed() of migration
 * 0026, in one transaction.  The same seed, accounts, days and clock give
 * the same store.  A store that already holds anything is refused: a demo
 * never mixes with real accounts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/batch.h"
#include "cmd/demo.h"
#include "db/store.h"
#include "db/store_demo.h"
#include "util/config.h"
#include "util/util.h"

static const char demo_usage[] =
"usage: phalanx demo seed [--accounts N] [--days D] [--seed S]\n"
"\n"
"Fills an empty store with a demo desk: brokers demo-sim (kite, at\n"
"sim.listen), paper and paper-hni; N accounts (default 6, 2..200) in the\n"
"groups scalpers, family and hni; strategies, webhook connectors and their\n"
"payloads (accepted, rejected, duplicate), RMS templates bound to the\n"
"groups, fan-outs with orders, events, latencies and fills, positions,\n"
"incidents in every state with timelines and alerts, schedules with runs,\n"
"and D days (default 30, 1..366) of equity history.  The same S (default\n"
"42) gives the same data; times are relative to now, or to\n"
"PHALANX_FAKE_NOW when set.  A store that already holds brokers, accounts\n"
"or history is refused (exit 1) and left as it was.  See phalanx(1).\n";

/* The first accounts are the ones scripts/demo.sh pairs with sim users. */
static const char *const demo_names[] = {
	"ravi", "meera", "arjun", "kavya", "dev", "isha", "nikhil", "priya",
	"rohan", "sana", "tara", "uday", "vikram", "zoya", "aditi", "bhavesh",
	"chetan", "divya", "farhan", "gauri",
};
static const char *const demo_tags[] = {
	"scalpers,family", "family,hni", "scalpers", "scalpers,hni", "family",
	"hni",
};
static const int demo_lots[] = { 2, 1, 1, 3, 1, 2 };
static const char *const demo_brokers[] = { "demo-sim", "paper",
    "demo-sim", "paper-hni", "paper", "demo-sim" };

struct demo_opts {
	int	accounts;
	int	days;
	int64_t	seed;
};

static int
demo_number(const char *opt, const char *v, long long lo, long long hi,
    long long *out)
{
	char		*end;
	long long	 n;

	if (v == NULL) {
		fprintf(stderr, "phalanx demo seed: %s needs a value\n", opt);
		return -1;
	}
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < lo || n > hi) {
		fprintf(stderr, "phalanx demo seed: %s \"%.40s\": expected a "
		    "whole number from %lld to %lld\n", opt, v, lo, hi);
		return -1;
	}
	*out = n;
	return 0;
}

static int
demo_args(int argc, char **argv, struct demo_opts *o)
{
	long long	n;
	int		i;

	o->accounts = 6;
	o->days = 30;
	o->seed = 42;
	/* Every option takes a value: two words a step. */
	for (i = 0; i < argc; i += 2) {
		const char	*a = argv[i], *v = i + 1 < argc ? argv[i + 1] :
		    NULL;

		if (strcmp(a, "--accounts") == 0) {
			if (demo_number(a, v, 2, 200, &n) != 0)
				return -1;
			o->accounts = (int)n;
		} else if (strcmp(a, "--days") == 0) {
			if (demo_number(a, v, 1, 366, &n) != 0)
				return -1;
			o->days = (int)n;
		} else if (strcmp(a, "--seed") == 0) {
			if (demo_number(a, v, 0, INT64_MAX, &n) != 0)
				return -1;
			o->seed = n;
		} else {
			fprintf(stderr, "phalanx demo seed: unknown argument "
			    "%s\n%s", a, demo_usage);
			return -1;
		}
	}
	return 0;
}

static void
demo_account(struct strbuf *b, int i)
{
	char	name[32];
	int	k = i % (int)nitems(demo_tags);

	if ((size_t)i < nitems(demo_names))
		snprintf(name, sizeof name, "%s", demo_names[i]);
	else
		snprintf(name, sizeof name, "acct%03d", i + 1);
	strbuf_printf(b, "account add %s broker %s user-id %s%04d lots %d "
	    "capital %d priority %d tags %s\n", name, demo_brokers[k],
	    strcmp(demo_brokers[k], "demo-sim") == 0 ? "DS" : "PP", 1001 + i,
	    demo_lots[k], (k + 2) * 5000000, i + 1, demo_tags[k]);
}

/* The registry, in the command language. */
static char *
demo_script(const struct demo_opts *o, struct config *cfg)
{
	struct strbuf	b;
	int		i;

	strbuf_init(&b);
	strbuf_printf(&b, "broker add demo-sim kind kite url http://%s "
	    "api-key demo\n", config_str(cfg, "sim.listen"));
	strbuf_printf(&b, "broker add paper kind paper\n"
	    "broker add paper-hni kind paper\n");
	for (i = 0; i < o->accounts; i++)
		demo_account(&b, i);
	/* Templates of the desk's own, from the shipped positional one:
	 * they let the demo's MIS orders through at any hour and keep them
	 * until 23:59 (MIS is squared off at 15:15 unless a template says
	 * otherwise, which would halt and trade the moment a demo console
	 * opens late in the day). */
	strbuf_printf(&b,
	    "rms template add desk-swing from positional about \"demo desk: "
	    "intraday and carry, loss as a share of capital\" "
	    "products mis,nrml,cnc window none squareoff-at 23:59\n"
	    "rms template add desk-family from desk-swing about \"demo desk: "
	    "family accounts, smaller orders\" max-lots-per-order 6\n"
	    "rms apply desk-swing to group:scalpers\n"
	    "rms apply desk-family to group:family\n"
	    "rms apply desk-swing to group:hni\n"
	    "strategy add nifty-momentum target group:scalpers "
	    "template desk-swing\n"
	    "strategy add bank-swing target group:hni policy capital "
	    "product nrml template desk-swing\n"
	    "connector add tv-nifty dialect tradingview strategy "
	    "nifty-momentum token demo-tv-token\n"
	    "connector add ami-bank dialect amibroker strategy bank-swing "
	    "token demo-ami-token\n"
	    "schedule add morning-check cron \"10 9 * * mon-fri\" run "
	    "\"positions\" trading-days\n"
	    "schedule add eod-pnl cron \"20 15 * * mon-fri\" run "
	    "\"pnl by account\" trading-days\n"
	    "channel add desk-hook kind webhook url "
	    "http://127.0.0.1:9/phalanx-alerts\n"
	    "notify rule add desk-risk when info source rms to desk-hook\n");
	return strbuf_steal(&b);
}

/* Run the registry script quietly; its output only when it fails. */
static int
demo_registry(const struct demo_opts *o, struct config *cfg)
{
	struct batch_opts	 bo;
	char			*script = demo_script(o, cfg), buf[4096];
	FILE			*out = tmpfile();
	int			 saved, status;
	size_t			 n;

	if (out == NULL) {
		fprintf(stderr, "phalanx demo seed: no temporary file: %s\n",
		    strerror(errno));
		free(script);
		return 1;
	}
	memset(&bo, 0, sizeof bo);
	bo.command = script;
	bo.stop_on_error = 1;
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fileno(out), STDOUT_FILENO);
	status = batch_main(&bo, cfg);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	if (status != 0) {
		rewind(out);
		while ((n = fread(buf, 1, sizeof buf, out)) > 0)
			fwrite(buf, 1, n, stderr);
		fprintf(stderr, "phalanx demo seed: registering the demo "
		    "desk failed (exit %d)\n", status);
	}
	fclose(out);
	free(script);
	return status;
}

static void
demo_say(const struct demo_opts *o, const char *counts)
{
	char	at[32];

	time_fmt_ist(time_display_us(), at, sizeof at);
	printf("demo seeded (seed %lld, %d accounts, %d days to %s IST): %s\n",
	    (long long)o->seed, o->accounts, o->days, at, counts);
}

static int
demo_seed(int argc, char **argv, struct config *cfg)
{
	struct demo_opts	 o;
	struct err		 err;
	char			*conninfo = NULL, *what = NULL, *counts = NULL;
	int			 status;

	if (argc > 0 && (strcmp(argv[0], "--help") == 0 ||
	    strcmp(argv[0], "-h") == 0)) {
		fputs(demo_usage, stdout);
		return 0;
	}
	if (demo_args(argc, argv, &o) != 0)
		return 2;
	err_clear(&err);
	if (db_store_open_info(cfg, &conninfo, &err) != 0 ||
	    db_demo_holdings(conninfo, &what, &err) != 0) {
		fprintf(stderr, "phalanx demo seed: %s\n", err.msg);
		free(conninfo);
		return 3;
	}
	if (*what != '\0') {
		fprintf(stderr, "phalanx demo seed: the store is not empty "
		    "(%s); a demo is only seeded into an empty store, and "
		    "nothing was changed\n", what);
		free(what);
		free(conninfo);
		return 1;
	}
	free(what);
	if ((status = demo_registry(&o, cfg)) != 0) {
		free(conninfo);
		return status;
	}
	if (db_demo_seed(conninfo, o.seed, o.days, time_display_us(),
	    path_os_user(), &counts, &err) != 0) {
		fprintf(stderr, "phalanx demo seed: the history was not "
		    "written (the registry was): %s\n", err.msg);
		free(conninfo);
		return 1;
	}
	demo_say(&o, counts);
	free(counts);
	free(conninfo);
	return 0;
}

int
demo_main(int argc, char **argv, struct config *cfg)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(demo_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "seed") != 0) {
		fprintf(stderr, "phalanx demo: unknown subcommand \"%s\"\n%s",
		    argv[1], demo_usage);
		return 2;
	}
	return demo_seed(argc - 2, argv + 2, cfg);
}
