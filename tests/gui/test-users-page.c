/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

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
  casedb_store_close (f->store);
  g_clear_object (&f->store);
  casedb_test_rmtree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static gpointer
template_child (Fixture *f, const char *name)
{
  return gtk_widget_get_template_child (f->page, CASEDB_TYPE_USERS_PAGE, name);
}

static AdwMessageDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* transfer none */
  AdwMessageDialog *found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w)))
        {
          g_assert_null (found);
          found = ADW_MESSAGE_DIALOG (w);
        }
    }
  return found;
}

static AdwComboRow *
find_combo_row (GtkWidget *widget)
{
  if (ADW_IS_COMBO_ROW (widget))
    return ADW_COMBO_ROW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwComboRow *found = find_combo_row (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
change_role (Fixture *f, const char *user, CasedbRole role)
{
  AdwMessageDialog *dialog;
  AdwComboRow *combo;

  g_assert_true (gtk_widget_activate_action (f->page, "users.change-role", "s", user));
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  combo = find_combo_row (adw_message_dialog_get_extra_child (dialog));
  g_assert_nonnull (combo);
  adw_combo_row_set_selected (combo, role);
  adw_message_dialog_response (dialog, "apply");
  while (g_main_context_iteration (NULL, FALSE))
    ;
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
  g_autoptr(GError) error = NULL;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display (run under xvfb-run)\n");
      return 0;
    }

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  if (!casedb_core_init (&error))
    g_error ("core init: %s", error->message);

  g_test_add ("/users-page/rekey-due", Fixture, NULL, fixture_setup, test_users_page_rekey_due,
              fixture_teardown);
  return g_test_run ();
}
