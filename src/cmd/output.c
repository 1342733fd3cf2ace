/*
 * Rendering results: aligned text tables for people, one JSON object per
 * command for scripts ({"cmd","ok","data","error"} as COMMANDS.md says).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/dispatch.h"

static char *
output_cell(json_t *v)
{
	if (v == NULL || json_is_null(v))
		return xstrdup("-");
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_true(v))
		return xstrdup("yes");
	if (json_is_false(v))
		return xstrdup("no");
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_array(v) && json_array_size(v) == 0)
		return xstrdup("-");
	if (json_is_array(v)) {
		struct strbuf	b;
		size_t		i;
		json_t		*e;

		strbuf_init(&b);
		json_array_foreach(v, i, e) {
			char *s = output_cell(e);
			strbuf_printf(&b, "%s%s", i ? "," : "", s);
			free(s);
		}
		return strbuf_steal(&b);
	}
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* Display columns of UTF-8 text: one per code point is enough here. */
static size_t
output_width(const char *s)
{
	size_t	w = 0;

	for (; *s != '\0'; s++) {
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	}
	return w;
}

static void
output_pad(struct strbuf *b, const char *s, size_t width, int last)
{
	size_t	w;

	strbuf_puts(b, s);
	if (last)
		return;
	for (w = output_width(s); w < width + 2; w++)
		strbuf_putc(b, ' ');
}

static char *
output_table(json_t *rows, const char *const *cols)
{
	struct strbuf	  b;
	size_t		  ncol, i, r, nrow, *width;
	char		**cells, *h;

	for (ncol = 0; cols[ncol] != NULL; ncol++)
		;
	nrow = json_array_size(rows);
	width = xcalloc(ncol, sizeof *width);
	cells = xcalloc((nrow + 1) * ncol, sizeof *cells);
	for (i = 0; i < ncol; i++) {
		h = xstrdup(cols[i]);
		for (char *p = h; *p; p++)
			*p = (char)(*p == '_' ? ' ' : (*p >= 'a' && *p <= 'z' ?
			    *p - 32 : *p));
		cells[i] = h;
		width[i] = output_width(h);
	}
	for (r = 0; r < nrow; r++) {
		for (i = 0; i < ncol; i++) {
			char *c = output_cell(json_object_get(
			    json_array_get(rows, r), cols[i]));
			cells[(r + 1) * ncol + i] = c;
			if (output_width(c) > width[i])
				width[i] = output_width(c);
		}
	}
	strbuf_init(&b);
	for (r = 0; r <= nrow; r++) {
		for (i = 0; i < ncol; i++) {
			output_pad(&b, cells[r * ncol + i], width[i],
			    i + 1 == ncol);
			free(cells[r * ncol + i]);
		}
		strbuf_putc(&b, '\n');
	}
	free(cells);
	free(width);
	return strbuf_steal(&b);
}

static char *
output_object(json_t *obj)
{
	struct strbuf	 b;
	const char	*k;
	json_t		*v;
	size_t		 w = 0;
	char		*c;

	json_object_foreach(obj, k, v) {
		if (strlen(k) > w)
			w = strlen(k);
	}
	strbuf_init(&b);
	json_object_foreach(obj, k, v) {
		c = output_cell(v);
		strbuf_printf(&b, "%-*s  %s\n", (int)w, k, c);
		free(c);
	}
	return strbuf_steal(&b);
}

/* Text for a successful result; errors are the front's to phrase. */
char *
cmd_render_text(const struct cmd_result *r)
{
	if (r->text != NULL)
		return xstrdup(r->text);
	if (r->data == NULL)
		return xstrdup("");
	if (json_is_array(r->data) && r->columns != NULL) {
		if (json_array_size(r->data) == 0)
			return xstrdup("(none)\n");
		return output_table(r->data, r->columns);
	}
	if (json_is_object(r->data))
		return output_object(r->data);
	return json_dumps(r->data, JSON_INDENT(2) | JSON_ENCODE_ANY);
}

char *
cmd_render_json(const struct cmd *cmd, const struct cmd_result *r)
{
	json_t	*o, *e;
	char	*s, *text;

	/* The echoed command must not carry the secrets it was given. */
	text = cmd != NULL ? cmd_text_redacted(cmd) : xstrdup("");
	o = json_object();
	json_object_set_new(o, "cmd", json_string(text));
	free(text);
	json_object_set_new(o, "ok", json_boolean(r->status == CMD_OK));
	json_object_set(o, "data", r->data != NULL ? r->data : json_null());
	if (r->status != CMD_OK) {
		e = json_object();
		json_object_set_new(e, "code", json_string(r->err.code));
		json_object_set_new(e, "message", json_string(r->err.msg));
		json_object_set_new(o, "error", e);
	} else
		json_object_set_new(o, "error", json_null());
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}
