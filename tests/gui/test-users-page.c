/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "casedb-gui-test-util.h"
#include "casedb-test-util.h"
#include "casedb-users-page.h"

/*
 * The supervisor's Users page: moving someone to analyst through its dialog
 * marks the Re-encrypt row as due, with the date, until a rekey is done.
 */

#define SUPERVISOR_PASSWORD "supervisor passphrase 1"
#define CASEWORKER_PASSWORD "caseworker passphrase 2"

typedef struct {
  char        *dir;
  char        *path;
  CasedbStore *store;
  GtkWindow   *window;
  GtkWidget   *page;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = casedb_test_mkdtemp ();
  f->path = g_build_filename (f->dir, "users.casedb", NULL);
  f->store = casedb_test_create_store (f->path, "sara", SUPERVISOR_PASSWORD);
  casedb_test_add_user (f->store, "karim", CASEDB_ROLE_CASEWORKER, CASEWORKER_PASSWORD);

  f->window = GTK_WINDOW (gtk_window_new ());
  f->page = casedb_users_page_new (f->store);
  gtk_window_set_child (f->window, f->page);
  gtk_window_present (f->window);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  gtk_window_destroy (f->window);
  casedb_gui_test_close_store (g_steal_pointer (&f->store));
  casedb_test_rmtree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static gpointer
template_child (Fixture *f, const char *name)
{
  return gtk_widget_get_template_child (f->page, CASEDB_TYPE_USERS_PAGE, name);
}

static void
change_role (Fixture *f, const char *user, CasedbRole role)
{
  AdwMessageDialog *dialog;
  AdwComboRow *combo;

  g_assert_true (gtk_widget_activate_action (f->page, "users.change-role", "s", user));
  dialog = casedb_gui_test_find_message_dialog (NULL);
  g_assert_nonnull (dialog);
  combo = ADW_COMBO_ROW (casedb_gui_test_find_type (adw_message_dialog_get_extra_child (dialog),
                                                    ADW_TYPE_COMBO_ROW));
  g_assert_nonnull (combo);
  adw_combo_row_set_selected (combo, role);
  adw_message_dialog_response (dialog, "apply");
  casedb_gui_test_iterate ();
}

static gboolean
rekey_shown_due (Fixture *f)
{
  GtkWidget *icon = template_child (f, "rekey_icon");
  GtkWidget *button = template_child (f, "rekey_button");
  const char *subtitle = adw_action_row_get_subtitle (template_child (f, "rekey_row"));
  gboolean due = gtk_widget_get_visible (icon);

  /* The icon, the words and the button all say the same. */
  g_assert_cmpint (due, ==, strstr (subtitle, "Due since") != NULL);
  g_assert_cmpint (due, ==, gtk_widget_has_css_class (button, "suggested-action"));
  return due;
}

static void
test_users_page_rekey_due (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  CasedbRole role = CASEDB_ROLE_SUPERVISOR;

  g_assert_false (rekey_shown_due (f));

  /* Caseworker → supervisor gives keys: nothing is due. */
  change_role (f, "karim", CASEDB_ROLE_SUPERVISOR);
  g_assert_false (rekey_shown_due (f));

  /* Supervisor → analyst takes the identity key away. */
  change_role (f, "karim", CASEDB_ROLE_ANALYST);
  {
    g_autoptr(GPtrArray) users = casedb_store_list_users (f->store, &error);

    g_assert_no_error (error);
    for (guint i = 0; i < users->len; i++)
      {
        CasedbUserInfo *u = g_ptr_array_index (users, i);

        if (g_strcmp0 (u->name, "karim") == 0)
          role = u->role;
      }
  }
  g_assert_cmpint (role, ==, CASEDB_ROLE_ANALYST);
  g_assert_true (rekey_shown_due (f));

  g_assert_true (casedb_store_rekey (f->store, &error));
  g_assert_no_error (error);
  casedb_users_page_refresh (CASEDB_USERS_PAGE (f->page));
  g_assert_false (rekey_shown_due (f));
}

int
main (int   argc,
      char *argv[])
{
  if (!casedb_gui_test_init (&argc, &argv))
    return 0;

  g_test_add ("/users-page/rekey-due", Fixture, NULL, fixture_setup, test_users_page_rekey_due,
              fixture_teardown);
  return g_test_run ();
}
