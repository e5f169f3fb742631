/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-summary"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <cairo-pdf.h>
#include <json-glib/json-glib.h>
#include <pango/pangocairo.h>

#include "casedb-error.h"
#include "casedb-summary.h"

#define MARGIN      50.0
#define ROW_HEIGHT  16.0
#define HEADER_H    110.0
#define CHART_H     230.0
#define TABLE_HEAD  22.0

struct _CasedbSummary
{
  GPtrArray   *rows;         /* (element-type CasedbAggregateRow) */
  CasedbPeriod period;
  guint        min_cell;
  guint        n_excluded;
  guint        n_cases;
  char        *generated;
  guint        totals[CASEDB_N_VIOLATIONS];
  gboolean     totals_withheld[CASEDB_N_VIOLATIONS];
};

/* Written for a total that would let a suppressed count be worked out by
 * subtraction (secondary suppression). */
#define WITHHELD "x"

static const char * const period_keys[] = { "month", "quarter", "year" };

gboolean
casedb_period_from_string (const char *str, CasedbPeriod *period)
{
  for (guint i = 0; i < G_N_ELEMENTS (period_keys); i++)
    if (g_strcmp0 (str, period_keys[i]) == 0)
      {
        *period = i;
        return TRUE;
      }
  return FALSE;
}

const char *
casedb_period_to_string (CasedbPeriod period)
{
  g_return_val_if_fail (period <= CASEDB_PERIOD_YEAR, NULL);
  return period_keys[period];
}

gboolean
casedb_summary_format_from_string (const char *str, CasedbSummaryFormat *format)
{
  static const char * const keys[] = { "csv", "json", "pdf" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (g_strcmp0 (str, keys[i]) == 0)
      {
        *format = i;
        return TRUE;
      }
  return FALSE;
}

CasedbSummary *
casedb_summary_new (CasedbStore *store, CasedbPeriod period, guint min_cell, GError **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  CasedbQuery query = CASEDB_QUERY_INIT;
  g_autofree char *detail = NULL;
  CasedbSummary *summary;
  guint counts[CASEDB_N_VIOLATIONS];
  guint total = 0;
  GPtrArray *rows;
  guint excluded = 0;

  g_return_val_if_fail (CASEDB_IS_STORE (store), NULL);

  if (!casedb_store_require (store, CASEDB_PERM_EXPORT, error))
    return NULL;

  /* Drafts hold partial information to complete later: not reported. */
  query.draft = 0;
  rows = casedb_store_aggregate (store, &query, period, TRUE, &excluded, error);
  if (rows == NULL)
    return NULL;
  if (!casedb_store_count_by_violation (store, &query, counts, &total, error))
    {
      g_ptr_array_unref (rows);
      return NULL;
    }

  summary = g_new0 (CasedbSummary, 1);
  summary->rows = rows;
  summary->period = period;
  summary->min_cell = min_cell;
  summary->n_excluded = excluded;
  summary->n_cases = total >= excluded ? total - excluded : 0;
  summary->generated = g_date_time_format (now, "%Y-%m-%d");
  for (guint i = 0; i < rows->len; i++)
    {
      CasedbAggregateRow *row = g_ptr_array_index (rows, i);

      summary->totals[row->kind] += row->incidents;
      if (row->incidents > 0 && row->incidents < min_cell)
        summary->totals_withheld[row->kind] = TRUE;
    }

  detail = g_strdup_printf ("summary: %u cases counted, %u left out without consent, "
                            "period %s, min cell %u",
                            summary->n_cases, excluded, period_keys[period], min_cell);
  if (!casedb_store_audit (store, "export", detail, error))
    {
      casedb_summary_free (summary);
      return NULL;
    }
  return summary;
}

void
casedb_summary_free (CasedbSummary *summary)
{
  if (summary == NULL)
    return;
  g_ptr_array_unref (summary->rows);
  g_free (summary->generated);
  g_free (summary);
}

guint
casedb_summary_get_n_rows (CasedbSummary *summary)
{
  return summary->rows->len;
}

guint
casedb_summary_get_n_excluded (CasedbSummary *summary)
{
  return summary->n_excluded;
}

static gboolean
suppressed (CasedbSummary *summary, guint count)
{
  return count > 0 && count < summary->min_cell;
}

char *
casedb_summary_format_count (CasedbSummary *summary, guint count)
{
  if (suppressed (summary, count))
    return g_strdup_printf ("<%u", summary->min_cell);
  return g_strdup_printf ("%u", count);
}

static void
csv_field (GString *out, const char *value)
{
  if (strpbrk (value, ",\"\r\n") == NULL)
    {
      g_string_append (out, value);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = value; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static guint
row_total (const CasedbAggregateRow *row)
{
  return row->victims_female + row->victims_male + row->victims_unknown;
}

/* victims_total as written: withheld when one of its parts is suppressed,
 * else the total with the usual suppression. (transfer full) */
static char *
format_row_total (CasedbSummary *summary, const CasedbAggregateRow *row)
{
  if (suppressed (summary, row->victims_female) || suppressed (summary, row->victims_male) ||
      suppressed (summary, row->victims_unknown))
    return g_strdup (WITHHELD);
  return casedb_summary_format_count (summary, row_total (row));
}

GBytes *
casedb_summary_to_csv (CasedbSummary *summary)
{
  GString *out = g_string_new ("violation,period,region,verification,incidents,"
                               "victims_female,victims_male,victims_unknown,victims_total\r\n");

  for (guint i = 0; i < summary->rows->len; i++)
    {
      CasedbAggregateRow *row = g_ptr_array_index (summary->rows, i);
      guint counts[] = { row->incidents, row->victims_female, row->victims_male,
                         row->victims_unknown };
      g_autofree char *total = format_row_total (summary, row);

      csv_field (out, casedb_violation_to_key (row->kind));
      g_string_append_c (out, ',');
      csv_field (out, row->period);
      g_string_append_c (out, ',');
      csv_field (out, row->region != NULL ? row->region : "");
      g_string_append_c (out, ',');
      csv_field (out, casedb_verification_to_key (row->verification));
      for (guint c = 0; c < G_N_ELEMENTS (counts); c++)
        {
          g_autofree char *s = casedb_summary_format_count (summary, counts[c]);

          g_string_append_c (out, ',');
          g_string_append (out, s);
        }
      g_string_append_c (out, ',');
      g_string_append (out, total);
      g_string_append (out, "\r\n");
    }
  return g_string_free_to_bytes (out);
}

static void
json_count (JsonBuilder *b, CasedbSummary *summary, const char *member, guint count)
{
  json_builder_set_member_name (b, member);
  if (suppressed (summary, count))
    {
      g_autofree char *s = casedb_summary_format_count (summary, count);

      json_builder_add_string_value (b, s);
    }
  else
    json_builder_add_int_value (b, count);
}

GBytes *
casedb_summary_to_json (CasedbSummary *summary)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  char *data;
  gsize len;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "casedb-anonymized-summary");
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "generated");
  json_builder_add_string_value (b, summary->generated);
  json_builder_set_member_name (b, "period");
  json_builder_add_string_value (b, period_keys[summary->period]);
  json_builder_set_member_name (b, "min_cell");
  json_builder_add_int_value (b, summary->min_cell);
  json_count (b, summary, "cases_counted", summary->n_cases);
  json_builder_set_member_name (b, "excluded_without_consent");
  json_builder_add_int_value (b, summary->n_excluded);
  json_builder_set_member_name (b, "rows");
  json_builder_begin_array (b);
  for (guint i = 0; i < summary->rows->len; i++)
    {
      CasedbAggregateRow *row = g_ptr_array_index (summary->rows, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "violation");
      json_builder_add_string_value (b, casedb_violation_to_key (row->kind));
      json_builder_set_member_name (b, "period");
      json_builder_add_string_value (b, row->period);
      json_builder_set_member_name (b, "region");
      json_builder_add_string_value (b, row->region != NULL ? row->region : "");
      json_builder_set_member_name (b, "verification");
      json_builder_add_string_value (b, casedb_verification_to_key (row->verification));
      json_count (b, summary, "incidents", row->incidents);
      json_count (b, summary, "victims_female", row->victims_female);
      json_count (b, summary, "victims_male", row->victims_male);
      json_count (b, summary, "victims_unknown", row->victims_unknown);
      {
        g_autofree char *total = format_row_total (summary, row);

        if (g_strcmp0 (total, WITHHELD) == 0)
          {
            json_builder_set_member_name (b, "victims_total");
            json_builder_add_string_value (b, WITHHELD);
          }
        else
          json_count (b, summary, "victims_total", row_total (row));
      }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  data = json_generator_to_data (gen, &len);
  return g_bytes_new_take (data, len);
}

/* ---------------------------------------------------------------------- */
/* The printable report                                                    */

static int
rows_on_first_page (double height)
{
  return MAX (1, (int) ((height - 2 * MARGIN - HEADER_H - CHART_H - TABLE_HEAD) / ROW_HEIGHT));
}

static int
rows_on_other_pages (double height)
{
  return MAX (1, (int) ((height - 2 * MARGIN - TABLE_HEAD) / ROW_HEIGHT));
}

int
casedb_summary_get_n_pages (CasedbSummary *summary, double width, double height)
{
  int rows = summary->rows->len;
  int first = rows_on_first_page (height);

  if (rows <= first)
    return 1;
  return 1 + (rows - first + rows_on_other_pages (height) - 1) / rows_on_other_pages (height);
}

static void
draw_text (cairo_t *cr, double x, double y, double width, const char *font,
           PangoAlignment align, const char *text)
{
  g_autoptr(PangoLayout) layout = pango_cairo_create_layout (cr);
  PangoFontDescription *desc = pango_font_description_from_string (font);

  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_alignment (layout, align);
  pango_layout_set_auto_dir (layout, TRUE);
  pango_layout_set_text (layout, text, -1);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
}

static void
draw_header (CasedbSummary *summary, cairo_t *cr, double width)
{
  g_autofree char *line1 = NULL;
  g_autofree char *line2 = NULL;
  g_autofree char *cases = casedb_summary_format_count (summary, summary->n_cases);
  const char *period_label[] = { N_("month"), N_("quarter"), N_("year") };
  double w = width - 2 * MARGIN;

  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  draw_text (cr, MARGIN, MARGIN, w, "Sans Bold 16", PANGO_ALIGN_LEFT,
             _("Grave violations against children — anonymized summary"));
  line1 = g_strdup_printf (_("Generated %s · counted by %s of the incident date · %s cases counted"),
                           summary->generated, _(period_label[summary->period]), cases);
  draw_text (cr, MARGIN, MARGIN + 30, w, "Sans 9", PANGO_ALIGN_LEFT, line1);
  if (summary->min_cell > 0)
    line2 = g_strdup_printf (_("Counts from 1 to %u are shown as “<%u” to protect the people behind them, "
                               "and a total that would reveal such a count is shown as “x”. "
                               "%u cases were left out because their consent does not allow statistics. "
                               "Drafts are not counted. No names, codes or exact places are included."),
                             summary->min_cell - 1, summary->min_cell, summary->n_excluded);
  else
    line2 = g_strdup_printf (_("Small counts are not suppressed in this report. "
                               "%u cases were left out because their consent does not allow statistics. "
                               "Drafts are not counted. No names, codes or exact places are included."),
                             summary->n_excluded);
  {
    g_autoptr(PangoLayout) layout = pango_cairo_create_layout (cr);
    PangoFontDescription *desc = pango_font_description_from_string ("Sans Italic 8.5");

    pango_layout_set_font_description (layout, desc);
    pango_font_description_free (desc);
    pango_layout_set_width (layout, (int) (w * PANGO_SCALE));
    pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text (layout, line2, -1);
    cairo_move_to (cr, MARGIN, MARGIN + 50);
    pango_cairo_show_layout (cr, layout);
  }
}

static void
draw_chart (CasedbSummary *summary, cairo_t *cr, double top, double width)
{
  double label_w = 190, chart_w = width - 2 * MARGIN - label_w - 50;
  double bar_h = 22, gap = 10;
  guint max = 1;

  draw_text (cr, MARGIN, top, width - 2 * MARGIN, "Sans Bold 11", PANGO_ALIGN_LEFT,
             _("Incidents by violation"));
  top += 26;

  for (guint k = 0; k < CASEDB_N_VIOLATIONS; k++)
    max = MAX (max, summary->totals[k]);

  for (guint k = 0; k < CASEDB_N_VIOLATIONS; k++)
    {
      double y = top + k * (bar_h + gap);
      guint count = summary->totals[k];
      gboolean hidden = suppressed (summary, count) || summary->totals_withheld[k];
      g_autofree char *value = summary->totals_withheld[k] ? g_strdup (WITHHELD)
                                                           : casedb_summary_format_count (summary, count);
      /* A suppressed or withheld total must not be readable from the bar. */
      double len = hidden ? 0 : chart_w * count / max;

      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      draw_text (cr, MARGIN, y + 4, label_w - 8, "Sans 9", PANGO_ALIGN_LEFT,
                 casedb_violation_get_label (k));
      cairo_set_source_rgb (cr, 0.21, 0.52, 0.89);   /* GNOME blue 3 */
      cairo_rectangle (cr, MARGIN + label_w, y, MAX (len, 1), bar_h);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      draw_text (cr, MARGIN + label_w + len + 6, y + 4, 60, "Sans 9", PANGO_ALIGN_LEFT, value);
    }
}

static void
draw_table (CasedbSummary *summary, cairo_t *cr, double top, double width, int first, int count)
{
  /* violation, period, region, verification, incidents, F, M, ?, total */
  static const double share[] = { 0.22, 0.10, 0.18, 0.12, 0.08, 0.075, 0.075, 0.075, 0.075 };
  const char *heads[] = { _("Violation"), _("Period"), _("Region"), _("Verification"),
                          _("Incidents"), C_("sex", "Female"), C_("sex", "Male"),
                          C_("sex", "Unknown"), _("Victims") };
  double w = width - 2 * MARGIN;
  double x;

  cairo_set_source_rgb (cr, 0.92, 0.92, 0.92);
  cairo_rectangle (cr, MARGIN, top, w, TABLE_HEAD - 4);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  x = MARGIN;
  for (guint c = 0; c < G_N_ELEMENTS (heads); c++)
    {
      draw_text (cr, x + 3, top + 3, share[c] * w - 6, "Sans Bold 8",
                 c >= 4 ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT, heads[c]);
      x += share[c] * w;
    }
  top += TABLE_HEAD;

  for (int i = first; i < first + count && i < (int) summary->rows->len; i++)
    {
      CasedbAggregateRow *row = g_ptr_array_index (summary->rows, i);
      guint counts[] = { row->incidents, row->victims_female, row->victims_male,
                         row->victims_unknown };
      g_autofree char *total = format_row_total (summary, row);
      double y = top + (i - first) * ROW_HEIGHT;

      if ((i - first) % 2 == 1)
        {
          cairo_set_source_rgb (cr, 0.97, 0.97, 0.97);
          cairo_rectangle (cr, MARGIN, y - 2, w, ROW_HEIGHT);
          cairo_fill (cr);
        }
      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      x = MARGIN;
      draw_text (cr, x + 3, y, share[0] * w - 6, "Sans 8", PANGO_ALIGN_LEFT,
                 casedb_violation_get_label (row->kind));
      x += share[0] * w;
      draw_text (cr, x + 3, y, share[1] * w - 6, "Sans 8", PANGO_ALIGN_LEFT, row->period);
      x += share[1] * w;
      draw_text (cr, x + 3, y, share[2] * w - 6, "Sans 8", PANGO_ALIGN_LEFT,
                 row->region != NULL ? row->region : "");
      x += share[2] * w;
      draw_text (cr, x + 3, y, share[3] * w - 6, "Sans 8", PANGO_ALIGN_LEFT,
                 casedb_verification_get_label (row->verification));
      x += share[3] * w;
      for (guint c = 0; c < G_N_ELEMENTS (counts); c++)
        {
          g_autofree char *s = casedb_summary_format_count (summary, counts[c]);

          draw_text (cr, x + 3, y, share[4 + c] * w - 6, "Sans 8", PANGO_ALIGN_RIGHT, s);
          x += share[4 + c] * w;
        }
      draw_text (cr, x + 3, y, share[8] * w - 6, "Sans 8", PANGO_ALIGN_RIGHT, total);
    }
}

void
casedb_summary_draw_page (CasedbSummary *summary, cairo_t *cr, double width, double height, int page)
{
  int first_rows = rows_on_first_page (height);
  int other_rows = rows_on_other_pages (height);
  int n_pages = casedb_summary_get_n_pages (summary, width, height);
  g_autofree char *footer = g_strdup_printf (_("Page %d of %d"), page + 1, n_pages);

  g_return_if_fail (page >= 0 && page < n_pages);

  cairo_save (cr);
  if (page == 0)
    {
      draw_header (summary, cr, width);
      draw_chart (summary, cr, MARGIN + HEADER_H, width);
      if (summary->rows->len == 0)
        draw_text (cr, MARGIN, MARGIN + HEADER_H + CHART_H, width - 2 * MARGIN, "Sans 10",
                   PANGO_ALIGN_LEFT, _("No case can be counted."));
      else
        draw_table (summary, cr, MARGIN + HEADER_H + CHART_H, width, 0, first_rows);
    }
  else
    draw_table (summary, cr, MARGIN, width, first_rows + (page - 1) * other_rows, other_rows);

  cairo_set_source_rgb (cr, 0.4, 0.4, 0.4);
  draw_text (cr, MARGIN, height - MARGIN + 14, width - 2 * MARGIN, "Sans 7.5",
             PANGO_ALIGN_CENTER, footer);
  cairo_restore (cr);
}

static cairo_status_t
write_to_stream (void *closure, const unsigned char *data, unsigned int length)
{
  GOutputStream *out = closure;

  return g_output_stream_write_all (out, data, length, NULL, NULL, NULL)
         ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static gboolean
write_pdf (CasedbSummary *summary, GOutputStream *out, GError **error)
{
  const double width = 595.28, height = 841.89;   /* A4 */
  cairo_surface_t *surface = cairo_pdf_surface_create_for_stream (write_to_stream, out, width, height);
  cairo_t *cr = cairo_create (surface);
  int n = casedb_summary_get_n_pages (summary, width, height);
  cairo_status_t status;

  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE,
                                  _("Grave violations against children — anonymized summary"));
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "CaseDB");
  for (int page = 0; page < n; page++)
    {
      casedb_summary_draw_page (summary, cr, width, height, page);
      cairo_show_page (cr);
    }
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_IO, _("Could not write the PDF: %s"),
                   cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

gboolean
casedb_summary_write (CasedbSummary *summary, CasedbSummaryFormat format, const char *path,
                      GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  out = g_file_create (file, G_FILE_CREATE_PRIVATE, NULL, &local_error);
  if (out == NULL)
    {
      g_set_error (error, CASEDB_ERROR,
                   g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS)
                     ? CASEDB_ERROR_EXISTS : CASEDB_ERROR_IO,
                   _("Could not create “%s”: %s"), path, local_error->message);
      return FALSE;
    }

  if (format == CASEDB_SUMMARY_PDF)
    ok = write_pdf (summary, G_OUTPUT_STREAM (out), error);
  else
    {
      g_autoptr(GBytes) bytes = format == CASEDB_SUMMARY_CSV ? casedb_summary_to_csv (summary)
                                                             : casedb_summary_to_json (summary);

      ok = g_output_stream_write_all (G_OUTPUT_STREAM (out), g_bytes_get_data (bytes, NULL),
                                      g_bytes_get_size (bytes), NULL, NULL, &local_error);
      if (!ok)
        g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_IO, _("Could not write “%s”: %s"),
                     path, local_error->message);
    }
  if (!g_output_stream_close (G_OUTPUT_STREAM (out), NULL, ok ? &local_error : NULL) && ok)
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_IO, _("Could not write “%s”: %s"),
                   path, local_error->message);
      ok = FALSE;
    }
  if (!ok)
    g_file_delete (file, NULL, NULL);
  return ok;
}
