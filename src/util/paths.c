/* Where phalanx keeps things, following the XDG base directory spec. */
#include <sys/stat.h>

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static char *
path_xdg(const char *var, const char *fallback, const char *leaf)
{
	const char	*v, *home;

	if ((v = getenv(var)) != NULL && *v == '/')
		return xasprintf("%s/phalanx%s", v, leaf);
	if ((home = getenv("HOME")) == NULL || *home == '\0')
		home = "/tmp";
	return xasprintf("%s/%s/phalanx%s", home, fallback, leaf);
}

char *
path_phalanx_home(void)
{
	const char	*v;

	if ((v = getenv("PHALANX_HOME")) != NULL && *v != '\0')
		return xstrdup(v);
	return path_xdg("XDG_DATA_HOME", ".local/share", "");
}

char *
path_config_file(void)
{
	return path_xdg("XDG_CONFIG_HOME", ".config", "/phalanx.conf");
}

int
path_mkdirs(const char *path, int mode)
{
	char	*p, *s;

	p = xstrdup(path);
	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, (mode_t)mode) == -1 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	if (mkdir(p, (mode_t)mode) == -1 && errno != EEXIST) {
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

const char *
path_os_user(void)
{
	static char	 name[64];
	struct passwd	*pw;
	const char	*v;

	if (name[0] != '\0')
		return name;
	if ((pw = getpwuid(getuid())) != NULL)
		v = pw->pw_name;
	else if ((v = getenv("USER")) == NULL)
		v = "unknown";
	strncpy(name, v, sizeof name - 1);
	return name;
}
