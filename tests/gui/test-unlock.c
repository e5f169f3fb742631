/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "casedb-audit-page.h"
#include "casedb-gui-test-util.h"
#include "casedb-statistics-page.h"
#include "casedb-test-util.h"
#include "casedb-unlock-page.h"
#include "casedb-users-page.h"
#include "casedb-window.h"

typedef struct {
  const char *user;
  CasedbRole  role;
  const char *password;
} Account;

static const Account accounts[] = {
  { "sara", CASEDB_ROLE_SUPERVISOR, "supervisor-pass-8213" },
  { "karim", CASEDB_ROLE_CASEWORKER, "caseworker-pass-5521" },
  { "lina", CASEDB_ROLE_ANALYST, "analyst-pass-0937" },
};

static char *tmpdir;
static char *db_path;

static void
unlocked_cb (CasedbUnlockPage  *page,
             CasedbStore       *store,
             CasedbStore      **out)
{
  g_assert_null (*out);
  *out = g_object_ref (store);
}

/* Types @user and @password into the page, activates Unlock and waits for
 * the worker thread.  (transfer full) the store, or NULL. */
static CasedbStore *
unlock_with (CasedbUnlockPage *page,
             const char       *user,
             const char       *password)
{
  CasedbStore *store = NULL;
  GtkWidget *user_entry;
  GtkWidget *password_entry;
  gulong handler;

  user_entry = casedb_gui_test_find_buildable (GTK_WIDGET (page), "user_entry");
  password_entry = casedb_gui_test_find_buildable (GTK_WIDGET (page), "password_entry");
  g_assert_true (GTK_IS_ENTRY (user_entry));
  g_assert_true (GTK_IS_PASSWORD_ENTRY (password_entry));

  gtk_editable_set_text (GTK_EDITABLE (user_entry), user);
  gtk_editable_set_text (GTK_EDITABLE (password_entry), password);

  handler = g_signal_connect (page, "unlocked", G_CALLBACK (unlocked_cb), &store);
  gtk_widget_activate_action (GTK_WIDGET (page), "unlock.unlock", NULL);

  /* The key derivation runs in a thread and the password left the entry. */
  g_assert_true (casedb_unlock_page_get_busy (page));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (password_entry)), ==, "");

  while (casedb_unlock_page_get_busy (page))
    g_main_context_iteration (NULL, TRUE);

  g_signal_handler_disconnect (page, handler);

  return store;
}

static CasedbUnlockPage *
new_page_in_window (GtkWindow  **window,
                    const char  *path)
{
  GtkWidget *page = casedb_unlock_page_new ();

  *window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_child (*window, page);
  gtk_window_present (*window);
  casedb_unlock_page_set_path (CASEDB_UNLOCK_PAGE (page), path);

  return CASEDB_UNLOCK_PAGE (page);
}

static void
test_unlock_each_role (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (accounts); i++)
    {
      g_autoptr(CasedbStore) store = NULL;
      CasedbUnlockPage *page;
      GtkWindow *window;

      page = new_page_in_window (&window, db_path);
      store = unlock_with (page, accounts[i].user, accounts[i].password);

      g_assert_nonnull (store);
      g_assert_cmpstr (casedb_store_get_user (store), ==, accounts[i].user);
      g_assert_cmpint (casedb_store_get_role (store), ==, accounts[i].role);
      g_assert_null (casedb_unlock_page_get_error (page));

      casedb_store_close (store);
      gtk_window_destroy (window);
    }
}

static void
test_unlock_wrong_password (void)
{
  g_autoptr(GError) expected = NULL;
  g_autofree char *message = NULL;
  CasedbUnlockPage *page;
  CasedbStore *store;
  GtkWindow *window;

  page = new_page_in_window (&window, db_path);
  store = unlock_with (page, "karim", "not-the-password-at-all");

  g_assert_null (store);
  expected = g_error_new_literal (CASEDB_ERROR, CASEDB_ERROR_WRONG_PASSWORD, "");
  message = casedb_unlock_page_describe_error (expected, db_path);
  g_assert_cmpstr (casedb_unlock_page_get_error (page), ==, message);

  /* An unknown user reads the same: no hint about which accounts exist. */
  store = unlock_with (page, "nobody", accounts[0].password);
  g_assert_null (store);
  g_assert_cmpstr (casedb_unlock_page_get_error (page), ==, message);

  /* The right password afterwards still works. */
  store = unlock_with (page, "karim", accounts[1].password);
  g_assert_nonnull (store);
  g_assert_null (casedb_unlock_page_get_error (page));
  casedb_gui_test_close_store (store);

  gtk_window_destroy (window);
}

static void
test_unlock_missing_files (void)
{
  g_autofree char *missing = g_build_filename (tmpdir, "nothing-here.casedb", NULL);
  g_autofree char *orphan = g_build_filename (tmpdir, "orphan.casedb", NULL);
  g_autofree char *orphan_keys = casedb_store_keyslots_path (orphan);
  CasedbUnlockPage *page;
  CasedbStore *store;
  GtkWindow *window;

  page = new_page_in_window (&window, missing);
  store = unlock_with (page, "sara", accounts[0].password);
  g_assert_null (store);
  g_assert_nonnull (casedb_unlock_page_get_error (page));
  g_assert_nonnull (strstr (casedb_unlock_page_get_error (page), "does not exist"));

  /* A database whose key-slot file went missing. */
  store = casedb_test_create_store (orphan, "sara", accounts[0].password);
  casedb_gui_test_close_store (store);
  g_assert_cmpint (g_unlink (orphan_keys), ==, 0);

  casedb_unlock_page_set_path (page, orphan);
  store = unlock_with (page, "sara", accounts[0].password);
  g_assert_null (store);
  g_assert_nonnull (strstr (casedb_unlock_page_get_error (page), "key file"));

  gtk_window_destroy (window);
}

static void
test_unlock_damaged (void)
{
  g_autofree char *damaged = g_build_filename (tmpdir, "damaged.casedb", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  CasedbUnlockPage *page;
  CasedbStore *store;
  GtkWindow *window;
  gsize len;

  store = casedb_test_create_store (damaged, "sara", accounts[0].password);
  casedb_gui_test_close_store (store);

  /* Flip bytes in the first page of the encrypted database. */
  g_file_get_contents (damaged, &contents, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, >, 64);
  for (gsize i = 16; i < 64; i++)
    contents[i] ^= 0x5a;
  g_file_set_contents (damaged, contents, len, &error);
  g_assert_no_error (error);

  page = new_page_in_window (&window, damaged);
  store = unlock_with (page, "sara", accounts[0].password);
  g_assert_null (store);
  g_assert_nonnull (strstr (casedb_unlock_page_get_error (page), "damaged"));

  gtk_window_destroy (window);
}

static void
collect_editables (GtkWidget *widget,
                   GPtrArray *out)
{
  if (GTK_IS_ENTRY (widget) || GTK_IS_PASSWORD_ENTRY (widget))
    {
      g_ptr_array_add (out, widget);
      return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_editables (child, out);
}

static void
test_new_database (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "created.casedb", NULL);
  g_autoptr(GPtrArray) entries = g_ptr_array_new ();
  CasedbStore *store = NULL;
  AdwMessageDialog *dialog;
  CasedbUnlockPage *page;
  GtkWindow *window;
  gulong handler;

  page = new_page_in_window (&window, NULL);
  gtk_widget_activate_action (GTK_WIDGET (page), "unlock.new-database", NULL);
  dialog = casedb_gui_test_find_message_dialog (NULL);
  g_assert_nonnull (dialog);

  /* File, supervisor, password, repeat. */
  collect_editables (GTK_WIDGET (dialog), entries);
  g_assert_cmpuint (entries->len, ==, 4);
  g_assert_true (GTK_IS_PASSWORD_ENTRY (entries->pdata[2]));
  g_assert_true (GTK_IS_PASSWORD_ENTRY (entries->pdata[3]));

  gtk_editable_set_text (entries->pdata[0], path);
  gtk_editable_set_text (entries->pdata[1], "amina");
  gtk_editable_set_text (entries->pdata[2], "too-short");
  gtk_editable_set_text (entries->pdata[3], "too-short");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "create"));

  gtk_editable_set_text (entries->pdata[2], "a long enough passphrase");
  gtk_editable_set_text (entries->pdata[3], "a long enough passphrasf");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "create"));

  gtk_editable_set_text (entries->pdata[1], "amina k");
  gtk_editable_set_text (entries->pdata[3], "a long enough passphrase");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "create"));

  gtk_editable_set_text (entries->pdata[1], "amina");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "create"));

  handler = g_signal_connect (page, "unlocked", G_CALLBACK (unlocked_cb), &store);
  /* What a click on Create does: respond, then close. */
  adw_message_dialog_response (dialog, "create");
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_true (casedb_unlock_page_get_busy (page));
  while (casedb_unlock_page_get_busy (page))
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (page, handler);

  g_assert_nonnull (store);
  g_assert_cmpstr (casedb_store_get_user (store), ==, "amina");
  g_assert_cmpint (casedb_store_get_role (store), ==, CASEDB_ROLE_SUPERVISOR);
  g_assert_cmpstr (casedb_unlock_page_get_path (page), ==, path);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  casedb_gui_test_close_store (store);

  /* An existing database is never overwritten. */
  gtk_widget_activate_action (GTK_WIDGET (page), "unlock.new-database", NULL);
  dialog = casedb_gui_test_find_message_dialog (NULL);
  g_ptr_array_set_size (entries, 0);
  collect_editables (GTK_WIDGET (dialog), entries);
  gtk_editable_set_text (entries->pdata[0], path);
  gtk_editable_set_text (entries->pdata[1], "other");
  gtk_editable_set_text (entries->pdata[2], "another long passphrase");
  gtk_editable_set_text (entries->pdata[3], "another long passphrase");
  store = NULL;
  handler = g_signal_connect (page, "unlocked", G_CALLBACK (unlocked_cb), &store);
  /* What a click on Create does: respond, then close. */
  adw_message_dialog_response (dialog, "create");
  gtk_window_close (GTK_WINDOW (dialog));
  while (casedb_unlock_page_get_busy (page))
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (page, handler);
  g_assert_null (store);
  g_assert_nonnull (strstr (casedb_unlock_page_get_error (page), "already exists"));

  gtk_window_destroy (window);
}

/* The window builds only the pages a role may use. */
static void
test_window_pages_per_role (void)
{
  static const char * const page_names[] = { "statistics", "users", "audit", "share" };

  for (guint i = 0; i < G_N_ELEMENTS (accounts); i++)
    {
      g_autoptr(CasedbStore) store = NULL;
      CasedbWindow *window;
      CasedbUnlockPage *page;
      gboolean supervisor = accounts[i].role == CASEDB_ROLE_SUPERVISOR;
      gboolean analyst = accounts[i].role == CASEDB_ROLE_ANALYST;

      window = casedb_window_new (NULL);
      gtk_window_present (GTK_WINDOW (window));
      page = CASEDB_UNLOCK_PAGE (casedb_window_get_unlock_page (window));
      casedb_unlock_page_set_path (page, db_path);

      store = unlock_with (page, accounts[i].user, accounts[i].password);
      g_assert_nonnull (store);
      g_assert_true (casedb_window_get_store (window) == store);
      g_assert_nonnull (casedb_window_get_case_list (window));

      /* Only the case list is built at unlock; the other pages when first
       * shown, and a page the role may not use cannot be shown at all. */
      g_assert_null (casedb_gui_test_find_type (GTK_WIDGET (window), CASEDB_TYPE_STATISTICS_PAGE));
      g_assert_null (casedb_gui_test_find_type (GTK_WIDGET (window), CASEDB_TYPE_AUDIT_PAGE));
      for (guint p = 0; p < G_N_ELEMENTS (page_names); p++)
        gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", page_names[p]);

      g_assert_cmpint (casedb_gui_test_find_type (GTK_WIDGET (window), CASEDB_TYPE_STATISTICS_PAGE) != NULL,
                       ==, supervisor || analyst);
      g_assert_cmpint (casedb_gui_test_find_type (GTK_WIDGET (window), CASEDB_TYPE_USERS_PAGE) != NULL,
                       ==, supervisor);
      g_assert_cmpint (casedb_gui_test_find_type (GTK_WIDGET (window), CASEDB_TYPE_AUDIT_PAGE) != NULL,
                       ==, supervisor);
      g_assert_cmpint (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "new-case"), ==,
                       !analyst);

      casedb_window_lock (window);
      g_assert_null (casedb_window_get_store (window));
      g_assert_null (casedb_gui_test_find_type (GTK_WIDGET (window), CASEDB_TYPE_STATISTICS_PAGE));
      g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "new-case"));

      gtk_window_destroy (GTK_WINDOW (window));
    }
}

/* With no input for auto-lock-minutes the window locks by itself. */
static void
test_window_auto_lock (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(CasedbStore) store = NULL;
  CasedbWindow *window;
  gint64 start;
  gint64 elapsed;

  store = casedb_gui_test_open_as (db_path, "karim", accounts[1].password);

  g_settings_set_uint (settings, "auto-lock-minutes", 1);
  window = casedb_window_new (NULL);
  gtk_window_present (GTK_WINDOW (window));
  casedb_window_set_store (window, store);
  g_assert_nonnull (casedb_window_get_case_list (window));

  start = g_get_monotonic_time ();
  while (casedb_window_get_store (window) != NULL
         && g_get_monotonic_time () - start < 90 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  elapsed = g_get_monotonic_time () - start;

  g_assert_null (casedb_window_get_store (window));
  g_assert_null (casedb_window_get_case_list (window));
  g_assert_cmpint (elapsed, >=, 59 * G_USEC_PER_SEC);

  g_settings_reset (settings, "auto-lock-minutes");
  gtk_window_destroy (GTK_WINDOW (window));
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
  db_path = g_build_filename (tmpdir, "unlock.casedb", NULL);
  store = casedb_test_create_store (db_path, accounts[0].user, accounts[0].password);
  for (guint i = 1; i < G_N_ELEMENTS (accounts); i++)
    casedb_test_add_user (store, accounts[i].user, accounts[i].role, accounts[i].password);
  casedb_gui_test_close_store (store);

  g_test_add_func ("/gui/unlock/each-role", test_unlock_each_role);
  g_test_add_func ("/gui/unlock/wrong-password", test_unlock_wrong_password);
  g_test_add_func ("/gui/unlock/missing-files", test_unlock_missing_files);
  g_test_add_func ("/gui/unlock/damaged", test_unlock_damaged);
  g_test_add_func ("/gui/unlock/new-database", test_new_database);
  g_test_add_func ("/gui/window/pages-per-role", test_window_pages_per_role);
  g_test_add_func ("/gui/window/auto-lock", test_window_auto_lock);

  ret = g_test_run ();

  casedb_test_rmtree (tmpdir);
  g_free (db_path);
  g_free (tmpdir);

  return ret;
}
