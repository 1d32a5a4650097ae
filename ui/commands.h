/* commands.h - the operator's commands, found by key. */
#ifndef VIRTCON_UI_COMMANDS_H
#define VIRTCON_UI_COMMANDS_H

struct console;

struct command {
	int key;
	void (*fn)(struct console *c);
};

/* The command bound to a key anywhere on the screen, or NULL. */
const struct command *command_for_key(int key);
/* Commands that depend on where the key was pressed. */
void cmd_open_suite(struct console *c, int index);
void cmd_run_selected(struct console *c);
void cmd_quit(struct console *c);

#endif
