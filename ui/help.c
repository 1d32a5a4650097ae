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
	{ "Tab, Shift-Tab", "focus the next or previous part" },
	{ "Up, Down, j, k", "move in a list, scroll a pane" },
	{ "PgUp, PgDn", "a page up or down" },
	{ "Home, End, g, G", "the first or the last row" },
	{ "mouse", "a click selects a row or a pane; the wheel scrolls" },
	{ "z, Esc", "zoom the focused pane to the whole screen, and back" },
	{ "Ctrl-L", "draw the screen again" },
	{ NULL, "Suites" },
	{ "Enter", "open the suite: a new session and journal" },
	{ NULL, "VMs" },
	{ "c, Enter", "open a console pane for the domain" },
	{ "m", "open a migration pane for the domain" },
	{ "S", "start the domain" },
	{ "d", "shut it down (agent or ACPI) and wait until off" },
	{ "D", "destroy it: power off at once (asks y/n)" },
	{ NULL, "Panes" },
	{ "w", "close the focused pane" },
	{ "PgUp, PgDn, End", "console: scroll the scrollback; End: live" },
	{ "/", "console: search the scrollback upwards" },
	{ "i", "console: keys go to the guest" },
	{ "Ctrl-]", "console: leave typing to the guest" },
	{ "o", "interrupts: by activity or by IRQ number" },
	{ "c", "interrupts: only the CPUs that moved, or all" },
	{ "Left, Right, h, l", "interrupts: scroll the CPU columns" },
	{ NULL, "Steps" },
	{ "Enter", "run the selected step (again, if it ran)" },
	{ "n", "run the next pending step" },
	{ "a", "run all pending steps, up to a breakpoint or failure" },
	{ "s", "skip the selected step, with an optional note" },
	{ "r", "retry the selected step" },
	{ "x", "abort the running step (and stop \"run all\")" },
	{ "v", "verdict on a manual step: p, f or s, then a note" },
	{ "e", "edit the step's command before running it" },
	{ "b", "breakpoint: \"run all\" stops before this step" },
	{ "K", "SSH host key unknown: fetch it, show its fingerprint, record it on y" },
	{ NULL, "Session" },
	{ "E", "export the journal: JUnit .xml, TAP .tap, .md" },
	{ "?, F1", "this help" },
	{ "q", "quit (asks while a step runs)" },
	{ NULL, "In a prompt" },
	{ "Enter, Esc", "accept, cancel" },
	{ "Left, Right, ^A, ^E", "move in the line" },
	{ "^U, ^K, ^W", "delete to the start, to the end, a word" },
};

#define HELP_KEYS_W 23

static int help_lines(void)
{
	return (int)G_N_ELEMENTS(help_entries);
}

void help_draw(struct console *c, WINDOW *w, int rows, int cols)
{
	int bw = MIN(cols - 2, 78), bh = MIN(rows - 2, help_lines() + 2);
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
