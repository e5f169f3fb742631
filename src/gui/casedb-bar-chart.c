/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-bar-chart"

#include "config.h"

#include <glib/gi18n.h>

#include "casedb-bar-chart.h"

/*
 * A horizontal bar chart: one labelled bar per category, a value axis with
 * grid lines underneath.  Horizontal bars keep long translated category
 * names readable.  Colours come from the theme (accent and foreground), so
 * it follows dark mode; in right-to-left locales the chart is mirrored.
 */

#define BAR_HEIGHT   22
#define BAR_SPACING  10
#define GAP          12
#define AXIS_GAP     6
#define MAX_TICKS    5

struct _CasedbBarChart
{
  GtkWidget  parent_instance;

  GPtrArray *labels;
  GArray    *values;
  char      *title;
};

G_DEFINE_FINAL_TYPE (CasedbBarChart, casedb_bar_chart, GTK_TYPE_WIDGET)

static guint
get_max_value (CasedbBarChart *self)
{
  guint max = 0;

  for (guint i = 0; i < self->values->len; i++)
    max = MAX (max, g_array_index (self->values, guint, i));
  return max;
}

/* A "nice" tick step (1, 2 or 5 × 10^n) with at most MAX_TICKS ticks. */
static guint
get_tick_step (guint max)
{
  guint magnitude = 1;

  if (max <= MAX_TICKS)
    return 1;
  while (magnitude * 10 <= max / MAX_TICKS)
    magnitude *= 10;
  if (magnitude * 1 * MAX_TICKS >= max)
    return magnitude;
  if (magnitude * 2 * MAX_TICKS >= max)
    return magnitude * 2;
  if (magnitude * 5 * MAX_TICKS >= max)
    return magnitude * 5;
  return magnitude * 10;
}

static int
get_text_height (GtkWidget *widget)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, "0");
  int height;

  pango_layout_get_pixel_size (layout, NULL, &height);
  return height;
}

static void
casedb_bar_chart_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  CasedbBarChart *self = CASEDB_BAR_CHART (widget);
  int text_height = get_text_height (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 240;
      *natural = 560;
    }
  else
    {
      int bar_height = MAX (BAR_HEIGHT, text_height);
      int height = self->labels->len * (bar_height + BAR_SPACING) + AXIS_GAP + text_height;

      if (self->title != NULL)
        height += text_height + AXIS_GAP;
      *minimum = *natural = height;
    }
}

static void
append_layout (GtkSnapshot   *snapshot,
               PangoLayout   *layout,
               float          x,
               float          y,
               const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
casedb_bar_chart_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  CasedbBarChart *self = CASEDB_BAR_CHART (widget);
  GtkStyleContext *context = gtk_widget_get_style_context (widget);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  int width = gtk_widget_get_width (widget);
  int text_height = get_text_height (widget);
  int bar_height = MAX (BAR_HEIGHT, text_height);
  guint max = get_max_value (self);
  guint step = get_tick_step (max);
  guint axis_max;
  g_autofree char *max_text = NULL;
  g_autoptr(PangoLayout) max_layout = NULL;
  int label_width = 0;
  int value_width;
  float plot_x, plot_width, plot_height;
  GdkRGBA fg, bar, grid, dim;

  if (self->labels->len == 0 || width <= 0)
    return;

  gtk_style_context_get_color (context, &fg);
  if (!gtk_style_context_lookup_color (context, "accent_bg_color", &bar))
    gdk_rgba_parse (&bar, "#3584e4");
  grid = fg;
  grid.alpha *= 0.15f;
  dim = fg;
  dim.alpha *= 0.7f;

  axis_max = MAX (step, (max + step - 1) / step * step);

  for (guint i = 0; i < self->labels->len; i++)
    {
      g_autoptr(PangoLayout) layout =
        gtk_widget_create_pango_layout (widget, g_ptr_array_index (self->labels, i));
      int w;

      pango_layout_get_pixel_size (layout, &w, NULL);
      label_width = MAX (label_width, w);
    }
  label_width = MIN (label_width, width * 2 / 5);

  max_text = g_strdup_printf ("%u", MAX (max, axis_max));
  max_layout = gtk_widget_create_pango_layout (widget, max_text);
  pango_layout_get_pixel_size (max_layout, &value_width, NULL);

  plot_x = label_width + GAP;
  plot_width = MAX (1, width - plot_x - value_width - GAP);
  plot_height = self->labels->len * (bar_height + BAR_SPACING);

  /* Grid lines and tick labels of the value axis. */
  for (guint tick = 0; tick <= axis_max; tick += step)
    {
      g_autofree char *text = g_strdup_printf ("%u", tick);
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
      float x = plot_x + plot_width * tick / axis_max;
      int w;

      pango_layout_get_pixel_size (layout, &w, NULL);
      if (rtl)
        x = width - x;
      gtk_snapshot_append_color (snapshot, &grid,
                                 &GRAPHENE_RECT_INIT (x - 0.5f, 0, 1, plot_height));
      append_layout (snapshot, layout, x - w / 2.0f, plot_height + AXIS_GAP, &dim);
    }

  if (self->title != NULL)
    {
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, self->title);
      int w;

      pango_layout_get_pixel_size (layout, &w, NULL);
      append_layout (snapshot, layout,
                     rtl ? width - plot_x - plot_width / 2 - w / 2.0f
                         : plot_x + plot_width / 2 - w / 2.0f,
                     plot_height + AXIS_GAP + text_height + AXIS_GAP, &dim);
    }

  for (guint i = 0; i < self->labels->len; i++)
    {
      guint value = g_array_index (self->values, guint, i);
      g_autofree char *text = g_strdup_printf ("%u", value);
      g_autoptr(PangoLayout) label =
        gtk_widget_create_pango_layout (widget, g_ptr_array_index (self->labels, i));
      g_autoptr(PangoLayout) number = gtk_widget_create_pango_layout (widget, text);
      float y = i * (bar_height + BAR_SPACING) + BAR_SPACING / 2.0f;
      float text_y = y + (bar_height - text_height) / 2.0f;
      float bar_width = plot_width * value / axis_max;
      float bar_x = rtl ? width - plot_x - bar_width : plot_x;
      int w;

      pango_layout_set_width (label, label_width * PANGO_SCALE);
      pango_layout_set_ellipsize (label, PANGO_ELLIPSIZE_END);
      /* Natural alignment: Pango flips it for right-to-left text. */
      pango_layout_set_alignment (label, PANGO_ALIGN_LEFT);
      append_layout (snapshot, label, rtl ? width - label_width : 0, text_y, &fg);

      if (bar_width > 0)
        gtk_snapshot_append_color (snapshot, &bar,
                                   &GRAPHENE_RECT_INIT (bar_x, y, bar_width, bar_height));

      pango_layout_get_pixel_size (number, &w, NULL);
      append_layout (snapshot, number,
                     rtl ? bar_x - AXIS_GAP - w : bar_x + bar_width + AXIS_GAP,
                     text_y, &fg);
    }
}

static void
casedb_bar_chart_update_accessible (CasedbBarChart *self)
{
  g_autoptr(GString) description = g_string_new (self->title);

  for (guint i = 0; i < self->labels->len; i++)
    {
      if (description->len > 0)
        g_string_append (description, "; ");
      /* Translators: one bar of a chart read by a screen reader, e.g. "Abduction: 4" */
      g_string_append_printf (description, _("%s: %u"),
                              (const char *) g_ptr_array_index (self->labels, i),
                              g_array_index (self->values, guint, i));
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description->str,
                                  -1);
}

static void
casedb_bar_chart_direction_changed (GtkWidget        *widget,
                                    GtkTextDirection  previous)
{
  gtk_widget_queue_draw (widget);
}

static void
casedb_bar_chart_css_changed (GtkWidget         *widget,
                              GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (casedb_bar_chart_parent_class)->css_changed (widget, change);
  gtk_widget_queue_resize (widget);
}

static void
casedb_bar_chart_finalize (GObject *object)
{
  CasedbBarChart *self = (CasedbBarChart *)object;

  g_clear_pointer (&self->labels, g_ptr_array_unref);
  g_clear_pointer (&self->values, g_array_unref);
  g_clear_pointer (&self->title, g_free);

  G_OBJECT_CLASS (casedb_bar_chart_parent_class)->finalize (object);
}

static void
casedb_bar_chart_class_init (CasedbBarChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = casedb_bar_chart_finalize;

  widget_class->measure = casedb_bar_chart_measure;
  widget_class->snapshot = casedb_bar_chart_snapshot;
  widget_class->direction_changed = casedb_bar_chart_direction_changed;
  widget_class->css_changed = casedb_bar_chart_css_changed;

  gtk_widget_class_set_css_name (widget_class, "barchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
casedb_bar_chart_init (CasedbBarChart *self)
{
  self->labels = g_ptr_array_new_with_free_func (g_free);
  self->values = g_array_new (FALSE, TRUE, sizeof (guint));
}

/**
 * casedb_bar_chart_new:
 *
 * Returns: (transfer floating): an empty chart
 */
GtkWidget *
casedb_bar_chart_new (void)
{
  return g_object_new (CASEDB_TYPE_BAR_CHART, NULL);
}

/**
 * casedb_bar_chart_set_data:
 * @labels: (array length=n_bars): translated category names
 * @values: (array length=n_bars): one value per category
 *
 * Replaces the bars.
 */
void
casedb_bar_chart_set_data (CasedbBarChart     *self,
                           const char * const *labels,
                           const guint        *values,
                           guint               n_bars)
{
  g_return_if_fail (CASEDB_IS_BAR_CHART (self));
  g_return_if_fail (n_bars == 0 || (labels != NULL && values != NULL));

  g_ptr_array_set_size (self->labels, 0);
  g_array_set_size (self->values, 0);
  for (guint i = 0; i < n_bars; i++)
    {
      g_ptr_array_add (self->labels, g_strdup (labels[i]));
      g_array_append_val (self->values, values[i]);
    }
  casedb_bar_chart_update_accessible (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/**
 * casedb_bar_chart_set_title:
 * @title: (nullable): the caption of the value axis, e.g. "Incidents"
 */
void
casedb_bar_chart_set_title (CasedbBarChart *self,
                            const char     *title)
{
  g_return_if_fail (CASEDB_IS_BAR_CHART (self));

  g_free (self->title);
  self->title = g_strdup (title);
  casedb_bar_chart_update_accessible (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}
