/* listview.c - cursor and scroll position of a list drawn in a fixed number of rows. */
#include "config.h"

#include "listview.h"

void listview_clamp(struct listview *lv, int n, int rows)
{
	if (n <= 0) {
		lv->cursor = -1;
		lv->top = 0;
		return;
	}
	if (rows < 1)
		rows = 1;
	if (lv->cursor < 0)
		lv->cursor = 0;
	if (lv->cursor >= n)
		lv->cursor = n - 1;
	if (lv->top > lv->cursor)
		lv->top = lv->cursor;
	if (lv->cursor >= lv->top + rows)
		lv->top = lv->cursor - rows + 1;
	/* no empty rows at the end while items are hidden above */
	if (lv->top > n - rows)
		lv->top = n - rows;
	if (lv->top < 0)
		lv->top = 0;
}

void listview_move(struct listview *lv, int delta, int n, int rows)
{
	listview_set(lv, lv->cursor + delta, n, rows);
}

void listview_set(struct listview *lv, int index, int n, int rows)
{
	if (index < 0)
		index = 0;
	lv->cursor = index;
	listview_clamp(lv, n, rows);
}

int listview_item_at(const struct listview *lv, int row, int n)
{
	int i = lv->top + row;

	return row >= 0 && i < n ? i : -1;
}
