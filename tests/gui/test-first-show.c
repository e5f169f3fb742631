/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <glib/gi18n.h>

#include "casedb-audit-page.h"
#include "casedb-case-list.h"
#include "casedb-gui-test-util.h"
#include "casedb-share-page.h"
#include "casedb-statistics-page.h"
#include "casedb-test-util.h"
#include "casedb-users-page.h"
#include "casedb-window.h"

/*
 * What the window does at unlock and what it leaves for later (issue 5):
 * only the case list is built; the other pages when first shown; the list
 * comes a screenful first and then whole; the regions of the filter are
 * read when the filters are opened.
 */

#define N_CASES 300

static char *tmpdir;
static char *db_path;

static CasedbStore *
open_store (void)
{
  return casedb_gui_test_open_as (db_path, "sara", "supervisor-pass-8213");
}

static void
test_pages_built_when_shown (void)
{
  g_autoptr(CasedbStore) store = open_store ();
  CasedbWindow *window = casedb_window_new (NULL);
  AdwViewStack *view_stack;

  gtk_window_present (GTK_WINDOW (window));
  casedb_window_set_store (window, store);
  casedb_gui_test_settle ();

  /* Every page of the supervisor has its place in the switcher… */
  view_stack = ADW_VIEW_STACK (casedb_gui_test_find_type (GTK_WIDGET (window),
                                                          ADW_TYPE_VIEW_STACK));
  g_assert_nonnull (view_stack);
  g_assert_nonnull (adw_view_stack_get_child_by_name (view_stack, "statistics"));
  g_assert_nonnull (adw_view_stack_get_child_by_name (view_stack, "users"));
  g_assert_nonnull (adw_view_stack_get_child_by_name (view_stack, "audit"));
  g_assert_nonnull (adw_view_stack_get_child_by_name (view_stack, "share"));

  /* …but only the case list is built. */
  g_assert_nonnull (casedb_gui_test_find_type (GTK_WIDGET (window), CASEDB_TYPE_CASE_LIST));
  g_assert_null (casedb_gui_test_find_type (GTK_WIDGET (window), CASEDB_TYPE_STATISTICS_PAGE));
  g_assert_null (casedb_gui_test_find_type (GTK_WIDGET (window), CASEDB_TYPE_USERS_PAGE));
  g_assert_null (casedb_gui_test_find_type (GTK_WIDGET (window), CASEDB_TYPE_AUDIT_PAGE));
  g_assert_null (casedb_gui_test_find_type (GTK_WIDGET (window), CASEDB_TYPE_SHARE_PAGE));

  /* Shown once, a page stays. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "audit");
  casedb_gui_test_settle ();
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (view_stack), ==, "audit");
  g_assert_nonnull (casedb_gui_test_find_type (GTK_WIDGET (window), CASEDB_TYPE_AUDIT_PAGE));
  g_assert_null (casedb_gui_test_find_type (GTK_WIDGET (window), CASEDB_TYPE_STATISTICS_PAGE));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "statistics");
  casedb_gui_test_settle ();
  g_assert_nonnull (casedb_gui_test_find_type (GTK_WIDGET (window), CASEDB_TYPE_STATISTICS_PAGE));
  g_assert_nonnull (casedb_gui_test_find_type (GTK_WIDGET (window), CASEDB_TYPE_AUDIT_PAGE));

  /* The lock takes every page, built or not. */
  casedb_window_lock (window);
  casedb_gui_test_settle ();
  g_assert_null (casedb_gui_test_find_type (GTK_WIDGET (window), CASEDB_TYPE_CASE_LIST));
  g_assert_null (casedb_gui_test_find_type (GTK_WIDGET (window), CASEDB_TYPE_STATISTICS_PAGE));
  g_assert_null (casedb_gui_test_find_type (GTK_WIDGET (window), CASEDB_TYPE_AUDIT_PAGE));
  g_assert_null (adw_view_stack_get_child_by_name (view_stack, "statistics"));
  g_assert_null (adw_view_stack_get_child_by_name (view_stack, "audit"));

  gtk_window_destroy (GTK_WINDOW (window));
  casedb_gui_test_settle ();
}

static void
test_list_revealed (void)
{
  g_autoptr(CasedbStore) store = open_store ();
  CasedbWindow *window = casedb_window_new (NULL);
  GtkColumnView *column_view;
  GListModel *shown;
  GListModel *rows;
  guint n_frames = 0;
  guint tick;
  gint64 deadline;

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 600);
  gtk_window_present (GTK_WINDOW (window));
  casedb_window_set_store (window, store);

  /* Every row is listed at once… */
  rows = casedb_case_list_get_model (CASEDB_CASE_LIST (casedb_window_get_case_list (window)));
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, N_CASES);

  /* …the view gets them a screenful first, and all of them a few frames on. */
  column_view = GTK_COLUMN_VIEW (casedb_gui_test_find_type (GTK_WIDGET (window), GTK_TYPE_COLUMN_VIEW));
  shown = G_LIST_MODEL (gtk_column_view_get_model (column_view));
  g_assert_cmpuint (g_list_model_get_n_items (shown), <, N_CASES);

  tick = casedb_gui_test_count_frames (GTK_WIDGET (window), &n_frames);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (g_list_model_get_n_items (shown) < N_CASES && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  gtk_widget_remove_tick_callback (GTK_WIDGET (window), tick);

  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, N_CASES);
  g_assert_cmpuint (n_frames, >=, 2);
  for (guint i = 0; i < N_CASES; i += 37)
    {
      g_autoptr(CasedbCaseRow) a = g_list_model_get_item (shown, i);
      g_autoptr(CasedbCaseRow) b = g_list_model_get_item (rows, i);

      g_assert_cmpint (casedb_case_row_get_id (a), ==, casedb_case_row_get_id (b));
    }

  casedb_window_lock (window);
  gtk_window_destroy (GTK_WINDOW (window));
  casedb_gui_test_settle ();
}

static void
test_regions_when_filters_open (void)
{
  g_autoptr(CasedbStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) regions = NULL;
  CasedbWindow *window = casedb_window_new (NULL);
  GtkWidget *case_list;
  GtkDropDown *dropdown;
  GtkMenuButton *filter_button;
  GListModel *model;

  regions = casedb_store_list_regions (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (regions), >, 1);

  gtk_window_present (GTK_WINDOW (window));
  casedb_window_set_store (window, store);
  casedb_gui_test_settle ();
  case_list = casedb_window_get_case_list (window);
  filter_button = GTK_MENU_BUTTON (casedb_gui_test_find_buildable (case_list, "filter_button"));
  g_assert_nonnull (filter_button);
  dropdown = GTK_DROP_DOWN (casedb_gui_test_find_buildable (GTK_WIDGET (gtk_menu_button_get_popover (filter_button)),
                                                            "region_dropdown"));
  g_assert_nonnull (dropdown);

  /* Only "Any Region" until the filters are opened. */
  model = gtk_drop_down_get_model (dropdown);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);

  gtk_menu_button_popup (filter_button);
  casedb_gui_test_settle ();
  model = gtk_drop_down_get_model (dropdown);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1 + g_strv_length (regions));
  for (guint i = 0; regions[i] != NULL; i++)
    g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), i + 1), ==, regions[i]);

  /* A region chosen filters the list. */
  gtk_drop_down_set_selected (dropdown, 1);
  casedb_gui_test_settle ();
  {
    GListModel *rows = casedb_case_list_get_model (CASEDB_CASE_LIST (case_list));
    guint n = g_list_model_get_n_items (rows);

    g_assert_cmpuint (n, >, 0);
    g_assert_cmpuint (n, <, N_CASES);
    for (guint i = 0; i < n; i++)
      {
        g_autoptr(CasedbCaseRow) row = g_list_model_get_item (rows, i);

        g_assert_cmpstr (casedb_case_row_get_region (row), ==, regions[0]);
      }
  }

  gtk_menu_button_popdown (filter_button);
  casedb_window_lock (window);
  gtk_window_destroy (GTK_WINDOW (window));
  casedb_gui_test_settle ();
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbStore) store = NULL;
  int ret;

  if (!casedb_gui_test_init (&argc, &argv))
    return 0;

  tmpdir = casedb_test_mkdtemp ();
  db_path = g_build_filename (tmpdir, "first-show.casedb", NULL);
  store = casedb_test_create_store (db_path, "sara", "supervisor-pass-8213");
  g_assert_true (casedb_demo_populate (store, N_CASES, 7, &error));
  g_assert_no_error (error);
  casedb_store_close (store);

  g_test_add_func ("/gui/first-show/pages-built-when-shown", test_pages_built_when_shown);
  g_test_add_func ("/gui/first-show/list-revealed", test_list_revealed);
  g_test_add_func ("/gui/first-show/regions-when-filters-open", test_regions_when_filters_open);

  ret = g_test_run ();
  casedb_test_rmtree (tmpdir);
  g_free (db_path);
  g_free (tmpdir);
  return ret;
}
