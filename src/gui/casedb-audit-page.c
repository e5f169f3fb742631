/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-audit-page"

#include "config.h"

#include <glib/gi18n.h>

#include "casedb-audit-page.h"
#include "casedb-gui-util.h"

/*
 * The supervisor's view of the audit log, newest first.  Each row of the
 * model is a GtkStringList holding the four shown columns, so the view
 * needs no model type of its own.  Details never hold identities (the store
 * guarantees it), so nothing here is secret beyond who did what.
 */

enum {
  COLUMN_TIME,
  COLUMN_USER,
  COLUMN_ACTION,
  COLUMN_DETAIL,
  N_COLUMNS
};

static const struct {
  const char *key;
  const char *label;
} action_labels[] = {
  { "login", N_("Signed in") },
  { "login_failed", N_("Failed sign-in") },
  { "identity_read", N_("Identities revealed") },
  { "identity_search", N_("Identity search") },
  { "case_create", N_("Case created") },
  { "case_update", N_("Case changed") },
  { "case_delete", N_("Case deleted") },
  { "import", N_("Import") },
  { "export", N_("Export") },
  { "user_add", N_("User added") },
  { "user_remove", N_("User removed") },
  { "user_role", N_("Role changed") },
  { "password_change", N_("Password changed") },
  { "password_reset", N_("Password reset") },
  { "rekey", N_("Database re-encrypted") },
};

struct _CasedbAuditPage
{
  AdwBin                parent_instance;

  CasedbStore          *store;
  GListStore           *entries;
  GtkListItemFactory   *factories[N_COLUMNS];

  /* Template widgets */
  GtkWidget            *result_box;
  GtkImage             *result_icon;
  GtkLabel             *result_label;
  GtkLabel             *count_label;
  GtkStack             *stack;
  AdwStatusPage        *empty_status;
  GtkColumnView        *column_view;
  GtkColumnViewColumn  *time_column;
  GtkColumnViewColumn  *user_column;
  GtkColumnViewColumn  *action_column;
  GtkColumnViewColumn  *detail_column;
};

G_DEFINE_FINAL_TYPE (CasedbAuditPage, casedb_audit_page, ADW_TYPE_BIN)

static const char *
get_action_label (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (action_labels); i++)
    {
      if (g_strcmp0 (action_labels[i].key, key) == 0)
        return _(action_labels[i].label);
    }
  return key != NULL ? key : "";
}

/* ISO 8601 UTC to local time for display. (transfer full) */
static char *
format_time (const char *iso8601)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (iso8601 == NULL || (utc = g_date_time_new_from_iso8601 (iso8601, NULL)) == NULL)
    return g_strdup (iso8601 != NULL ? iso8601 : "");
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
}

static void
casedb_audit_page_setup_cb (CasedbAuditPage          *self,
                            GtkListItem              *item,
                            GtkSignalListItemFactory *factory)
{
  GtkWidget *label = gtk_label_new (NULL);

  g_assert (CASEDB_IS_AUDIT_PAGE (self));

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_margin_start (label, 6);
  gtk_widget_set_margin_end (label, 6);
  if (GTK_LIST_ITEM_FACTORY (factory) == self->factories[COLUMN_TIME])
    gtk_widget_add_css_class (label, "numeric");
  /* Long details stay readable in the tooltip (set once here: at each
   * bind it cost 120 ms the first time the log was shown). */
  if (GTK_LIST_ITEM_FACTORY (factory) == self->factories[COLUMN_DETAIL])
    casedb_label_set_text_tooltip (GTK_LABEL (label));
  gtk_list_item_set_child (item, label);
}

static void
casedb_audit_page_bind_cb (CasedbAuditPage          *self,
                           GtkListItem              *item,
                           GtkSignalListItemFactory *factory)
{
  GtkStringList *row = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  const char *text;

  g_assert (CASEDB_IS_AUDIT_PAGE (self));

  for (guint column = 0; column < N_COLUMNS; column++)
    {
      if (GTK_LIST_ITEM_FACTORY (factory) != self->factories[column])
        continue;
      text = gtk_string_list_get_string (row, column);
      gtk_label_set_label (GTK_LABEL (label), text);
    }
}

static void
casedb_audit_page_verify_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *param)
{
  CasedbAuditPage *self = CASEDB_AUDIT_PAGE (widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint n_entries = 0;

  if (casedb_store_verify_audit (self->store, &n_entries, &error))
    {
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Intact: %u entry, none changed, inserted or removed",
                                           "Intact: %u entries, none changed, inserted or removed",
                                           n_entries),
                              n_entries);
      gtk_image_set_from_icon_name (self->result_icon, "emblem-ok-symbolic");
      gtk_widget_remove_css_class (self->result_box, "error");
      gtk_widget_add_css_class (self->result_box, "success");
    }
  else
    {
      text = g_strdup (error->message);
      gtk_image_set_from_icon_name (self->result_icon, "dialog-warning-symbolic");
      gtk_widget_remove_css_class (self->result_box, "success");
      gtk_widget_add_css_class (self->result_box, "error");
    }

  gtk_label_set_label (self->result_label, text);
  gtk_widget_set_visible (self->result_box, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->count_label), FALSE);
}

static void
casedb_audit_page_refresh_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *param)
{
  casedb_audit_page_refresh (CASEDB_AUDIT_PAGE (widget));
}

static void
casedb_audit_page_dispose (GObject *object)
{
  CasedbAuditPage *self = (CasedbAuditPage *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CASEDB_TYPE_AUDIT_PAGE);
  for (guint i = 0; i < N_COLUMNS; i++)
    g_clear_object (&self->factories[i]);
  g_clear_object (&self->entries);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (casedb_audit_page_parent_class)->dispose (object);
}

static void
casedb_audit_page_class_init (CasedbAuditPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = casedb_audit_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/example/CaseDB/ui/casedb-audit-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CasedbAuditPage, result_box);
  gtk_widget_class_bind_template_child (widget_class, CasedbAuditPage, result_icon);
  gtk_widget_class_bind_template_child (widget_class, CasedbAuditPage, result_label);
  gtk_widget_class_bind_template_child (widget_class, CasedbAuditPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, CasedbAuditPage, stack);
  gtk_widget_class_bind_template_child (widget_class, CasedbAuditPage, empty_status);
  gtk_widget_class_bind_template_child (widget_class, CasedbAuditPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, CasedbAuditPage, time_column);
  gtk_widget_class_bind_template_child (widget_class, CasedbAuditPage, user_column);
  gtk_widget_class_bind_template_child (widget_class, CasedbAuditPage, action_column);
  gtk_widget_class_bind_template_child (widget_class, CasedbAuditPage, detail_column);

  gtk_widget_class_install_action (widget_class, "audit.verify", NULL,
                                   casedb_audit_page_verify_action);
  gtk_widget_class_install_action (widget_class, "audit.refresh", NULL,
                                   casedb_audit_page_refresh_action);
}

static void
casedb_audit_page_init (CasedbAuditPage *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;
  GtkColumnViewColumn *columns[N_COLUMNS];

  gtk_widget_init_template (GTK_WIDGET (self));

  columns[COLUMN_TIME] = self->time_column;
  columns[COLUMN_USER] = self->user_column;
  columns[COLUMN_ACTION] = self->action_column;
  columns[COLUMN_DETAIL] = self->detail_column;

  self->entries = g_list_store_new (GTK_TYPE_STRING_LIST);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->entries)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));

  for (guint i = 0; i < N_COLUMNS; i++)
    {
      self->factories[i] = gtk_signal_list_item_factory_new ();
      g_signal_connect_object (self->factories[i], "setup",
                               G_CALLBACK (casedb_audit_page_setup_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->factories[i], "bind",
                               G_CALLBACK (casedb_audit_page_bind_cb), self,
                               G_CONNECT_SWAPPED);
      gtk_column_view_column_set_factory (columns[i], self->factories[i]);
    }
}

/**
 * casedb_audit_page_new:
 * @store: an unlocked store whose role may read the audit log
 *
 * Returns: (transfer floating): a new #CasedbAuditPage
 */
GtkWidget *
casedb_audit_page_new (CasedbStore *store)
{
  CasedbAuditPage *self;

  g_return_val_if_fail (CASEDB_IS_STORE (store), NULL);

  self = g_object_new (CASEDB_TYPE_AUDIT_PAGE, NULL);
  self->store = g_object_ref (store);

  /* The one place where the role enables this page's actions. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "audit.verify",
                                 casedb_store_can (store, CASEDB_PERM_READ_AUDIT));

  casedb_audit_page_refresh (self);
  return GTK_WIDGET (self);
}

/**
 * casedb_audit_page_refresh:
 *
 * Reads the audit log again.
 */
void
casedb_audit_page_refresh (CasedbAuditPage *self)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *count = NULL;

  g_return_if_fail (CASEDB_IS_AUDIT_PAGE (self));

  gtk_widget_set_visible (self->result_box, FALSE);
  g_list_store_remove_all (self->entries);

  entries = casedb_store_list_audit (self->store, &error);
  if (entries == NULL)
    {
      adw_status_page_set_title (self->empty_status, _("Cannot Read the Audit Log"));
      adw_status_page_set_description (self->empty_status, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->count_label), FALSE);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  rows = g_ptr_array_new_full (entries->len, g_object_unref);
  for (guint i = entries->len; i > 0; i--)
    {
      CasedbAuditEntry *entry = g_ptr_array_index (entries, i - 1);
      g_autofree char *time = format_time (entry->time);
      const char *strings[N_COLUMNS + 1] = {
        [COLUMN_TIME] = time,
        [COLUMN_USER] = entry->user != NULL ? entry->user : "",
        [COLUMN_ACTION] = get_action_label (entry->action),
        [COLUMN_DETAIL] = entry->detail != NULL ? entry->detail : "",
        [N_COLUMNS] = NULL,
      };

      g_ptr_array_add (rows, gtk_string_list_new (strings));
    }
  g_list_store_splice (self->entries, 0, 0, rows->pdata, rows->len);

  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u entry", "%u entries", entries->len),
                           entries->len);
  gtk_label_set_label (self->count_label, count);
  gtk_widget_set_visible (GTK_WIDGET (self->count_label), TRUE);

  if (entries->len == 0)
    {
      adw_status_page_set_title (self->empty_status, _("No Entries"));
      adw_status_page_set_description (self->empty_status, NULL);
      gtk_stack_set_visible_child_name (self->stack, "empty");
    }
  else
    gtk_stack_set_visible_child_name (self->stack, "entries");
}
