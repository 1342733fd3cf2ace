/*
 * Colours and glyphs.  256 colours where the terminal has them, the eight
 * ANSI colours otherwise, attributes alone on a monochrome terminal; ASCII
 * glyphs when ui.ascii says so or, on auto, when the locale is not UTF-8.
 */
#include <langinfo.h>
#include <string.h>

#include "ui/tui.h"

enum theme_kind { THEME_256, THEME_8, THEME_MONO };

struct theme_role {
	short	fg256, bg256;
	short	fg8, bg8;
	attr_t	attr;		/* added in every palette */
	attr_t	mono;		/* the whole look without colour */
};

static const struct theme_role theme_roles[WR__COUNT] = {
	[WR_NORMAL] = { -1, -1, -1, -1, 0, A_NORMAL },
	[WR_DIM] = { 244, -1, COLOR_WHITE, -1, 0, A_DIM },
	[WR_HEADER] = { 231, 24, COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE },
	[WR_TITLE] = { 252, 237, COLOR_BLACK, COLOR_CYAN, A_BOLD,
	    A_BOLD | A_UNDERLINE },
	[WR_CURSOR] = { 16, 117, COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
	[WR_MARK] = { 226, -1, COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[WR_BORDER] = { 67, -1, COLOR_BLUE, -1, 0, A_NORMAL },
	[WR_TAB] = { 250, 236, COLOR_WHITE, COLOR_BLACK, 0, A_NORMAL },
	[WR_TAB_ACTIVE] = { 16, 214, COLOR_BLACK, COLOR_YELLOW, A_BOLD,
	    A_REVERSE | A_BOLD },
	[WR_GOOD] = { 114, -1, COLOR_GREEN, -1, 0, A_NORMAL },
	[WR_BAD] = { 203, -1, COLOR_RED, -1, A_BOLD, A_BOLD },
	[WR_WARN] = { 221, -1, COLOR_YELLOW, -1, 0, A_BOLD },
	[WR_INFO] = { 117, -1, COLOR_CYAN, -1, 0, A_NORMAL },
	[WR_ACCENT] = { 177, -1, COLOR_MAGENTA, -1, 0, A_UNDERLINE },
	[WR_AXIS] = { 244, -1, COLOR_WHITE, -1, 0, A_DIM },
	[WR_LINE] = { 81, -1, COLOR_CYAN, -1, 0, A_BOLD },
	[WR_DIALOG] = { 231, 52, COLOR_WHITE, COLOR_RED, 0, A_REVERSE },
	[WR_DIALOG_TITLE] = { 226, 52, COLOR_YELLOW, COLOR_RED, A_BOLD,
	    A_REVERSE | A_BOLD },
	[WR_STATUS] = { 248, -1, COLOR_WHITE, -1, 0, A_DIM },
	[WR_INPUT] = { -1, -1, -1, -1, 0, A_NORMAL },
};

static enum theme_kind	theme_kind;

static enum theme_kind
theme_pick(const struct config *cfg)
{
	switch (config_enum(cfg, "ui.colors")) {
	case 1:
		return COLORS >= 256 ? THEME_256 : THEME_8;
	case 2:
		return THEME_8;
	case 3:
		return THEME_MONO;
	default:
		if (!has_colors())
			return THEME_MONO;
		return COLORS >= 256 ? THEME_256 : THEME_8;
	}
}

static int
theme_ascii(const struct config *cfg)
{
	const char	*cs;

	switch (config_bool(cfg, "ui.ascii")) {
	case 1:
		return 1;
	case 0:
		return 0;
	default:
		cs = nl_langinfo(CODESET);
		return cs == NULL || (strcmp(cs, "UTF-8") != 0 &&
		    strcmp(cs, "utf8") != 0);
	}
}

int
theme_init(const struct config *cfg)
{
	const struct theme_role	*r;
	short			 i, fg, bg;

	theme_kind = theme_pick(cfg);
	if (theme_kind != THEME_MONO && (start_color() == ERR ||
	    !has_colors()))
		theme_kind = THEME_MONO;
	if (theme_kind != THEME_MONO)
		use_default_colors();
	for (i = 0; i < WR__COUNT; i++) {
		r = &theme_roles[i];
		if (theme_kind == THEME_MONO) {
			widget_attr[i] = r->mono;
			continue;
		}
		fg = theme_kind == THEME_256 ? r->fg256 : r->fg8;
		bg = theme_kind == THEME_256 ? r->bg256 : r->bg8;
		init_pair((short)(i + 1), fg, bg);
		widget_attr[i] = COLOR_PAIR(i + 1) | r->attr;
	}
	return theme_ascii(cfg);
}

const char *
theme_name(void)
{
	switch (theme_kind) {
	case THEME_256:
		return "256";
	case THEME_8:
		return "8";
	default:
		return "mono";
	}
}

/* Order states by what a trader should notice. */
enum wrole
theme_state_role(const char *s)
{
	if (strcmp(s, "FILLED") == 0)
		return WR_GOOD;
	if (strcmp(s, "REJECTED") == 0 || strcmp(s, "DENIED") == 0)
		return WR_BAD;
	if (strcmp(s, "UNKNOWN") == 0 || strcmp(s, "PENDING_CANCEL") == 0)
		return WR_WARN;
	if (strcmp(s, "PARTIALLY_FILLED") == 0)
		return WR_ACCENT;
	if (strcmp(s, "CANCELLED") == 0 || strcmp(s, "EXPIRED") == 0)
		return WR_DIM;
	if (strcmp(s, "OPEN") == 0 || strcmp(s, "TRIGGER_PENDING") == 0 ||
	    strcmp(s, "SUBMITTED") == 0)
		return WR_INFO;
	return WR_NORMAL;
}
