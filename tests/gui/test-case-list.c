/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "casedb-case-list.h"
#include "casedb-test-util.h"
#include "casedb-window.h"

#define MARKER "Zubeida Qarawiyyin"

static char *tmpdir;
static char *db_path;
static char *marked_code;
static char *draft_code;

static CasedbStore *
open_as (const char *user,
         const char *password)
{
  g_autoptr(GError) error = NULL;
  CasedbStore *store = casedb_store_open (db_path, user, password, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static void
collect_text (GtkWidget *widget,
              GString   *out)
{
  if (GTK_IS_LABEL (widget))
    {
      g_string_append (out, gtk_label_get_text (GTK_LABEL (widget)));
      g_string_append_c (out, '\n');
    }
  if (GTK_IS_EDITABLE (widget))
    {
      g_string_append (out, gtk_editable_get_text (GTK_EDITABLE (widget)));
      g_string_append_c (out, '\n');
    }
  if (gtk_widget_get_tooltip_text (widget) != NULL)
    {
      g_string_append (out, gtk_widget_get_tooltip_text (widget));
      g_string_append_c (out, '\n');
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_text (child, out);
}

/* Every label, editable and tooltip text of every toplevel. */
static char *
all_visible_text (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      collect_text (window, out);
    }

  return g_string_free (out, FALSE);
}

static GtkWidget *
find_type (GtkWidget *widget,
           GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_type (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
search (CasedbCaseList *list,
        const char     *text)
{
  GtkWidget *entry = find_type (GTK_WIDGET (list), GTK_TYPE_SEARCH_ENTRY);

  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  /* Enter searches at once, without the typing delay. */
  g_signal_emit_by_name (entry, "activate");
}

static void
select_category (CasedbCaseList *list,
                 const char     *name)
{
  GtkWidget *row = find_named (GTK_WIDGET (list), name);

  g_assert_true (GTK_IS_LIST_BOX_ROW (row));
  gtk_list_box_select_row (GTK_LIST_BOX (gtk_widget_get_parent (row)), GTK_LIST_BOX_ROW (row));
}

static gboolean
model_has_code (GListModel *model,
                const char *code)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CasedbCaseRow) row = g_list_model_get_item (model, i);

      if (g_strcmp0 (casedb_case_row_get_code (row), code) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
wait_until_locked (CasedbWindow *window)
{
  while (casedb_window_get_store (window) != NULL)
    g_main_context_iteration (NULL, TRUE);
  /* Let disposal of the removed pages and any idle work finish. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_analyst (void)
{
  g_autoptr(CasedbStore) store = open_as ("lina", "analyst-pass-0937");
  CasedbCaseList *list;
  CasedbWindow *window;
  GListModel *model;

  window = casedb_window_new (NULL);
  gtk_window_present (GTK_WINDOW (window));
  casedb_window_set_store (window, store);
  list = CASEDB_CASE_LIST (casedb_window_get_case_list (window));
  model = casedb_case_list_get_model (list);

  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "new-case"));

  /* The coded search works... */
  search (list, "REF-MARKED");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_assert_true (model_has_code (model, marked_code));

  /* ...but a victim's name finds nothing for a role without identities. */
  search (list, MARKER);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);

  search (list, "");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);

  select_category (list, "drafts");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_assert_true (model_has_code (model, draft_code));

  select_category (list, "all");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);

  g_action_group_activate_action (G_ACTION_GROUP (window), "lock", NULL);
  wait_until_locked (window);
  g_assert_null (casedb_window_get_case_list (window));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_caseworker_lock_wipes (void)
{
  g_autoptr(CasedbStore) store = open_as ("karim", "caseworker-pass-5521");
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) after = NULL;
  g_autofree char *before_lock = NULL;
  g_autofree char *after_lock = NULL;
  GdkClipboard *clipboard;
  CasedbCaseList *list;
  CasedbWindow *window;
  GListModel *model;

  window = casedb_window_new (NULL);
  gtk_window_present (GTK_WINDOW (window));
  casedb_window_set_store (window, store);
  list = CASEDB_CASE_LIST (casedb_window_get_case_list (window));
  g_object_add_weak_pointer (G_OBJECT (list), (gpointer *)&list);
  model = casedb_case_list_get_model (list);
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "new-case"));

  /* A caseworker finds the case by the child's name. */
  search (list, MARKER);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_assert_true (model_has_code (model, marked_code));

  before_lock = all_visible_text ();
  g_assert_nonnull (strstr (before_lock, MARKER));

  /* As if the caseworker had copied the name. */
  clipboard = gtk_widget_get_clipboard (GTK_WIDGET (window));
  gdk_clipboard_set_text (clipboard, MARKER);
  g_assert_nonnull (gdk_clipboard_get_content (clipboard));

  g_action_group_activate_action (G_ACTION_GROUP (window), "lock", NULL);
  wait_until_locked (window);

  g_assert_null (gdk_clipboard_get_content (clipboard));

  g_assert_null (list);
  after_lock = all_visible_text ();
  g_assert_null (strstr (after_lock, MARKER));
  g_assert_null (strstr (after_lock, marked_code));

  /* The window's store was closed: our reference can no longer read. */
  after = casedb_store_list_cases (store, NULL, &error);
  g_assert_null (after);
  g_assert_nonnull (error);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_empty_states (void)
{
  g_autofree char *empty_path = g_build_filename (tmpdir, "empty.casedb", NULL);
  g_autoptr(CasedbStore) store = casedb_test_create_store (empty_path, "sara", "supervisor-pass-8213");
  g_autofree char *text = NULL;
  CasedbWindow *window;

  window = casedb_window_new (NULL);
  gtk_window_present (GTK_WINDOW (window));
  casedb_window_set_store (window, store);

  text = all_visible_text ();
  g_assert_nonnull (strstr (text, "No Cases Yet"));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
populate (void)
{
  g_autoptr(CasedbStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbCase) marked = NULL;
  g_autoptr(CasedbCase) draft = NULL;
  CasedbViolation *violation;
  CasedbVictim *victim;
  guint index;

  store = casedb_test_create_store (db_path, "sara", "supervisor-pass-8213");
  casedb_test_add_user (store, "karim", CASEDB_ROLE_CASEWORKER, "caseworker-pass-5521");
  casedb_test_add_user (store, "lina", CASEDB_ROLE_ANALYST, "analyst-pass-0937");

  marked = casedb_test_make_case ("REF-MARKED", "2024-03-02", CASEDB_VIOLATION_ABDUCTION);
  victim = casedb_case_add_victim (marked);
  victim->name = casedb_secure_strdup (MARKER);
  victim->age = 12;
  index = marked->victims->len - 1;
  violation = g_ptr_array_index (marked->violations, 0);
  g_array_append_val (violation->victims, index);
  g_assert_true (casedb_store_save_case (store, marked, &error));
  g_assert_no_error (error);
  marked_code = g_strdup (marked->code);

  draft = casedb_test_make_case ("REF-DRAFT", "2024-05-17", CASEDB_VIOLATION_KILLING_MAIMING);
  draft->draft = TRUE;
  g_assert_true (casedb_store_save_case (store, draft, &error));
  g_assert_no_error (error);
  draft_code = g_strdup (draft->code);

  casedb_store_close (store);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display (run under xvfb-run)\n");
      return 0;
    }

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  if (!casedb_core_init (&error))
    g_error ("core init: %s", error->message);

  tmpdir = casedb_test_mkdtemp ();
  db_path = g_build_filename (tmpdir, "cases.casedb", NULL);
  populate ();

  g_test_add_func ("/gui/case-list/analyst", test_analyst);
  g_test_add_func ("/gui/case-list/caseworker-lock-wipes", test_caseworker_lock_wipes);
  g_test_add_func ("/gui/case-list/empty-states", test_empty_states);

  ret = g_test_run ();

  casedb_test_rmtree (tmpdir);
  g_free (db_path);
  g_free (tmpdir);
  g_free (marked_code);
  g_free (draft_code);

  return ret;
}
