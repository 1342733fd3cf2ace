/*
 * util: the small pieces every other module uses -- allocation that never
 * fails, the error struct engine functions fill instead of printing, a
 * growable string buffer, JSON-lines logging and IST time formatting.
 */
#ifndef PX_UTIL_H
#define PX_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define PX_VERSION "0.1.0"

#if defined(__GNUC__)
#define PX_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define PX_NORETURN __attribute__((noreturn))
#else
#define PX_PRINTF(a, b)
#define PX_NORETURN
#endif

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

/* xmalloc.c: allocation that aborts via fatal() instead of returning NULL. */
void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xrealloc(void *, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
char *xasprintf(const char *, ...) PX_PRINTF(1, 2);
char *xvasprintf(const char *, va_list);
void fatal(const char *, ...) PX_PRINTF(1, 2) PX_NORETURN;

/*
 * err.c: an error an engine function reports to its caller.  code is a short
 * stable token ("parse", "unknown-account", "store-unreachable", ...) used in
 * --json output and for exit codes; msg is the human sentence.
 */
struct err {
	char	code[40];
	char	msg[512];
};

void err_clear(struct err *);
void err_set(struct err *, const char *code, const char *fmt, ...)
    PX_PRINTF(3, 4);
int err_isset(const struct err *);

/* strbuf.c: growable NUL-terminated string. */
struct strbuf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

void strbuf_init(struct strbuf *);
void strbuf_free(struct strbuf *);
void strbuf_reset(struct strbuf *);
void strbuf_add(struct strbuf *, const char *, size_t);
void strbuf_puts(struct strbuf *, const char *);
void strbuf_putc(struct strbuf *, char);
void strbuf_printf(struct strbuf *, const char *, ...) PX_PRINTF(2, 3);
/* strbuf.c: FNV-1a of a NUL-terminated string, for hash tables. */
uint64_t str_hash64(const char *);
char *strbuf_steal(struct strbuf *);

/*
 * log.c: JSON-lines log.  Nothing in the engine prints to stdout/stderr
 * directly; it logs, and fronts decide what the user sees.
 */
enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_open(const char *path, enum log_level min);
void log_close(void);
void log_msg(enum log_level, const char *mod, const char *fmt, ...)
    PX_PRINTF(3, 4);
/*
 * A front that owns the terminal (the console) sees every message at or
 * above the log level here as well, to show what matters on its screen.
 */
typedef void (*log_sink_fn)(enum log_level, const char *mod, const char *msg,
    void *arg);
void log_set_sink(log_sink_fn, void *arg);
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/* timeutil.c: wall and monotonic clocks; display in IST (UTC+05:30). */
#define IST_OFFSET_S	(5 * 3600 + 30 * 60)	/* IST - UTC, seconds */
int64_t time_wall_us(void);
int64_t time_mono_us(void);
/* "2026-11-25 18:22:01" IST into buf (>= 20 bytes). */
void time_fmt_ist(int64_t wall_us, char *buf, size_t len);
/* RFC 3339 UTC with microseconds ("2026-11-25T12:52:01.123456Z"). */
void time_fmt_utc(int64_t wall_us, char *buf, size_t len);
/* Proleptic Gregorian calendar: days since 1970-01-01 and back. */
long time_days_from_civil(long y, long m, long d);
int time_civil_from_days(long days);	/* yyyymmdd */
int time_today_ist(void);		/* yyyymmdd of the IST date shown */
/*
 * timefake.c: the clock people are shown: time_wall_us(), or the frozen
 * PHALANX_FAKE_NOW (golden screens, demo seed).  Never for orders, the
 * journal or timers.
 */
int64_t time_display_us(void);
int time_fake_check(struct err *);	/* a bad PHALANX_FAKE_NOW: -1 */
int time_parse_iso(const char *, int64_t *);	/* no zone: IST */

/* paths.c: well-known directories. Returned strings are owned by caller. */
char *path_phalanx_home(void);	/* $PHALANX_HOME or $XDG_DATA_HOME/phalanx */
char *path_config_file(void);	/* $XDG_CONFIG_HOME/phalanx/phalanx.conf */
int path_mkdirs(const char *path, int mode);	/* mkdir -p; 0 or -1 */
const char *path_os_user(void);	/* login name of the invoking user */

/* file.c: writes that must survive a crash. */
int file_write_all(int fd, const void *, size_t);	/* 0 or -1 */
void file_sync_dir(const char *dir);	/* fsync a directory's entries */

#endif
