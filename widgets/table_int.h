/* Shared between widgets/table.c and widgets/table_draw.c only. */
#ifndef PX_WIDGETS_TABLE_INT_H
#define PX_WIDGETS_TABLE_INT_H

#include "widgets/widgets.h"

void wtable_draw(struct widget *, WINDOW *);
int wtable_key(struct widget *, int);

#endif
