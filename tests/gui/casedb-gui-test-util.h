/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "casedb-core.h"

G_BEGIN_DECLS

/* What casedb_gui_test_collect_text() reads from each widget. */
typedef enum
{
  CASEDB_GUI_TEST_TEXT_LABELS     = 1 << 0,  /* gtk_label_get_text() */
  CASEDB_GUI_TEST_TEXT_EDITABLES  = 1 << 1,  /* gtk_editable_get_text() */
  CASEDB_GUI_TEST_TEXT_TEXT_VIEWS = 1 << 2,  /* a GtkTextView's whole buffer */
  CASEDB_GUI_TEST_TEXT_TOOLTIPS   = 1 << 3,  /* gtk_widget_get_tooltip_text() */
  CASEDB_GUI_TEST_TEXT_BUTTONS    = 1 << 4,  /* gtk_button_get_label(), mnemonic and all */
} CasedbGuiTestText;

/* Everything a widget holds or shows except button labels (whose label
 * child is a GtkLabel already). */
#define CASEDB_GUI_TEST_TEXT_SHOWN (CASEDB_GUI_TEST_TEXT_LABELS | CASEDB_GUI_TEST_TEXT_EDITABLES | \
                                    CASEDB_GUI_TEST_TEXT_TEXT_VIEWS | CASEDB_GUI_TEST_TEXT_TOOLTIPS)

/* The start of a widget test's main(): without a display prints the TAP
 * "1..0 # SKIP" line and returns FALSE (main() then returns 0); otherwise
 * gtk_test_init(), adw_init() and casedb_core_init() and returns TRUE. */
gboolean          casedb_gui_test_init                (int          *argc,
                                                       char       ***argv);

/* Dispatches what is pending until nothing is. */
void              casedb_gui_test_iterate             (void);
/* casedb_gui_test_iterate() 20 times over: for what a frame or a chunk of
 * idle work queues after the first round (lazy pages, revealed lists). */
void              casedb_gui_test_settle              (void);

/* Adds one to *@n_frames at each frame of @widget's clock until
 * gtk_widget_remove_tick_callback (@widget, returned id). */
guint             casedb_gui_test_count_frames        (GtkWidget    *widget,
                                                       guint        *n_frames);

/* Depth-first, @root included; NULL if none.  (transfer none) */
GtkWidget        *casedb_gui_test_find_buildable      (GtkWidget    *root,
                                                       const char   *id);
GtkWidget        *casedb_gui_test_find_type           (GtkWidget    *root,
                                                       GType         type);
GtkWidget        *casedb_gui_test_find_named          (GtkWidget    *root,
                                                       const char   *name);
/* How many widgets under @root (included) are a @type or derive from it. */
guint             casedb_gui_test_count_type          (GtkWidget    *root,
                                                       GType         type);

/* Appends @what of @root and of every widget under it to @out, one line each. */
void              casedb_gui_test_collect_text        (GtkWidget    *root,
                                                       CasedbGuiTestText what,
                                                       GString      *out);
/* The same, as a string.  (transfer full) */
char             *casedb_gui_test_dup_text            (GtkWidget    *root,
                                                       CasedbGuiTestText what);

/* The visible AdwMessageDialog (transient for @parent, unless NULL), or
 * NULL; fails the test if more than one is visible.  (transfer none) */
AdwMessageDialog *casedb_gui_test_find_message_dialog (GtkWindow    *parent);

/* Opens @path as @user; fails the test on any error.  (transfer full) */
CasedbStore      *casedb_gui_test_open_as             (const char   *path,
                                                       const char   *user,
                                                       const char   *password);
/* casedb_store_close() and drops the reference. */
void              casedb_gui_test_close_store         (CasedbStore  *store);

G_END_DECLS
