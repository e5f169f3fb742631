/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-share-page"

#include "config.h"

#include <glib/gi18n.h>

#include "casedb-backup.h"
#include "casedb-error.h"
#include "casedb-export.h"
#include "casedb-import.h"
#include "casedb-secure.h"
#include "casedb-share-page.h"
#include "casedb-summary.h"
#include "casedb-transfer.h"

/*
 * Import & Export: CSV import (EDIT_CASES), the anonymized summary (EXPORT)
 * and encrypted backups (BACKUP).  A section the role lacks is removed from
 * the page when it is made, never merely hidden.
 *
 * The store is not thread-safe, so every store call runs on the main thread;
 * a slow one (Argon2id for a backup) is started from a low-priority idle so
 * that the spinner is drawn first.
 */

typedef enum {
  JOB_NONE,
  JOB_BACKUP,
  JOB_UN,
  JOB_TRANSFER_EXPORT,
  JOB_TRANSFER_OPEN,
} Job;

/* A preview longer than this helps nobody: the rest is counted. */
#define MAX_PROBLEMS_SHOWN    50

struct _CasedbSharePage
{
  AdwBin                parent_instance;

  CasedbStore          *store;
  GFile                *import_file;
  GtkFileChooserNative *chooser;
  AdwMessageDialog     *dialog;
  GtkWidget            *passphrase_entry;
  GtkWidget            *again_entry;
  GtkLabel             *dialog_hint;
  Job                   job;
  char                 *job_path;
  char                 *passphrase;       /* secure memory */
  guint                 job_source;
  CasedbTransferBundle *bundle;           /* an opened package, with identities */

  /* Template widgets */
  GtkBox               *sections;
  GtkWidget            *import_group;
  AdwActionRow         *import_file_row;
  GtkButton            *import_choose_button;
  GtkListBox           *import_preview;
  GtkButton            *import_button;
  GtkWidget            *summary_group;
  AdwComboRow          *period_row;
  GtkSpinButton        *min_cell_spin;
  AdwComboRow          *format_row;
  GtkLabel             *summary_excluded_label;
  GtkButton            *summary_print_button;
  GtkButton            *summary_save_button;
  GtkWidget            *backup_group;
  AdwActionRow         *backup_row;
  GtkSpinner           *backup_spinner;
  GtkButton            *backup_button;
  GtkWidget            *un_group;
  AdwActionRow         *un_identities_row;
  GtkSwitch            *un_identities_switch;
  GtkLabel             *un_result_label;
  GtkButton            *un_button;
  GtkWidget            *transfer_group;
  GtkSwitch            *transfer_all_switch;
  AdwActionRow         *transfer_import_row;
  GtkButton            *transfer_open_button;
  GtkButton            *transfer_export_button;
  GtkButton            *transfer_import_button;
  GtkWidget            *conflicts_group;
  GtkListBox           *conflicts_list;
};

enum {
  CASES_IMPORTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CasedbSharePage, casedb_share_page, ADW_TYPE_BIN)

static void
casedb_share_page_toast (CasedbSharePage *self,
                         const char      *message)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (message));
  else
    g_debug ("No toast overlay for: %s", message);
}

static GtkWindow *
casedb_share_page_get_window (CasedbSharePage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

/* ---- CSV import ---- */

static void
casedb_share_page_clear_preview (CasedbSharePage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->import_preview))) != NULL)
    gtk_list_box_remove (self->import_preview, child);
  gtk_widget_set_visible (GTK_WIDGET (self->import_preview), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->import_button), FALSE);
}

static void
casedb_share_page_add_preview_line (CasedbSharePage *self,
                                    const char      *text,
                                    gboolean         problem)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *icon = gtk_image_new_from_icon_name (problem ? "dialog-warning-symbolic"
                                                          : "object-select-symbolic");
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_add_css_class (icon, problem ? "warning" : "success");
  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), label);
  gtk_list_box_append (self->import_preview, box);
  gtk_widget_set_visible (GTK_WIDGET (self->import_preview), TRUE);
}

static char *
casedb_share_page_format_problem (const CasedbImportProblem *problem)
{
  if (problem->column != NULL)
    /* Translators: an import problem: "Line 4, column “incident_date”: …" */
    return g_strdup_printf (_("Line %u, column “%s”: %s"),
                            problem->line, problem->column, problem->message);

  /* Translators: an import problem that is not about one column. */
  return g_strdup_printf (_("Line %u: %s"), problem->line, problem->message);
}

void
casedb_share_page_preview_import (CasedbSharePage *self,
                                  GFile           *file)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) cases = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;

  g_return_if_fail (CASEDB_IS_SHARE_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (self->import_group != NULL);

  casedb_share_page_clear_preview (self);
  g_set_object (&self->import_file, file);

  basename = g_file_get_basename (file);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self->import_file_row), FALSE);
  adw_action_row_set_subtitle (self->import_file_row, basename);

  if (!g_file_load_contents (file, NULL, &data, &len, NULL, &error))
    {
      casedb_share_page_add_preview_line (self, error->message, TRUE);
      g_clear_object (&self->import_file);
      return;
    }

  cases = casedb_import_parse_csv (data, len, basename, &problems, &error);
  /* The file holds names of children: do not leave a copy in freed memory. */
  casedb_secure_wipe (data, len);

  if (cases != NULL && (problems == NULL || problems->len == 0))
    {
      g_autofree char *text = NULL;

      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%u case ready to import",
                                           "%u cases ready to import",
                                           cases->len),
                              cases->len);
      casedb_share_page_add_preview_line (self, text, FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->import_button), TRUE);
      return;
    }

  if (problems == NULL || problems->len == 0)
    casedb_share_page_add_preview_line (self,
                                        error != NULL ? error->message : _("The file has no cases."),
                                        TRUE);

  for (guint i = 0; problems != NULL && i < problems->len && i < MAX_PROBLEMS_SHOWN; i++)
    {
      g_autofree char *text = casedb_share_page_format_problem (g_ptr_array_index (problems, i));

      casedb_share_page_add_preview_line (self, text, TRUE);
    }

  if (problems != NULL && problems->len > MAX_PROBLEMS_SHOWN)
    {
      guint more = problems->len - MAX_PROBLEMS_SHOWN;
      g_autofree char *text = NULL;

      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "and %u more problem",
                                           "and %u more problems",
                                           more),
                              more);
      casedb_share_page_add_preview_line (self, text, TRUE);
    }

  g_clear_object (&self->import_file);
}

static GtkFileFilter *
casedb_share_page_filter (const char *name,
                          const char *pattern)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  gtk_file_filter_add_pattern (filter, pattern);
  return filter;
}

static void
casedb_share_page_import_response_cb (CasedbSharePage      *self,
                                      int                   response,
                                      GtkFileChooserNative *chooser)
{
  g_assert (CASEDB_IS_SHARE_PAGE (self));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        casedb_share_page_preview_import (self, file);
    }

  g_clear_object (&self->chooser);
}

static void
casedb_share_page_import_choose_cb (CasedbSharePage *self,
                                    GtkButton       *button)
{
  g_autoptr(GtkFileFilter) csv = NULL;
  g_autoptr(GtkFileFilter) all = NULL;

  g_assert (CASEDB_IS_SHARE_PAGE (self));

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Import Cases"),
                                               casedb_share_page_get_window (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Open"), _("_Cancel"));
  csv = casedb_share_page_filter (_("CSV Files"), "*.[cC][sS][vV]");
  all = casedb_share_page_filter (_("All Files"), "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), csv);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (casedb_share_page_import_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
casedb_share_page_import_cb (CasedbSharePage *self,
                             GtkButton       *button)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  guint n_cases = 0;

  g_assert (CASEDB_IS_SHARE_PAGE (self));

  if (self->import_file == NULL || self->store == NULL)
    return;

  path = g_file_get_path (self->import_file);
  casedb_share_page_clear_preview (self);
  g_clear_object (&self->import_file);

  if (path == NULL)
    {
      casedb_share_page_add_preview_line (self, _("Only local files can be imported."), TRUE);
      return;
    }

  /* The file is read and checked again: it may have changed since the
   * preview.  All of its cases are stored or none. */
  if (!casedb_import_csv_file (self->store, path, &n_cases, &error))
    {
      casedb_share_page_add_preview_line (self, error->message, TRUE);
      return;
    }

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u case imported",
                                       "%u cases imported",
                                       n_cases),
                          n_cases);
  casedb_share_page_add_preview_line (self, text, FALSE);
  adw_action_row_set_subtitle (self->import_file_row, _("No file chosen"));
  casedb_share_page_toast (self, text);
  g_signal_emit (self, signals[CASES_IMPORTED], 0);
}

/* ---- anonymized summary ---- */

static CasedbSummary *
casedb_share_page_make_summary (CasedbSharePage  *self,
                                GError          **error)
{
  static const CasedbPeriod periods[] = {
    CASEDB_PERIOD_MONTH, CASEDB_PERIOD_QUARTER, CASEDB_PERIOD_YEAR,
  };
  g_autoptr(CasedbSummary) summary = NULL;
  g_autofree char *text = NULL;
  guint selected = adw_combo_row_get_selected (self->period_row);
  guint excluded;

  if (selected >= G_N_ELEMENTS (periods))
    selected = 0;

  summary = casedb_summary_new (self->store, periods[selected],
                                (guint) gtk_spin_button_get_value_as_int (self->min_cell_spin),
                                error);
  if (summary == NULL)
    return NULL;

  excluded = casedb_summary_get_n_excluded (summary);
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u case left out (no consent)",
                                       "%u cases left out (no consent)",
                                       excluded),
                          excluded);
  gtk_label_set_text (self->summary_excluded_label, text);

  return g_steal_pointer (&summary);
}

static void
casedb_share_page_summary_response_cb (CasedbSharePage      *self,
                                       int                   response,
                                       GtkFileChooserNative *chooser)
{
  static const CasedbSummaryFormat formats[] = {
    CASEDB_SUMMARY_CSV, CASEDB_SUMMARY_JSON, CASEDB_SUMMARY_PDF,
  };
  g_autoptr(CasedbSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  guint format;

  g_assert (CASEDB_IS_SHARE_PAGE (self));

  if (response != GTK_RESPONSE_ACCEPT)
    {
      g_clear_object (&self->chooser);
      return;
    }

  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  path = file != NULL ? g_file_get_path (file) : NULL;
  g_clear_object (&self->chooser);

  if (path == NULL)
    {
      casedb_share_page_toast (self, _("Only local files can be written."));
      return;
    }

  format = adw_combo_row_get_selected (self->format_row);
  if (format >= G_N_ELEMENTS (formats))
    format = 0;

  if (self->store == NULL ||
      (summary = casedb_share_page_make_summary (self, &error)) == NULL ||
      !casedb_summary_write (summary, formats[format], path, &error))
    {
      casedb_share_page_toast (self, error != NULL ? error->message : _("The database is locked."));
      return;
    }

  casedb_share_page_toast (self, _("Summary saved"));
}

static void
casedb_share_page_summary_save_cb (CasedbSharePage *self,
                                   GtkButton       *button)
{
  static const char * const extensions[] = { "csv", "json", "pdf" };
  g_autofree char *name = NULL;
  guint format;

  g_assert (CASEDB_IS_SHARE_PAGE (self));

  if (self->chooser != NULL)
    return;

  format = adw_combo_row_get_selected (self->format_row);
  if (format >= G_N_ELEMENTS (extensions))
    format = 0;
  /* Translators: the suggested file name of a summary, without extension. */
  name = g_strdup_printf ("%s.%s", _("casedb-summary"), extensions[format]);

  self->chooser = gtk_file_chooser_native_new (_("Save Summary"),
                                               casedb_share_page_get_window (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (casedb_share_page_summary_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
casedb_share_page_begin_print_cb (GtkPrintOperation *operation,
                                  GtkPrintContext   *context,
                                  CasedbSummary     *summary)
{
  gtk_print_operation_set_n_pages (operation,
                                   casedb_summary_get_n_pages (summary,
                                                               gtk_print_context_get_width (context),
                                                               gtk_print_context_get_height (context)));
}

static void
casedb_share_page_draw_page_cb (GtkPrintOperation *operation,
                                GtkPrintContext   *context,
                                int                page,
                                CasedbSummary     *summary)
{
  casedb_summary_draw_page (summary, gtk_print_context_get_cairo_context (context),
                            gtk_print_context_get_width (context),
                            gtk_print_context_get_height (context), page);
}

static void
casedb_share_page_print_done_cb (CasedbSharePage         *self,
                                 GtkPrintOperationResult  result,
                                 GtkPrintOperation       *operation)
{
  g_autoptr(GError) error = NULL;

  g_assert (CASEDB_IS_SHARE_PAGE (self));

  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      gtk_print_operation_get_error (operation, &error);
      casedb_share_page_toast (self, error != NULL ? error->message : _("Printing failed"));
    }
}

static void
casedb_share_page_summary_print_cb (CasedbSharePage *self,
                                    GtkButton       *button)
{
  g_autoptr(GError) error = NULL;
  CasedbSummary *summary;
  GtkPrintOperation *operation;

  g_assert (CASEDB_IS_SHARE_PAGE (self));

  if (self->store == NULL || (summary = casedb_share_page_make_summary (self, &error)) == NULL)
    {
      casedb_share_page_toast (self, error != NULL ? error->message : _("The database is locked."));
      return;
    }

  /* The operation owns the summary and itself until "done": the page may
   * be destroyed meanwhile (the window locks), the print job need not. */
  operation = gtk_print_operation_new ();
  g_object_set_data_full (G_OBJECT (operation), "casedb-summary", summary,
                          (GDestroyNotify) casedb_summary_free);
  gtk_print_operation_set_allow_async (operation, TRUE);
  gtk_print_operation_set_job_name (operation, _("CaseDB Summary"));
  g_signal_connect (operation, "begin-print",
                    G_CALLBACK (casedb_share_page_begin_print_cb), summary);
  g_signal_connect (operation, "draw-page",
                    G_CALLBACK (casedb_share_page_draw_page_cb), summary);
  g_signal_connect_object (operation, "done",
                           G_CALLBACK (casedb_share_page_print_done_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect (operation, "done", G_CALLBACK (g_object_unref), NULL);

  if (gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                               casedb_share_page_get_window (self), &error) ==
      GTK_PRINT_OPERATION_RESULT_ERROR)
    casedb_share_page_toast (self, error->message);
}

/* ---- passphrase jobs: backup, UN package, transfers ---- */

static void
casedb_share_page_update_last_backup (CasedbSharePage *self)
{
  g_autoptr(GDateTime) last = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *when = NULL;
  g_autofree char *text = NULL;

  if (self->backup_group == NULL || self->store == NULL)
    return;

  last = casedb_store_get_last_backup (self->store);
  if (last == NULL)
    {
      adw_action_row_set_subtitle (self->backup_row, _("Last backup: never"));
      return;
    }

  local = g_date_time_to_local (last);
  when = g_date_time_format (local, "%x %H:%M");
  /* Translators: %s is a date and time. */
  text = g_strdup_printf (_("Last backup: %s"), when);
  adw_action_row_set_subtitle (self->backup_row, text);
}

static void
casedb_share_page_clear_transfer (CasedbSharePage *self)
{
  g_clear_pointer (&self->bundle, casedb_transfer_bundle_free);
  if (self->transfer_group == NULL)
    return;
  adw_action_row_set_subtitle (self->transfer_import_row, _("No package opened"));
  gtk_widget_set_visible (GTK_WIDGET (self->transfer_import_button), FALSE);
}

static void
casedb_share_page_resolve_cb (CasedbSharePage *self,
                              GtkButton       *button)
{
  g_autoptr(GError) error = NULL;
  const char *uuid = g_object_get_data (G_OBJECT (button), "casedb-uuid");
  const char *peer = g_object_get_data (G_OBJECT (button), "casedb-peer");
  gboolean theirs = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "casedb-theirs"));

  g_assert (CASEDB_IS_SHARE_PAGE (self));

  if (self->store == NULL)
    return;

  if (!casedb_transfer_resolve (self->store, uuid, peer, theirs, &error))
    casedb_share_page_toast (self, error->message);
  else
    {
      casedb_share_page_toast (self, theirs ? _("Their version was taken")
                                            : _("Your version was kept"));
      if (theirs)
        g_signal_emit (self, signals[CASES_IMPORTED], 0);
    }

  /* Rebuilding the list destroys @button: nothing may use it after this. */
  casedb_share_page_refresh (self);
}

static GtkWidget *
casedb_share_page_resolve_button (CasedbSharePage          *self,
                                  const CasedbConflictInfo *info,
                                  const char               *label,
                                  gboolean                  theirs)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (button), "casedb-uuid", g_strdup (info->uuid), g_free);
  g_object_set_data_full (G_OBJECT (button), "casedb-peer", g_strdup (info->peer), g_free);
  g_object_set_data (G_OBJECT (button), "casedb-theirs", GINT_TO_POINTER (theirs));
  g_signal_connect_object (button, "clicked", G_CALLBACK (casedb_share_page_resolve_cb),
                           self, G_CONNECT_SWAPPED);
  return button;
}

static void
casedb_share_page_update_conflicts (CasedbSharePage *self)
{
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  if (self->conflicts_group == NULL || self->store == NULL)
    return;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->conflicts_list))) != NULL)
    gtk_list_box_remove (self->conflicts_list, child);

  conflicts = casedb_store_list_conflicts (self->store, &error);
  if (conflicts == NULL || conflicts->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     error != NULL ? error->message : _("No conflicts"));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      gtk_list_box_append (self->conflicts_list, row);
      return;
    }

  for (guint i = 0; i < conflicts->len; i++)
    {
      const CasedbConflictInfo *info = g_ptr_array_index (conflicts, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *subtitle = NULL;

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     info->code != NULL ? info->code : _("Deleted here"));
      /* Translators: "From office <database id>, received <date>". */
      subtitle = g_strdup_printf (_("From office %s, received %s"), info->peer, info->received);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 casedb_share_page_resolve_button (self, info, _("_Keep Mine"), FALSE));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 casedb_share_page_resolve_button (self, info, _("_Take Theirs"), TRUE));
      gtk_list_box_append (self->conflicts_list, row);
    }
}

static void
casedb_share_page_set_busy (CasedbSharePage *self,
                            gboolean         busy)
{
  if (self->backup_spinner != NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->backup_spinner), busy);
      gtk_spinner_set_spinning (self->backup_spinner, busy);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->sections), !busy);
  if (busy)
    gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "wait");
  else
    gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
}

static void
casedb_share_page_preview_transfer (CasedbSharePage *self,
                                    const char      *name)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint counts[CASEDB_MERGE_CONFLICT + 1] = { 0, };

  items = casedb_transfer_preview (self->store, self->bundle, &error);
  if (items == NULL)
    {
      casedb_share_page_clear_transfer (self);
      casedb_share_page_toast (self, error->message);
      return;
    }

  for (guint i = 0; i < items->len; i++)
    {
      const CasedbTransferItem *item = g_ptr_array_index (items, i);

      if ((guint) item->action < G_N_ELEMENTS (counts))
        counts[item->action]++;
    }

  /* Translators: preview of a received transfer package. */
  text = g_strdup_printf (_("%s: %u new, %u updated, %u unchanged, %u conflicts"),
                          name, counts[CASEDB_MERGE_NEW], counts[CASEDB_MERGE_UPDATE],
                          counts[CASEDB_MERGE_SAME], counts[CASEDB_MERGE_CONFLICT]);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self->transfer_import_row), FALSE);
  adw_action_row_set_subtitle (self->transfer_import_row, text);
  gtk_widget_set_visible (GTK_WIDGET (self->transfer_import_button), TRUE);
}

gboolean
casedb_share_page_open_transfer (CasedbSharePage *self,
                                 const char      *path,
                                 const char      *passphrase)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (CASEDB_IS_SHARE_PAGE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (passphrase != NULL, FALSE);
  g_return_val_if_fail (self->transfer_group != NULL, FALSE);

  casedb_share_page_clear_transfer (self);
  self->bundle = casedb_transfer_bundle_open (path, passphrase, &error);
  if (self->bundle == NULL)
    {
      casedb_share_page_toast (self, error->message);
      return FALSE;
    }

  name = g_path_get_basename (path);
  casedb_share_page_preview_transfer (self, name);

  return self->bundle != NULL;
}

static void
casedb_share_page_run_un (CasedbSharePage  *self,
                          const char       *path,
                          GError          **error)
{
  CasedbUnExportResult result = { 0, };
  gboolean identities = self->un_identities_switch != NULL &&
                        gtk_switch_get_active (self->un_identities_switch);
  g_autofree char *text = NULL;

  if (!casedb_export_un (self->store, path, self->passphrase, identities, NULL, &result, error))
    return;

  /* Translators: after a UN package was written. */
  text = g_strdup_printf (_("%u cases written (%u with identities); left out: %u without consent, %u drafts"),
                          result.n_cases, result.n_with_identities,
                          result.n_no_consent, result.n_drafts);
  gtk_label_set_text (self->un_result_label, text);
  casedb_share_page_toast (self, _("UN package saved"));
}

static gboolean
casedb_share_page_run_job (gpointer user_data)
{
  CasedbSharePage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_steal_pointer (&self->job_path);
  g_autofree char *text = NULL;
  guint n = 0;

  self->job_source = 0;

  /* The window locked meanwhile and emptied the page: only forget. */
  if (adw_bin_get_child (ADW_BIN (self)) == NULL)
    {
      self->job = JOB_NONE;
      casedb_secure_clear (&self->passphrase);
      return G_SOURCE_REMOVE;
    }

  if (self->store == NULL)
    g_set_error_literal (&error, CASEDB_ERROR, CASEDB_ERROR_FAILED, _("The database is locked."));
  else
    switch (self->job)
      {
      case JOB_BACKUP:
        if (casedb_backup_create (self->store, path, self->passphrase, NULL, NULL, &error))
          casedb_share_page_toast (self, _("Backup saved"));
        break;

      case JOB_UN:
        casedb_share_page_run_un (self, path, &error);
        break;

      case JOB_TRANSFER_EXPORT:
        if (casedb_transfer_export (self->store, path, self->passphrase,
                                    gtk_switch_get_active (self->transfer_all_switch),
                                    NULL, &n, &error))
          {
            text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                 "Transfer package saved: %u case",
                                                 "Transfer package saved: %u cases",
                                                 n),
                                    n);
            casedb_share_page_toast (self, text);
          }
        break;

      case JOB_TRANSFER_OPEN:
        casedb_share_page_open_transfer (self, path, self->passphrase);
        break;

      case JOB_NONE:
      default:
        g_assert_not_reached ();
      }

  if (error != NULL)
    casedb_share_page_toast (self, error->message);

  self->job = JOB_NONE;
  casedb_secure_clear (&self->passphrase);
  casedb_share_page_set_busy (self, FALSE);
  casedb_share_page_update_last_backup (self);

  return G_SOURCE_REMOVE;
}

static void
casedb_share_page_passphrase_changed_cb (CasedbSharePage *self)
{
  const char *passphrase;
  const char *again;
  gboolean ok = FALSE;

  g_assert (CASEDB_IS_SHARE_PAGE (self));

  if (self->dialog == NULL)
    return;

  passphrase = gtk_editable_get_text (GTK_EDITABLE (self->passphrase_entry));

  /* A received package has the passphrase it was made with. */
  if (self->again_entry == NULL)
    ok = passphrase[0] != '\0';
  else
    {
      again = gtk_editable_get_text (GTK_EDITABLE (self->again_entry));
      if (g_utf8_strlen (passphrase, -1) < CASEDB_PASSPHRASE_MIN_LEN)
        gtk_label_set_text (self->dialog_hint, _("At least 12 characters"));
      else if (g_strcmp0 (passphrase, again) != 0)
        gtk_label_set_text (self->dialog_hint, _("The two passphrases differ"));
      else
        {
          gtk_label_set_text (self->dialog_hint, "");
          ok = TRUE;
        }
    }

  adw_message_dialog_set_response_enabled (self->dialog, "ok", ok);
}

static void
casedb_share_page_passphrase_response_cb (CasedbSharePage  *self,
                                          const char       *response,
                                          AdwMessageDialog *dialog)
{
  gboolean ok;

  g_assert (CASEDB_IS_SHARE_PAGE (self));

  ok = g_strcmp0 (response, "ok") == 0 && self->store != NULL;
  if (ok)
    self->passphrase = casedb_secure_strdup (gtk_editable_get_text (GTK_EDITABLE (self->passphrase_entry)));

  /* The entries keep their text in secure memory; clear it at once all the same. */
  gtk_editable_set_text (GTK_EDITABLE (self->passphrase_entry), "");
  if (self->again_entry != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->again_entry), "");
  self->dialog = NULL;
  self->passphrase_entry = NULL;
  self->again_entry = NULL;
  self->dialog_hint = NULL;

  if (!ok)
    {
      self->job = JOB_NONE;
      g_clear_pointer (&self->job_path, g_free);
      return;
    }

  casedb_share_page_set_busy (self, TRUE);
  /* Low priority: the spinner is drawn before Argon2id blocks the loop. */
  self->job_source = g_idle_add_full (G_PRIORITY_LOW, casedb_share_page_run_job,
                                      g_object_ref (self), g_object_unref);
}

static void
casedb_share_page_dialog_destroy_cb (CasedbSharePage *self)
{
  g_assert (CASEDB_IS_SHARE_PAGE (self));

  /* Closed without an answer (the window locked): nothing to run. */
  if (self->dialog != NULL)
    {
      self->job = JOB_NONE;
      g_clear_pointer (&self->job_path, g_free);
    }
  self->dialog = NULL;
  self->passphrase_entry = NULL;
  self->again_entry = NULL;
  self->dialog_hint = NULL;
}

static GtkWidget *
casedb_share_page_password_entry (const char *label)
{
  GtkWidget *entry = gtk_password_entry_new ();

  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  g_object_set (entry, "placeholder-text", label, NULL);
  return entry;
}

static void
casedb_share_page_ask_passphrase (CasedbSharePage *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gboolean new_package = self->job != JOB_TRANSFER_OPEN;
  GtkWidget *dialog;

  if (new_package)
    dialog = adw_message_dialog_new (casedb_share_page_get_window (self),
                                     _("Choose a Passphrase"),
                                     _("The package is encrypted with this passphrase. Without it the "
                                       "package cannot be opened: give it to the recipient by another "
                                       "way than the package itself."));
  else
    dialog = adw_message_dialog_new (casedb_share_page_get_window (self),
                                     _("Package Passphrase"),
                                     _("Enter the passphrase the package was sealed with."));
  self->dialog = ADW_MESSAGE_DIALOG (dialog);
  self->passphrase_entry = casedb_share_page_password_entry (_("Passphrase"));
  gtk_box_append (GTK_BOX (box), self->passphrase_entry);
  if (new_package)
    {
      self->again_entry = casedb_share_page_password_entry (_("Passphrase again"));
      self->dialog_hint = GTK_LABEL (gtk_label_new (NULL));
      gtk_widget_add_css_class (GTK_WIDGET (self->dialog_hint), "dim-label");
      gtk_box_append (GTK_BOX (box), self->again_entry);
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->dialog_hint));
      g_signal_connect_object (self->again_entry, "changed",
                               G_CALLBACK (casedb_share_page_passphrase_changed_cb),
                               self, G_CONNECT_SWAPPED);
    }
  adw_message_dialog_set_extra_child (self->dialog, box);
  adw_message_dialog_add_responses (self->dialog,
                                    "cancel", _("_Cancel"),
                                    "ok", new_package ? _("_Save") : _("_Open"),
                                    NULL);
  adw_message_dialog_set_response_appearance (self->dialog, "ok", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (self->dialog, "ok");
  adw_message_dialog_set_close_response (self->dialog, "cancel");

  g_signal_connect_object (self->passphrase_entry, "changed",
                           G_CALLBACK (casedb_share_page_passphrase_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (casedb_share_page_passphrase_response_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "destroy",
                           G_CALLBACK (casedb_share_page_dialog_destroy_cb),
                           self, G_CONNECT_SWAPPED);
  casedb_share_page_passphrase_changed_cb (self);

  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (self->passphrase_entry);
}

static void
casedb_share_page_job_file_cb (CasedbSharePage      *self,
                               int                   response,
                               GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;

  g_assert (CASEDB_IS_SHARE_PAGE (self));

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);

  g_clear_pointer (&self->job_path, g_free);
  if (file != NULL)
    self->job_path = g_file_get_path (file);

  if (self->job_path == NULL)
    {
      if (file != NULL)
        casedb_share_page_toast (self, _("Only local files can be used."));
      self->job = JOB_NONE;
      return;
    }

  casedb_share_page_ask_passphrase (self);
}

/* File first, then passphrase: a mistyped path costs nothing, a passphrase
 * typed for nothing would. */
static void
casedb_share_page_start_job (CasedbSharePage *self,
                             Job              job,
                             const char      *title,
                             const char      *suggested_name)
{
  gboolean save = job != JOB_TRANSFER_OPEN;

  if (self->chooser != NULL || self->dialog != NULL || self->job != JOB_NONE || self->store == NULL)
    return;

  self->job = job;
  self->chooser = gtk_file_chooser_native_new (title,
                                               casedb_share_page_get_window (self),
                                               save ? GTK_FILE_CHOOSER_ACTION_SAVE
                                                    : GTK_FILE_CHOOSER_ACTION_OPEN,
                                               save ? _("_Save") : _("_Open"), _("_Cancel"));
  if (suggested_name != NULL)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), suggested_name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (casedb_share_page_job_file_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static char *
casedb_share_page_dated_name (const char *prefix,
                              const char *extension)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d");

  return g_strdup_printf ("%s-%s.%s", prefix, date, extension);
}

static void
casedb_share_page_backup_cb (CasedbSharePage *self,
                             GtkButton       *button)
{
  /* Translators: start of a suggested file name, no spaces. */
  g_autofree char *name = casedb_share_page_dated_name (_("casedb-backup"), "cdbbackup");

  g_assert (CASEDB_IS_SHARE_PAGE (self));

  casedb_share_page_start_job (self, JOB_BACKUP, _("Save Backup"), name);
}

static void
casedb_share_page_un_cb (CasedbSharePage *self,
                         GtkButton       *button)
{
  /* Translators: start of a suggested file name, no spaces. */
  g_autofree char *name = casedb_share_page_dated_name (_("casedb-un-package"), "cdbpkg");

  g_assert (CASEDB_IS_SHARE_PAGE (self));

  casedb_share_page_start_job (self, JOB_UN, _("Save UN Package"), name);
}

static void
casedb_share_page_transfer_export_cb (CasedbSharePage *self,
                                      GtkButton       *button)
{
  /* Translators: start of a suggested file name, no spaces. */
  g_autofree char *name = casedb_share_page_dated_name (_("casedb-transfer"), "cdbpkg");

  g_assert (CASEDB_IS_SHARE_PAGE (self));

  casedb_share_page_start_job (self, JOB_TRANSFER_EXPORT, _("Save Transfer Package"), name);
}

static void
casedb_share_page_transfer_open_cb (CasedbSharePage *self,
                                    GtkButton       *button)
{
  g_assert (CASEDB_IS_SHARE_PAGE (self));

  casedb_share_page_start_job (self, JOB_TRANSFER_OPEN, _("Open Transfer Package"), NULL);
}

static void
casedb_share_page_transfer_import_cb (CasedbSharePage *self,
                                      GtkButton       *button)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint n_conflicts = 0;

  g_assert (CASEDB_IS_SHARE_PAGE (self));

  if (self->bundle == NULL || self->store == NULL)
    return;

  items = casedb_transfer_import (self->store, self->bundle, &error);
  /* The bundle holds identities: it goes as soon as it has been used. */
  casedb_share_page_clear_transfer (self);

  if (items == NULL)
    {
      casedb_share_page_toast (self, error->message);
      return;
    }

  for (guint i = 0; i < items->len; i++)
    if (((CasedbTransferItem *) g_ptr_array_index (items, i))->action == CASEDB_MERGE_CONFLICT)
      n_conflicts++;

  /* Translators: after a transfer package was merged. */
  text = g_strdup_printf (_("%u cases merged, %u conflicts to resolve"),
                          items->len - n_conflicts, n_conflicts);
  casedb_share_page_toast (self, text);
  casedb_share_page_update_conflicts (self);
  g_signal_emit (self, signals[CASES_IMPORTED], 0);
}

/* ---- page ---- */

void
casedb_share_page_refresh (CasedbSharePage *self)
{
  g_return_if_fail (CASEDB_IS_SHARE_PAGE (self));

  casedb_share_page_update_last_backup (self);
  casedb_share_page_update_conflicts (self);
}

static void
casedb_share_page_dispose (GObject *object)
{
  CasedbSharePage *self = (CasedbSharePage *)object;

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  if (self->dialog != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->passphrase_entry), "");
      if (self->again_entry != NULL)
        gtk_editable_set_text (GTK_EDITABLE (self->again_entry), "");
      gtk_window_destroy (GTK_WINDOW (self->dialog));
      self->dialog = NULL;
    }
  g_clear_handle_id (&self->job_source, g_source_remove);
  casedb_secure_clear (&self->passphrase);
  g_clear_pointer (&self->job_path, g_free);
  g_clear_pointer (&self->bundle, casedb_transfer_bundle_free);
  g_clear_object (&self->import_file);
  g_clear_object (&self->store);

  gtk_widget_dispose_template (GTK_WIDGET (self), CASEDB_TYPE_SHARE_PAGE);

  G_OBJECT_CLASS (casedb_share_page_parent_class)->dispose (object);
}

static void
casedb_share_page_class_init (CasedbSharePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = casedb_share_page_dispose;

  /**
   * CasedbSharePage::cases-imported:
   *
   * Cases were stored from a CSV file: lists showing cases are stale.
   */
  signals[CASES_IMPORTED] =
    g_signal_new ("cases-imported",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/example/CaseDB/ui/casedb-share-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, sections);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, import_group);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, import_file_row);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, import_choose_button);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, import_preview);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, import_button);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, summary_group);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, period_row);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, min_cell_spin);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, format_row);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, summary_excluded_label);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, summary_print_button);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, summary_save_button);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, backup_group);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, backup_row);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, backup_spinner);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, backup_button);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, un_group);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, un_identities_row);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, un_identities_switch);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, un_result_label);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, un_button);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, transfer_group);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, transfer_all_switch);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, transfer_import_row);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, transfer_open_button);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, transfer_export_button);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, transfer_import_button);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, conflicts_group);
  gtk_widget_class_bind_template_child (widget_class, CasedbSharePage, conflicts_list);
  gtk_widget_class_bind_template_callback (widget_class, casedb_share_page_import_choose_cb);
  gtk_widget_class_bind_template_callback (widget_class, casedb_share_page_import_cb);
  gtk_widget_class_bind_template_callback (widget_class, casedb_share_page_summary_save_cb);
  gtk_widget_class_bind_template_callback (widget_class, casedb_share_page_summary_print_cb);
  gtk_widget_class_bind_template_callback (widget_class, casedb_share_page_backup_cb);
  gtk_widget_class_bind_template_callback (widget_class, casedb_share_page_un_cb);
  gtk_widget_class_bind_template_callback (widget_class, casedb_share_page_transfer_export_cb);
  gtk_widget_class_bind_template_callback (widget_class, casedb_share_page_transfer_open_cb);
  gtk_widget_class_bind_template_callback (widget_class, casedb_share_page_transfer_import_cb);
}

static void
casedb_share_page_init (CasedbSharePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

gboolean
casedb_share_page_is_allowed (CasedbStore *store)
{
  g_return_val_if_fail (CASEDB_IS_STORE (store), FALSE);

  return casedb_store_can (store, CASEDB_PERM_EDIT_CASES) ||
         casedb_store_can (store, CASEDB_PERM_EXPORT) ||
         casedb_store_can (store, CASEDB_PERM_BACKUP);
}

static void
casedb_share_page_drop_section (CasedbSharePage  *self,
                                GtkWidget       **group)
{
  gtk_box_remove (self->sections, *group);
  *group = NULL;
}

GtkWidget *
casedb_share_page_new (CasedbStore *store)
{
  CasedbSharePage *self;

  g_return_val_if_fail (CASEDB_IS_STORE (store), NULL);

  self = g_object_new (CASEDB_TYPE_SHARE_PAGE, NULL);
  self->store = g_object_ref (store);

  /* Sections a role may not use leave the widget tree at once. */
  if (!casedb_store_can (store, CASEDB_PERM_EDIT_CASES))
    {
      casedb_share_page_drop_section (self, &self->import_group);
      self->import_file_row = NULL;
      self->import_choose_button = NULL;
      self->import_preview = NULL;
      self->import_button = NULL;
    }

  if (!casedb_store_can (store, CASEDB_PERM_EXPORT))
    {
      casedb_share_page_drop_section (self, &self->summary_group);
      self->period_row = NULL;
      self->min_cell_spin = NULL;
      self->format_row = NULL;
      self->summary_excluded_label = NULL;
      self->summary_print_button = NULL;
      self->summary_save_button = NULL;
    }

  if (!casedb_store_can (store, CASEDB_PERM_BACKUP))
    {
      casedb_share_page_drop_section (self, &self->backup_group);
      self->backup_row = NULL;
      self->backup_spinner = NULL;
      self->backup_button = NULL;
    }

  if (!casedb_store_can (store, CASEDB_PERM_EXPORT))
    {
      casedb_share_page_drop_section (self, &self->un_group);
      self->un_identities_row = NULL;
      self->un_identities_switch = NULL;
      self->un_result_label = NULL;
      self->un_button = NULL;
    }
  else if (!casedb_store_can (store, CASEDB_PERM_READ_IDENTITY))
    {
      /* Coded cases only for a role that may not read identities. */
      adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self->un_group),
                                    GTK_WIDGET (self->un_identities_row));
      self->un_identities_row = NULL;
      self->un_identities_switch = NULL;
    }

  /* A transfer package holds every identity, and merging one edits cases. */
  if (!casedb_store_can (store, CASEDB_PERM_EXPORT) ||
      !casedb_store_can (store, CASEDB_PERM_READ_IDENTITY) ||
      !casedb_store_can (store, CASEDB_PERM_EDIT_CASES))
    {
      casedb_share_page_drop_section (self, &self->transfer_group);
      casedb_share_page_drop_section (self, &self->conflicts_group);
      self->transfer_all_switch = NULL;
      self->transfer_import_row = NULL;
      self->transfer_open_button = NULL;
      self->transfer_export_button = NULL;
      self->transfer_import_button = NULL;
      self->conflicts_list = NULL;
    }

  casedb_share_page_refresh (self);

  return GTK_WIDGET (self);
}
