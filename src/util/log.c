/*
 * JSON-lines log.  One object per line: ts (UTC), level, mod, msg.  With no
 * log file opened, warnings and errors go to stderr as plain text so a
 * batch user still sees them; debug and info are dropped.
 */
#include <stdio.h>
#include <string.h>

#include "util.h"

static FILE		*log_file;
static enum log_level	 log_min = LOG_WARN;

static log_sink_fn	 log_sink;
static void		*log_sink_arg;
static int		 log_in_sink;	/* a sink that logs is not re-entered */

static const char *log_names[] = { "debug", "info", "warn", "error" };

void
log_open(const char *path, enum log_level min)
{
	log_close();
	log_min = min;
	if (path != NULL && (log_file = fopen(path, "a")) != NULL)
		setvbuf(log_file, NULL, _IOLBF, 0);
}

void
log_set_sink(log_sink_fn fn, void *arg)
{
	log_sink = fn;
	log_sink_arg = arg;
}

void
log_close(void)
{
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
}

static void
log_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void
log_msg(enum log_level lvl, const char *mod, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[1024], ts[40];

	if (lvl < log_min)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);

	if (log_sink != NULL && !log_in_sink) {
		log_in_sink = 1;
		log_sink(lvl, mod, msg, log_sink_arg);
		log_in_sink = 0;
	}
	if (log_file == NULL) {
		if (lvl >= LOG_WARN)
			fprintf(stderr, "phalanx: %s: %s\n", mod, msg);
		return;
	}
	time_fmt_utc(time_wall_us(), ts, sizeof ts);
	fprintf(log_file, "{\"ts\":\"%s\",\"level\":\"%s\",\"mod\":", ts,
	    log_names[lvl]);
	log_json_string(log_file, mod);
	fputs(",\"msg\":", log_file);
	log_json_string(log_file, msg);
	fputs("}\n", log_file);
}
