/*
 * Crash signals: put the terminal back before the process dies, so a
 * trader is never left with a raw, echo-less shell.  The previous handler
 * (the sanitizers' reporter, or the default) then runs as it would have.
 */
#include <signal.h>
#include <string.h>

#include "ui/tui.h"

static const int tui_crash_sigs[] = {
	SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT
};
static struct sigaction	tui_crash_old[nitems(tui_crash_sigs)];
static volatile sig_atomic_t tui_crashing;

/* endwin() is not async-signal-safe; at this point nothing else is. */
static void
tui_crash(int sig)
{
	size_t	i;

	if (!tui_crashing) {
		tui_crashing = 1;
		tui_signals_restore_terminal();
	}
	for (i = 0; i < nitems(tui_crash_sigs); i++) {
		if (tui_crash_sigs[i] == sig)
			sigaction(sig, &tui_crash_old[i], NULL);
	}
	raise(sig);
}

void
tui_signals_crash(void)
{
	struct sigaction	sa;
	size_t			i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tui_crash;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_NODEFER;
	for (i = 0; i < nitems(tui_crash_sigs); i++)
		sigaction(tui_crash_sigs[i], &sa, &tui_crash_old[i]);
}
