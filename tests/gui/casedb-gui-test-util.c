/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <glib/gi18n.h>

#include "casedb-gui-test-util.h"

gboolean
casedb_gui_test_init (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (argc != NULL, FALSE);
  g_return_val_if_fail (argv != NULL, FALSE);

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display (run under xvfb-run)\n");
      return FALSE;
    }

  gtk_test_init (argc, argv, NULL);
  adw_init ();
  if (!casedb_core_init (&error))
    g_error ("core init: %s", error->message);

  return TRUE;
}

void
casedb_gui_test_iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

void
casedb_gui_test_settle (void)
{
  for (guint i = 0; i < 20; i++)
    casedb_gui_test_iterate ();
}

static gboolean
count_frame_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  guint *n_frames = user_data;

  (*n_frames)++;
  return G_SOURCE_CONTINUE;
}

guint
casedb_gui_test_count_frames (GtkWidget *widget,
                              guint     *n_frames)
{
  g_return_val_if_fail (GTK_IS_WIDGET (widget), 0);
  g_return_val_if_fail (n_frames != NULL, 0);

  return gtk_widget_add_tick_callback (widget, count_frame_cb, n_frames, NULL);
}

GtkWidget *
casedb_gui_test_find_buildable (GtkWidget  *root,
                                const char *id)
{
  g_return_val_if_fail (GTK_IS_WIDGET (root), NULL);

  if (g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (root)), id) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = casedb_gui_test_find_buildable (child, id);

      if (found != NULL)
        return found;
    }

  return NULL;
}

GtkWidget *
casedb_gui_test_find_type (GtkWidget *root,
                           GType      type)
{
  g_return_val_if_fail (GTK_IS_WIDGET (root), NULL);

  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = casedb_gui_test_find_type (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

GtkWidget *
casedb_gui_test_find_named (GtkWidget  *root,
                            const char *name)
{
  g_return_val_if_fail (GTK_IS_WIDGET (root), NULL);

  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = casedb_gui_test_find_named (child, name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

guint
casedb_gui_test_count_type (GtkWidget *root,
                            GType      type)
{
  guint n;

  g_return_val_if_fail (GTK_IS_WIDGET (root), 0);

  n = G_TYPE_CHECK_INSTANCE_TYPE (root, type) ? 1 : 0;
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += casedb_gui_test_count_type (child, type);

  return n;
}

static void
append_line (GString    *out,
             const char *text)
{
  g_string_append (out, text);
  g_string_append_c (out, '\n');
}

void
casedb_gui_test_collect_text (GtkWidget         *root,
                              CasedbGuiTestText  what,
                              GString           *out)
{
  g_return_if_fail (GTK_IS_WIDGET (root));
  g_return_if_fail (out != NULL);

  if ((what & CASEDB_GUI_TEST_TEXT_LABELS) != 0 && GTK_IS_LABEL (root))
    append_line (out, gtk_label_get_text (GTK_LABEL (root)));
  if ((what & CASEDB_GUI_TEST_TEXT_EDITABLES) != 0 && GTK_IS_EDITABLE (root))
    append_line (out, gtk_editable_get_text (GTK_EDITABLE (root)));
  if ((what & CASEDB_GUI_TEST_TEXT_TEXT_VIEWS) != 0 && GTK_IS_TEXT_VIEW (root))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (root));
      g_autofree char *text = NULL;
      GtkTextIter start;
      GtkTextIter end;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      text = gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
      append_line (out, text);
    }
  if ((what & CASEDB_GUI_TEST_TEXT_TOOLTIPS) != 0 && gtk_widget_get_tooltip_text (root) != NULL)
    append_line (out, gtk_widget_get_tooltip_text (root));
  if ((what & CASEDB_GUI_TEST_TEXT_BUTTONS) != 0 && GTK_IS_BUTTON (root)
      && gtk_button_get_label (GTK_BUTTON (root)) != NULL)
    append_line (out, gtk_button_get_label (GTK_BUTTON (root)));

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    casedb_gui_test_collect_text (child, what, out);
}

char *
casedb_gui_test_dup_text (GtkWidget         *root,
                          CasedbGuiTestText  what)
{
  GString *out;

  g_return_val_if_fail (GTK_IS_WIDGET (root), NULL);

  out = g_string_new (NULL);
  casedb_gui_test_collect_text (root, what, out);
  return g_string_free (out, FALSE);
}

AdwMessageDialog *
casedb_gui_test_find_message_dialog (GtkWindow *parent)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* transfer none */
  AdwMessageDialog *found = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (!ADW_IS_MESSAGE_DIALOG (window) || !gtk_widget_get_visible (GTK_WIDGET (window)))
        continue;
      if (parent != NULL && gtk_window_get_transient_for (window) != parent)
        continue;

      /* Two at once means the one a user would answer is ambiguous. */
      g_assert_null (found);
      found = ADW_MESSAGE_DIALOG (window);
    }

  /* The list of toplevels keeps its reference to @found. */
  return found;
}

CasedbStore *
casedb_gui_test_open_as (const char *path,
                         const char *user,
                         const char *password)
{
  g_autoptr(GError) error = NULL;
  CasedbStore *store;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);

  store = casedb_store_open (path, user, password, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

void
casedb_gui_test_close_store (CasedbStore *store)
{
  g_return_if_fail (CASEDB_IS_STORE (store));

  casedb_store_close (store);
  g_object_unref (store);
}
