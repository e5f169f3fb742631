/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Small helpers that more than one page uses. */

/* Gives @label its own whole text as a tooltip, for text that may be cut
 * short.  Answered only when the pointer rests on the label:
 * gtk_widget_set_tooltip_text() asks the X server where the pointer is on
 * every call, and a list binds hundreds of cells at once. */
void casedb_label_set_text_tooltip (GtkLabel *label);

G_END_DECLS
