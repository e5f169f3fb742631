/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>

#include "casedb-store.h"

G_BEGIN_DECLS

/*
 * The anonymized summary for the UN focal point: counts per (violation,
 * period of the incident date, region, verification), no identity, no case
 * code, coarse regions only.  Drafts are left out (partial information);
 * cases whose consent does not allow statistics are left out and counted.
 * Small-cell suppression: a count from 1 to K−1 is written "<K".
 */
typedef struct _CasedbSummary CasedbSummary;

typedef enum {
  CASEDB_SUMMARY_CSV,
  CASEDB_SUMMARY_JSON,
  CASEDB_SUMMARY_PDF,
} CasedbSummaryFormat;

gboolean       casedb_summary_format_from_string (const char *str, CasedbSummaryFormat *format);
gboolean       casedb_period_from_string  (const char *str, CasedbPeriod *period);
const char    *casedb_period_to_string    (CasedbPeriod period);

/* Computes the summary (EXPORT permission).  @min_cell 0 turns suppression off.
 * Writes an "export" audit entry. */
CasedbSummary *casedb_summary_new         (CasedbStore *store, CasedbPeriod period,
                                           guint min_cell, GError **error);
void           casedb_summary_free        (CasedbSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CasedbSummary, casedb_summary_free)

guint          casedb_summary_get_n_rows     (CasedbSummary *summary);
/* Cases left out because their consent does not allow statistics. */
guint          casedb_summary_get_n_excluded (CasedbSummary *summary);
/* A count as written: "12", "0", or "<5". (transfer full) */
char          *casedb_summary_format_count   (CasedbSummary *summary, guint count);

GBytes        *casedb_summary_to_csv      (CasedbSummary *summary);
GBytes        *casedb_summary_to_json     (CasedbSummary *summary);
/* Writes @format to @path (created 0600, not overwritten: EXISTS). */
gboolean       casedb_summary_write       (CasedbSummary *summary, CasedbSummaryFormat format,
                                           const char *path, GError **error);

/* The printable report, for the PDF and for GtkPrintOperation: pages of
 * @width × @height points. */
int            casedb_summary_get_n_pages (CasedbSummary *summary, double width, double height);
void           casedb_summary_draw_page   (CasedbSummary *summary, cairo_t *cr,
                                           double width, double height, int page);

G_END_DECLS
