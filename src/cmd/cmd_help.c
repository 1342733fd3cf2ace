/*
 * help [COMMAND]: the language's synopsis, from the parser's own table;
 * commands not built yet are listed and marked, so a script writer knows
 * before running one.
 */
#include <string.h>

#include "cmd/dispatch_int.h"

#define HELP_LATER	"(not built yet)"

void
cmd_help(struct cmd_job *job)
{
	struct strbuf	 b;
	const char	*topic = cmd_get(job->cmd, "command");
	const char	*u;
	int		 k, found = 0;

	strbuf_init(&b);
	for (k = 0; k < CMD__COUNT; k++) {
		if (k == CMD_HELP || (u = cmd_usage((enum cmd_kind)k)) == NULL)
			continue;
		if (topic != NULL && strncmp(u, topic, strlen(topic)) != 0)
			continue;
		strbuf_printf(&b, "%s%s\n", u, cmd_handles((enum cmd_kind)k) ?
		    "" : "  " HELP_LATER);
		found++;
	}
	if (found == 0) {
		strbuf_free(&b);
		cmd_failf(job, "unknown-command", "no command \"%s\" (try "
		    "\"help\")", topic);
		return;
	}
	job->res.text = strbuf_steal(&b);
	job->res.data = json_string(job->res.text);
	cmd_done(job);
}
