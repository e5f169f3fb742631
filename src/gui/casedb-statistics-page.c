/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-statistics-page"

#include "config.h"

#include <glib/gi18n.h>

#include "casedb-bar-chart.h"
#include "casedb-statistics-page.h"

/*
 * Counts for analysts and supervisors, from casedb_store_aggregate(): coded
 * data only.  Every count here is a sum of aggregate cells; nothing reads a
 * single case.
 */

enum {
  REGION_VIOLATIONS,
  REGION_FEMALE,
  REGION_MALE,
  REGION_UNKNOWN,
  N_REGION_COLUMNS
};

struct _CasedbStatisticsPage
{
  AdwBin           parent_instance;

  CasedbStore     *store;

  /* Template widgets */
  GtkToggleButton *month_button;
  GtkToggleButton *quarter_button;
  GtkToggleButton *year_button;
  GtkDropDown     *violation_dropdown;
  GtkCheckButton  *consent_check;
  GtkStack        *stack;
  AdwStatusPage   *empty_status;
  GtkLabel        *summary_label;
  CasedbBarChart  *chart;
  GtkLabel        *period_heading;
  GtkGrid         *period_grid;
  GtkGrid         *region_grid;
  GtkGrid         *sex_grid;
};

G_DEFINE_FINAL_TYPE (CasedbStatisticsPage, casedb_statistics_page, ADW_TYPE_BIN)

static void
grid_clear (GtkGrid *grid)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (grid))) != NULL)
    gtk_grid_remove (grid, child);
}

static void
grid_add_text (GtkGrid    *grid,
               int         column,
               int         row,
               const char *text,
               gboolean    header)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), column == 0 ? 0.0f : 1.0f);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_valign (label, header ? GTK_ALIGN_END : GTK_ALIGN_BASELINE);
  if (column == 0)
    gtk_widget_set_hexpand (label, TRUE);
  else
    {
      /* Numbers line up at the end; GtkLabel flips this in right-to-left. */
      gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_RIGHT);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 14);
    }
  if (header)
    {
      gtk_widget_add_css_class (label, "caption-heading");
      gtk_widget_add_css_class (label, "dim-label");
    }
  gtk_grid_attach (grid, label, column, row, 1, 1);
}

static void
grid_add_number (GtkGrid *grid,
                 int      column,
                 int      row,
                 guint    value,
                 gboolean total)
{
  g_autofree char *text = g_strdup_printf ("%u", value);
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 1.0f);
  gtk_widget_set_valign (label, GTK_ALIGN_BASELINE);
  gtk_widget_add_css_class (label, "numeric");
  if (total)
    gtk_widget_add_css_class (label, "heading");
  gtk_grid_attach (grid, label, column, row, 1, 1);
}

/* Periods sort as text: "2024-01" < "2024-02", "2024-Q1" < "2024-Q2". */
static int
compare_keys (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static int
collate_keys (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  return g_utf8_collate (*(const char * const *) a, *(const char * const *) b);
}

static CasedbPeriod
casedb_statistics_page_get_period (CasedbStatisticsPage *self)
{
  if (gtk_toggle_button_get_active (self->quarter_button))
    return CASEDB_PERIOD_QUARTER;
  if (gtk_toggle_button_get_active (self->year_button))
    return CASEDB_PERIOD_YEAR;
  return CASEDB_PERIOD_MONTH;
}

/* The violation filter, or -1 for all. */
static int
casedb_statistics_page_get_violation (CasedbStatisticsPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->violation_dropdown);

  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION)
    return -1;
  return (int) selected - 1;
}

static void
casedb_statistics_page_show_empty (CasedbStatisticsPage *self,
                                   const char           *description)
{
  adw_status_page_set_description (self->empty_status, description);
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

static void
casedb_statistics_page_fill_periods (CasedbStatisticsPage *self,
                                     GPtrArray            *rows,
                                     const gboolean        shown[CASEDB_N_VIOLATIONS])
{
  g_autoptr(GHashTable) periods = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autofree const char **keys = NULL;
  guint n_keys = 0;
  int column = 1;
  guint totals[CASEDB_N_VIOLATIONS + 1] = { 0 };

  for (guint i = 0; i < rows->len; i++)
    {
      CasedbAggregateRow *row = g_ptr_array_index (rows, i);
      const char *period = row->period != NULL ? row->period : "";
      guint *counts = g_hash_table_lookup (periods, period);

      if (!shown[row->kind])
        continue;
      if (counts == NULL)
        {
          counts = g_new0 (guint, CASEDB_N_VIOLATIONS);
          g_hash_table_insert (periods, (gpointer) period, counts);
        }
      counts[row->kind] += row->incidents;
    }

  switch (casedb_statistics_page_get_period (self))
    {
    case CASEDB_PERIOD_QUARTER:
      gtk_label_set_label (self->period_heading, _("Incidents by Quarter"));
      break;
    case CASEDB_PERIOD_YEAR:
      gtk_label_set_label (self->period_heading, _("Incidents by Year"));
      break;
    case CASEDB_PERIOD_MONTH:
    default:
      gtk_label_set_label (self->period_heading, _("Incidents by Month"));
      break;
    }

  grid_clear (self->period_grid);
  grid_add_text (self->period_grid, 0, 0, _("Period"), TRUE);
  for (guint k = 0; k < CASEDB_N_VIOLATIONS; k++)
    {
      if (shown[k])
        grid_add_text (self->period_grid, column++, 0, casedb_violation_get_label (k), TRUE);
    }
  grid_add_text (self->period_grid, column, 0, _("Total"), TRUE);

  keys = (const char **) g_hash_table_get_keys_as_array (periods, &n_keys);
  g_qsort_with_data (keys, n_keys, sizeof (char *), compare_keys, NULL);
  for (guint p = 0; p < n_keys; p++)
    {
      guint *counts = g_hash_table_lookup (periods, keys[p]);
      guint total = 0;

      column = 1;
      grid_add_text (self->period_grid, 0, p + 1, *keys[p] != '\0' ? keys[p] : _("No date"), FALSE);
      for (guint k = 0; k < CASEDB_N_VIOLATIONS; k++)
        {
          if (!shown[k])
            continue;
          grid_add_number (self->period_grid, column++, p + 1, counts[k], FALSE);
          total += counts[k];
          totals[k] += counts[k];
        }
      grid_add_number (self->period_grid, column, p + 1, total, TRUE);
      totals[CASEDB_N_VIOLATIONS] += total;
    }

  column = 1;
  grid_add_text (self->period_grid, 0, n_keys + 1, _("Total"), TRUE);
  for (guint k = 0; k < CASEDB_N_VIOLATIONS; k++)
    {
      if (shown[k])
        grid_add_number (self->period_grid, column++, n_keys + 1, totals[k], TRUE);
    }
  grid_add_number (self->period_grid, column, n_keys + 1, totals[CASEDB_N_VIOLATIONS], TRUE);
}

static void
casedb_statistics_page_fill_regions (CasedbStatisticsPage *self,
                                     GPtrArray            *rows,
                                     const gboolean        shown[CASEDB_N_VIOLATIONS])
{
  g_autoptr(GHashTable) regions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autofree const char **keys = NULL;
  const char *headers[] = {
    _("Region"), _("Violations"), _("Girls"), _("Boys"), _("Sex unknown"),
  };
  guint n_keys = 0;

  for (guint i = 0; i < rows->len; i++)
    {
      CasedbAggregateRow *row = g_ptr_array_index (rows, i);
      const char *region = row->region != NULL ? row->region : "";
      guint *counts = g_hash_table_lookup (regions, region);

      if (!shown[row->kind])
        continue;
      if (counts == NULL)
        {
          counts = g_new0 (guint, N_REGION_COLUMNS);
          g_hash_table_insert (regions, (gpointer) region, counts);
        }
      counts[REGION_VIOLATIONS] += row->incidents;
      counts[REGION_FEMALE] += row->victims_female;
      counts[REGION_MALE] += row->victims_male;
      counts[REGION_UNKNOWN] += row->victims_unknown;
    }

  grid_clear (self->region_grid);
  for (guint c = 0; c < G_N_ELEMENTS (headers); c++)
    grid_add_text (self->region_grid, c, 0, headers[c], TRUE);

  keys = (const char **) g_hash_table_get_keys_as_array (regions, &n_keys);
  g_qsort_with_data (keys, n_keys, sizeof (char *), collate_keys, NULL);
  for (guint r = 0; r < n_keys; r++)
    {
      guint *counts = g_hash_table_lookup (regions, keys[r]);

      grid_add_text (self->region_grid, 0, r + 1,
                     *keys[r] != '\0' ? keys[r] : _("No region"), FALSE);
      for (guint c = 0; c < N_REGION_COLUMNS; c++)
        grid_add_number (self->region_grid, c + 1, r + 1, counts[c], c == REGION_VIOLATIONS);
    }
}

static void
casedb_statistics_page_fill_sexes (CasedbStatisticsPage *self,
                                   const gboolean        shown[CASEDB_N_VIOLATIONS],
                                   guint                 female[CASEDB_N_VIOLATIONS],
                                   guint                 male[CASEDB_N_VIOLATIONS],
                                   guint                 unknown[CASEDB_N_VIOLATIONS])
{
  const char *headers[] = {
    _("Violation"), _("Girls"), _("Boys"), _("Sex unknown"), _("Total"),
  };
  guint sums[4] = { 0 };
  int row = 1;

  grid_clear (self->sex_grid);
  for (guint c = 0; c < G_N_ELEMENTS (headers); c++)
    grid_add_text (self->sex_grid, c, 0, headers[c], TRUE);

  for (guint k = 0; k < CASEDB_N_VIOLATIONS; k++)
    {
      guint total = female[k] + male[k] + unknown[k];

      if (!shown[k])
        continue;
      grid_add_text (self->sex_grid, 0, row, casedb_violation_get_label (k), FALSE);
      grid_add_number (self->sex_grid, 1, row, female[k], FALSE);
      grid_add_number (self->sex_grid, 2, row, male[k], FALSE);
      grid_add_number (self->sex_grid, 3, row, unknown[k], FALSE);
      grid_add_number (self->sex_grid, 4, row, total, TRUE);
      sums[0] += female[k];
      sums[1] += male[k];
      sums[2] += unknown[k];
      sums[3] += total;
      row++;
    }

  grid_add_text (self->sex_grid, 0, row, _("Total"), TRUE);
  for (guint c = 0; c < G_N_ELEMENTS (sums); c++)
    grid_add_number (self->sex_grid, c + 1, row, sums[c], TRUE);
}

static void
casedb_statistics_page_period_cb (CasedbStatisticsPage *self,
                                  GtkToggleButton      *button)
{
  g_assert (CASEDB_IS_STATISTICS_PAGE (self));

  /* Each radio group change toggles two buttons; refresh once. */
  if (gtk_toggle_button_get_active (button))
    casedb_statistics_page_refresh (self);
}

static void
casedb_statistics_page_filter_cb (CasedbStatisticsPage *self)
{
  g_assert (CASEDB_IS_STATISTICS_PAGE (self));

  casedb_statistics_page_refresh (self);
}

/* The aggregate reads every case (a tenth of a second at 100,000), so it
 * is counted only on screen: each time the page comes on screen, since
 * other pages may have saved, imported or deleted cases while it was
 * hidden. */
static void
casedb_statistics_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (casedb_statistics_page_parent_class)->map (widget);

  casedb_statistics_page_refresh (CASEDB_STATISTICS_PAGE (widget));
}

static void
casedb_statistics_page_dispose (GObject *object)
{
  CasedbStatisticsPage *self = (CasedbStatisticsPage *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CASEDB_TYPE_STATISTICS_PAGE);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (casedb_statistics_page_parent_class)->dispose (object);
}

static void
casedb_statistics_page_class_init (CasedbStatisticsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = casedb_statistics_page_dispose;

  widget_class->map = casedb_statistics_page_map;

  g_type_ensure (CASEDB_TYPE_BAR_CHART);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/example/CaseDB/ui/casedb-statistics-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CasedbStatisticsPage, month_button);
  gtk_widget_class_bind_template_child (widget_class, CasedbStatisticsPage, quarter_button);
  gtk_widget_class_bind_template_child (widget_class, CasedbStatisticsPage, year_button);
  gtk_widget_class_bind_template_child (widget_class, CasedbStatisticsPage, violation_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CasedbStatisticsPage, consent_check);
  gtk_widget_class_bind_template_child (widget_class, CasedbStatisticsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, CasedbStatisticsPage, empty_status);
  gtk_widget_class_bind_template_child (widget_class, CasedbStatisticsPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, CasedbStatisticsPage, chart);
  gtk_widget_class_bind_template_child (widget_class, CasedbStatisticsPage, period_heading);
  gtk_widget_class_bind_template_child (widget_class, CasedbStatisticsPage, period_grid);
  gtk_widget_class_bind_template_child (widget_class, CasedbStatisticsPage, region_grid);
  gtk_widget_class_bind_template_child (widget_class, CasedbStatisticsPage, sex_grid);
  gtk_widget_class_bind_template_callback (widget_class, casedb_statistics_page_period_cb);
  gtk_widget_class_bind_template_callback (widget_class, casedb_statistics_page_filter_cb);
}

static void
casedb_statistics_page_init (CasedbStatisticsPage *self)
{
  g_autoptr(GtkStringList) violations = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_string_list_append (violations, _("All Violations"));
  for (guint k = 0; k < CASEDB_N_VIOLATIONS; k++)
    gtk_string_list_append (violations, casedb_violation_get_label (k));
  /* Set before the store exists: the filter callback does nothing yet. */
  gtk_drop_down_set_model (self->violation_dropdown, G_LIST_MODEL (violations));
  casedb_bar_chart_set_title (self->chart, _("Incidents"));
}

/**
 * casedb_statistics_page_new:
 * @store: an unlocked store whose role may read coded records
 *
 * Returns: (transfer floating): a new #CasedbStatisticsPage
 */
GtkWidget *
casedb_statistics_page_new (CasedbStore *store)
{
  CasedbStatisticsPage *self;

  g_return_val_if_fail (CASEDB_IS_STORE (store), NULL);

  self = g_object_new (CASEDB_TYPE_STATISTICS_PAGE, NULL);
  self->store = g_object_ref (store);
  return GTK_WIDGET (self);
}

/**
 * casedb_statistics_page_refresh:
 *
 * Counts again, e.g. after cases were saved or imported: now if the page
 * is on screen, otherwise when it is next shown.
 */
void
casedb_statistics_page_refresh (CasedbStatisticsPage *self)
{
  CasedbQuery query = CASEDB_QUERY_INIT;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  gboolean consent_only;
  gboolean shown[CASEDB_N_VIOLATIONS];
  guint incidents[CASEDB_N_VIOLATIONS] = { 0 };
  guint female[CASEDB_N_VIOLATIONS] = { 0 };
  guint male[CASEDB_N_VIOLATIONS] = { 0 };
  guint unknown[CASEDB_N_VIOLATIONS] = { 0 };
  const char *labels[CASEDB_N_VIOLATIONS];
  guint values[CASEDB_N_VIOLATIONS];
  guint n_bars = 0;
  guint n_excluded = 0;
  guint n_counted = 0;
  int violation;

  g_return_if_fail (CASEDB_IS_STATISTICS_PAGE (self));

  if (self->store == NULL)
    return;

  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;

  violation = casedb_statistics_page_get_violation (self);
  consent_only = gtk_check_button_get_active (self->consent_check);
  for (guint k = 0; k < CASEDB_N_VIOLATIONS; k++)
    shown[k] = violation < 0 || (guint) violation == k;

  query.violation = violation;
  query.draft = 0;
  rows = casedb_store_aggregate (self->store, &query, casedb_statistics_page_get_period (self),
                                 consent_only, &n_excluded, &error);
  if (rows == NULL)
    {
      casedb_statistics_page_show_empty (self, error->message);
      return;
    }

  for (guint i = 0; i < rows->len; i++)
    {
      CasedbAggregateRow *row = g_ptr_array_index (rows, i);

      if ((guint) row->kind >= CASEDB_N_VIOLATIONS || !shown[row->kind])
        continue;
      incidents[row->kind] += row->incidents;
      female[row->kind] += row->victims_female;
      male[row->kind] += row->victims_male;
      unknown[row->kind] += row->victims_unknown;
      n_counted += row->incidents;
    }

  if (n_counted == 0)
    {
      g_autofree char *description = NULL;

      if (n_excluded > 0)
        description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                    "%u case matches, but its consent does not allow statistics.",
                                                    "%u cases match, but their consent does not allow statistics.",
                                                    n_excluded),
                                       n_excluded);
      else if (violation >= 0)
        description = g_strdup (_("No saved case records this violation."));
      else
        description = g_strdup (_("Saved cases that are not drafts are counted here."));
      casedb_statistics_page_show_empty (self, description);
      return;
    }

  for (guint k = 0; k < CASEDB_N_VIOLATIONS; k++)
    {
      if (!shown[k])
        continue;
      labels[n_bars] = casedb_violation_get_label (k);
      values[n_bars] = incidents[k];
      n_bars++;
    }
  casedb_bar_chart_set_data (self->chart, labels, values, n_bars);

  if (consent_only && n_excluded > 0)
    {
      g_autofree char *text =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "%u case is left out because its consent does not allow statistics.",
                                      "%u cases are left out because their consent does not allow statistics.",
                                      n_excluded),
                         n_excluded);

      gtk_label_set_label (self->summary_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->summary_label), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->summary_label), FALSE);

  casedb_statistics_page_fill_periods (self, rows, shown);
  casedb_statistics_page_fill_regions (self, rows, shown);
  casedb_statistics_page_fill_sexes (self, shown, female, male, unknown);
  gtk_stack_set_visible_child_name (self->stack, "statistics");
}
