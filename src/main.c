#include <stdio.h>
#include "util/util.h"
int
main(void)
{
	printf("phalanx %s\n", PX_VERSION);
	return 0;
}
