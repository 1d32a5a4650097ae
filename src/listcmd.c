/* listcmd.c - `virtcon list vms|suites [--json]`: what the console lists, for scripts. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "catalog.h"
#include "listcmd.h"
#include "run.h"
#include "suite.h"
#include "virt.h"

static void print_json(JsonBuilder *b)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	g_autofree char *text = NULL;

	json_generator_set_root(gen, root);
	json_generator_set_pretty(gen, TRUE);
	text = json_generator_to_data(gen, NULL);
	printf("%s\n", text);
}

static int list_vms(const char *uri, gboolean json)
{
	g_autoptr(GError) error = NULL;
	struct virt *virt = virt_new(uri, NULL, NULL);
	const GPtrArray *doms;

	if (!virt_wait_connected(virt, 60000, &error)) {
		fprintf(stderr, "virtcon list vms: %s\n", error->message);
		virt_free(virt);
		return 1;
	}
	doms = virt_domains(virt);
	if (json) {
		g_autoptr(JsonBuilder) b = json_builder_new();

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "uri");
		json_builder_add_string_value(b, virt_uri(virt));
		json_builder_set_member_name(b, "domains");
		json_builder_begin_array(b);
		for (guint i = 0; i < doms->len; i++) {
			const struct virt_domain *d = g_ptr_array_index(doms, i);

			json_builder_begin_object(b);
			json_builder_set_member_name(b, "name");
			json_builder_add_string_value(b, d->name);
			json_builder_set_member_name(b, "uuid");
			json_builder_add_string_value(b, d->uuid);
			json_builder_set_member_name(b, "state");
			json_builder_add_string_value(b, virt_state_name(d->state));
			json_builder_set_member_name(b, "vcpus");
			json_builder_add_int_value(b, d->vcpus);
			json_builder_set_member_name(b, "memory_kib");
			json_builder_add_int_value(b, (gint64)d->memory_kib);
			json_builder_set_member_name(b, "persistent");
			json_builder_add_boolean_value(b, d->persistent);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		json_builder_end_object(b);
		print_json(b);
	} else {
		printf("# %s (%s)\n", virt_uri(virt), virt_uri_origin(virt));
		printf("%-24s %-14s %5s %10s\n", "NAME", "STATE", "VCPUS", "MEMORY");
		for (guint i = 0; i < doms->len; i++) {
			const struct virt_domain *d = g_ptr_array_index(doms, i);

			printf("%-24s %-14s %5u %7" G_GUINT64_FORMAT " MiB\n", d->name, virt_state_name(d->state),
			       d->vcpus, d->memory_kib / 1024);
		}
	}
	virt_free(virt);
	return 0;
}

static int list_suites(gboolean json)
{
	g_autoptr(GPtrArray) files = catalog_list();
	g_autoptr(JsonBuilder) b = json_builder_new();
	int rc = 0;

	if (json) {
		json_builder_begin_array(b);
	}
	for (guint i = 0; i < files->len; i++) {
		const char *path = g_ptr_array_index(files, i);
		g_autoptr(GError) error = NULL;
		struct suite *s = run_load_suite(path, &error);

		if (json) {
			json_builder_begin_object(b);
			json_builder_set_member_name(b, "path");
			json_builder_add_string_value(b, path);
			if (s) {
				json_builder_set_member_name(b, "suite");
				json_builder_add_string_value(b, s->name);
				json_builder_set_member_name(b, "title");
				json_builder_add_string_value(b, s->title);
				json_builder_set_member_name(b, "steps");
				json_builder_add_int_value(b, s->steps->len);
			} else {
				json_builder_set_member_name(b, "error");
				json_builder_add_string_value(b, error->message);
			}
			json_builder_end_object(b);
		} else if (s) {
			printf("%-40s %-28s %4u steps  %s\n", path, s->name, s->steps->len, s->title ? s->title : "");
		} else {
			printf("%-40s (invalid: see virtcon check %s)\n", path, path);
		}
		if (!s)
			rc = 1;
		suite_free(s);
	}
	if (json) {
		json_builder_end_array(b);
		print_json(b);
	}
	return rc;
}

int list_main(int argc, char **argv)
{
	g_autofree char *uri = NULL;
	gboolean json = FALSE;
	g_auto(GStrv) rest = NULL;
	GOptionEntry entries[] = {
		{ "connect", 'c', 0, G_OPTION_ARG_STRING, &uri, "libvirt URI (as virsh -c)", "URI" },
		{ "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, "vms|suites" },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("vms|suites - list VMs or suites");
	g_autoptr(GError) error = NULL;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "virtcon list: %s\n", error->message);
		return 2;
	}
	if (rest && rest[0] && !rest[1] && g_str_equal(rest[0], "vms"))
		return list_vms(uri, json);
	if (rest && rest[0] && !rest[1] && g_str_equal(rest[0], "suites"))
		return list_suites(json);
	fprintf(stderr, "virtcon list: say what to list: vms or suites\n");
	return 2;
}
