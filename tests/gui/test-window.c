/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "casedb-gui-test-util.h"
#include "casedb-test-util.h"
#include "casedb-unlock-page.h"
#include "casedb-window.h"

/*
 * The window's password reminder, its "Change Password" dialog and the
 * emergency wipe (win.wipe), as a user drives them.
 */

static char *tmpdir;

typedef struct {
  char *path;
  char *keys;
} Db;

static void
db_clear (Db *db)
{
  g_free (db->path);
  g_free (db->keys);
}

/* sara (supervisor) and karim (caseworker); sara's password set
 * @sara_age_days ago. */
static void
db_create (Db *db, const char *name, guint sara_age_days)
{
  g_autoptr(CasedbStore) store = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_days (now, -(gint) sara_age_days);
  g_autofree char *old_date = g_date_time_format (then, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *contents = NULL;
  g_autoptr(GString) edited = NULL;
  const char *at;

  db->path = g_build_filename (tmpdir, name, NULL);
  db->keys = casedb_store_keyslots_path (db->path);
  store = casedb_test_create_store (db->path, "sara", "sara-password-1");
  casedb_test_add_user (store, "karim", CASEDB_ROLE_CASEWORKER, "karim-password-1");
  casedb_store_close (store);

  if (sara_age_days == 0)
    return;

  /* Back-date sara's slot, as a file written before the checksum existed
   * (the only way to age a password in a test). */
  g_assert_true (g_file_get_contents (db->keys, &contents, NULL, NULL));
  edited = g_string_new (contents);
  at = strstr (edited->str, "\"password_changed\" : \"");
  g_assert_nonnull (at);
  at += strlen ("\"password_changed\" : \"");
  g_assert_cmpuint (strlen (old_date), ==, strlen ("2024-01-01T00:00:00Z"));
  memcpy ((char *) at, old_date, strlen (old_date));
  at = strstr (edited->str, ",\n  \"checksum\"");
  g_assert_nonnull (at);
  g_string_truncate (edited, at - edited->str);
  g_string_append (edited, "\n}\n");
  g_assert_true (g_file_set_contents (db->keys, edited->str, edited->len, NULL));
}

static CasedbWindow *
window_for (Db *db, const char *user, const char *password)
{
  g_autoptr(CasedbStore) store = casedb_gui_test_open_as (db->path, user, password);
  CasedbWindow *window;

  window = casedb_window_new (NULL);
  gtk_window_present (GTK_WINDOW (window));
  casedb_unlock_page_set_path (CASEDB_UNLOCK_PAGE (casedb_window_get_unlock_page (window)), db->path);
  casedb_window_set_store (window, store);
  return window;
}

static GtkWidget *
find_label_prefix (GtkWidget *widget, const char *prefix)
{
  if (GTK_IS_LABEL (widget) && g_str_has_prefix (gtk_label_get_label (GTK_LABEL (widget)), prefix))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label_prefix (child, prefix);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Rows of exactly @type, in order. */
static void
collect (GtkWidget *widget, GType type, GPtrArray *out)
{
  if (G_OBJECT_TYPE (widget) == type)
    g_ptr_array_add (out, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect (child, type, out);
}

static void
test_window_password_reminder (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbStore) reopened = NULL;
  AdwMessageDialog *dialog;
  CasedbWindow *window;
  Db db = { 0 };

  db_create (&db, "reminder.casedb", 200);
  g_settings_set_uint (settings, "password-max-age-days", 90);

  /* karim's password is new: no reminder. */
  window = window_for (&db, "karim", "karim-password-1");
  g_assert_null (find_label_prefix (GTK_WIDGET (window), "Your password is"));
  gtk_window_destroy (GTK_WINDOW (window));

  /* Off when the setting is 0. */
  g_settings_set_uint (settings, "password-max-age-days", 0);
  window = window_for (&db, "sara", "sara-password-1");
  g_assert_null (find_label_prefix (GTK_WIDGET (window), "Your password is"));
  gtk_window_destroy (GTK_WINDOW (window));

  g_settings_set_uint (settings, "password-max-age-days", 90);
  window = window_for (&db, "sara", "sara-password-1");
  g_assert_nonnull (find_label_prefix (GTK_WIDGET (window),
                                       "Your password is 200 days old — change it at irregular intervals"));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "change-password"));

  /* The toast's button: old, new, new again. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "change-password", NULL);
  dialog = casedb_gui_test_find_message_dialog (GTK_WINDOW (window));
  g_assert_nonnull (dialog);
  collect (GTK_WIDGET (dialog), ADW_TYPE_PASSWORD_ENTRY_ROW, rows);
  g_assert_cmpuint (rows->len, ==, 3);
  gtk_editable_set_text (GTK_EDITABLE (rows->pdata[0]), "sara-password-1");
  gtk_editable_set_text (GTK_EDITABLE (rows->pdata[1]), "sara-new-password-2");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "change"));
  gtk_editable_set_text (GTK_EDITABLE (rows->pdata[2]), "sara-new-password-2");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "change"));
  adw_message_dialog_response (dialog, "change");
  casedb_gui_test_iterate ();

  reopened = casedb_store_open (db.path, "sara", "sara-password-1", &error);
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_WRONG_PASSWORD);
  g_clear_error (&error);
  reopened = casedb_store_open (db.path, "sara", "sara-new-password-2", &error);
  g_assert_no_error (error);
  casedb_store_close (reopened);
  gtk_window_destroy (GTK_WINDOW (window));

  /* Changed today: no more reminder. */
  window = window_for (&db, "sara", "sara-new-password-2");
  g_assert_null (find_label_prefix (GTK_WIDGET (window), "Your password is"));
  gtk_window_destroy (GTK_WINDOW (window));

  db_clear (&db);
}

static gboolean
busy_shown (CasedbWindow *window)
{
  GtkWidget *title = find_label_prefix (GTK_WIDGET (window), "Wiping the Database");

  return title != NULL && gtk_widget_get_mapped (title);
}

/* Fills the wipe dialog and answers "wipe"; waits for the worker. */
static void
wipe_through_dialog (CasedbWindow *window, const char *password)
{
  g_autoptr(GPtrArray) passwords = g_ptr_array_new ();
  g_autoptr(GPtrArray) words = g_ptr_array_new ();
  AdwMessageDialog *dialog;
  gint64 start;

  g_action_group_activate_action (G_ACTION_GROUP (window), "wipe", NULL);
  dialog = casedb_gui_test_find_message_dialog (GTK_WINDOW (window));
  g_assert_nonnull (dialog);
  collect (GTK_WIDGET (dialog), ADW_TYPE_PASSWORD_ENTRY_ROW, passwords);
  collect (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW, words);
  g_assert_cmpuint (passwords->len, ==, 1);
  g_assert_cmpuint (words->len, ==, 1);

  gtk_editable_set_text (GTK_EDITABLE (passwords->pdata[0]), password);
  gtk_editable_set_text (GTK_EDITABLE (words->pdata[0]), "wipe");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "wipe"));
  gtk_editable_set_text (GTK_EDITABLE (words->pdata[0]), "WIPE");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "wipe"));
  adw_message_dialog_response (dialog, "wipe");

  /* Locked at once, then the busy page until the worker is done. */
  start = g_get_monotonic_time ();
  while (casedb_window_get_store (window) != NULL && g_get_monotonic_time () - start < 10 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (casedb_window_get_store (window));
  while (busy_shown (window) && g_get_monotonic_time () - start < 30 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (busy_shown (window));
  casedb_gui_test_iterate ();
}

static void
test_window_wipe (void)
{
  CasedbUnlockPage *page;
  CasedbWindow *window;
  Db db = { 0 };

  db_create (&db, "wipe.casedb", 0);

  /* Only supervisors have the action. */
  window = window_for (&db, "karim", "karim-password-1");
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "wipe"));
  gtk_window_destroy (GTK_WINDOW (window));

  /* A wrong password wipes nothing and says so on the unlock page. */
  window = window_for (&db, "sara", "sara-password-1");
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "wipe"));
  wipe_through_dialog (window, "not-the-password");
  page = CASEDB_UNLOCK_PAGE (casedb_window_get_unlock_page (window));
  g_assert_nonnull (casedb_unlock_page_get_error (page));
  g_assert_nonnull (strstr (casedb_unlock_page_get_error (page), "not wiped"));
  g_assert_true (g_file_test (db.keys, G_FILE_TEST_IS_REGULAR));
  gtk_window_destroy (GTK_WINDOW (window));

  window = window_for (&db, "sara", "sara-password-1");
  wipe_through_dialog (window, "sara-password-1");
  page = CASEDB_UNLOCK_PAGE (casedb_window_get_unlock_page (window));
  g_assert_null (casedb_unlock_page_get_error (page));
  g_assert_false (g_file_test (db.keys, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (db.path, G_FILE_TEST_EXISTS));
  g_assert_null (casedb_unlock_page_get_path (page));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "wipe"));
  gtk_window_destroy (GTK_WINDOW (window));

  db_clear (&db);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  if (!casedb_gui_test_init (&argc, &argv))
    return 0;

  tmpdir = casedb_test_mkdtemp ();

  g_test_add_func ("/gui/window/password-reminder", test_window_password_reminder);
  g_test_add_func ("/gui/window/wipe", test_window_wipe);

  ret = g_test_run ();

  casedb_test_rmtree (tmpdir);
  g_free (tmpdir);

  return ret;
}
