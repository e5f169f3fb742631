/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "casedb-case-list.h"
#include "casedb-gui-test-util.h"
#include "casedb-test-util.h"
#include "casedb-window.h"

#define MARKER "Zubeida Qarawiyyin"

#define N_SORT_CASES 3000

static char *tmpdir;
static char *db_path;
static char *sort_db_path;
static char *marked_code;
static char *draft_code;

static CasedbStore *
open_as (const char *user,
         const char *password)
{
  return casedb_gui_test_open_as (db_path, user, password);
}

/* Every label, editable, text view and tooltip text of every toplevel. */
static char *
all_visible_text (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* transfer none */
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      casedb_gui_test_collect_text (window, CASEDB_GUI_TEST_TEXT_SHOWN, out);
    }

  return g_string_free (out, FALSE);
}

static void
search (CasedbCaseList *list,
        const char     *text)
{
  GtkWidget *entry = casedb_gui_test_find_type (GTK_WIDGET (list), GTK_TYPE_SEARCH_ENTRY);

  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  /* Enter searches at once, without the typing delay. */
  g_signal_emit_by_name (entry, "activate");
}

static void
select_category (CasedbCaseList *list,
                 const char     *name)
{
  GtkWidget *row = casedb_gui_test_find_named (GTK_WIDGET (list), name);

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

static CasedbStore *
open_sort_store (void)
{
  g_autoptr(GError) error = NULL;
  CasedbStore *store = casedb_store_open (sort_db_path, "sara", "supervisor-pass-8213", &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
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

/* ---- sorting ---- */

/* Until a few frames were painted and the view shows all @n rows. */
static void
wait_shown (GtkWidget     *window,
            GtkColumnView *column_view,
            guint          n)
{
  GListModel *shown = G_LIST_MODEL (gtk_column_view_get_model (column_view));
  guint n_frames = 0;
  guint tick = casedb_gui_test_count_frames (window, &n_frames);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while ((n_frames < 3 || g_list_model_get_n_items (shown) < n)
         && g_get_monotonic_time () < deadline)
    {
      gtk_widget_queue_draw (window);
      g_main_context_iteration (NULL, TRUE);
    }
  gtk_widget_remove_tick_callback (window, tick);
  casedb_gui_test_iterate ();
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, n);
}

/* The case list's own rows, to read without making a row object. */
static CasedbCaseListModel *
list_rows (CasedbCaseList *list)
{
  GListModel *model = casedb_case_list_get_model (list);
  GListModel *rows = gtk_slice_list_model_get_model (GTK_SLICE_LIST_MODEL (model));

  g_assert_true (CASEDB_IS_CASE_LIST_MODEL (rows));
  return CASEDB_CASE_LIST_MODEL (rows);
}

typedef struct
{
  gint64  id;
  char   *code;
  char   *region;
  guint   n_victims;
  guint   store_position;
} Listed;

static void
listed_clear (Listed *listed)
{
  g_free (listed->code);
  g_free (listed->region);
}

/* Every case the store lists, in its order (by code). */
static GArray *
list_from_store (CasedbStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) cases = casedb_store_list_cases (store, NULL, &error);
  GArray *listed = g_array_new (FALSE, TRUE, sizeof (Listed));

  g_assert_no_error (error);
  g_array_set_clear_func (listed, (GDestroyNotify) listed_clear);
  for (guint i = 0; i < g_list_model_get_n_items (cases); i++)
    {
      g_autoptr(CasedbCaseRow) row = g_list_model_get_item (cases, i);
      Listed entry = {
        casedb_case_row_get_id (row),
        g_strdup (casedb_case_row_get_code (row)),
        g_strdup (casedb_case_row_get_region (row)),
        casedb_case_row_get_n_victims (row),
        i,
      };

      g_array_append_val (listed, entry);
    }

  return listed;
}

static int
compare_listed_region (gconstpointer a,
                       gconstpointer b)
{
  const Listed *la = a;
  const Listed *lb = b;
  int r;

  if (la->region == NULL || lb->region == NULL)
    r = (la->region != NULL) - (lb->region != NULL);
  else
    r = g_utf8_collate (la->region, lb->region);

  return r != 0 ? r : (la->store_position > lb->store_position) - (la->store_position < lb->store_position);
}

static int
compare_listed_region_descending (gconstpointer a,
                                  gconstpointer b)
{
  const Listed *la = a;
  const Listed *lb = b;
  int r;

  if (la->region == NULL || lb->region == NULL)
    r = (la->region != NULL) - (lb->region != NULL);
  else
    r = g_utf8_collate (la->region, lb->region);

  /* Descending, but ties still in the store's order. */
  return r != 0 ? -r : (la->store_position > lb->store_position) - (la->store_position < lb->store_position);
}

static int
compare_listed_victims_descending (gconstpointer a,
                                   gconstpointer b)
{
  const Listed *la = a;
  const Listed *lb = b;

  if (la->n_victims != lb->n_victims)
    return la->n_victims > lb->n_victims ? -1 : 1;
  return (la->store_position > lb->store_position) - (la->store_position < lb->store_position);
}

/* The list shows the cases of @expected, sorted by @compare, and so does
 * the view: its rows are the model's, in that order. */
static void
assert_sorted (CasedbCaseList *list,
               GtkColumnView  *column_view,
               GArray         *expected,
               GCompareFunc    compare)
{
  g_autoptr(GArray) sorted = g_array_copy (expected);
  CasedbCaseListModel *rows = list_rows (list);
  GListModel *shown = G_LIST_MODEL (gtk_column_view_get_model (column_view));

  g_array_set_clear_func (sorted, NULL);
  g_array_sort (sorted, compare);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), ==, sorted->len);
  for (guint i = 0; i < sorted->len; i++)
    {
      const Listed *entry = &g_array_index (sorted, Listed, i);

      if (casedb_case_list_model_get_id (rows, i) != entry->id)
        g_error ("Row %u is %s, expected %s", i, casedb_case_list_model_get_code (rows, i), entry->code);
    }

  /* A few rows as the view sees them. */
  for (guint i = 0; i < sorted->len; i += sorted->len / 7)
    {
      g_autoptr(CasedbCaseRow) row = g_list_model_get_item (shown, i);

      g_assert_cmpint (casedb_case_row_get_id (row), ==, g_array_index (sorted, Listed, i).id);
    }
}

/* Sorting by a column orders the case list's own rows (issue 5): both
 * directions, ties in the store's order, kept across a refresh and a
 * search, and without a row object for every case. */
static void
test_sort (void)
{
  g_autoptr(CasedbStore) store = open_sort_store ();
  g_autoptr(GArray) expected = list_from_store (store);
  GListModel *columns;
  g_autoptr(GtkColumnViewColumn) region = NULL;
  g_autoptr(GtkColumnViewColumn) victims = NULL;
  CasedbWindow *window = casedb_window_new (NULL);
  GtkColumnView *column_view;
  CasedbCaseList *list;
  GListModel *model;
  guint64 n_made;
  guint n_ties = 0;

  g_assert_cmpuint (expected->len, ==, N_SORT_CASES);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 600);
  gtk_window_present (GTK_WINDOW (window));
  casedb_window_set_store (window, store);
  list = CASEDB_CASE_LIST (casedb_window_get_case_list (window));
  model = casedb_case_list_get_model (list);
  column_view = GTK_COLUMN_VIEW (casedb_gui_test_find_type (GTK_WIDGET (list), GTK_TYPE_COLUMN_VIEW));
  wait_shown (GTK_WIDGET (window), column_view, N_SORT_CASES);
  columns = gtk_column_view_get_columns (column_view);
  region = g_list_model_get_item (columns, 3);
  victims = g_list_model_get_item (columns, 5);
  g_assert_cmpstr (gtk_column_view_column_get_title (region), ==, "Region");
  g_assert_cmpstr (gtk_column_view_column_get_title (victims), ==, "Victims");

  /* The store's order to begin with. */
  for (guint i = 0; i < N_SORT_CASES; i++)
    g_assert_cmpint (casedb_case_list_model_get_id (list_rows (list), i), ==,
                     g_array_index (expected, Listed, i).id);

  n_made = casedb_case_list_model_get_n_made (list_rows (list));
  gtk_column_view_sort_by_column (column_view, region, GTK_SORT_ASCENDING);
  wait_shown (GTK_WIDGET (window), column_view, N_SORT_CASES);
  assert_sorted (list, column_view, expected, compare_listed_region);
  /* The view asked for the rows it shows, not for all of them. */
  g_test_message ("Sorting made %" G_GUINT64_FORMAT " row objects",
                  casedb_case_list_model_get_n_made (list_rows (list)) - n_made);
  g_assert_cmpuint (casedb_case_list_model_get_n_made (list_rows (list)) - n_made, <, N_SORT_CASES / 4);

  /* The data has ties, which stay in code order. */
  for (guint i = 1; i < N_SORT_CASES; i++)
    {
      g_autoptr(CasedbCaseRow) a = g_list_model_get_item (model, i - 1);
      g_autoptr(CasedbCaseRow) b = g_list_model_get_item (model, i);

      if (g_strcmp0 (casedb_case_row_get_region (a), casedb_case_row_get_region (b)) == 0)
        n_ties++;
    }
  g_assert_cmpuint (n_ties, >, N_SORT_CASES / 2);

  n_made = casedb_case_list_model_get_n_made (list_rows (list));
  gtk_column_view_sort_by_column (column_view, region, GTK_SORT_DESCENDING);
  wait_shown (GTK_WIDGET (window), column_view, N_SORT_CASES);
  assert_sorted (list, column_view, expected, compare_listed_region_descending);
  g_assert_cmpuint (casedb_case_list_model_get_n_made (list_rows (list)) - n_made, <, N_SORT_CASES / 4);

  /* A refresh (after a save, say) lists anew from the store: still sorted. */
  casedb_case_list_refresh (list);
  wait_shown (GTK_WIDGET (window), column_view, N_SORT_CASES);
  assert_sorted (list, column_view, expected, compare_listed_region_descending);

  /* So is what a filter lists. */
  select_category (list, "drafts");
  wait_shown (GTK_WIDGET (window), column_view, g_list_model_get_n_items (model));
  g_assert_cmpuint (g_list_model_get_n_items (model), <, N_SORT_CASES);
  for (guint i = 1; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CasedbCaseRow) a = g_list_model_get_item (model, i - 1);
      g_autoptr(CasedbCaseRow) b = g_list_model_get_item (model, i);

      g_assert_true (casedb_case_row_get_draft (b));
      g_assert_cmpint (g_utf8_collate (casedb_case_row_get_region (a) ? casedb_case_row_get_region (a) : "",
                                       casedb_case_row_get_region (b) ? casedb_case_row_get_region (b) : ""),
                       >=, 0);
    }
  select_category (list, "all");
  wait_shown (GTK_WIDGET (window), column_view, N_SORT_CASES);
  assert_sorted (list, column_view, expected, compare_listed_region_descending);

  /* Another column, one way and the other. */
  gtk_column_view_sort_by_column (column_view, victims, GTK_SORT_ASCENDING);
  wait_shown (GTK_WIDGET (window), column_view, N_SORT_CASES);
  for (guint i = 1; i < N_SORT_CASES; i++)
    {
      g_autoptr(CasedbCaseRow) a = g_list_model_get_item (model, i - 1);
      g_autoptr(CasedbCaseRow) b = g_list_model_get_item (model, i);

      g_assert_cmpuint (casedb_case_row_get_n_victims (a), <=, casedb_case_row_get_n_victims (b));
    }
  gtk_column_view_sort_by_column (column_view, victims, GTK_SORT_DESCENDING);
  wait_shown (GTK_WIDGET (window), column_view, N_SORT_CASES);
  assert_sorted (list, column_view, expected, compare_listed_victims_descending);

  /* No column: the store's order again. */
  gtk_column_view_sort_by_column (column_view, NULL, GTK_SORT_ASCENDING);
  wait_shown (GTK_WIDGET (window), column_view, N_SORT_CASES);
  for (guint i = 0; i < N_SORT_CASES; i++)
    g_assert_cmpint (casedb_case_list_model_get_id (list_rows (list), i), ==,
                     g_array_index (expected, Listed, i).id);

  casedb_window_lock (window);
  gtk_window_destroy (GTK_WINDOW (window));
  casedb_gui_test_iterate ();
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
  g_clear_object (&store);

  /* Many cases over a few regions: sorting has ties to keep in order. */
  store = casedb_test_create_store (sort_db_path, "sara", "supervisor-pass-8213");
  g_assert_true (casedb_demo_populate (store, N_SORT_CASES, 5, &error));
  g_assert_no_error (error);
  casedb_store_close (store);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  if (!casedb_gui_test_init (&argc, &argv))
    return 0;

  tmpdir = casedb_test_mkdtemp ();
  db_path = g_build_filename (tmpdir, "cases.casedb", NULL);
  sort_db_path = g_build_filename (tmpdir, "sort.casedb", NULL);
  populate ();

  g_test_add_func ("/gui/case-list/analyst", test_analyst);
  g_test_add_func ("/gui/case-list/caseworker-lock-wipes", test_caseworker_lock_wipes);
  g_test_add_func ("/gui/case-list/empty-states", test_empty_states);
  g_test_add_func ("/gui/case-list/sort", test_sort);

  ret = g_test_run ();

  casedb_test_rmtree (tmpdir);
  g_free (db_path);
  g_free (sort_db_path);
  g_free (tmpdir);
  g_free (marked_code);
  g_free (draft_code);

  return ret;
}
