/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "casedb-gui-test-util.h"
#include "casedb-import-fixture.h"
#include "casedb-share-page.h"
#include "casedb-test-util.h"
#include "casedb-window.h"

#define SUPERVISOR_PASSWORD "supervisor passphrase 1"
#define CASEWORKER_PASSWORD "caseworker passphrase 2"

static char *tmpdir;
static char *db_path;

static CasedbSharePage *
make_page (CasedbStore *store)
{
  CasedbSharePage *page = CASEDB_SHARE_PAGE (casedb_share_page_new (store));

  g_object_ref_sink (page);
  return page;
}

/* The labels and button labels of @page: what a user reads on it. */
static char *
page_text (CasedbSharePage *page)
{
  return casedb_gui_test_dup_text (GTK_WIDGET (page),
                                   CASEDB_GUI_TEST_TEXT_LABELS | CASEDB_GUI_TEST_TEXT_BUTTONS);
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static guint
n_cases (CasedbStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) cases = casedb_store_list_cases (store, NULL, &error);

  g_assert_no_error (error);
  return g_list_model_get_n_items (cases);
}

static GFile *
write_csv (const char *name,
           GString    *csv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);

  g_file_set_contents (path, csv->str, csv->len, &error);
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

static void
count_cb (CasedbSharePage *page,
          guint           *n)
{
  (*n)++;
}

static void
test_sections_by_role (void)
{
  g_autoptr(GError) error = NULL;
  CasedbStore *caseworker = casedb_gui_test_open_as (db_path, "karim", CASEWORKER_PASSWORD);
  CasedbStore *supervisor = casedb_gui_test_open_as (db_path, "admin", SUPERVISOR_PASSWORD);
  CasedbStore *analyst = casedb_gui_test_open_as (db_path, "lina", CASEWORKER_PASSWORD);
  CasedbSharePage *page;
  g_autofree char *text = NULL;

  /* A caseworker imports but never exports or backs up. */
  g_assert_true (casedb_share_page_is_allowed (caseworker));
  page = make_page (caseworker);
  text = page_text (page);
  g_assert_nonnull (strstr (text, "Import Cases from CSV"));
  g_assert_nonnull (find_button (GTK_WIDGET (page), "_Choose File…"));
  g_assert_null (strstr (text, "Anonymized Summary"));
  g_assert_null (strstr (text, "Last backup"));
  g_assert_null (find_button (GTK_WIDGET (page), "_Save Summary…"));
  g_assert_null (find_button (GTK_WIDGET (page), "P_rint…"));
  g_assert_null (find_button (GTK_WIDGET (page), "_Back Up Now…"));
  g_assert_cmpuint (casedb_gui_test_count_type (GTK_WIDGET (page), GTK_TYPE_SPIN_BUTTON), ==, 0);
  g_assert_cmpuint (casedb_gui_test_count_type (GTK_WIDGET (page), ADW_TYPE_COMBO_ROW), ==, 0);
  g_assert_cmpuint (casedb_gui_test_count_type (GTK_WIDGET (page), GTK_TYPE_SWITCH), ==, 0);
  g_assert_null (find_button (GTK_WIDGET (page), "Save _UN Package…"));
  g_assert_null (find_button (GTK_WIDGET (page), "_Save Transfer Package…"));
  g_assert_null (find_button (GTK_WIDGET (page), "_Open Package…"));
  g_assert_null (strstr (text, "Conflicts"));
  g_assert_finalize_object (page);
  g_clear_pointer (&text, g_free);

  /* A supervisor has every section, and the page shows the last backup. */
  page = make_page (supervisor);
  text = page_text (page);
  g_assert_nonnull (strstr (text, "Import Cases from CSV"));
  g_assert_nonnull (strstr (text, "Anonymized Summary"));
  g_assert_nonnull (strstr (text, "Last backup: "));
  g_assert_nonnull (find_button (GTK_WIDGET (page), "_Save Summary…"));
  g_assert_nonnull (find_button (GTK_WIDGET (page), "P_rint…"));
  g_assert_nonnull (find_button (GTK_WIDGET (page), "_Back Up Now…"));
  g_assert_cmpuint (casedb_gui_test_count_type (GTK_WIDGET (page), GTK_TYPE_SPIN_BUTTON), ==, 1);
  g_assert_nonnull (find_button (GTK_WIDGET (page), "Save _UN Package…"));
  g_assert_nonnull (find_button (GTK_WIDGET (page), "_Save Transfer Package…"));
  g_assert_nonnull (find_button (GTK_WIDGET (page), "_Open Package…"));
  g_assert_nonnull (strstr (text, "No conflicts"));
  /* Identities only by an explicit choice: both switches start off. */
  g_assert_cmpuint (casedb_gui_test_count_type (GTK_WIDGET (page), GTK_TYPE_SWITCH), ==, 2);
  for (GtkWidget *w = GTK_WIDGET (page); w != NULL; )
    {
      GtkWidget *next = gtk_widget_get_first_child (w);

      if (GTK_IS_SWITCH (w))
        g_assert_false (gtk_switch_get_active (GTK_SWITCH (w)));
      while (next == NULL && w != GTK_WIDGET (page))
        {
          next = gtk_widget_get_next_sibling (w);
          if (next == NULL)
            w = gtk_widget_get_parent (w);
        }
      w = next;
    }
  g_clear_pointer (&text, g_free);

  g_assert_finalize_object (page);

  /* An analyst has no section at all: the window adds no page. */
  g_assert_false (casedb_share_page_is_allowed (analyst));

  casedb_gui_test_close_store (caseworker);
  casedb_gui_test_close_store (supervisor);
  casedb_gui_test_close_store (analyst);
}

static void
test_import_good (void)
{
  g_autoptr(GString) csv = g_string_new (NULL);
  g_autoptr(GFile) file = NULL;
  g_autofree char *text = NULL;
  CasedbStore *store = casedb_gui_test_open_as (db_path, "karim", CASEWORKER_PASSWORD);
  CasedbSharePage *page;
  GtkWidget *button;
  guint before = n_cases (store);
  guint imported = 0;

  fixture_append_header (csv);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *ref = g_strdup_printf ("GOOD-%u", i);
      FixtureRow row = fixture_row (ref);

      fixture_append_row (csv, &row);
    }
  file = write_csv ("good.csv", csv);

  page = make_page (store);
  g_signal_connect (page, "cases-imported", G_CALLBACK (count_cb), &imported);
  button = find_button (GTK_WIDGET (page), "_Import Cases");
  g_assert_nonnull (button);
  g_assert_false (gtk_widget_get_visible (button));

  /* The preview stores nothing. */
  casedb_share_page_preview_import (page, file);
  text = page_text (page);
  g_assert_nonnull (strstr (text, "3 cases ready to import"));
  g_assert_nonnull (strstr (text, "good.csv"));
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_cmpuint (n_cases (store), ==, before);
  g_clear_pointer (&text, g_free);

  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpuint (n_cases (store), ==, before + 3);
  g_assert_cmpuint (imported, ==, 1);
  text = page_text (page);
  g_assert_nonnull (strstr (text, "3 cases imported"));
  g_assert_false (gtk_widget_get_visible (button));

  /* A second click has no file left to import. */
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpuint (n_cases (store), ==, before + 3);
  g_assert_cmpuint (imported, ==, 1);

  g_assert_finalize_object (page);
  casedb_gui_test_close_store (store);
}

static void
test_import_bad (void)
{
  g_autoptr(GString) csv = g_string_new (NULL);
  g_autoptr(GFile) file = NULL;
  g_autofree char *text = NULL;
  CasedbStore *store = casedb_gui_test_open_as (db_path, "karim", CASEWORKER_PASSWORD);
  CasedbSharePage *page;
  GtkWidget *button;
  FixtureRow good = fixture_row ("BAD-1");
  FixtureRow bad = fixture_row ("BAD-2");
  guint before = n_cases (store);
  guint imported = 0;

  bad.v[FX_INCIDENT_DATE] = "2023-13-45";
  fixture_append_header (csv);        /* line 1 */
  fixture_append_row (csv, &good);    /* line 2 */
  fixture_append_row (csv, &bad);     /* line 3 */
  file = write_csv ("bad.csv", csv);

  page = make_page (store);
  g_signal_connect (page, "cases-imported", G_CALLBACK (count_cb), &imported);
  button = find_button (GTK_WIDGET (page), "_Import Cases");

  casedb_share_page_preview_import (page, file);
  text = page_text (page);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "Line 3, column “incident_date”: "));
  g_assert_null (strstr (text, "Line 2"));
  g_assert_null (strstr (text, "ready to import"));
  g_assert_false (gtk_widget_get_visible (button));

  /* Even a forced click stores nothing: the page keeps no bad file. */
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpuint (n_cases (store), ==, before);
  g_assert_cmpuint (imported, ==, 0);

  g_assert_finalize_object (page);
  casedb_gui_test_close_store (store);
}

#define TRANSFER_PASSPHRASE "field office passphrase"

static void
test_transfer (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbCase) c = NULL;
  g_autofree char *field_path = g_build_filename (tmpdir, "field.casedb", NULL);
  g_autofree char *package = g_build_filename (tmpdir, "field.cdbpkg", NULL);
  g_autofree char *text = NULL;
  CasedbKdfParams params;
  CasedbStore *field;
  CasedbStore *store;
  CasedbSharePage *page;
  GtkWidget *merge;
  guint before;
  guint imported = 0;
  guint n = 0;

  /* A field office sends one case. */
  field = casedb_test_create_store (field_path, "field", SUPERVISOR_PASSWORD);
  c = casedb_test_make_case ("FIELD-1", "2024-04-02", CASEDB_VIOLATION_ABDUCTION);
  g_assert_true (casedb_store_save_case (field, c, &error));
  g_assert_no_error (error);
  casedb_kdf_params_testing (&params);
  g_assert_true (casedb_transfer_export (field, package, TRANSFER_PASSPHRASE, TRUE, &params, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  casedb_gui_test_close_store (field);

  store = casedb_gui_test_open_as (db_path, "admin", SUPERVISOR_PASSWORD);
  before = n_cases (store);
  page = make_page (store);
  g_signal_connect (page, "cases-imported", G_CALLBACK (count_cb), &imported);
  merge = find_button (GTK_WIDGET (page), "_Merge Cases");
  g_assert_nonnull (merge);
  g_assert_false (gtk_widget_get_visible (merge));

  /* A wrong passphrase opens nothing. */
  g_assert_false (casedb_share_page_open_transfer (page, package, "not the passphrase"));
  g_assert_false (gtk_widget_get_visible (merge));

  /* The preview says what would happen and stores nothing. */
  g_assert_true (casedb_share_page_open_transfer (page, package, TRANSFER_PASSPHRASE));
  text = page_text (page);
  g_assert_nonnull (strstr (text, "field.cdbpkg: 1 new, 0 updated, 0 unchanged, 0 conflicts"));
  g_assert_true (gtk_widget_get_visible (merge));
  g_assert_cmpuint (n_cases (store), ==, before);
  g_clear_pointer (&text, g_free);

  g_signal_emit_by_name (merge, "clicked");
  g_assert_cmpuint (n_cases (store), ==, before + 1);
  g_assert_cmpuint (imported, ==, 1);
  g_assert_false (gtk_widget_get_visible (merge));
  text = page_text (page);
  g_assert_nonnull (strstr (text, "No package opened"));
  g_assert_nonnull (strstr (text, "No conflicts"));

  /* The bundle is gone with the merge: a second click merges nothing. */
  g_signal_emit_by_name (merge, "clicked");
  g_assert_cmpuint (imported, ==, 1);

  g_assert_finalize_object (page);
  casedb_gui_test_close_store (store);
}

static char *
window_text (CasedbWindow *window)
{
  return casedb_gui_test_dup_text (GTK_WIDGET (window),
                                   CASEDB_GUI_TEST_TEXT_LABELS | CASEDB_GUI_TEST_TEXT_BUTTONS);
}

/* A dismissed toast leaves with an animation: wait for it, not forever. */
static void
wait_for_text_gone (CasedbWindow *window,
                    const char   *needle)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autofree char *text = window_text (window);

      if (strstr (text, needle) == NULL)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
}

static void
test_window (void)
{
  CasedbWindow *window = casedb_window_new (NULL);
  CasedbStore *store;
  g_autofree char *text = NULL;

  gtk_window_present (GTK_WINDOW (window));

  /* Never backed up: the supervisor is reminded, and the page is there. */
  store = casedb_gui_test_open_as (db_path, "admin", SUPERVISOR_PASSWORD);
  casedb_window_set_store (window, store);
  casedb_gui_test_settle ();
  text = window_text (window);
  g_assert_nonnull (strstr (text, "Import & Export"));
  g_assert_nonnull (strstr (text, "No backup of this database has been made yet"));
  /* The page is built when first shown. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "share");
  g_assert_nonnull (find_button (GTK_WIDGET (window), "_Back Up Now…"));
  g_clear_pointer (&text, g_free);
  casedb_window_lock (window);
  casedb_gui_test_close_store (store);
  /* The reminder goes with the lock: the next user may not be a supervisor. */
  wait_for_text_gone (window, "No backup of this database");

  /* Backed up just now: no reminder. */
  store = casedb_gui_test_open_as (db_path, "admin", SUPERVISOR_PASSWORD);
  g_assert_true (casedb_store_note_backup (store, "test", NULL));
  casedb_window_set_store (window, store);
  casedb_gui_test_settle ();
  text = window_text (window);
  g_assert_nonnull (strstr (text, "Import & Export"));
  g_assert_null (strstr (text, "The last backup is"));
  g_assert_null (strstr (text, "No backup of this database"));
  g_clear_pointer (&text, g_free);
  casedb_window_lock (window);
  casedb_gui_test_close_store (store);
  casedb_gui_test_settle ();

  /* The page goes with the lock. */
  text = window_text (window);
  g_assert_null (find_button (GTK_WIDGET (window), "_Choose File…"));
  g_clear_pointer (&text, g_free);

  /* A caseworker imports, and is not asked to back up. */
  store = casedb_gui_test_open_as (db_path, "karim", CASEWORKER_PASSWORD);
  casedb_window_set_store (window, store);
  casedb_gui_test_settle ();
  text = window_text (window);
  g_assert_nonnull (strstr (text, "Import & Export"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "share");
  g_assert_nonnull (find_button (GTK_WIDGET (window), "_Choose File…"));
  g_assert_null (find_button (GTK_WIDGET (window), "_Back Up Now…"));
  g_assert_null (strstr (text, "backup"));
  g_clear_pointer (&text, g_free);
  casedb_window_lock (window);
  casedb_gui_test_close_store (store);
  casedb_gui_test_settle ();

  /* An analyst has no page at all. */
  store = casedb_gui_test_open_as (db_path, "lina", CASEWORKER_PASSWORD);
  casedb_window_set_store (window, store);
  casedb_gui_test_settle ();
  text = window_text (window);
  g_assert_null (strstr (text, "Import & Export"));
  g_assert_null (find_button (GTK_WIDGET (window), "_Choose File…"));
  casedb_window_lock (window);
  casedb_gui_test_close_store (store);

  gtk_window_destroy (GTK_WINDOW (window));
  casedb_gui_test_settle ();
}

int
main (int   argc,
      char *argv[])
{
  CasedbStore *store;
  int ret;

  if (!casedb_gui_test_init (&argc, &argv))
    return 0;

  tmpdir = casedb_test_mkdtemp ();
  db_path = g_build_filename (tmpdir, "cases.casedb", NULL);
  store = casedb_test_create_store (db_path, "admin", SUPERVISOR_PASSWORD);
  casedb_test_add_user (store, "karim", CASEDB_ROLE_CASEWORKER, CASEWORKER_PASSWORD);
  casedb_test_add_user (store, "lina", CASEDB_ROLE_ANALYST, CASEWORKER_PASSWORD);
  casedb_gui_test_close_store (store);

  /* First: it needs a database that was never backed up. */
  g_test_add_func ("/gui/share-page/window", test_window);
  g_test_add_func ("/gui/share-page/sections-by-role", test_sections_by_role);
  g_test_add_func ("/gui/share-page/import-good", test_import_good);
  g_test_add_func ("/gui/share-page/import-bad", test_import_bad);
  g_test_add_func ("/gui/share-page/transfer", test_transfer);

  ret = g_test_run ();

  casedb_test_rmtree (tmpdir);
  g_free (db_path);
  g_free (tmpdir);

  return ret;
}
