/*
 * The command bar: GNU readline through its callback interface, inside
 * the curses screen.  Readline never touches the terminal: curses owns it.
 * Keys read by curses are turned back into the bytes readline expects
 * (arrows as ANSI sequences, characters as UTF-8) and fed one at a time
 * through rl_getc_function; readline's redisplay only marks the screen
 * dirty, and the bar is painted from rl_line_buffer with the rest of the
 * frame.  History lives in $PHALANX_HOME/history, shared with `phalanx
 * shell`; Ctrl-R and Tab work as in any readline program.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "cmd/cmd.h"
#include "ui/tui.h"
#include "ui/ui.h"

#define CMDBAR_PROMPT	":"
#define CMDBAR_HISTORY	2000

struct cmdbar {
	struct tui	 *tui;
	char		 *history;
	FILE		 *devnull;
	int		  focused;
	unsigned char	  in[64];	/* bytes for readline */
	size_t		  nin, next;
	void		(*ask_cb)(struct tui *, const char *, void *);
	void		 *ask_arg;
	char		 *ask_prompt;
	char		**words;	/* completion candidates */
	size_t		  nwords;
	size_t		  gen;		/* generator position */
};

/* Readline's hooks take no argument: the one bar of the process. */
static struct cmdbar	*cmdbar_self;

static int
cmdbar_getc(FILE *f)
{
	struct cmdbar	*b = cmdbar_self;

	if (b == NULL || b->next >= b->nin)
		return 0;
	return b->in[b->next++];
}

static int
cmdbar_avail(void)
{
	return cmdbar_self != NULL && cmdbar_self->next < cmdbar_self->nin;
}

static void
cmdbar_redisplay(void)
{
	if (cmdbar_self != NULL)
		tui_dirty(cmdbar_self->tui);
}

static void
cmdbar_prep(int meta)
{
}

static void
cmdbar_deprep(void)
{
}

static void
cmdbar_words_free(struct cmdbar *b)
{
	size_t	i;

	for (i = 0; i < b->nwords; i++)
		free(b->words[i]);
	free(b->words);
	b->words = NULL;
	b->nwords = 0;
}

static void
cmdbar_word(struct cmdbar *b, const char *prefix, const char *w)
{
	b->words = xreallocarray(b->words, b->nwords + 1, sizeof *b->words);
	b->words[b->nwords++] = xasprintf("%s%s", prefix, w);
}

/* Command words, then accounts, tags and symbols from the store. */
static void
cmdbar_words_load(struct cmdbar *b)
{
	const char *const	*cw = cmd_words();
	json_t			*rows, *row;
	const char		*kind, *w;
	size_t			 i;

	cmdbar_words_free(b);
	for (i = 0; cw[i] != NULL; i++)
		cmdbar_word(b, "", cw[i]);
	cmdbar_word(b, "", "all");
	rows = tui_data_words(b->tui->data);
	json_array_foreach(rows, i, row) {
		kind = tui_str(row, "kind");
		w = tui_str(row, "word");
		if (strcmp(kind, "account") == 0) {
			cmdbar_word(b, "", w);
			cmdbar_word(b, "acct:", w);
		} else if (strcmp(kind, "tag") == 0) {
			cmdbar_word(b, "", w);
			cmdbar_word(b, "group:", w);
		} else
			cmdbar_word(b, "", w);
	}
}

static char *
cmdbar_generate(const char *text, int state)
{
	struct cmdbar	*b = cmdbar_self;
	size_t		 len = strlen(text);
	const char	*w;

	if (state == 0)
		b->gen = 0;
	while (b->gen < b->nwords) {
		w = b->words[b->gen++];
		if (strncasecmp(w, text, len) == 0)
			return xstrdup(w);
	}
	return NULL;
}

static char **
cmdbar_complete(const char *text, int start, int end)
{
	rl_attempted_completion_over = 1;
	cmdbar_words_load(cmdbar_self);
	return rl_completion_matches(text, cmdbar_generate);
}

/* Several matches: list them in the message line, not on the terminal. */
static void
cmdbar_show_matches(char **matches, int n, int maxlen)
{
	struct strbuf	b;
	int		i;

	strbuf_init(&b);
	for (i = 1; i <= n && b.len < 400; i++)
		strbuf_printf(&b, "%s%s", i > 1 ? "  " : "", matches[i]);
	if (i <= n)
		strbuf_printf(&b, "  (+%d more)", n - i + 1);
	tui_message(cmdbar_self->tui, WR_INFO, "%s", b.s != NULL ? b.s : "");
	strbuf_free(&b);
}

static void
cmdbar_line(char *line)
{
	struct cmdbar	*b = cmdbar_self;
	struct tui	*tui = b->tui;

	void		(*ask)(struct tui *, const char *, void *) = b->ask_cb;
	void		 *ask_arg = b->ask_arg;

	cmdbar_blur(b);
	if (line == NULL)
		return;
	if (ask != NULL) {
		if (*line != '\0')
			ask(tui, line, ask_arg);
		else
			tui_message(tui, WR_INFO, "nothing typed: nothing done");
	} else if (*line != '\0') {
		ui_history_add(b->history, line);
		tui_run_line(tui, line);
	}
	explicit_bzero(line, strlen(line));
	free(line);
}

struct cmdbar *
cmdbar_new(struct tui *tui, const char *history_path)
{
	struct cmdbar	*b;

	b = xcalloc(1, sizeof *b);
	b->tui = tui;
	b->history = xstrdup(history_path);
	b->devnull = fopen("/dev/null", "w");
	cmdbar_self = b;

	rl_readline_name = "phalanx";
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_prep_term_function = cmdbar_prep;
	rl_deprep_term_function = cmdbar_deprep;
	rl_getc_function = cmdbar_getc;
	rl_input_available_hook = cmdbar_avail;
	rl_redisplay_function = cmdbar_redisplay;
	rl_attempted_completion_function = cmdbar_complete;
	rl_completion_display_matches_hook = cmdbar_show_matches;
	if (b->devnull != NULL)
		rl_outstream = b->devnull;
	rl_initialize();
	rl_variable_bind("bell-style", "none");
	rl_variable_bind("enable-bracketed-paste", "off");
	rl_variable_bind("horizontal-scroll-mode", "on");
	ui_history_open(b->history, CMDBAR_HISTORY);
	return b;
}

void
cmdbar_free(struct cmdbar *b)
{
	if (b == NULL)
		return;
	if (b->focused) {
		rl_callback_sigcleanup();
		rl_callback_handler_remove();
	}
	ui_history_close(b->history, CMDBAR_HISTORY);
	cmdbar_words_free(b);
	rl_outstream = stdout;
	if (b->devnull != NULL)
		fclose(b->devnull);
	free(b->history);
	free(b->ask_prompt);
	free(b);
	cmdbar_self = NULL;
}

void
cmdbar_focus(struct cmdbar *b)
{
	if (b->focused)
		return;
	b->focused = 1;
	b->nin = b->next = 0;
	rl_callback_handler_install(b->ask_prompt != NULL ? b->ask_prompt :
	    CMDBAR_PROMPT, cmdbar_line);
	rl_set_screen_size(1, b->tui->cols > 2 ? b->tui->cols - 1 : 1);
}

void
cmdbar_ask(struct cmdbar *b, const char *prompt,
    void (*cb)(struct tui *, const char *, void *), void *arg)
{
	cmdbar_blur(b);
	free(b->ask_prompt);
	b->ask_prompt = xstrdup(prompt);
	b->ask_cb = cb;
	b->ask_arg = arg;
	b->tui->mode = TM_CMDBAR;
	cmdbar_focus(b);
	tui_dirty(b->tui);
}

/* Leave the bar: the line is dropped, readline's state reset. */
void
cmdbar_blur(struct cmdbar *b)
{
	if (!b->focused)
		return;
	b->focused = 0;
	b->ask_cb = NULL;
	b->ask_arg = NULL;
	free(b->ask_prompt);
	b->ask_prompt = NULL;
	rl_callback_sigcleanup();
	rl_replace_line("", 0);
	rl_point = rl_end = 0;
	rl_callback_handler_remove();
	b->tui->mode = TM_NORMAL;
	tui_dirty(b->tui);
}

void
cmdbar_resize(struct cmdbar *b, int cols)
{
	if (b->focused)
		rl_set_screen_size(1, cols > 2 ? cols - 1 : 1);
}

/* The bytes a terminal would have sent for a curses key code. */
static const char *
cmdbar_keyseq(int code)
{
	switch (code) {
	case KEY_UP:
		return "\033[A";
	case KEY_DOWN:
		return "\033[B";
	case KEY_RIGHT:
		return "\033[C";
	case KEY_LEFT:
		return "\033[D";
	case KEY_HOME:
		return "\033[H";
	case KEY_END:
		return "\033[F";
	case KEY_DC:
		return "\033[3~";
	case KEY_BACKSPACE:
		return "\177";
	case KEY_ENTER:
		return "\r";
	default:
		return NULL;
	}
}

static size_t
cmdbar_utf8(int c, unsigned char *out)
{
	if (c < 0x80) {
		out[0] = (unsigned char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (unsigned char)(0xc0 | (c >> 6));
		out[1] = (unsigned char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (unsigned char)(0xe0 | (c >> 12));
		out[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (unsigned char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | (c >> 18));
	out[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (unsigned char)(0x80 | (c & 0x3f));
	return 4;
}

void
cmdbar_key(struct cmdbar *b, int is_code, int ch)
{
	const char	*seq;
	size_t		 n;

	if (!is_code && ch == 27) {
		cmdbar_blur(b);
		return;
	}
	if (is_code) {
		if ((seq = cmdbar_keyseq(ch)) == NULL)
			return;
		n = strlen(seq);
		memcpy(b->in, seq, n);
	} else
		n = cmdbar_utf8(ch, b->in);
	b->nin = n;
	b->next = 0;
	/* One byte per call; the line handler may end the session. */
	while (b->focused && b->next < b->nin)
		rl_callback_read_char();
	b->nin = b->next = 0;
}

/*
 * The line as typed, but with the value of a secret option starred as it
 * is typed: the screen, a terminal's scrollback and tmux capture never
 * hold it.  Starring keeps every byte in place, so the cursor does too.
 */
void
cmdbar_draw(struct cmdbar *b, WINDOW *win, int y, int w)
{
	const char	*prompt = rl_display_prompt != NULL ?
			    rl_display_prompt : CMDBAR_PROMPT;
	char		*line, *before, *shown;
	int		 pw, cw, off = 0;
	const char	*p;

	if (!b->focused)
		return;
	line = xstrdup(rl_line_buffer);
	cmd_redact_mask(line);
	pw = wtext_width(prompt);
	before = xstrndup(line, (size_t)rl_point);
	cw = wtext_width(before);
	free(before);
	/* Scroll the line so that the cursor stays on screen. */
	p = line;
	while (pw + cw - off >= w - 1 && *p != '\0') {
		do
			p++;
		while (((unsigned char)*p & 0xc0) == 0x80);
		off = wtext_width(line) - wtext_width(p);
	}
	wtext_puts(win, y, 0, w, widget_attr[WR_ACCENT], prompt);
	shown = xstrdup(p);
	wtext_put(win, y, pw, w - pw, WALIGN_LEFT, widget_attr[WR_INPUT],
	    shown);
	free(shown);
	explicit_bzero(line, strlen(line));
	free(line);
	curs_set(1);
	wmove(win, y, pw + cw - off < w ? pw + cw - off : w - 1);
}
