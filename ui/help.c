/* help.c - the help overlay: every key the console takes, with what it does. */
#include "config.h"

#include "cells.h"
#include "console.h"
#include "keys.h"

struct help_entry {
	const char *keys; /* NULL: a section heading in what */
	const char *what;
};

static const struct help_entry help_entries[] = {
	{ NULL, "Moving around" },
	{ "Tab, Shift-Tab", "focus the next or previous part: suites, steps, panes" },
	{ "Up, Down, j, k", "move in a list, scroll a pane" },
	{ "PgUp, PgDn", "a page up or down" },
	{ "Home, End, g, G", "the first or last row" },
	{ "mouse click", "select a row or focus a pane; the wheel scrolls" },
	{ "z", "zoom the focused pane to the whole screen (again: back)" },
	{ "Ctrl-L", "redraw the screen" },
	{ NULL, "Suites" },
	{ "Enter", "on a suite: open it (a new session; asks while a step runs)" },
	{ NULL, "Steps" },
	{ "Enter", "on a step: run it (again, if it ran)" },
	{ "n", "run the next pending step" },
	{ "a", "run all pending steps (stops at a breakpoint or a failure)" },
	{ "s", "skip the selected step, with an optional note" },
	{ "r", "retry the selected step" },
	{ "x", "abort the running step (and stop \"run all\")" },
	{ "v", "verdict on a manual step: p pass, f fail, s skip, then a note" },
	{ "e", "edit the step's command before running it" },
	{ "b", "toggle a breakpoint: \"run all\" stops before the step" },
	{ NULL, "Session" },
	{ "E", "export the journal: JUnit (.xml), TAP (.tap), Markdown (.md)" },
	{ "? or F1", "this help" },
	{ "q", "quit (asks while a step runs); prints the journal path" },
	{ NULL, "Prompts" },
	{ "Enter, Esc", "accept, cancel" },
	{ "Left, Right, Home, End", "move in the line (also Ctrl-A, Ctrl-E)" },
	{ "Ctrl-U, Ctrl-K, Ctrl-W", "delete to the start, to the end, the word before" },
};

#define HELP_KEYS_W 24

static int help_lines(void)
{
	return (int)G_N_ELEMENTS(help_entries);
}

void help_draw(struct console *c, WINDOW *w, int rows, int cols)
{
	int bw = MIN(cols - 2, 80), bh = MIN(rows - 2, help_lines() + 2);
	struct rect box = { MAX((rows - 2 - bh) / 2, 0), MAX((cols - bw) / 2, 0), bh, bw };
	struct rect in = rect_inner(box);
	int max_top = MAX(help_lines() - in.h, 0);

	c->help_top = CLAMP(c->help_top, 0, max_top);
	for (int y = box.y; y < box.y + box.h; y++)
		draw_fill(w, y, box.x, box.w, A_NORMAL);
	draw_box(&c->draw, w, box, max_top ? "Keys (Up/Down scroll, Esc closes)" : "Keys (Esc closes)", TRUE);
	for (int row = 0; row < in.h; row++) {
		int i = c->help_top + row;
		const struct help_entry *e;

		if (i >= help_lines())
			break;
		e = &help_entries[i];
		if (!e->keys) {
			draw_text_cut(&c->draw, w, in.y + row, in.x + 1, in.w - 1, e->what, draw_attr(&c->draw, ROLE_TITLE));
			continue;
		}
		draw_text_cut(&c->draw, w, in.y + row, in.x + 3, HELP_KEYS_W - 3, e->keys, draw_attr(&c->draw, ROLE_HINT_KEY));
		draw_text_cut(&c->draw, w, in.y + row, in.x + HELP_KEYS_W, in.w - HELP_KEYS_W, e->what, A_NORMAL);
	}
}

gboolean help_key(struct console *c, int key)
{
	switch (key) {
	case UI_KEY_FN(KEY_UP):
	case 'k':
		c->help_top--;
		return TRUE;
	case UI_KEY_FN(KEY_DOWN):
	case 'j':
		c->help_top++;
		return TRUE;
	case UI_KEY_FN(KEY_PPAGE):
		c->help_top -= 10;
		return TRUE;
	case UI_KEY_FN(KEY_NPAGE):
		c->help_top += 10;
		return TRUE;
	case UI_KEY_FN(KEY_RESIZE):
	case UI_KEY_FN(KEY_MOUSE):
		return FALSE;
	default:
		/* Esc, ?, F1, q and any other key close the help */
		c->help = FALSE;
		c->help_top = 0;
		return TRUE;
	}
}
