/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-gui"

#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "casedb-case-editor.h"
#include "casedb-case-list.h"
#include "casedb-case-sorter.h"
#include "casedb-core.h"
#include "casedb-gui-util.h"

/* Identity search writes an audit entry per query: do not fire it for one
 * or two typed letters. */
#define MIN_IDENTITY_SEARCH 3

/* GtkListView (and so GtkColumnView) in GTK 4.8 keeps 200 rows alive
 * around its anchor whatever its height: 1,600 cells to bind, style and
 * measure before the first frame.  A new list is shown through a slice of
 * about a screenful, which grows by REVEAL_STEP rows a frame up to
 * REVEAL_ROWS and then lets the whole list through (issue 5). */
#define REVEAL_ROWS      200
#define REVEAL_STEP      40
#define MIN_ROW_HEIGHT   24

typedef enum {
  SIDEBAR_ALL,
  SIDEBAR_VIOLATION,
  SIDEBAR_DRAFTS,
  SIDEBAR_FOLLOWUP,
} SidebarKind;

typedef enum {
  COLUMN_CODE,
  COLUMN_REFERENCE,
  COLUMN_INCIDENT_DATE,
  COLUMN_REGION,
  COLUMN_VIOLATIONS,
  COLUMN_VICTIMS,
  COLUMN_VERIFICATION,
  COLUMN_DRAFT,
  N_COLUMNS
} Column;

struct _CasedbCaseList
{
  AdwBin             parent_instance;

  AdwLeaflet        *leaflet;
  GtkListBox        *sidebar_list;
  GtkStack          *content_stack;
  GtkSearchEntry    *search_entry;
  GtkMenuButton     *filter_button;
  GtkButton         *new_button;
  GtkStack          *list_stack;
  GtkColumnView     *column_view;
  AdwStatusPage     *empty_page;
  GtkButton         *empty_new_button;
  AdwStatusPage     *no_match_page;
  AdwBin            *editor_bin;
  GtkPopover        *filter_popover;
  GtkEntry          *from_entry;
  GtkEntry          *to_entry;
  GtkDropDown       *region_dropdown;
  GtkDropDown       *verification_dropdown;

  CasedbStore       *store;
  /* The listed cases, sorted as the column headers say (issue 5: sorting
   * in a GtkSortListModel made an object and a key for every case). */
  CasedbCaseListModel *rows;
  CasedbCaseSortKey  sort_key;
  /* What casedb_case_list_get_model() returns: the same object whatever
   * list it passes through. */
  GtkSliceListModel *rows_model;
  GtkSliceListModel *reveal_model;
  guint              reveal_tick;
  guint              reveal_frames;
  GtkStringList     *regions;
  GtkLabel          *count_labels[CASEDB_N_VIOLATIONS + 3];
  GtkWidget         *editor;
  gint64             editor_case_id;
  char              *searched;      /* secure memory: it may be a child's name */

  /* The open "Save changes?" question, if any. */
  GTask             *leave_task;
  AdwMessageDialog  *leave_dialog;

  guint              sort_descending : 1;
  guint              updating_filters : 1;
  /* The regions are read when the filters are opened, not at unlock. */
  guint              regions_stale : 1;
};

G_DEFINE_FINAL_TYPE (CasedbCaseList, casedb_case_list, ADW_TYPE_BIN)

enum {
  COUNT_ALL = CASEDB_N_VIOLATIONS,
  COUNT_DRAFTS,
  COUNT_FOLLOWUP,
};

/* Codes, references and dates are never cut short: a narrow window scrolls
 * sideways instead.  @min_chars > 0 lets a column ellipsize down to that. */
static const struct {
  const char        *title;
  CasedbCaseSortKey  sort_key;
  gboolean           numeric;
  gboolean           expand;
  int                min_chars;
} column_info[N_COLUMNS] = {
  [COLUMN_CODE]          = { N_("Code"), CASEDB_CASE_SORT_CODE, FALSE, FALSE, 0 },
  [COLUMN_REFERENCE]     = { N_("Reference"), CASEDB_CASE_SORT_REFERENCE, FALSE, FALSE, 0 },
  [COLUMN_INCIDENT_DATE] = { N_("Incident Date"), CASEDB_CASE_SORT_INCIDENT_DATE, FALSE, FALSE, 0 },
  [COLUMN_REGION]        = { N_("Region"), CASEDB_CASE_SORT_REGION, FALSE, TRUE, 10 },
  [COLUMN_VIOLATIONS]    = { N_("Violations"), CASEDB_CASE_SORT_VIOLATIONS, FALSE, TRUE, 14 },
  [COLUMN_VICTIMS]       = { N_("Victims"), CASEDB_CASE_SORT_VICTIMS, TRUE, FALSE, 0 },
  [COLUMN_VERIFICATION]  = { N_("Verification"), CASEDB_CASE_SORT_VERIFICATION, TRUE, FALSE, 10 },
  [COLUMN_DRAFT]         = { N_("Draft"), CASEDB_CASE_SORT_DRAFT, TRUE, FALSE, 0 },
};

/* ---- the query from the widgets ---- */

typedef struct
{
  CasedbQuery  query;
  char        *text;
  char        *from;
  char        *to;
  char        *region;
} QueryStrings;

static void
query_strings_clear (QueryStrings *q)
{
  g_clear_pointer (&q->text, g_free);
  g_clear_pointer (&q->from, g_free);
  g_clear_pointer (&q->to, g_free);
  g_clear_pointer (&q->region, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (QueryStrings, query_strings_clear)

static char *
casedb_case_list_check_date (GtkEntry *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  gboolean valid = text[0] == '\0' || casedb_date_valid (text);

  if (valid)
    gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");

  return valid && text[0] != '\0' ? g_strdup (text) : NULL;
}

/* Fills @q from the search entry and the filters; with @with_sidebar also
 * from the category chosen in the sidebar. */
static void
casedb_case_list_build_query (CasedbCaseList *self,
                              QueryStrings   *q,
                              gboolean        with_sidebar)
{
  g_autofree char *text = NULL;
  GtkListBoxRow *row;
  guint selected;

  g_assert (CASEDB_IS_CASE_LIST (self));

  q->query = (CasedbQuery) CASEDB_QUERY_INIT;

  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));
  if (text[0] != '\0')
    q->query.text = q->text = g_steal_pointer (&text);

  q->query.from = q->from = casedb_case_list_check_date (self->from_entry);
  q->query.to = q->to = casedb_case_list_check_date (self->to_entry);

  selected = gtk_drop_down_get_selected (self->region_dropdown);
  if (selected != GTK_INVALID_LIST_POSITION && selected > 0 && self->regions != NULL)
    q->query.region = q->region = g_strdup (gtk_string_list_get_string (self->regions, selected));

  selected = gtk_drop_down_get_selected (self->verification_dropdown);
  if (selected != GTK_INVALID_LIST_POSITION && selected > 0)
    q->query.verification = (int)selected - 1;

  if (!with_sidebar)
    return;

  row = gtk_list_box_get_selected_row (self->sidebar_list);
  if (row == NULL)
    return;

  switch (GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "casedb-kind")))
    {
    case SIDEBAR_VIOLATION:
      q->query.violation = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "casedb-violation"));
      break;

    case SIDEBAR_DRAFTS:
      q->query.draft = 1;
      break;

    case SIDEBAR_FOLLOWUP:
      q->query.needs_followup = 1;
      break;

    case SIDEBAR_ALL:
    default:
      break;
    }
}

/* ---- counts and rows ---- */

static void
casedb_case_list_set_count (CasedbCaseList *self,
                            guint           index,
                            guint           count)
{
  g_autofree char *text = g_strdup_printf ("%u", count);

  gtk_label_set_text (self->count_labels[index], text);
}

static void
casedb_case_list_update_counts (CasedbCaseList *self)
{
  g_auto(QueryStrings) q = { 0 };
  g_autoptr(GError) error = NULL;
  guint counts[CASEDB_N_VIOLATIONS] = { 0 };
  guint total = 0;
  gint64 start;

  g_assert (CASEDB_IS_CASE_LIST (self));

  casedb_case_list_build_query (self, &q, FALSE);

  start = g_get_monotonic_time ();
  if (!casedb_store_count_by_violation (self->store, &q.query, counts, &total, &error))
    {
      g_debug ("Counting cases failed: %s", error->message);
      return;
    }

  for (guint i = 0; i < CASEDB_N_VIOLATIONS; i++)
    casedb_case_list_set_count (self, i, counts[i]);
  casedb_case_list_set_count (self, COUNT_ALL, total);

  q.query.draft = 1;
  if (casedb_store_count_by_violation (self->store, &q.query, counts, &total, NULL))
    casedb_case_list_set_count (self, COUNT_DRAFTS, total);

  q.query.draft = -1;
  q.query.needs_followup = 1;
  if (casedb_store_count_by_violation (self->store, &q.query, counts, &total, NULL))
    casedb_case_list_set_count (self, COUNT_FOLLOWUP, total);

  g_debug ("Counted cases in %.0f ms", (g_get_monotonic_time () - start) / 1000.0);
}

static int
casedb_case_list_compare_ids (gconstpointer a,
                              gconstpointer b)
{
  gint64 id_a = *(const gint64 *) a;
  gint64 id_b = *(const gint64 *) b;

  return (id_a > id_b) - (id_a < id_b);
}

/* Whether the sorted @ids hold @id.  (An empty GArray has no data for bsearch().) */
static gboolean
casedb_case_list_has_id (GArray *ids,
                         gint64  id)
{
  return ids->len > 0 &&
         bsearch (&id, ids->data, ids->len, sizeof (gint64), casedb_case_list_compare_ids) != NULL;
}

/* Rows matching @q plus, for roles that may read identities, the rows
 * whose victim or guardian names match the search text, in the store's
 * order. (transfer full) */
static CasedbCaseListModel *
casedb_case_list_query_rows (CasedbCaseList  *self,
                             QueryStrings    *q,
                             GError         **error)
{
  g_autoptr(GListModel) coded = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GArray) coded_ids = NULL;
  g_autoptr(GListModel) unfiltered = NULL;
  CasedbCaseListModel *coded_rows;
  CasedbCaseListModel *unfiltered_rows;
  CasedbCaseListModel *both;
  CasedbQuery without_text;
  guint n_coded;
  guint n_extra = 0;

  g_assert (CASEDB_IS_CASE_LIST (self));

  if (!(coded = casedb_store_list_cases (self->store, &q->query, error)))
    return NULL;
  coded_rows = CASEDB_CASE_LIST_MODEL (coded);

  if (q->text == NULL
      || g_utf8_strlen (q->text, -1) < MIN_IDENTITY_SEARCH
      || !casedb_store_can (self->store, CASEDB_PERM_READ_IDENTITY))
    return CASEDB_CASE_LIST_MODEL (g_steal_pointer (&coded));

  if (!(ids = casedb_store_search_identities (self->store, q->text, error)))
    return NULL;
  if (ids->len == 0)
    return CASEDB_CASE_LIST_MODEL (g_steal_pointer (&coded));

  /* Ids only: no row object for each of 100,000 cases. */
  n_coded = g_list_model_get_n_items (coded);
  coded_ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_coded);
  for (guint i = 0; i < n_coded; i++)
    {
      gint64 id = casedb_case_list_model_get_id (coded_rows, i);

      g_array_append_val (coded_ids, id);
    }
  g_array_sort (coded_ids, casedb_case_list_compare_ids);
  g_array_sort (ids, casedb_case_list_compare_ids);
  for (guint i = 0; i < ids->len; i++)
    if (!casedb_case_list_has_id (coded_ids, g_array_index (ids, gint64, i)))
      n_extra++;
  if (n_extra == 0)
    return CASEDB_CASE_LIST_MODEL (g_steal_pointer (&coded));

  /* The other filters still apply to identity matches. */
  without_text = q->query;
  without_text.text = NULL;
  if (!(unfiltered = casedb_store_list_cases (self->store, &without_text, error)))
    return NULL;
  unfiltered_rows = CASEDB_CASE_LIST_MODEL (unfiltered);

  both = casedb_case_list_model_new ();
  for (guint i = 0, n = g_list_model_get_n_items (unfiltered); i < n; i++)
    {
      gint64 id = casedb_case_list_model_get_id (unfiltered_rows, i);

      if (casedb_case_list_has_id (coded_ids, id) || casedb_case_list_has_id (ids, id))
        casedb_case_list_model_append_from (both, unfiltered_rows, i);
    }
  casedb_case_list_model_finish (both);

  return both;
}

static void
casedb_case_list_update_filter_label (CasedbCaseList *self,
                                      QueryStrings   *q)
{
  g_autofree char *label = NULL;
  guint active = 0;

  g_assert (CASEDB_IS_CASE_LIST (self));

  active += q->query.from != NULL;
  active += q->query.to != NULL;
  active += q->query.region != NULL;
  active += q->query.verification >= 0;

  if (active == 0)
    {
      gtk_menu_button_set_label (self->filter_button, _("_Filters"));
      return;
    }

  /* Translators: the filter button when @active filters are set. */
  label = g_strdup_printf (_("_Filters (%u)"), active);
  gtk_menu_button_set_label (self->filter_button, label);
}

static gboolean
casedb_case_list_reveal_tick_cb (GtkWidget     *widget,
                                 GdkFrameClock *frame_clock,
                                 gpointer       user_data)
{
  CasedbCaseList *self = CASEDB_CASE_LIST (widget);
  guint size;

  /* This frame lays out and paints the rows of the first screenful. */
  if (self->reveal_frames++ == 0)
    {
      GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (widget));
      int height = root != NULL ? gtk_widget_get_height (root) : 0;

      gtk_slice_list_model_set_size (self->reveal_model,
                                     height > 0 ? height / MIN_ROW_HEIGHT + 1 : REVEAL_STEP);
      return G_SOURCE_CONTINUE;
    }

  size = gtk_slice_list_model_get_size (self->reveal_model) + REVEAL_STEP;
  if (size < REVEAL_ROWS && size < g_list_model_get_n_items (G_LIST_MODEL (self->rows_model)))
    {
      gtk_slice_list_model_set_size (self->reveal_model, size);
      return G_SOURCE_CONTINUE;
    }

  gtk_slice_list_model_set_size (self->reveal_model, G_MAXUINT);
  self->reveal_tick = 0;
  return G_SOURCE_REMOVE;
}

/* Shows the rows of a new list a screenful first: see REVEAL_ROWS. */
static void
casedb_case_list_start_reveal (CasedbCaseList *self)
{
  g_assert (CASEDB_IS_CASE_LIST (self));

  /* Nothing is bound until the first frame sizes the slice. */
  gtk_slice_list_model_set_size (self->reveal_model, 0);
  self->reveal_frames = 0;
  if (self->reveal_tick == 0)
    self->reveal_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self),
                                                      casedb_case_list_reveal_tick_cb,
                                                      NULL, NULL);
}

static void
casedb_case_list_sort_changed_cb (CasedbCaseList *self,
                                  GtkSorterChange change,
                                  GtkSorter      *sorter)
{
  CasedbCaseSortKey key = CASEDB_CASE_SORT_CODE;
  gboolean descending = FALSE;

  g_assert (CASEDB_IS_CASE_LIST (self));

  /* Disposing the column view takes its columns, and their sorters, away. */
  if (self->column_view == NULL)
    return;

  /* No column chosen: the store's order, which is by code. */
  if (!casedb_case_sorter_get_primary (self->column_view, &key, &descending))
    {
      key = CASEDB_CASE_SORT_CODE;
      descending = FALSE;
    }
  if (key == self->sort_key && descending == self->sort_descending)
    return;

  self->sort_key = key;
  self->sort_descending = descending;
  if (self->rows == NULL)
    return;

  /* A reordered list is a new list to the view: show it a screenful first,
   * and GTK 4.8 does not ask for every row to find ones it knew. */
  casedb_case_list_start_reveal (self);
  casedb_case_list_model_sort (self->rows, self->sort_key, self->sort_descending);
}

static void
casedb_case_list_update_rows (CasedbCaseList *self)
{
  g_auto(QueryStrings) q = { 0 };
  g_autoptr(CasedbCaseListModel) rows = NULL;
  g_autoptr(GError) error = NULL;
  gboolean can_edit;
  guint n_items;
  gint64 start;

  g_assert (CASEDB_IS_CASE_LIST (self));

  start = g_get_monotonic_time ();
  casedb_case_list_build_query (self, &q, TRUE);
  casedb_case_list_update_filter_label (self, &q);
  rows = casedb_case_list_query_rows (self, &q, &error);
  /* The store lists by code: anything else is this list's to do. */
  if (rows != NULL && (self->sort_key != CASEDB_CASE_SORT_CODE || self->sort_descending))
    casedb_case_list_model_sort (rows, self->sort_key, self->sort_descending);
  casedb_case_list_start_reveal (self);
  g_set_object (&self->rows, rows);
  gtk_slice_list_model_set_model (self->rows_model, G_LIST_MODEL (rows));
  g_debug ("Listed %u cases in %.0f ms",
           rows ? g_list_model_get_n_items (G_LIST_MODEL (rows)) : 0,
           (g_get_monotonic_time () - start) / 1000.0);

  if (rows == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The cases could not be listed: %s"),
                                                  error->message);

      adw_status_page_set_title (self->no_match_page, _("Cases Cannot Be Shown"));
      adw_status_page_set_description (self->no_match_page, message);
      gtk_stack_set_visible_child_name (self->list_stack, "no-match");
      return;
    }

  adw_status_page_set_title (self->no_match_page, _("No Matching Cases"));
  adw_status_page_set_description (self->no_match_page,
                                   _("Try other words, another category or fewer filters."));

  n_items = g_list_model_get_n_items (G_LIST_MODEL (rows));
  if (n_items > 0)
    {
      gtk_stack_set_visible_child_name (self->list_stack, "cases");
      return;
    }

  {
    CasedbQuery all = CASEDB_QUERY_INIT;
    guint counts[CASEDB_N_VIOLATIONS];
    guint total = 0;

    if (casedb_store_count_by_violation (self->store, &all, counts, &total, NULL) && total > 0)
      {
        gtk_stack_set_visible_child_name (self->list_stack, "no-match");
        return;
      }
  }

  can_edit = casedb_store_can (self->store, CASEDB_PERM_EDIT_CASES);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_new_button), can_edit);
  adw_status_page_set_description (self->empty_page,
                                   can_edit
                                   ? _("Record the first case with the button below.")
                                   : _("Cases appear here once caseworkers record them."));
  gtk_stack_set_visible_child_name (self->list_stack, "empty");
}

static void
casedb_case_list_update_regions (CasedbCaseList *self)
{
  g_auto(GStrv) regions = NULL;
  g_autofree char *current = NULL;
  g_autoptr(GError) error = NULL;
  guint selected;
  guint new_selected = 0;

  g_assert (CASEDB_IS_CASE_LIST (self));

  selected = gtk_drop_down_get_selected (self->region_dropdown);
  if (self->regions != NULL && selected != GTK_INVALID_LIST_POSITION && selected > 0)
    current = g_strdup (gtk_string_list_get_string (self->regions, selected));

  if (!(regions = casedb_store_list_regions (self->store, &error)))
    {
      g_debug ("Listing regions failed: %s", error->message);
      return;
    }

  self->updating_filters = TRUE;
  g_clear_object (&self->regions);
  self->regions = gtk_string_list_new ((const char * const []) { _("Any Region"), NULL });
  for (guint i = 0; regions[i] != NULL; i++)
    {
      gtk_string_list_append (self->regions, regions[i]);
      if (g_strcmp0 (regions[i], current) == 0)
        new_selected = i + 1;
    }
  gtk_drop_down_set_model (self->region_dropdown, G_LIST_MODEL (self->regions));
  gtk_drop_down_set_selected (self->region_dropdown, new_selected);
  self->updating_filters = FALSE;
}

static void
casedb_case_list_filters_shown_cb (CasedbCaseList *self,
                                   GtkPopover     *popover)
{
  g_assert (CASEDB_IS_CASE_LIST (self));

  if (self->store != NULL && self->regions_stale)
    {
      self->regions_stale = FALSE;
      casedb_case_list_update_regions (self);
    }
}

void
casedb_case_list_refresh (CasedbCaseList *self)
{
  g_return_if_fail (CASEDB_IS_CASE_LIST (self));

  if (self->store == NULL)
    return;

  self->regions_stale = TRUE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self->filter_popover)))
    casedb_case_list_filters_shown_cb (self, self->filter_popover);
  casedb_case_list_update_counts (self);
  casedb_case_list_update_rows (self);
}

/* ---- leaving a case ---- */

gboolean
casedb_case_list_get_modified (CasedbCaseList *self)
{
  g_return_val_if_fail (CASEDB_IS_CASE_LIST (self), FALSE);

  return self->editor != NULL
         && g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "editor") == 0
         && casedb_case_editor_get_modified (CASEDB_CASE_EDITOR (self->editor));
}

static void
casedb_case_list_leave_response_cb (CasedbCaseList   *self,
                                    const char       *response,
                                    AdwMessageDialog *dialog)
{
  g_autoptr(GTask) task = NULL;
  gboolean leave = FALSE;

  g_assert (CASEDB_IS_CASE_LIST (self));

  task = g_steal_pointer (&self->leave_task);
  self->leave_dialog = NULL;
  if (task == NULL)
    return;

  if (g_strcmp0 (response, "save") == 0)
    {
      /* A case that does not validate stays open with its errors shown. */
      gtk_widget_activate_action (self->editor, "editor.save", NULL);
      leave = !casedb_case_editor_get_modified (CASEDB_CASE_EDITOR (self->editor));
    }
  else if (g_strcmp0 (response, "discard") == 0)
    {
      leave = TRUE;
    }

  g_task_return_boolean (task, leave);
}

void
casedb_case_list_confirm_leave_async (CasedbCaseList      *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GtkWidget *dialog;

  g_return_if_fail (CASEDB_IS_CASE_LIST (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, casedb_case_list_confirm_leave_async);

  if (!casedb_case_list_get_modified (self))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (self->leave_task != NULL)
    {
      /* Already asking; the first question decides. */
      g_task_return_boolean (task, FALSE);
      return;
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   _("Save Changes?"),
                                   _("This case has changes that are not saved. "
                                     "Changes that are not saved are lost."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "discard", _("_Discard"),
                                    "save", _("_Save"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (casedb_case_list_leave_response_cb),
                           self, G_CONNECT_SWAPPED);

  self->leave_task = g_steal_pointer (&task);
  self->leave_dialog = ADW_MESSAGE_DIALOG (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

gboolean
casedb_case_list_confirm_leave_finish (CasedbCaseList  *self,
                                       GAsyncResult    *result,
                                       GError         **error)
{
  g_return_val_if_fail (CASEDB_IS_CASE_LIST (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- the editor ---- */

static void
casedb_case_list_show_list (CasedbCaseList *self)
{
  g_assert (CASEDB_IS_CASE_LIST (self));

  if (self->editor != NULL)
    casedb_case_editor_clear (CASEDB_CASE_EDITOR (self->editor));
  self->editor_case_id = 0;
  gtk_stack_set_visible_child_name (self->content_stack, "list");
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

static void
casedb_case_list_editor_saved_cb (CasedbCaseList   *self,
                                  gint64            id,
                                  CasedbCaseEditor *editor)
{
  g_assert (CASEDB_IS_CASE_LIST (self));

  if (self->editor_case_id == 0)
    self->editor_case_id = id;
  casedb_case_list_refresh (self);
}

static void
casedb_case_list_editor_deleted_cb (CasedbCaseList   *self,
                                    gint64            id,
                                    CasedbCaseEditor *editor)
{
  g_assert (CASEDB_IS_CASE_LIST (self));

  if (id == self->editor_case_id
      && g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "editor") == 0)
    casedb_case_list_show_list (self);
  casedb_case_list_refresh (self);
}

static void
casedb_case_list_leave_editor_cb (GObject      *object,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  CasedbCaseList *self = (CasedbCaseList *)object;

  g_assert (CASEDB_IS_CASE_LIST (self));

  if (casedb_case_list_confirm_leave_finish (self, result, NULL))
    casedb_case_list_show_list (self);
}

static void
casedb_case_list_editor_close_cb (CasedbCaseList   *self,
                                  CasedbCaseEditor *editor)
{
  g_assert (CASEDB_IS_CASE_LIST (self));

  casedb_case_list_confirm_leave_async (self, NULL, casedb_case_list_leave_editor_cb, NULL);
}

static void
casedb_case_list_show_editor (CasedbCaseList *self,
                              gint64          id)
{
  g_assert (CASEDB_IS_CASE_LIST (self));

  if (self->store == NULL)
    return;

  if (self->editor == NULL)
    {
      self->editor = casedb_case_editor_new (self->store);
      g_signal_connect_object (self->editor, "saved",
                               G_CALLBACK (casedb_case_list_editor_saved_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->editor, "deleted",
                               G_CALLBACK (casedb_case_list_editor_deleted_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->editor, "close-requested",
                               G_CALLBACK (casedb_case_list_editor_close_cb),
                               self, G_CONNECT_SWAPPED);
      adw_bin_set_child (self->editor_bin, self->editor);
    }

  self->editor_case_id = id;
  casedb_case_editor_load (CASEDB_CASE_EDITOR (self->editor), id);
  gtk_stack_set_visible_child_name (self->content_stack, "editor");
  adw_leaflet_set_visible_child_name (self->leaflet, "content");
}

static void
casedb_case_list_open_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  CasedbCaseList *self = (CasedbCaseList *)object;
  gint64 *id = user_data;

  g_assert (CASEDB_IS_CASE_LIST (self));

  if (casedb_case_list_confirm_leave_finish (self, result, NULL))
    casedb_case_list_show_editor (self, *id);
  g_free (id);
}

void
casedb_case_list_open_case (CasedbCaseList *self,
                            gint64          id)
{
  g_return_if_fail (CASEDB_IS_CASE_LIST (self));
  g_return_if_fail (id >= 0);

  casedb_case_list_confirm_leave_async (self, NULL, casedb_case_list_open_cb,
                                        g_memdup2 (&id, sizeof id));
}

void
casedb_case_list_new_case (CasedbCaseList *self)
{
  g_return_if_fail (CASEDB_IS_CASE_LIST (self));

  if (self->store == NULL || !casedb_store_can (self->store, CASEDB_PERM_EDIT_CASES))
    return;

  casedb_case_list_open_case (self, 0);
}

/* ---- callbacks ---- */

static void
casedb_case_list_row_activated_cb (CasedbCaseList *self,
                                   guint           position,
                                   GtkColumnView  *column_view)
{
  g_autoptr(CasedbCaseRow) row = NULL;

  g_assert (CASEDB_IS_CASE_LIST (self));

  row = g_list_model_get_item (G_LIST_MODEL (gtk_column_view_get_model (column_view)), position);
  if (row != NULL)
    casedb_case_list_open_case (self, casedb_case_row_get_id (row));
}

static void
casedb_case_list_sidebar_selected_cb (CasedbCaseList *self,
                                      GtkListBoxRow  *row,
                                      GtkListBox     *list)
{
  g_assert (CASEDB_IS_CASE_LIST (self));

  if (self->store != NULL && row != NULL)
    casedb_case_list_update_rows (self);
}

static void
casedb_case_list_sidebar_activated_cb (CasedbCaseList *self,
                                       GtkListBoxRow  *row,
                                       GtkListBox     *list)
{
  g_assert (CASEDB_IS_CASE_LIST (self));

  adw_leaflet_set_visible_child_name (self->leaflet, "content");
}

static void
casedb_case_list_sidebar_button_cb (CasedbCaseList *self,
                                    GtkButton      *button)
{
  g_assert (CASEDB_IS_CASE_LIST (self));

  adw_leaflet_set_visible_child_name (self->leaflet, "sidebar");
}

static void
casedb_case_list_search_changed_cb (CasedbCaseList *self,
                                    GtkSearchEntry *entry)
{
  const char *text;

  g_assert (CASEDB_IS_CASE_LIST (self));

  if (self->store == NULL || self->updating_filters)
    return;

  /* Enter right after typing emits both signals; query 100,000 rows once. */
  text = gtk_editable_get_text (GTK_EDITABLE (entry));
  if (g_strcmp0 (text, self->searched ? self->searched : "") == 0)
    return;
  casedb_secure_clear (&self->searched);
  self->searched = casedb_secure_strdup (text);

  casedb_case_list_update_counts (self);
  casedb_case_list_update_rows (self);
}

static void
casedb_case_list_stop_search_cb (CasedbCaseList *self,
                                 GtkSearchEntry *entry)
{
  g_assert (CASEDB_IS_CASE_LIST (self));

  gtk_editable_set_text (GTK_EDITABLE (entry), "");
}

static void
casedb_case_list_filter_changed_cb (CasedbCaseList *self)
{
  g_assert (CASEDB_IS_CASE_LIST (self));

  if (self->store == NULL || self->updating_filters)
    return;

  casedb_case_list_update_counts (self);
  casedb_case_list_update_rows (self);
}

static void
casedb_case_list_reset_filters (CasedbCaseList *self)
{
  g_assert (CASEDB_IS_CASE_LIST (self));

  self->updating_filters = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->from_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->to_entry), "");
  gtk_drop_down_set_selected (self->region_dropdown, 0);
  gtk_drop_down_set_selected (self->verification_dropdown, 0);
  self->updating_filters = FALSE;
}

static void
casedb_case_list_clear_filters_cb (CasedbCaseList *self,
                                   GtkButton      *button)
{
  g_assert (CASEDB_IS_CASE_LIST (self));

  casedb_case_list_reset_filters (self);
  casedb_case_list_filter_changed_cb (self);
  gtk_popover_popdown (self->filter_popover);
}

static void
casedb_case_list_clear_all_cb (CasedbCaseList *self,
                               GtkButton      *button)
{
  g_assert (CASEDB_IS_CASE_LIST (self));

  casedb_case_list_reset_filters (self);
  gtk_list_box_select_row (self->sidebar_list, gtk_list_box_get_row_at_index (self->sidebar_list, 0));
  /* Setting the text emits search-changed only after the delay: refresh now. */
  self->updating_filters = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  self->updating_filters = FALSE;
  casedb_secure_clear (&self->searched);
  casedb_case_list_filter_changed_cb (self);
}

/* ---- sidebar and columns ---- */

static void
casedb_case_list_add_sidebar_row (CasedbCaseList *self,
                                  const char     *name,
                                  const char     *label,
                                  SidebarKind     kind,
                                  int             violation,
                                  guint           count_index)
{
  GtkWidget *row;
  GtkWidget *box;
  GtkWidget *title;
  GtkWidget *count;

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  title = gtk_label_new (label);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  /* The MRM's official names are long, more so in French and Arabic:
   * wrap them rather than cut off which violation a count is for. */
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (title), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (GTK_LABEL (title), 22);
  gtk_widget_set_hexpand (title, TRUE);
  casedb_label_set_text_tooltip (GTK_LABEL (title));
  count = gtk_label_new (NULL);
  gtk_widget_add_css_class (count, "dim-label");
  gtk_widget_add_css_class (count, "sidebar-count");
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), count);

  row = gtk_list_box_row_new ();
  gtk_widget_set_name (row, name);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data (G_OBJECT (row), "casedb-kind", GUINT_TO_POINTER (kind));
  g_object_set_data (G_OBJECT (row), "casedb-violation", GINT_TO_POINTER (violation));
  gtk_list_box_append (self->sidebar_list, row);

  self->count_labels[count_index] = GTK_LABEL (count);
}

static void
casedb_case_list_sidebar_header (GtkListBoxRow *row,
                                 GtkListBoxRow *before,
                                 gpointer       user_data)
{
  SidebarKind kind = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "casedb-kind"));
  SidebarKind before_kind;

  if (before == NULL)
    return;

  before_kind = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (before), "casedb-kind"));
  if (kind != before_kind && kind != SIDEBAR_FOLLOWUP && gtk_list_box_row_get_header (row) == NULL)
    gtk_list_box_row_set_header (row, gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  else if ((kind == before_kind || kind == SIDEBAR_FOLLOWUP) && gtk_list_box_row_get_header (row) != NULL)
    gtk_list_box_row_set_header (row, NULL);
}

static void
casedb_case_list_setup_cell (GtkSignalListItemFactory *factory,
                             GtkListItem              *item,
                             gpointer                  user_data)
{
  Column column = GPOINTER_TO_UINT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  if (column_info[column].min_chars > 0)
    {
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_width_chars (GTK_LABEL (label), column_info[column].min_chars);
    }
  gtk_label_set_xalign (GTK_LABEL (label), column_info[column].numeric && column != COLUMN_VERIFICATION ? 1.0 : 0.0);
  if (column == COLUMN_VICTIMS)
    gtk_widget_add_css_class (label, "numeric");
  if (column == COLUMN_VIOLATIONS)
    casedb_label_set_text_tooltip (GTK_LABEL (label));
  gtk_list_item_set_child (item, label);
}

static void
casedb_case_list_bind_cell (GtkSignalListItemFactory *factory,
                            GtkListItem              *item,
                            gpointer                  user_data)
{
  Column column = GPOINTER_TO_UINT (user_data);
  CasedbCaseRow *row = gtk_list_item_get_item (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  g_autofree char *owned = NULL;
  const char *text = NULL;

  switch (column)
    {
    case COLUMN_CODE:
      text = casedb_case_row_get_code (row);
      break;

    case COLUMN_REFERENCE:
      text = casedb_case_row_get_reference (row);
      break;

    case COLUMN_INCIDENT_DATE:
      text = casedb_case_row_get_incident_date (row);
      break;

    case COLUMN_REGION:
      text = casedb_case_row_get_region (row);
      break;

    case COLUMN_VIOLATIONS:
      g_object_get (row, "violations", &owned, NULL);
      text = owned;
      break;

    case COLUMN_VICTIMS:
      text = owned = g_strdup_printf ("%u", casedb_case_row_get_n_victims (row));
      break;

    case COLUMN_VERIFICATION:
      text = casedb_verification_get_label (casedb_case_row_get_verification (row));
      break;

    case COLUMN_DRAFT:
      text = casedb_case_row_get_draft (row) ? _("Draft") : NULL;
      break;

    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }

  gtk_label_set_text (label, text ? text : "");
}

static void
casedb_case_list_add_columns (CasedbCaseList *self)
{
  g_assert (CASEDB_IS_CASE_LIST (self));

  for (guint i = 0; i < N_COLUMNS; i++)
    {
      g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;
      g_autoptr(GtkSorter) sorter = casedb_case_sorter_new (column_info[i].sort_key);

      g_signal_connect (factory, "setup", G_CALLBACK (casedb_case_list_setup_cell), GUINT_TO_POINTER (i));
      g_signal_connect (factory, "bind", G_CALLBACK (casedb_case_list_bind_cell), GUINT_TO_POINTER (i));

      column = gtk_column_view_column_new (_(column_info[i].title), g_object_ref (factory));
      gtk_column_view_column_set_sorter (column, sorter);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_column_set_expand (column, column_info[i].expand);
      gtk_column_view_append_column (self->column_view, column);
    }
}

static void
casedb_case_list_build_sidebar (CasedbCaseList *self)
{
  g_assert (CASEDB_IS_CASE_LIST (self));

  casedb_case_list_add_sidebar_row (self, "all", _("All Cases"), SIDEBAR_ALL, -1, COUNT_ALL);
  for (guint i = 0; i < CASEDB_N_VIOLATIONS; i++)
    {
      g_autofree char *name = g_strdup_printf ("violation-%s", casedb_violation_to_key (i));

      casedb_case_list_add_sidebar_row (self, name, casedb_violation_get_label (i),
                                        SIDEBAR_VIOLATION, i, i);
    }
  casedb_case_list_add_sidebar_row (self, "drafts", _("Drafts"), SIDEBAR_DRAFTS, -1, COUNT_DRAFTS);
  casedb_case_list_add_sidebar_row (self, "followup", _("Needs Follow-up"), SIDEBAR_FOLLOWUP, -1,
                                    COUNT_FOLLOWUP);
  gtk_list_box_set_header_func (self->sidebar_list, casedb_case_list_sidebar_header, NULL, NULL);
}

/* ---- GObject ---- */

void
casedb_case_list_clear (CasedbCaseList *self)
{
  g_return_if_fail (CASEDB_IS_CASE_LIST (self));

  if (self->leave_task != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->leave_task);

      g_task_return_boolean (task, FALSE);
    }
  if (self->leave_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (g_steal_pointer (&self->leave_dialog)));

  if (self->editor != NULL)
    {
      casedb_case_editor_clear (CASEDB_CASE_EDITOR (self->editor));
      /* See casedb_window_drop_page(): empty the editor before dropping it. */
      adw_bin_set_child (ADW_BIN (self->editor), NULL);
      adw_bin_set_child (self->editor_bin, NULL);
      self->editor = NULL;
    }
  gtk_stack_set_visible_child_name (self->content_stack, "list");

  /* The search text may be a child's name typed by a caseworker. */
  self->updating_filters = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  self->updating_filters = FALSE;
  casedb_secure_clear (&self->searched);
  casedb_case_list_reset_filters (self);

  if (self->rows_model != NULL)
    gtk_slice_list_model_set_model (self->rows_model, NULL);
  g_clear_object (&self->rows);
  g_clear_object (&self->store);
}

static void
casedb_case_list_dispose (GObject *object)
{
  CasedbCaseList *self = (CasedbCaseList *)object;

  if (self->column_view != NULL)
    casedb_case_list_clear (self);

  /* The leaflet is both AdwBin's child and a template child: let AdwBin
   * drop it first, or dispose_template unparents it behind AdwBin's back. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CASEDB_TYPE_CASE_LIST);

  if (self->reveal_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->reveal_tick);
  self->reveal_tick = 0;
  g_clear_object (&self->reveal_model);
  g_clear_object (&self->rows_model);
  g_clear_object (&self->rows);
  g_clear_object (&self->regions);
  g_clear_object (&self->store);
  casedb_secure_clear (&self->searched);

  G_OBJECT_CLASS (casedb_case_list_parent_class)->dispose (object);
}

static void
casedb_case_list_class_init (CasedbCaseListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = casedb_case_list_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/example/CaseDB/ui/casedb-case-list.ui");
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseList, leaflet);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseList, sidebar_list);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseList, content_stack);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseList, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseList, filter_button);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseList, new_button);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseList, list_stack);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseList, column_view);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseList, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseList, empty_new_button);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseList, no_match_page);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseList, editor_bin);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseList, filter_popover);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseList, from_entry);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseList, to_entry);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseList, region_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseList, verification_dropdown);
  gtk_widget_class_bind_template_callback (widget_class, casedb_case_list_sidebar_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, casedb_case_list_sidebar_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, casedb_case_list_sidebar_button_cb);
  gtk_widget_class_bind_template_callback (widget_class, casedb_case_list_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, casedb_case_list_stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, casedb_case_list_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, casedb_case_list_clear_filters_cb);
  gtk_widget_class_bind_template_callback (widget_class, casedb_case_list_clear_all_cb);
  gtk_widget_class_bind_template_callback (widget_class, casedb_case_list_filter_changed_cb);
}

static void
casedb_case_list_init (CasedbCaseList *self)
{
  g_autoptr(GtkStringList) verifications = NULL;
  GtkSingleSelection *selection;

  gtk_widget_init_template (GTK_WIDGET (self));

  casedb_case_list_build_sidebar (self);
  casedb_case_list_add_columns (self);

  verifications = gtk_string_list_new ((const char * const []) { _("Any"), NULL });
  for (guint i = CASEDB_VERIFICATION_UNVERIFIED; i <= CASEDB_VERIFICATION_VERIFIED; i++)
    gtk_string_list_append (verifications, casedb_verification_get_label (i));
  gtk_drop_down_set_model (self->verification_dropdown, G_LIST_MODEL (verifications));

  self->regions = gtk_string_list_new ((const char * const []) { _("Any Region"), NULL });
  gtk_drop_down_set_model (self->region_dropdown, G_LIST_MODEL (self->regions));
  g_signal_connect_object (self->filter_popover, "show",
                           G_CALLBACK (casedb_case_list_filters_shown_cb), self,
                           G_CONNECT_SWAPPED);

  self->sort_key = CASEDB_CASE_SORT_CODE;
  g_signal_connect_object (gtk_column_view_get_sorter (self->column_view), "changed",
                           G_CALLBACK (casedb_case_list_sort_changed_cb), self,
                           G_CONNECT_SWAPPED);
  self->rows_model = gtk_slice_list_model_new (NULL, 0, G_MAXUINT);
  self->reveal_model = gtk_slice_list_model_new (g_object_ref (G_LIST_MODEL (self->rows_model)),
                                                 0, G_MAXUINT);
  selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->reveal_model)));
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);

  gtk_list_box_select_row (self->sidebar_list, gtk_list_box_get_row_at_index (self->sidebar_list, 0));
}

GtkWidget *
casedb_case_list_new (CasedbStore *store)
{
  CasedbCaseList *self;
  gboolean identities;

  g_return_val_if_fail (CASEDB_IS_STORE (store), NULL);

  self = g_object_new (CASEDB_TYPE_CASE_LIST, NULL);
  self->store = g_object_ref (store);

  identities = casedb_store_can (store, CASEDB_PERM_READ_IDENTITY);
  g_object_set (self->search_entry,
                "placeholder-text", identities
                                    ? _("Search code, reference, summary or name")
                                    : _("Search code, reference or summary"),
                NULL);

  casedb_case_list_refresh (self);

  return GTK_WIDGET (self);
}

void
casedb_case_list_focus_search (CasedbCaseList *self)
{
  g_return_if_fail (CASEDB_IS_CASE_LIST (self));

  /* From the editor, Back asks about unsaved changes first. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "list") == 0)
    gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

GListModel *
casedb_case_list_get_model (CasedbCaseList *self)
{
  g_return_val_if_fail (CASEDB_IS_CASE_LIST (self), NULL);

  return G_LIST_MODEL (self->rows_model);
}
