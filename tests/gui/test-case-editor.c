/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "casedb-case-editor.h"
#include "casedb-gui-test-util.h"
#include "casedb-test-util.h"

/* Marker identities: if one of these shows up in a widget, an identity leaked. */
#define MARKER_NAME      "Zzmarker Qqvictim"
#define MARKER_NARRATIVE "Qqnarrative Zzmarker"
#define MARKER_PLACE     "Zzplace Qqmarker"

#define PASSWORD "correct horse battery"

/* The names the editor gives its identity widgets. */
static const char * const identity_widget_names[] = {
  "location-detail", "narrative", "followup-notes", "referral-notes",
  "withhold-from", "withhold-reason", "victim-name", "victim-guardian", "victim-contact",
};

/* The coded fields of the form that editing roles get. */
static const char * const form_entry_names[] = {
  "reference", "incident-date", "report-date", "region", "source-code",
  "summary", "consent-date", "legal-basis", "retention-review", "perpetrator-code",
};
static const char * const form_control_names[] = {
  "verification", "consent-by", "needs-followup", "consent-informed", "use-statistics",
  "violation-kind", "victim-sex", "victim-age", "victim-link",
};

typedef struct
{
  char        *dir;
  char        *db_path;
  gint64       marked_id;   /* a stored case with marker identities */
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(CasedbStore) admin = NULL;
  g_autoptr(CasedbCase) c = NULL;
  g_autoptr(GError) error = NULL;
  CasedbVictim *victim;
  CasedbViolation *violation;
  guint index = 0;

  fixture->dir = casedb_test_mkdtemp ();
  fixture->db_path = g_build_filename (fixture->dir, "cases.casedb", NULL);
  admin = casedb_test_create_store (fixture->db_path, "admin", PASSWORD);
  casedb_test_add_user (admin, "worker", CASEDB_ROLE_CASEWORKER, PASSWORD);
  casedb_test_add_user (admin, "analyst", CASEDB_ROLE_ANALYST, PASSWORD);

  c = casedb_test_make_case ("REF-MARKED", "2024-02-10", CASEDB_VIOLATION_ABDUCTION);
  c->location_detail = casedb_secure_strdup (MARKER_PLACE);
  c->narrative = casedb_secure_strdup (MARKER_NARRATIVE);
  victim = casedb_case_add_victim (c);
  victim->sex = CASEDB_SEX_FEMALE;
  victim->age = 12;
  victim->name = casedb_secure_strdup (MARKER_NAME);
  violation = g_ptr_array_index (c->violations, 0);
  violation->perpetrator_code = g_strdup ("P-0042");
  g_array_append_val (violation->victims, index);
  g_assert_true (casedb_store_save_case (admin, c, &error));
  g_assert_no_error (error);
  fixture->marked_id = c->id;
  g_assert_cmpint (fixture->marked_id, >, 0);
  casedb_store_close (admin);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  casedb_test_rmtree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db_path);
}

/* Whether @needle is among every text a widget under @widget holds or
 * shows: labels, editables, text views, tooltips. */
static gboolean
shows_text (GtkWidget  *widget,
            const char *needle)
{
  g_autofree char *text = casedb_gui_test_dup_text (widget, CASEDB_GUI_TEST_TEXT_SHOWN);

  return strstr (text, needle) != NULL;
}

/* How many times @needle is shown under @widget. */
static guint
count_text (GtkWidget  *widget,
            const char *needle)
{
  g_autofree char *text = casedb_gui_test_dup_text (widget, CASEDB_GUI_TEST_TEXT_SHOWN);
  guint n = 0;

  for (const char *at = strstr (text, needle); at != NULL; at = strstr (at + 1, needle))
    n++;
  return n;
}

static gboolean
shows_any_marker (GtkWidget *widget)
{
  return shows_text (widget, MARKER_NAME) ||
         shows_text (widget, MARKER_NARRATIVE) ||
         shows_text (widget, MARKER_PLACE);
}

/* The read-only view holds nothing that looks editable: no entry row or
 * editable text anywhere, and among what can be seen no switch, combo or
 * check button and nothing insensitive (a dead control looks broken). */
static void
assert_nothing_editable (GtkWidget *widget,
                         gboolean   shown)
{
  shown = shown && gtk_widget_get_visible (widget);

  g_assert_false (ADW_IS_ENTRY_ROW (widget));
  g_assert_false (GTK_IS_TEXT_VIEW (widget));
  if (GTK_IS_EDITABLE (widget))
    g_assert_false (gtk_editable_get_editable (GTK_EDITABLE (widget)));
  if (shown)
    {
      g_assert_false (ADW_IS_COMBO_ROW (widget));
      g_assert_false (GTK_IS_SWITCH (widget));
      g_assert_false (GTK_IS_CHECK_BUTTON (widget));
      g_assert_true (gtk_widget_get_sensitive (widget));
    }
  if (shown && GTK_IS_ACTIONABLE (widget))
    {
      const char *action = gtk_actionable_get_action_name (GTK_ACTIONABLE (widget));

      g_assert_false (g_str_has_prefix (action != NULL ? action : "", "editor.save"));
      g_assert_cmpstr (action, !=, "editor.delete");
      g_assert_cmpstr (action, !=, "editor.add-victim");
      g_assert_cmpstr (action, !=, "editor.add-violation");
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    assert_nothing_editable (child, shown);
}

/* The row named @name shows @value (a value row of the read-only view). */
static void
assert_row_shows (GtkWidget  *editor,
                  const char *name,
                  const char *value)
{
  GtkWidget *row = casedb_gui_test_find_named (editor, name);

  g_assert_nonnull (row);
  g_assert_true (ADW_IS_ACTION_ROW (row));
  g_assert_nonnull (value);
  g_assert_true (shows_text (row, value));
}

static void
set_entry (GtkWidget  *editor,
           const char *name,
           const char *text)
{
  GtkWidget *widget = casedb_gui_test_find_named (editor, name);

  g_assert_nonnull (widget);
  if (GTK_IS_TEXT_VIEW (widget))
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget)), text, -1);
  else
    gtk_editable_set_text (GTK_EDITABLE (widget), text);
}

/* A toplevel for @editor, so that dialogs have a parent. */
static GtkWidget *
show_in_window (GtkWidget *editor)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_set_child (GTK_WINDOW (window), editor);
  gtk_window_present (GTK_WINDOW (window));
  casedb_gui_test_iterate ();
  return window;
}

/* A new editor for @store, in a window, with the case @id open. */
static GtkWidget *
open_case (CasedbStore  *store,
           gint64        id,
           GtkWidget   **window)
{
  GtkWidget *editor = g_object_ref_sink (casedb_case_editor_new (store));

  *window = show_in_window (editor);
  casedb_case_editor_load (CASEDB_CASE_EDITOR (editor), id);
  casedb_gui_test_iterate ();
  return editor;
}

static void
destroy_window (GtkWidget *window,
                GtkWidget *editor)
{
  gtk_window_destroy (GTK_WINDOW (window));
  casedb_gui_test_iterate ();
  g_assert_finalize_object (editor);
}

static void
on_saved (CasedbCaseEditor *editor,
          gint64            id,
          gint64           *out)
{
  *out = id;
}

static void
on_deleted (CasedbCaseEditor *editor,
            gint64            id,
            gint64           *out)
{
  *out = id;
}

static CasedbCaseRow *
find_case (CasedbStore *store,
           const char  *reference,
           guint       *n_cases)
{
  g_autoptr(GListModel) cases = NULL;
  g_autoptr(GError) error = NULL;

  cases = casedb_store_list_cases (store, NULL, &error);
  g_assert_no_error (error);
  *n_cases = g_list_model_get_n_items (cases);
  for (guint i = 0; i < *n_cases; i++)
    {
      g_autoptr(CasedbCaseRow) row = g_list_model_get_item (cases, i);

      if (g_strcmp0 (casedb_case_row_get_reference (row), reference) == 0)
        return g_steal_pointer (&row);
    }
  return NULL;
}

/* An analyst's editor never builds an identity widget, and nothing shows a
 * marker, not even after trying to reveal.  The caseworker half proves the
 * widget names and markers looked for are the right ones. */
static void
test_analyst_has_no_identity_widgets (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autoptr(CasedbStore) analyst = casedb_gui_test_open_as (fixture->db_path, "analyst", PASSWORD);
  g_autoptr(CasedbStore) worker = casedb_gui_test_open_as (fixture->db_path, "worker", PASSWORD);
  GtkWidget *editor;
  GtkWidget *window;

  editor = open_case (analyst, fixture->marked_id, &window);

  for (guint i = 0; i < G_N_ELEMENTS (identity_widget_names); i++)
    g_assert_null (casedb_gui_test_find_named (editor, identity_widget_names[i]));
  g_assert_nonnull (casedb_gui_test_find_named (editor, "identity-lock"));
  g_assert_true (shows_text (editor, "REF-MARKED"));
  g_assert_false (shows_any_marker (editor));

  /* Reveal is not there for an analyst; activating it changes nothing. */
  gtk_widget_activate_action (editor, "editor.reveal", NULL);
  gtk_widget_activate_action (editor, "editor.save", NULL);
  casedb_gui_test_iterate ();
  g_assert_false (shows_any_marker (editor));
  for (guint i = 0; i < G_N_ELEMENTS (identity_widget_names); i++)
    g_assert_null (casedb_gui_test_find_named (editor, identity_widget_names[i]));
  g_assert_false (casedb_case_editor_get_modified (CASEDB_CASE_EDITOR (editor)));
  destroy_window (window, editor);

  /* The caseworker has the widgets, hidden until Reveal. */
  editor = open_case (worker, fixture->marked_id, &window);
  g_assert_nonnull (casedb_gui_test_find_named (editor, "victim-name"));
  g_assert_nonnull (casedb_gui_test_find_named (editor, "narrative"));
  g_assert_null (casedb_gui_test_find_named (editor, "identity-lock"));
  g_assert_false (shows_any_marker (editor));
  gtk_widget_activate_action (editor, "editor.reveal", NULL);
  casedb_gui_test_iterate ();
  g_assert_true (shows_text (editor, MARKER_NAME));
  g_assert_true (shows_text (editor, MARKER_NARRATIVE));
  g_assert_true (shows_text (editor, MARKER_PLACE));
  g_assert_false (casedb_case_editor_get_modified (CASEDB_CASE_EDITOR (editor)));
  destroy_window (window, editor);
}

/* An analyst reads the case in plain rows: every coded value the store
 * holds, nothing that looks editable, no Save or Delete, no identity. */
static void
test_analyst_sees_read_only_view (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(CasedbStore) analyst = casedb_gui_test_open_as (fixture->db_path, "analyst", PASSWORD);
  g_autoptr(CasedbCase) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *age = NULL;
  CasedbViolation *violation;
  CasedbVictim *victim;
  GtkWidget *editor;
  GtkWidget *window;
  guint n_reference, n_victim;

  stored = casedb_store_load_case (analyst, fixture->marked_id, FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stored->code);
  g_assert_cmpuint (stored->victims->len, ==, 1);
  g_assert_cmpuint (stored->violations->len, ==, 1);
  victim = g_ptr_array_index (stored->victims, 0);
  violation = g_ptr_array_index (stored->violations, 0);
  g_assert_nonnull (victim->code);

  editor = open_case (analyst, fixture->marked_id, &window);

  assert_nothing_editable (editor, TRUE);
  g_assert_false (shows_any_marker (editor));
  for (guint i = 0; i < G_N_ELEMENTS (identity_widget_names); i++)
    g_assert_null (casedb_gui_test_find_named (editor, identity_widget_names[i]));
  g_assert_true (shows_text (editor, "Read only"));

  {
    const struct { const char *name; const char *value; } rows[] = {
      { "case-code", stored->code },
      { "reference", stored->reference },
      { "incident-date", stored->incident_date },
      { "report-date", stored->report_date },
      { "region", stored->region },
      { "source-code", stored->source_code },
      { "summary", stored->summary },
      { "verification", casedb_verification_get_label (stored->verification) },
      { "consent-by", casedb_consent_by_get_label (stored->consent.given_by) },
      { "consent-date", stored->consent.date },
      { "consent-informed", stored->consent.informed ? "Yes" : "No" },
      { "needs-followup", stored->needs_followup ? "Yes" : "No" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
      assert_row_shows (editor, rows[i].name, rows[i].value);
  }
  g_assert_true ((stored->consent.uses & CASEDB_USE_STATISTICS) != 0);
  assert_row_shows (editor, "use-statistics", "Yes");
  g_assert_true ((stored->consent.uses & CASEDB_USE_REFERRAL) == 0);
  assert_row_shows (editor, "use-referral", "No");
  /* Nothing stored: said so, not an empty row. */
  g_assert_null (stored->consent.legal_basis);
  assert_row_shows (editor, "legal-basis", "Not recorded");

  g_assert_true (shows_text (casedb_gui_test_find_named (editor, "violation"),
                             casedb_violation_get_label (violation->kind)));
  assert_row_shows (editor, "perpetrator-code", violation->perpetrator_code);
  assert_row_shows (editor, "violation-victims", victim->code);
  age = g_strdup_printf ("%d years old", victim->age);
  assert_row_shows (editor, "victim", victim->code);
  assert_row_shows (editor, "victim", casedb_sex_get_label (victim->sex));
  assert_row_shows (editor, "victim", age);

  /* Opening a case again replaces its rows; closing removes them. */
  n_reference = count_text (editor, stored->reference);
  n_victim = count_text (editor, victim->code);
  g_assert_cmpuint (n_reference, >, 0);
  g_assert_cmpuint (n_victim, >, 0);
  casedb_case_editor_load (CASEDB_CASE_EDITOR (editor), fixture->marked_id);
  casedb_gui_test_iterate ();
  g_assert_cmpuint (count_text (editor, stored->reference), ==, n_reference);
  g_assert_cmpuint (count_text (editor, victim->code), ==, n_victim);
  assert_nothing_editable (editor, TRUE);
  casedb_case_editor_clear (CASEDB_CASE_EDITOR (editor));
  casedb_gui_test_iterate ();
  g_assert_false (shows_text (editor, "REF-MARKED"));
  g_assert_false (shows_text (editor, stored->code));
  g_assert_null (casedb_gui_test_find_named (editor, "reference"));

  destroy_window (window, editor);
}

/* The caseworker keeps the form: editable rows, live switches, Save. */
static void
test_caseworker_keeps_form (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(CasedbStore) worker = casedb_gui_test_open_as (fixture->db_path, "worker", PASSWORD);
  GtkWidget *window;
  GtkWidget *editor = open_case (worker, fixture->marked_id, &window);

  for (guint i = 0; i < G_N_ELEMENTS (form_entry_names); i++)
    {
      GtkWidget *widget = casedb_gui_test_find_named (editor, form_entry_names[i]);

      g_assert_nonnull (widget);
      g_assert_true (ADW_IS_ENTRY_ROW (widget));
      g_assert_true (gtk_editable_get_editable (GTK_EDITABLE (widget)));
    }
  for (guint i = 0; i < G_N_ELEMENTS (form_control_names); i++)
    {
      GtkWidget *widget = casedb_gui_test_find_named (editor, form_control_names[i]);

      g_assert_nonnull (widget);
      g_assert_true (ADW_IS_COMBO_ROW (widget) || GTK_IS_SWITCH (widget) ||
                     GTK_IS_CHECK_BUTTON (widget));
      g_assert_true (gtk_widget_get_sensitive (widget));
    }
  g_assert_true (shows_text (casedb_gui_test_find_named (editor, "reference"), "REF-MARKED"));
  g_assert_false (shows_text (editor, "Read only"));
  g_assert_false (shows_text (editor, "Not recorded"));
  g_assert_null (casedb_gui_test_find_named (editor, "case-code"));

  destroy_window (window, editor);
}

static void
test_caseworker_creates_case (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(CasedbStore) worker = casedb_gui_test_open_as (fixture->db_path, "worker", PASSWORD);
  g_autoptr(CasedbCaseRow) row = NULL;
  g_autoptr(CasedbCase) stored = NULL;
  g_autoptr(GError) error = NULL;
  CasedbViolation *violation;
  CasedbVictim *victim;
  GtkWidget *editor;
  GtkWidget *window;
  gint64 saved_id = 0;
  guint n_cases = 0;

  editor = g_object_ref_sink (casedb_case_editor_new (worker));
  g_signal_connect (editor, "saved", G_CALLBACK (on_saved), &saved_id);
  window = show_in_window (editor);
  casedb_case_editor_load (CASEDB_CASE_EDITOR (editor), 0);
  g_assert_false (casedb_case_editor_get_modified (CASEDB_CASE_EDITOR (editor)));

  /* A new case: identity fields are editable at once, nothing to reveal. */
  set_entry (editor, "reference", "REF-GUI-1");
  g_assert_true (casedb_case_editor_get_modified (CASEDB_CASE_EDITOR (editor)));
  set_entry (editor, "incident-date", "2024-03-01");
  set_entry (editor, "report-date", "2024-03-04");
  set_entry (editor, "region", "East");
  set_entry (editor, "location-detail", MARKER_PLACE);
  set_entry (editor, "narrative", MARKER_NARRATIVE);
  gtk_widget_activate_action (editor, "editor.add-violation", NULL);
  gtk_widget_activate_action (editor, "editor.add-victim", NULL);
  casedb_gui_test_iterate ();
  adw_combo_row_set_selected (ADW_COMBO_ROW (casedb_gui_test_find_named (editor, "violation-kind")),
                              CASEDB_VIOLATION_RECRUITMENT_USE);
  adw_combo_row_set_selected (ADW_COMBO_ROW (casedb_gui_test_find_named (editor, "victim-sex")),
                              CASEDB_SEX_MALE);
  adw_combo_row_set_selected (ADW_COMBO_ROW (casedb_gui_test_find_named (editor, "victim-age")),
                              15 + 1);
  set_entry (editor, "victim-name", MARKER_NAME);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (casedb_gui_test_find_named (editor, "victim-link")),
                               TRUE);
  gtk_switch_set_active (GTK_SWITCH (casedb_gui_test_find_named (editor, "use-statistics")), TRUE);

  gtk_widget_activate_action (editor, "editor.save", NULL);
  casedb_gui_test_iterate ();

  g_assert_cmpint (saved_id, >, 0);
  g_assert_false (casedb_case_editor_get_modified (CASEDB_CASE_EDITOR (editor)));
  row = find_case (worker, "REF-GUI-1", &n_cases);
  g_assert_nonnull (row);
  g_assert_cmpuint (n_cases, ==, 2);
  g_assert_cmpint (casedb_case_row_get_id (row), ==, saved_id);
  g_assert_false (casedb_case_row_get_draft (row));
  g_assert_cmpstr (casedb_case_row_get_incident_date (row), ==, "2024-03-01");
  g_assert_cmpstr (casedb_case_row_get_region (row), ==, "East");
  g_assert_cmpuint (casedb_case_row_get_n_victims (row), ==, 1);
  /* The editor shows the code the store assigned. */
  g_assert_true (shows_text (editor, casedb_case_row_get_code (row)));

  stored = casedb_store_load_case (worker, saved_id, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored->location_detail, ==, MARKER_PLACE);
  g_assert_cmpstr (stored->narrative, ==, MARKER_NARRATIVE);
  g_assert_cmpuint (stored->victims->len, ==, 1);
  victim = g_ptr_array_index (stored->victims, 0);
  g_assert_cmpstr (victim->name, ==, MARKER_NAME);
  g_assert_cmpint (victim->sex, ==, CASEDB_SEX_MALE);
  g_assert_cmpint (victim->age, ==, 15);
  g_assert_cmpuint (stored->violations->len, ==, 1);
  violation = g_ptr_array_index (stored->violations, 0);
  g_assert_cmpint (violation->kind, ==, CASEDB_VIOLATION_RECRUITMENT_USE);
  g_assert_cmpuint (violation->victims->len, ==, 1);
  g_assert_true ((stored->consent.uses & CASEDB_USE_STATISTICS) != 0);

  destroy_window (window, editor);
}

static void
test_draft_with_partial_info (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(CasedbStore) worker = casedb_gui_test_open_as (fixture->db_path, "worker", PASSWORD);
  g_autoptr(CasedbCaseRow) row = NULL;
  GtkWidget *editor;
  GtkWidget *window;
  gint64 saved_id = 0;
  guint n_cases = 0;

  editor = g_object_ref_sink (casedb_case_editor_new (worker));
  g_signal_connect (editor, "saved", G_CALLBACK (on_saved), &saved_id);
  window = show_in_window (editor);
  casedb_case_editor_load (CASEDB_CASE_EDITOR (editor), 0);
  set_entry (editor, "reference", "REF-PARTIAL");

  /* No incident date, no violation: a full save is refused and says why. */
  gtk_widget_activate_action (editor, "editor.save", NULL);
  casedb_gui_test_iterate ();
  g_assert_cmpint (saved_id, ==, 0);
  g_assert_null (find_case (worker, "REF-PARTIAL", &n_cases));
  g_assert_cmpuint (n_cases, ==, 1);
  g_assert_true (gtk_widget_has_css_class (casedb_gui_test_find_named (editor, "incident-date"),
                                           "error"));
  g_assert_true (shows_text (editor, "Incident date"));
  g_assert_true (casedb_case_editor_get_modified (CASEDB_CASE_EDITOR (editor)));

  /* A draft may be partial, but not malformed. */
  set_entry (editor, "consent-date", "2024-13-45");
  gtk_widget_activate_action (editor, "editor.save-draft", NULL);
  casedb_gui_test_iterate ();
  g_assert_cmpint (saved_id, ==, 0);
  g_assert_true (gtk_widget_has_css_class (casedb_gui_test_find_named (editor, "consent-date"),
                                           "error"));

  set_entry (editor, "consent-date", "");
  gtk_widget_activate_action (editor, "editor.save-draft", NULL);
  casedb_gui_test_iterate ();
  g_assert_cmpint (saved_id, >, 0);
  row = find_case (worker, "REF-PARTIAL", &n_cases);
  g_assert_nonnull (row);
  g_assert_true (casedb_case_row_get_draft (row));
  g_assert_true (casedb_case_row_get_incident_date (row) == NULL ||
                 *casedb_case_row_get_incident_date (row) == '\0');
  g_assert_false (gtk_widget_has_css_class (casedb_gui_test_find_named (editor, "incident-date"),
                                            "error"));

  destroy_window (window, editor);
}

static void
test_clear_wipes_identities (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(CasedbStore) worker = casedb_gui_test_open_as (fixture->db_path, "worker", PASSWORD);
  GtkWidget *editor;
  GtkWidget *window;

  editor = g_object_ref_sink (casedb_case_editor_new (worker));
  window = show_in_window (editor);

  casedb_case_editor_load (CASEDB_CASE_EDITOR (editor), fixture->marked_id);
  gtk_widget_activate_action (editor, "editor.reveal", NULL);
  casedb_gui_test_iterate ();
  g_assert_true (shows_text (editor, MARKER_NAME));
  g_assert_true (shows_text (editor, MARKER_NARRATIVE));

  casedb_case_editor_clear (CASEDB_CASE_EDITOR (editor));
  casedb_gui_test_iterate ();
  g_assert_false (shows_any_marker (editor));
  g_assert_false (shows_text (editor, "REF-MARKED"));
  g_assert_false (casedb_case_editor_get_modified (CASEDB_CASE_EDITOR (editor)));

  /* Leaving a revealed case for another one wipes it too, and the next
   * case starts hidden again. */
  casedb_case_editor_load (CASEDB_CASE_EDITOR (editor), fixture->marked_id);
  gtk_widget_activate_action (editor, "editor.reveal", NULL);
  g_assert_true (shows_text (editor, MARKER_PLACE));
  casedb_case_editor_load (CASEDB_CASE_EDITOR (editor), 0);
  g_assert_false (shows_any_marker (editor));
  casedb_case_editor_load (CASEDB_CASE_EDITOR (editor), fixture->marked_id);
  g_assert_false (shows_any_marker (editor));
  g_assert_true (shows_text (editor, "REF-MARKED"));

  destroy_window (window, editor);
}

/* Delete asks first, can be undone, and only then removes the case. */
static void
test_delete_with_undo (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(CasedbStore) worker = casedb_gui_test_open_as (fixture->db_path, "worker", PASSWORD);
  g_autoptr(CasedbCaseRow) row = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *editor;
  GtkWidget *window;
  gint64 deleted_id = 0;
  guint n_cases = 0;

  editor = g_object_ref_sink (casedb_case_editor_new (worker));
  g_signal_connect (editor, "deleted", G_CALLBACK (on_deleted), &deleted_id);
  window = show_in_window (editor);
  casedb_case_editor_load (CASEDB_CASE_EDITOR (editor), fixture->marked_id);

  gtk_widget_activate_action (editor, "editor.delete", NULL);
  casedb_gui_test_iterate ();
  dialog = casedb_gui_test_find_message_dialog (NULL);
  g_assert_nonnull (dialog);
  /* What a click on Delete does: respond, then close. */
  adw_message_dialog_response (dialog, "delete");
  gtk_window_close (GTK_WINDOW (dialog));
  casedb_gui_test_iterate ();

  /* Confirmed, but still undoable: the case is still stored. */
  g_clear_object (&row);
  row = find_case (worker, "REF-MARKED", &n_cases);
  g_assert_nonnull (row);
  g_assert_cmpint (deleted_id, ==, 0);
  gtk_widget_activate_action (editor, "editor.undo-delete", NULL);
  casedb_gui_test_iterate ();
  g_assert_true (shows_text (editor, "REF-MARKED"));

  gtk_widget_activate_action (editor, "editor.delete", NULL);
  casedb_gui_test_iterate ();
  dialog = casedb_gui_test_find_message_dialog (NULL);
  g_assert_nonnull (dialog);
  /* What a click on Delete does: respond, then close. */
  adw_message_dialog_response (dialog, "delete");
  gtk_window_close (GTK_WINDOW (dialog));
  casedb_gui_test_iterate ();
  g_assert_cmpint (deleted_id, ==, 0);

  /* Leaving the editor carries the deletion out. */
  casedb_case_editor_clear (CASEDB_CASE_EDITOR (editor));
  g_assert_cmpint (deleted_id, ==, fixture->marked_id);
  g_clear_object (&row);
  row = find_case (worker, "REF-MARKED", &n_cases);
  g_assert_null (row);
  g_assert_cmpuint (n_cases, ==, 0);

  destroy_window (window, editor);
}

int
main (int   argc,
      char *argv[])
{
  if (!casedb_gui_test_init (&argc, &argv))
    return 0;

  g_test_add ("/gui/case-editor/analyst-has-no-identity-widgets", Fixture, NULL,
              fixture_setup, test_analyst_has_no_identity_widgets, fixture_teardown);
  g_test_add ("/gui/case-editor/analyst-sees-read-only-view", Fixture, NULL,
              fixture_setup, test_analyst_sees_read_only_view, fixture_teardown);
  g_test_add ("/gui/case-editor/caseworker-keeps-form", Fixture, NULL,
              fixture_setup, test_caseworker_keeps_form, fixture_teardown);
  g_test_add ("/gui/case-editor/caseworker-creates-case", Fixture, NULL,
              fixture_setup, test_caseworker_creates_case, fixture_teardown);
  g_test_add ("/gui/case-editor/draft-with-partial-info", Fixture, NULL,
              fixture_setup, test_draft_with_partial_info, fixture_teardown);
  g_test_add ("/gui/case-editor/clear-wipes-identities", Fixture, NULL,
              fixture_setup, test_clear_wipes_identities, fixture_teardown);
  g_test_add ("/gui/case-editor/delete-with-undo", Fixture, NULL,
              fixture_setup, test_delete_with_undo, fixture_teardown);

  return g_test_run ();
}
