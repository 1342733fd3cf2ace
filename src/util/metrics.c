/*
 * The metrics registry: families in registration order, each with its
 * label sets (series).  Histograms keep per-bucket counts and are made
 * cumulative only when rendered, as the exposition format wants.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/metrics.h"

struct metric_series {
	char		*values[METRIC_MAX_LABELS];
	double		 value;		/* counter, gauge */
	double		 sum;		/* histogram */
	unsigned long long count;
	unsigned long long *buckets;	/* per bucket, +Inf last */
};

struct metric {
	enum metric_type	 type;
	char			*name;
	char			*help;
	char			*labels[METRIC_MAX_LABELS];
	size_t			 nlabels;
	double			 bounds[METRIC_MAX_BUCKETS];
	size_t			 nbounds;
	struct metric_series	*series;
	size_t			 nseries;
	struct metric		*next;
};

struct metrics_collector {
	metrics_collect_fn	 fn;
	void			*arg;
};

const double metric_latency_buckets[] = { 0.0005, 0.001, 0.0025, 0.005,
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
const size_t metric_latency_nbuckets = nitems(metric_latency_buckets);

static pthread_mutex_t		 metrics_lock = PTHREAD_MUTEX_INITIALIZER;
static struct metric		*metrics_head;
static struct metric		**metrics_tail = &metrics_head;
static struct metrics_collector	*metrics_collectors;
static size_t			 metrics_ncollectors;

static int
metric_name_ok(const char *s, int colon)
{
	const char	*p;

	if (s == NULL || *s == '\0' || (*s >= '0' && *s <= '9'))
		return 0;
	for (p = s; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || (colon && *p == ':'))
			continue;
		return 0;
	}
	return 1;
}

static size_t
metric_split_labels(struct metric *m, const char *labels)
{
	char	*copy, *tok, *save;
	size_t	 n = 0;

	if (labels == NULL || *labels == '\0')
		return 0;
	copy = xstrdup(labels);
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (n < METRIC_MAX_LABELS && metric_name_ok(tok, 0) &&
		    strncmp(tok, "__", 2) != 0 && strcmp(tok, "le") != 0)
			m->labels[n++] = xstrdup(tok);
		else
			fatal("metric %s: bad label list \"%s\"", m->name,
			    labels);
	}
	free(copy);
	return n;
}

static struct metric *
metric_find(const char *name)
{
	struct metric	*m;

	for (m = metrics_head; m != NULL; m = m->next)
		if (strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

struct metric *
metric_family(enum metric_type type, const char *name, const char *help,
    const char *labels, const double *buckets, size_t nbuckets)
{
	struct metric	*m;
	size_t		 i;

	if (!metric_name_ok(name, 1))
		fatal("metric name \"%s\" is not a Prometheus name",
		    name != NULL ? name : "(null)");
	pthread_mutex_lock(&metrics_lock);
	if ((m = metric_find(name)) != NULL) {
		pthread_mutex_unlock(&metrics_lock);
		if (m->type != type)
			fatal("metric %s registered twice with two types",
			    name);
		return m;
	}
	m = xcalloc(1, sizeof *m);
	m->type = type;
	m->name = xstrdup(name);
	m->help = xstrdup(help != NULL ? help : "");
	m->nlabels = metric_split_labels(m, labels);
	if (type == METRIC_HISTOGRAM) {
		if (nbuckets > METRIC_MAX_BUCKETS)
			fatal("metric %s: too many buckets", name);
		for (i = 0; i < nbuckets; i++) {
			if (i > 0 && !(buckets[i] > buckets[i - 1]))
				fatal("metric %s: buckets not increasing",
				    name);
			m->bounds[i] = buckets[i];
		}
		m->nbounds = nbuckets;
	}
	*metrics_tail = m;
	metrics_tail = &m->next;
	pthread_mutex_unlock(&metrics_lock);
	return m;
}

struct metric *
metric_counter(const char *name, const char *help, const char *labels)
{
	return metric_family(METRIC_COUNTER, name, help, labels, NULL, 0);
}

struct metric *
metric_gauge(const char *name, const char *help, const char *labels)
{
	return metric_family(METRIC_GAUGE, name, help, labels, NULL, 0);
}

struct metric *
metric_histogram(const char *name, const char *help, const char *labels)
{
	return metric_family(METRIC_HISTOGRAM, name, help, labels,
	    metric_latency_buckets, metric_latency_nbuckets);
}

static int
metric_series_is(const struct metric *m, const struct metric_series *s,
    const char *const *values)
{
	size_t	i;

	for (i = 0; i < m->nlabels; i++)
		if (strcmp(s->values[i], values[i] != NULL ? values[i] : "")
		    != 0)
			return 0;
	return 1;
}

static struct metric_series *
metric_series_add(struct metric *m, const char *const *values)
{
	struct metric_series	*s;
	size_t			 i;

	if (m->nseries % 8 == 0)
		m->series = xreallocarray(m->series, m->nseries + 8,
		    sizeof *m->series);
	s = &m->series[m->nseries++];
	memset(s, 0, sizeof *s);
	for (i = 0; i < m->nlabels; i++)
		s->values[i] = xstrdup(values[i] != NULL ? values[i] : "");
	if (m->type == METRIC_HISTOGRAM)
		s->buckets = xcalloc(m->nbounds + 1, sizeof *s->buckets);
	return s;
}

/* The series for values; past the cap, the one whose values are "other". */
static struct metric_series *
metric_series_get(struct metric *m, const char *const *values)
{
	static const char *const other[METRIC_MAX_LABELS] = { "other",
	    "other", "other" };
	size_t	i;

	if (m->nlabels == 0)
		values = other;
	for (i = 0; i < m->nseries; i++)
		if (metric_series_is(m, &m->series[i], values))
			return &m->series[i];
	if (m->nseries + 1 >= METRIC_MAX_SERIES) {
		for (i = 0; i < m->nseries; i++)
			if (metric_series_is(m, &m->series[i], other))
				return &m->series[i];
		values = other;
	}
	return metric_series_add(m, values);
}

void
metric_addv(struct metric *m, const char *const *values, double v)
{
	if (m == NULL)		/* the catalogue is not loaded (unit tests) */
		return;
	pthread_mutex_lock(&metrics_lock);
	metric_series_get(m, values)->value += v;
	pthread_mutex_unlock(&metrics_lock);
}

void
metric_setv(struct metric *m, const char *const *values, double v)
{
	if (m == NULL)		/* the catalogue is not loaded (unit tests) */
		return;
	pthread_mutex_lock(&metrics_lock);
	metric_series_get(m, values)->value = v;
	pthread_mutex_unlock(&metrics_lock);
}

void
metric_observev(struct metric *m, const char *const *values, double v)
{
	struct metric_series	*s;
	size_t			 i;

	if (m == NULL || m->type != METRIC_HISTOGRAM || isnan(v))
		return;
	pthread_mutex_lock(&metrics_lock);
	s = metric_series_get(m, values);
	for (i = 0; i < m->nbounds && v > m->bounds[i]; i++)
		;
	s->buckets[i]++;
	s->count++;
	s->sum += v;
	pthread_mutex_unlock(&metrics_lock);
}

static void
metric_series_free(struct metric *m)
{
	size_t	i, j;

	for (i = 0; i < m->nseries; i++) {
		for (j = 0; j < m->nlabels; j++)
			free(m->series[i].values[j]);
		free(m->series[i].buckets);
	}
	free(m->series);
	m->series = NULL;
	m->nseries = 0;
}

void
metric_clear(struct metric *m)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&metrics_lock);
	metric_series_free(m);
	pthread_mutex_unlock(&metrics_lock);
}

void
metrics_on_scrape(metrics_collect_fn fn, void *arg)
{
	pthread_mutex_lock(&metrics_lock);
	metrics_collectors = xreallocarray(metrics_collectors,
	    metrics_ncollectors + 1, sizeof *metrics_collectors);
	metrics_collectors[metrics_ncollectors].fn = fn;
	metrics_collectors[metrics_ncollectors].arg = arg;
	metrics_ncollectors++;
	pthread_mutex_unlock(&metrics_lock);
}

void
metrics_off_scrape(metrics_collect_fn fn, void *arg)
{
	size_t	i;

	pthread_mutex_lock(&metrics_lock);
	for (i = 0; i < metrics_ncollectors; i++) {
		if (metrics_collectors[i].fn != fn ||
		    metrics_collectors[i].arg != arg)
			continue;
		memmove(&metrics_collectors[i], &metrics_collectors[i + 1],
		    (metrics_ncollectors - i - 1) *
		    sizeof *metrics_collectors);
		metrics_ncollectors--;
		break;
	}
	pthread_mutex_unlock(&metrics_lock);
}

static void
metric_put_number(struct strbuf *b, double v)
{
	if (isnan(v))
		strbuf_puts(b, "NaN");
	else if (isinf(v))
		strbuf_puts(b, v > 0 ? "+Inf" : "-Inf");
	else if (v == (double)(long long)v && fabs(v) < 1e15)
		strbuf_printf(b, "%lld", (long long)v);
	else
		strbuf_printf(b, "%.15g", v);
}

static void
metric_put_text(struct strbuf *b, const char *s, int quote)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			strbuf_puts(b, "\\\\");
		else if (*s == '\n')
			strbuf_puts(b, "\\n");
		else if (*s == '"' && quote)
			strbuf_puts(b, "\\\"");
		else
			strbuf_putc(b, *s);
	}
}

/* name{l1="v1",...,extra} with extra a ready le="..." or NULL. */
static void
metric_put_head(struct strbuf *b, const struct metric *m,
    const struct metric_series *s, const char *suffix, const char *extra)
{
	size_t	i;

	strbuf_puts(b, m->name);
	strbuf_puts(b, suffix);
	if (m->nlabels == 0 && extra == NULL) {
		strbuf_putc(b, ' ');
		return;
	}
	strbuf_putc(b, '{');
	for (i = 0; i < m->nlabels; i++) {
		strbuf_printf(b, "%s%s=\"", i > 0 ? "," : "", m->labels[i]);
		metric_put_text(b, s->values[i], 1);
		strbuf_putc(b, '"');
	}
	if (extra != NULL)
		strbuf_printf(b, "%s%s", m->nlabels > 0 ? "," : "", extra);
	strbuf_puts(b, "} ");
}

static void
metric_put_histogram(struct strbuf *b, const struct metric *m,
    const struct metric_series *s)
{
	unsigned long long	 cum = 0;
	char			 le[48];
	size_t			 i;

	for (i = 0; i <= m->nbounds; i++) {
		cum += s->buckets[i];
		if (i < m->nbounds)
			snprintf(le, sizeof le, "le=\"%g\"", m->bounds[i]);
		else
			snprintf(le, sizeof le, "le=\"+Inf\"");
		metric_put_head(b, m, s, "_bucket", le);
		strbuf_printf(b, "%llu\n", cum);
	}
	metric_put_head(b, m, s, "_sum", NULL);
	metric_put_number(b, s->sum);
	strbuf_putc(b, '\n');
	metric_put_head(b, m, s, "_count", NULL);
	strbuf_printf(b, "%llu\n", s->count);
}

static const char *
metric_type_name(enum metric_type t)
{
	switch (t) {
	case METRIC_COUNTER:
		return "counter";
	case METRIC_GAUGE:
		return "gauge";
	default:
		return "histogram";
	}
}

static void
metrics_collect(void)
{
	struct metrics_collector	*c;
	size_t				 i, n;

	/* Collectors take the lock themselves through metric_*(). */
	pthread_mutex_lock(&metrics_lock);
	n = metrics_ncollectors;
	c = xreallocarray(NULL, n > 0 ? n : 1, sizeof *c);
	if (n > 0)
		memcpy(c, metrics_collectors, n * sizeof *c);
	pthread_mutex_unlock(&metrics_lock);
	for (i = 0; i < n; i++)
		c[i].fn(c[i].arg);
	free(c);
}

void
metrics_render(struct strbuf *b)
{
	struct metric	*m;
	size_t		 i;

	metrics_collect();
	pthread_mutex_lock(&metrics_lock);
	for (m = metrics_head; m != NULL; m = m->next) {
		strbuf_printf(b, "# HELP %s ", m->name);
		metric_put_text(b, m->help, 0);
		strbuf_printf(b, "\n# TYPE %s %s\n", m->name,
		    metric_type_name(m->type));
		for (i = 0; i < m->nseries; i++) {
			if (m->type == METRIC_HISTOGRAM) {
				metric_put_histogram(b, m, &m->series[i]);
				continue;
			}
			metric_put_head(b, m, &m->series[i], "", NULL);
			metric_put_number(b, m->series[i].value);
			strbuf_putc(b, '\n');
		}
	}
	pthread_mutex_unlock(&metrics_lock);
}

void
metrics_reset(void)
{
	struct metric	*m, *next;
	size_t		 i;

	pthread_mutex_lock(&metrics_lock);
	for (m = metrics_head; m != NULL; m = next) {
		next = m->next;
		metric_series_free(m);
		for (i = 0; i < m->nlabels; i++)
			free(m->labels[i]);
		free(m->name);
		free(m->help);
		free(m);
	}
	metrics_head = NULL;
	metrics_tail = &metrics_head;
	free(metrics_collectors);
	metrics_collectors = NULL;
	metrics_ncollectors = 0;
	memset(&pxm, 0, sizeof pxm);
	pthread_mutex_unlock(&metrics_lock);
}
