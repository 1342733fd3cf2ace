/*
 * phalanx: one binary, one engine, several fronts.  main() only reads the
 * global options and the configuration, then hands over to the front the
 * subcommand names.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auto/auto.h"
#include "cmd/batch.h"
#include "cmd/cmd.h"
#include "cmd/demo.h"
#include "db/db.h"
#include "report/report.h"
#include "sim/sim.h"
#include "ui/ui.h"
#include "util/metrics.h"
#include "util/config.h"
#include "util/secret.h"
#include "util/util.h"

static const char usage_text[] =
"usage: phalanx [options] [command [args...]]\n"
"\n"
"commands:\n"
"  tui                    the console (the default when stdin is a terminal)\n"
"  shell                  the line console: a readline prompt, no full screen\n"
"  batch [FILE|-]         run commands from FILE or standard input\n"
"  db init|start|stop|status|migrate|psql\n"
"                         manage the store (private PostgreSQL cluster)\n"
"  serve [--listen H:P]   headless daemon: broker postbacks, /healthz, /metrics\n"
"  sim [options]          Kite Connect v3 broker and market simulator\n"
"  demo seed [--accounts N] [--days D] [--seed S]\n"
"                         fill an empty store with a demo desk and history\n"
"  export verify FILE     check an exported CSV against its SHA-256 header\n"
"                         and its report sha256 (the header's own seal):\n"
"                         exit 0 intact, 1 altered (data or header), 2 unreadable\n"
"  config                 list every setting, its value and where it came from\n"
"  help [TOPIC]           this text, or help on a command of the language\n"
"\n"
"options:\n"
"  -c COMMAND             run one command line (as batch), then exit\n"
"  --json                 one JSON object per command on stdout\n"
"  --stop-on-error        stop a batch at the first failed command\n"
"  --config FILE          read FILE instead of ~/.config/phalanx/phalanx.conf\n"
"  -o KEY=VALUE           set a configuration key (highest precedence)\n"
"  --dsn CONNINFO         use this PostgreSQL server (same as -o store.dsn=...)\n"
"  -h, --help             show this help\n"
"  -V, --version          show the version\n"
"\n"
"exit status: 0 all commands succeeded, 1 a command failed, 2 usage or\n"
"parse error (nothing ran), 3 the store or a broker was unreachable.\n"
"See phalanx(1), phalanx-commands(7), phalanx.conf(5).\n";

static const char batch_usage[] =
"usage: phalanx [--json] [--stop-on-error] batch [FILE|-]\n"
"       phalanx [--json] -c 'COMMAND'\n"
"\n"
"Runs commands of the phalanx command language (phalanx-commands(7)), one\n"
"per line, from FILE or standard input.  The whole script is parsed before\n"
"anything runs: a parse error anywhere means nothing is executed (exit 2).\n"
"  --json            print one JSON object per command:\n"
"                    {\"cmd\":..., \"ok\":..., \"data\":..., \"error\":...}\n"
"  --stop-on-error   stop at the first command that fails\n";

struct main_opts {
	const char	*config_file;
	const char	*command;
	int		 json;
	int		 stop_on_error;
};

static int
main_usage(FILE *f, int status)
{
	fputs(usage_text, f);
	return status;
}

/* Global options may also follow "batch" (phalanx batch --json FILE). */
static int
main_flag(const char *a, struct main_opts *mo)
{
	if (strcmp(a, "--json") == 0)
		mo->json = 1;
	else if (strcmp(a, "--stop-on-error") == 0)
		mo->stop_on_error = 1;
	else
		return 0;
	return 1;
}

static int
main_batch(int argc, char **argv, struct main_opts *mo, struct config *cfg)
{
	struct batch_opts	bo;
	int			i;

	memset(&bo, 0, sizeof bo);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			fputs(batch_usage, stdout);
			return 0;
		}
		if (main_flag(argv[i], mo))
			continue;
		if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "phalanx batch: unknown option %s\n%s",
			    argv[i], batch_usage);
			return 2;
		}
		if (bo.file != NULL) {
			fprintf(stderr, "phalanx batch: one file at a time "
			    "(got %s and %s)\n", bo.file, argv[i]);
			return 2;
		}
		bo.file = argv[i];
	}
	bo.json = mo->json;
	bo.stop_on_error = mo->stop_on_error;
	bo.command = mo->command;
	/* "access-token -" reads stdin, unless the script is read from it. */
	cmd_secret_sources(CMD_SRC_ENV | CMD_SRC_FILE |
	    (bo.command == NULL && (bo.file == NULL ||
	    strcmp(bo.file, "-") == 0) ? 0 : CMD_SRC_STDIN));
	return batch_main(&bo, cfg);
}

static int
main_config(int argc, char **argv, struct config *cfg)
{
	struct strbuf	b;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		printf("usage: phalanx config\n\nLists every configuration key"
		    " with its value and where the value came from\n(default,"
		    " FILE:LINE, environment, -o).  See phalanx.conf(5).\n");
		return 0;
	}
	strbuf_init(&b);
	config_dump(cfg, &b);
	if (b.s != NULL)
		fputs(b.s, stdout);
	strbuf_free(&b);
	return 0;
}

/*
 * The db subcommands read the store's location from the environment; hand
 * them the merged configuration (file, env and -o) that way.
 */
static int
main_db(int argc, char **argv, struct config *cfg, const char *cfgfile)
{
	const char	*dsn = config_str(cfg, "store.dsn");

	/* copy-to rewrites the file this run read its settings from. */
	if (cfgfile != NULL)
		setenv("PHALANX_CONFIG", cfgfile, 1);

	if (dsn != NULL && *dsn != '\0')
		setenv("PHALANX_DSN", dsn, 1);
	setenv("PHALANX_HOME", config_str(cfg, "store.home"), 1);
	return db_cli_main(argc, argv);
}

/* The simulator listens on sim.listen unless told otherwise. */
static int
main_sim(int argc, char **argv, struct config *cfg)
{
	char	**av;
	int	  i, status;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--listen") == 0 ||
		    strncmp(argv[i], "--listen=", 9) == 0)
			return sim_main(argc, argv);
	}
	av = xcalloc((size_t)argc + 3, sizeof *av);
	av[0] = argv[0];
	av[1] = (char *)"--listen";
	av[2] = (char *)config_str(cfg, "sim.listen");
	for (i = 1; i < argc; i++)
		av[i + 2] = argv[i];
	status = sim_main(argc + 2, av);
	free(av);
	return status;
}

static int
main_shell(int argc, char **argv, struct config *cfg,
    const struct main_opts *mo)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		printf("usage: phalanx [--json] shell\n\nThe line console: a "
		    "readline prompt running the command language, with\nhistory"
		    " in $PHALANX_HOME/history.  Ctrl-D quits; the exit status is"
		    "\nthe worst of the commands run (0, 1 or 3).  See "
		    "phalanx(1).\n");
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "phalanx shell: unknown argument %s\n", argv[1]);
		return 2;
	}
	return shell_main(cfg, mo->json);
}

static const char tui_usage[] =
"usage: phalanx [tui]\n"
"\n"
"The full-screen console: broker/account matrix, live execution feed,\n"
"equity, RMS incidents, positions and orders.  Keys: 1-5 views, : command\n"
"bar, s/S square off account/group, K kill switch, c cancel, ? help, q quit.\n"
"See phalanx(1).\n";

static int
main_tui(int argc, char **argv, struct config *cfg)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		fputs(tui_usage, stdout);
		return 0;
	}
	/* Curses owns the terminal: no "access-token -" in the console. */
	cmd_secret_sources(CMD_SRC_ENV | CMD_SRC_FILE);
	return tui_main(cfg);
}

/*
 * log.file gets JSON lines at log.level and above; without one, warnings
 * and errors go to stderr (never to the console's screen: the console
 * redirects stderr while curses owns the terminal).
 */
static void
main_log_open(struct config *cfg)
{
	static const char	*levels[] = { "debug", "info", "warn", "error" };
	const char		*file = config_str(cfg, "log.file");
	const char		*level = config_str(cfg, "log.level");
	size_t			 i;

	for (i = 0; i < nitems(levels); i++) {
		if (strcmp(level, levels[i]) == 0)
			break;
	}
	if (i == nitems(levels))
		i = LOG_WARN;
	log_open(file != NULL && *file != '\0' ? file : NULL,
	    (enum log_level)i);
}

static int
main_load_config(struct config *cfg, const struct main_opts *mo,
    char **sets, int nsets)
{
	struct err	err;
	int		i;

	err_clear(&err);
	if (config_load(cfg, mo->config_file, NULL, &err) != 0)
		goto fail;
	for (i = 0; i < nsets; i++) {
		if (config_set_flag(cfg, sets[i], &err) != 0)
			goto fail;
	}
	return 0;
fail:
	fprintf(stderr, "phalanx: %s\n", err.msg);
	return -1;
}

/*
 * Every front but the simulator may hold the master key and decrypted
 * broker credentials: no core dumps, not dumpable.
 */
static int
main_protect(void)
{
	struct err	err;

	err_clear(&err);
	if (secret_protect_process(&err) == 0)
		return 0;
	fprintf(stderr, "phalanx: %s\n", err.msg);
	return -1;
}

int
main(int argc, char **argv)
{
	struct main_opts	  mo;
	struct config		 *cfg;
	char			**sets, *dsn_set = NULL, *command = NULL;
	int			  i, nsets = 0, status;
	const char		 *sub;
	struct err		  err;

	/* Before anything can start a child: it must not inherit the key. */
	secret_env_take();
	setlocale(LC_ALL, "");
	memset(&mo, 0, sizeof mo);
	sets = xcalloc((size_t)argc + 1, sizeof *sets);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (main_flag(a, &mo))
			continue;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			free(sets);
			free(command);
			return main_usage(stdout, 0);
		}
		if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			printf("phalanx %s\n", PX_VERSION);
			free(sets);
			free(command);
			return 0;
		}
		if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0 ||
		    strcmp(a, "-o") == 0 || strcmp(a, "--dsn") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "phalanx: %s needs a value\n", a);
				free(sets);
				free(command);
				return 2;
			}
			if (strcmp(a, "-c") == 0) {
				/* ps shows the line with its secrets starred. */
				free(command);
				mo.command = command = xstrdup(argv[++i]);
				cmd_redact_mask(argv[i]);
			} else if (strcmp(a, "--config") == 0)
				mo.config_file = argv[++i];
			else if (strcmp(a, "-o") == 0)
				sets[nsets++] = argv[++i];
			else {
				dsn_set = xasprintf("store.dsn=%s", argv[++i]);
				sets[nsets++] = dsn_set;
			}
			continue;
		}
		if (a[0] == '-') {
			fprintf(stderr, "phalanx: unknown option %s\n", a);
			free(sets);
			free(command);
			return main_usage(stderr, 2);
		}
		break;
	}
	sub = i < argc ? argv[i] : NULL;
	if ((sub == NULL || strcmp(sub, "sim") != 0) &&
	    main_protect() != 0) {
		free(sets);
		free(command);
		free(dsn_set);
		return 2;
	}

	if (sub != NULL && strcmp(sub, "help") == 0 && i + 1 >= argc) {
		free(sets);
		free(command);
		return main_usage(stdout, 0);
	}

	cfg = config_new();
	err_clear(&err);
	if (time_fake_check(&err) != 0) {
		fprintf(stderr, "phalanx: %s\n", err.msg);
		status = 2;
		goto out;
	}
	if (main_load_config(cfg, &mo, sets, nsets) != 0) {
		status = 2;
		goto out;
	}
	main_log_open(cfg);
	metrics_catalog_init();
	metrics_account_labels = config_bool(cfg, "metrics.account_labels") == 1;
	pg_prepare_default(config_bool(cfg, "store.prepare") != 0);
	if (sub != NULL && strcmp(sub, "sim") == 0)
		status = main_sim(argc - i, argv + i, cfg);
	else if (mo.command != NULL)
		status = main_batch(1, argv, &mo, cfg);
	else if ((sub == NULL && isatty(STDIN_FILENO)) ||
	    (sub != NULL && strcmp(sub, "tui") == 0))
		status = main_tui(argc - i, argv + i, cfg);
	else if (sub != NULL && strcmp(sub, "shell") == 0)
		status = main_shell(argc - i, argv + i, cfg, &mo);
	else if (sub == NULL || strcmp(sub, "batch") == 0)
		status = main_batch(sub == NULL ? 1 : argc - i,
		    sub == NULL ? argv : argv + i, &mo, cfg);
	else if (strcmp(sub, "db") == 0)
		status = main_db(argc - i, argv + i, cfg, mo.config_file);
	else if (strcmp(sub, "demo") == 0)
		status = demo_main(argc - i, argv + i, cfg);
	else if (strcmp(sub, "serve") == 0)
		status = serve_main(argc - i, argv + i, cfg);
	else if (strcmp(sub, "export") == 0 && i + 1 < argc &&
	    strcmp(argv[i + 1], "verify") == 0)
		status = report_verify_main(argc - i - 1, argv + i + 1);
	else if (strcmp(sub, "config") == 0)
		status = main_config(argc - i, argv + i, cfg);
	else if (strcmp(sub, "help") == 0) {
		struct main_opts	ho = mo;
		char			*line;

		line = xasprintf("help %s", argv[i + 1]);
		ho.command = line;
		status = main_batch(1, argv, &ho, cfg);
		free(line);
	} else {
		fprintf(stderr, "phalanx: unknown command \"%s\"\n", sub);
		status = main_usage(stderr, 2);
	}
out:
	log_close();
	metrics_reset();
	config_free(cfg);
	free(dsn_set);
	free(sets);
	if (command != NULL)
		explicit_bzero(command, strlen(command));
	free(command);
	return status;
}
