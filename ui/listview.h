/* listview.h - cursor and scroll position of a list drawn in a fixed number of rows. */
#ifndef VIRTCON_UI_LISTVIEW_H
#define VIRTCON_UI_LISTVIEW_H

struct listview {
	int cursor; /* selected item, -1 when the list is empty */
	int top;    /* first item shown */
};

/* Keeps cursor within [0, n) and in view in rows rows. */
void listview_clamp(struct listview *lv, int n, int rows);
void listview_move(struct listview *lv, int delta, int n, int rows);
void listview_set(struct listview *lv, int index, int n, int rows);
/* The item at a row of the view, or -1. */
int listview_item_at(const struct listview *lv, int row, int n);

#endif
