/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CASEDB_TYPE_BAR_CHART (casedb_bar_chart_get_type ())
G_DECLARE_FINAL_TYPE (CasedbBarChart, casedb_bar_chart, CASEDB, BAR_CHART, GtkWidget)

GtkWidget *casedb_bar_chart_new        (void);
/* Replaces the bars.  @labels: @n_bars translated axis labels. */
void       casedb_bar_chart_set_data   (CasedbBarChart     *self,
                                        const char * const *labels,
                                        const guint        *values,
                                        guint               n_bars);
void       casedb_bar_chart_set_title  (CasedbBarChart     *self,
                                        const char         *title);

G_END_DECLS
