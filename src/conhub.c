/* conhub.c - the process's console sessions by (URI, domain), shared by panes and steps. */
#include "config.h"

#include "conhub.h"

struct conhub {
	GHashTable *consoles; /* "URI\ndomain" -> struct vconsole * */
};

struct conhub *conhub_new(void)
{
	struct conhub *hub = g_new0(struct conhub, 1);

	hub->consoles = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)vconsole_free);
	return hub;
}

void conhub_free(struct conhub *hub)
{
	if (!hub)
		return;
	g_hash_table_unref(hub->consoles);
	g_free(hub);
}

static char *conhub_key(virConnectPtr conn, const char *domain)
{
	char *uri = virConnectGetURI(conn);
	char *key = g_strdup_printf("%s\n%s", uri ? uri : "?", domain);

	free(uri);
	return key;
}

struct vconsole *conhub_lookup(struct conhub *hub, virConnectPtr conn, const char *domain)
{
	g_autofree char *key = conhub_key(conn, domain);
	struct vconsole *vc = g_hash_table_lookup(hub->consoles, key);

	return vc && vconsole_is_open(vc) ? vc : NULL;
}

struct vconsole *conhub_get(struct conhub *hub, virConnectPtr conn, const char *domain, const char *device,
			    gboolean force, GError **error)
{
	g_autofree char *key = conhub_key(conn, domain);
	struct vconsole *vc = g_hash_table_lookup(hub->consoles, key);

	if (vc && vconsole_is_open(vc))
		return vc;
	/* a closed one is freed here: we are not inside its callbacks */
	g_hash_table_remove(hub->consoles, key);
	vc = vconsole_open(conn, domain, device, force, error);
	if (vc)
		g_hash_table_insert(hub->consoles, g_steal_pointer(&key), vc);
	return vc;
}
