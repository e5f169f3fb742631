/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-latency"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "casedb-case-list.h"
#include "casedb-gui-test-util.h"
#include "casedb-test-util.h"
#include "casedb-unlock-page.h"
#include "casedb-window.h"

/*
 * casedb-gui-latency --dir DIR [--cases N] [--sort K]
 *
 * Measures issue 5 on synthetic cases only: creates DIR/latency-N.casedb
 * once (cheap Argon2id cost, a fixed test password that is nobody's
 * secret), unlocks it through the window's unlock page as a user would,
 * and prints the window's "Case list shown N ms after unlock" line and the
 * resident memory, then sorts by K columns one after the other.  Not a
 * test: run it under Xvfb, e.g.
 *
 *   xvfb-run -a -s '-screen 0 1400x900x24' env G_MESSAGES_DEBUG=casedb-gui \
 *     GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR=_build/data GSK_RENDERER=cairo \
 *     GTK_A11Y=none /usr/bin/time -v _build/tests/gui/casedb-gui-latency --dir /tmp/lat
 *
 * The first run at a given --cases creates the database (8 s at 100,000).
 */

#define USER     "sara"
#define PASSWORD "latency-test-password"

static char *shown_message;
static gint64 shown_at;

static GLogWriterOutput
latency_log_writer (GLogLevelFlags   log_level,
                    const GLogField *fields,
                    gsize            n_fields,
                    gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }

  if (g_strcmp0 (domain, "casedb-gui") == 0 && message != NULL
      && g_str_has_prefix (message, "Case list shown") && shown_message == NULL)
    {
      shown_message = g_strdup (message);
      shown_at = g_get_monotonic_time ();
    }

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static void
print_memory (const char *when)
{
  g_autofree char *status = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return;
  lines = g_strsplit (status, "\n", -1);
  g_print ("%-28s", when);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "VmRSS:") || g_str_has_prefix (lines[i], "VmHWM:"))
      {
        g_auto(GStrv) parts = g_strsplit_set (lines[i], " \t", -1);
        guint64 kib = 0;

        for (guint j = 1; parts[j] != NULL; j++)
          if (parts[j][0] != '\0')
            {
              kib = g_ascii_strtoull (parts[j], NULL, 10);
              break;
            }
        g_print ("  %s %6.1f MiB", g_str_has_prefix (lines[i], "VmRSS") ? "RSS" : "peak",
                 kib / 1024.0);
      }
  g_print ("\n");
}

/* Runs the main loop until @widget painted @n more frames and nothing is pending. */
static void
wait_frames (GtkWidget *widget,
             guint      n)
{
  guint n_frames = 0;
  guint id = casedb_gui_test_count_frames (widget, &n_frames);

  while (n_frames < n)
    {
      gtk_widget_queue_draw (widget);
      g_main_context_iteration (NULL, TRUE);
    }
  gtk_widget_remove_tick_callback (widget, id);
}

static void
create_database (const char *path,
                 guint       n_cases)
{
  g_autoptr(CasedbStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_print ("Creating %s with %u synthetic cases…\n", path, n_cases);
  store = casedb_test_create_store (path, USER, PASSWORD);
  if (!casedb_demo_populate (store, n_cases, 42, &error))
    g_error ("%s", error->message);
  casedb_store_close (store);
  g_print ("Created in %.1f s\n", (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  CasedbWindow *window;
  CasedbUnlockPage *page;
  GtkWidget *column_view;
  GListModel *columns;
  GListModel *rows;
  gint64 start;
  int n_cases = 100000;
  int n_sort = 5;
  GOptionEntry entries[] = {
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir, "Folder of the synthetic database (kept)", "DIR" },
    { "cases", 'n', 0, G_OPTION_ARG_INT, &n_cases, "Number of synthetic cases", "N" },
    { "sort", 's', 0, G_OPTION_ARG_INT, &n_sort, "Columns to sort by afterwards", "K" },
    { NULL }
  };

  setlocale (LC_ALL, "");
  context = g_option_context_new ("— time from unlock to the case list on screen");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || dir == NULL || n_cases < 1)
    {
      g_printerr ("casedb-gui-latency: %s\n", error != NULL ? error->message : "--dir is required");
      return 1;
    }

  g_log_set_writer_func (latency_log_writer, NULL, NULL);
  if (!casedb_core_init (&error))
    g_error ("%s", error->message);
  gtk_init ();
  adw_init ();

  g_mkdir_with_parents (dir, 0700);
  name = g_strdup_printf ("latency-%d.casedb", n_cases);
  path = g_build_filename (dir, name, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    create_database (path, n_cases);

  window = casedb_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  page = CASEDB_UNLOCK_PAGE (casedb_window_get_unlock_page (window));
  casedb_window_set_database (window, path);
  wait_frames (GTK_WIDGET (window), 5);
  print_memory ("before unlock");

  gtk_editable_set_text (GTK_EDITABLE (casedb_gui_test_find_buildable (GTK_WIDGET (page), "user_entry")),
                         USER);
  gtk_editable_set_text (GTK_EDITABLE (casedb_gui_test_find_buildable (GTK_WIDGET (page), "password_entry")),
                         PASSWORD);
  gtk_widget_activate_action (GTK_WIDGET (page), "unlock.unlock", NULL);

  start = g_get_monotonic_time ();
  while (shown_message == NULL && g_get_monotonic_time () - start < 60 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  if (shown_message == NULL)
    g_error ("The case list was not shown within a minute (G_MESSAGES_DEBUG must include casedb-gui)");

  /* The monotonic clock is perf's "-k CLOCK_MONOTONIC": for perf report --time. */
  g_print ("%s (%d cases), shown at monotonic %.6f s\n", shown_message, n_cases,
           shown_at / (double) G_USEC_PER_SEC);
  wait_frames (GTK_WIDGET (window), 5);
  print_memory ("after unlock");

  column_view = casedb_gui_test_find_type (casedb_window_get_case_list (window), GTK_TYPE_COLUMN_VIEW);
  columns = gtk_column_view_get_columns (GTK_COLUMN_VIEW (column_view));
  rows = casedb_case_list_get_model (CASEDB_CASE_LIST (casedb_window_get_case_list (window)));
  for (guint i = 0; i < (guint) n_sort && i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);
      g_autofree char *label = g_strdup_printf ("after sorting by %s", gtk_column_view_column_get_title (column));
      gint64 sort_start = g_get_monotonic_time ();

      gtk_column_view_sort_by_column (GTK_COLUMN_VIEW (column_view), column, GTK_SORT_DESCENDING);
      while (GTK_IS_SORT_LIST_MODEL (rows) && gtk_sort_list_model_get_pending (GTK_SORT_LIST_MODEL (rows)) > 0)
        g_main_context_iteration (NULL, TRUE);
      wait_frames (GTK_WIDGET (window), 3);
      g_print ("sorted in %6.0f ms; ", (g_get_monotonic_time () - sort_start) / 1000.0);
      print_memory (label);
    }

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_pointer (&shown_message, g_free);
  return 0;
}
