/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-case-editor"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "casedb-case-editor.h"
#include "casedb-error.h"
#include "casedb-secure.h"

/*
 * The editor of one case.
 *
 * Identity fields are the dangerous part.  They are built in code, never in
 * the template, and only for roles that hold the identity key: an analyst's
 * editor has no widget that could ever show a name.  For the other roles a
 * stored case opens with its identities "Hidden"; Reveal loads them (the
 * store audits that) and leaving the case wipes them from the widgets and
 * frees the secure-memory copy.  Single-line identity entries keep their text
 * in a GtkPasswordEntryBuffer (non-pageable memory, wiped on change) with
 * undo off, so that no copy lingers in an undo stack.
 *
 * Roles that may not edit cases (analysts) get no form at all.  The form's
 * rows are taken out of the template and every value is shown in a plain
 * row built from the case (see "the read-only view" below): a non-editable
 * AdwEntryRow of libadwaita 1.2 still shows its pencil, and an insensitive
 * switch looks broken rather than read-only.
 */

typedef struct
{
  GtkWidget *hidden_row;   /* says "Hidden", with a Reveal button */
  GtkWidget *row;          /* holds the editable; shown once revealed */
  GtkWidget *editable;     /* an AdwEntryRow (GtkEditable) or a GtkTextView */
} IdentityField;

typedef struct
{
  char           *code;            /* V-…; NULL until the case is saved */
  AdwExpanderRow *row;
  GtkWidget      *remove_button;
  AdwComboRow    *sex_row;
  AdwComboRow    *age_row;
  IdentityField   name;
  IdentityField   guardian;
  IdentityField   contact;
} VictimWidgets;

typedef struct
{
  AdwExpanderRow *row;
  GtkWidget      *remove_button;
  AdwComboRow    *kind_row;
  AdwComboRow    *subtype_row;
  AdwEntryRow    *perpetrator_row;
  GPtrArray      *link_rows;       /* rows listing the victims */
  GPtrArray      *link_checks;     /* GtkCheckButton per victim in link_victims */
  GPtrArray      *link_victims;    /* VictimWidgets * when the rows were built; not owned */
} ViolationWidgets;

struct _CasedbCaseEditor
{
  AdwBin               parent_instance;

  CasedbStore         *store;
  CasedbCase          *kase;              /* as loaded; identities only after Reveal */
  GPtrArray           *victims;           /* VictimWidgets */
  GPtrArray           *violations;        /* ViolationWidgets */
  GArray              *verification_values;
  GPtrArray           *view_rows;         /* rows of the read-only view; not owned */
  GtkSwitch           *use_switches[CASEDB_N_USES];
  GtkWidget           *reveal_row;
  GtkWidget           *reveal_button;
  AdwToast            *delete_toast;
  gint64               pending_delete_id; /* deleted when the toast goes away */
  char                *pending_delete_code;

  IdentityField        location_detail;
  IdentityField        narrative;
  IdentityField        followup_notes;
  IdentityField        referral_notes;
  IdentityField        withhold_from;
  IdentityField        withhold_reason;

  guint                can_identity : 1;
  guint                can_edit : 1;
  guint                can_verify : 1;
  guint                revealed : 1;
  guint                modified : 1;
  guint                loading;

  /* Template widgets */
  AdwToastOverlay     *toast_overlay;
  AdwWindowTitle      *window_title;
  GtkWidget           *read_only_icon;
  GtkWidget           *delete_button;
  GtkWidget           *save_draft_button;
  GtkWidget           *save_button;
  GtkRevealer         *errors_revealer;
  GtkBox              *errors_box;
  GtkStack            *stack;
  AdwStatusPage       *deleted_status;
  AdwPreferencesPage  *page;
  AdwPreferencesGroup *identity_status_group;
  AdwPreferencesGroup *incident_group;
  AdwActionRow        *code_row;
  AdwEntryRow         *reference_row;
  AdwEntryRow         *incident_date_row;
  AdwEntryRow         *report_date_row;
  AdwEntryRow         *region_row;
  AdwPreferencesGroup *violations_group;
  GtkWidget           *add_violation_button;
  AdwPreferencesGroup *victims_group;
  GtkWidget           *add_victim_button;
  AdwPreferencesGroup *verification_group;
  AdwEntryRow         *source_code_row;
  AdwComboRow         *verification_row;
  AdwEntryRow         *summary_row;
  GtkWidget           *needs_followup_row;
  GtkSwitch           *needs_followup_switch;
  AdwPreferencesGroup *notes_group;
  AdwPreferencesGroup *consent_group;
  AdwComboRow         *consent_by_row;
  AdwEntryRow         *consent_date_row;
  GtkWidget           *informed_row;
  GtkSwitch           *informed_switch;
  AdwPreferencesGroup *uses_group;
  AdwPreferencesGroup *restrictions_group;
  AdwPreferencesGroup *retention_group;
  AdwEntryRow         *legal_basis_row;
  AdwEntryRow         *retention_review_row;
};

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

enum {
  SAVED,
  DELETED,
  CLOSE_REQUESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CasedbCaseEditor, casedb_case_editor, ADW_TYPE_BIN)

static void casedb_case_editor_changed_cb (CasedbCaseEditor *self);
static void casedb_case_editor_notify_cb  (CasedbCaseEditor *self);
static void casedb_case_editor_sync_links (CasedbCaseEditor *self);

/* ---- small helpers ---- */

static void
set_text (gpointer    editable,
          const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (editable), text != NULL ? text : "");
}

static gboolean
is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  for (; *text != '\0'; text = g_utf8_next_char (text))
    {
      if (!g_unichar_isspace (g_utf8_get_char (text)))
        return FALSE;
    }
  return TRUE;
}

/* The trimmed text, or NULL when blank. (transfer full) */
static char *
dup_text (gpointer editable)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (editable));

  if (is_blank (text))
    return NULL;
  return g_strstrip (g_strdup (text));
}

static void
set_string_model (AdwComboRow        *row,
                  const char * const *labels)
{
  g_autoptr(GtkStringList) model = gtk_string_list_new (labels);

  adw_combo_row_set_model (row, G_LIST_MODEL (model));
}

static char *
age_to_string (int age)
{
  if (age < 0)
    return g_strdup (C_("age", "Unknown"));
  return g_strdup_printf ("%d", age);
}

/* ---- identity fields ---- */

static void
identity_field_set (IdentityField *field,
                    const char    *text)
{
  if (field->editable == NULL)
    return;

  if (GTK_IS_TEXT_VIEW (field->editable))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (field->editable));

      gtk_text_buffer_set_text (buffer, text != NULL ? text : "", -1);
    }
  else
    set_text (field->editable, text);
}

/* The value in secure memory, or NULL when blank. (transfer full) */
static char *
identity_field_dup (IdentityField *field)
{
  char *ret = NULL;

  if (field->editable == NULL)
    return NULL;

  if (GTK_IS_TEXT_VIEW (field->editable))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (field->editable));
      GtkTextIter start, end;
      char *text;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
      if (!is_blank (text))
        ret = casedb_secure_strdup (text);
      casedb_secure_wipe (text, strlen (text));
      g_free (text);
    }
  else
    {
      const char *text = gtk_editable_get_text (GTK_EDITABLE (field->editable));

      if (!is_blank (text))
        ret = casedb_secure_strdup (text);
    }

  return ret;
}

static void
identity_field_show (IdentityField *field,
                     gboolean       revealed,
                     gboolean       editable)
{
  if (field->editable == NULL)
    return;

  gtk_widget_set_visible (field->hidden_row, !revealed);
  gtk_widget_set_visible (field->row, revealed);
  if (GTK_IS_TEXT_VIEW (field->editable))
    gtk_text_view_set_editable (GTK_TEXT_VIEW (field->editable), editable);
  else
    gtk_editable_set_editable (GTK_EDITABLE (field->editable), editable);
}

static void
identity_field_remove (IdentityField *field,
                       GtkWidget     *container)
{
  if (field->editable == NULL)
    return;

  identity_field_set (field, NULL);
  if (ADW_IS_EXPANDER_ROW (container))
    {
      adw_expander_row_remove (ADW_EXPANDER_ROW (container), field->hidden_row);
      adw_expander_row_remove (ADW_EXPANDER_ROW (container), field->row);
    }
  else
    {
      adw_preferences_group_remove (ADW_PREFERENCES_GROUP (container), field->hidden_row);
      adw_preferences_group_remove (ADW_PREFERENCES_GROUP (container), field->row);
    }
  memset (field, 0, sizeof *field);
}

/* Builds the two rows of an identity field into @container (an
 * AdwPreferencesGroup or an AdwExpanderRow).  Only called for roles that
 * may read identities. */
static void
casedb_case_editor_build_identity_field (CasedbCaseEditor *self,
                                         IdentityField    *field,
                                         GtkWidget        *container,
                                         const char       *name,
                                         const char       *title,
                                         gboolean          multiline)
{
  GtkWidget *button;

  g_assert (self->can_identity);
  g_assert (field->editable == NULL);

  field->hidden_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (field->hidden_row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (field->hidden_row), _("Hidden"));
  button = gtk_button_new_with_mnemonic (_("_Reveal"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "editor.reveal");
  adw_action_row_add_suffix (ADW_ACTION_ROW (field->hidden_row), button);

  if (multiline)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      GtkWidget *label = gtk_label_new (title);
      GtkTextBuffer *buffer;

      field->row = adw_preferences_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (field->row), title);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (field->row), FALSE);
      gtk_widget_set_margin_start (box, 12);
      gtk_widget_set_margin_end (box, 12);
      gtk_widget_set_margin_top (box, 8);
      gtk_widget_set_margin_bottom (box, 12);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "caption");
      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (GTK_BOX (box), label);

      field->editable = gtk_text_view_new ();
      gtk_widget_set_name (field->editable, name);
      gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (field->editable), GTK_WRAP_WORD_CHAR);
      gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (field->editable), FALSE);
      gtk_widget_set_size_request (field->editable, -1, 72);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (field->editable),
                                      GTK_ACCESSIBLE_RELATION_LABELLED_BY, label, NULL,
                                      -1);
      buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (field->editable));
      gtk_text_buffer_set_enable_undo (buffer, FALSE);
      g_signal_connect_object (buffer, "changed",
                               G_CALLBACK (casedb_case_editor_changed_cb), self,
                               G_CONNECT_SWAPPED);
      gtk_box_append (GTK_BOX (box), field->editable);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (field->row), box);
    }
  else
    {
      GtkEditable *delegate;

      field->row = adw_entry_row_new ();
      field->editable = field->row;
      gtk_widget_set_name (field->row, name);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (field->row), title);
      gtk_editable_set_enable_undo (GTK_EDITABLE (field->row), FALSE);
      delegate = gtk_editable_get_delegate (GTK_EDITABLE (field->row));
      if (GTK_IS_TEXT (delegate))
        {
          g_autoptr(GtkEntryBuffer) buffer = gtk_password_entry_buffer_new ();

          gtk_text_set_buffer (GTK_TEXT (delegate), buffer);
        }
      g_signal_connect_object (field->row, "changed",
                               G_CALLBACK (casedb_case_editor_changed_cb), self,
                               G_CONNECT_SWAPPED);
    }

  if (ADW_IS_EXPANDER_ROW (container))
    {
      adw_expander_row_add_row (ADW_EXPANDER_ROW (container), field->hidden_row);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (container), field->row);
    }
  else
    {
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (container), field->hidden_row);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (container), field->row);
    }
}

static gboolean
casedb_case_editor_identities_shown (CasedbCaseEditor *self)
{
  if (!self->can_identity || self->kase == NULL)
    return FALSE;
  /* A new case has nothing stored to reveal: its fields are plainly editable. */
  return self->kase->id == 0 || self->revealed;
}

static void
casedb_case_editor_update_identity_rows (CasedbCaseEditor *self)
{
  gboolean shown = casedb_case_editor_identities_shown (self);
  gboolean editable = shown && self->can_edit;
  IdentityField *fields[] = {
    &self->location_detail, &self->narrative, &self->followup_notes,
    &self->referral_notes, &self->withhold_from, &self->withhold_reason,
  };

  if (!self->can_identity)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    identity_field_show (fields[i], shown, editable);

  for (guint i = 0; i < self->victims->len; i++)
    {
      VictimWidgets *vw = g_ptr_array_index (self->victims, i);

      identity_field_show (&vw->name, shown, editable);
      identity_field_show (&vw->guardian, shown, editable);
      identity_field_show (&vw->contact, shown, editable);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->identity_status_group),
                          self->kase != NULL && self->kase->id != 0);
  if (self->revealed)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->reveal_row),
                                     _("Identities are shown"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->reveal_row),
                                   _("They are wiped from the screen when you leave this case"));
      adw_action_row_set_icon_name (ADW_ACTION_ROW (self->reveal_row), "changes-allow-symbolic");
    }
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->reveal_row),
                                     _("Identities are hidden"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->reveal_row),
                                   _("Revealing them is recorded in the audit log"));
      adw_action_row_set_icon_name (ADW_ACTION_ROW (self->reveal_row), "changes-prevent-symbolic");
    }
  gtk_widget_set_visible (self->reveal_button, !self->revealed);
}

/* Empties every identity widget and drops the decrypted copy. */
static void
casedb_case_editor_wipe_identities (CasedbCaseEditor *self)
{
  IdentityField *fields[] = {
    &self->location_detail, &self->narrative, &self->followup_notes,
    &self->referral_notes, &self->withhold_from, &self->withhold_reason,
  };

  self->loading++;
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    identity_field_set (fields[i], NULL);
  for (guint i = 0; self->victims != NULL && i < self->victims->len; i++)
    {
      VictimWidgets *vw = g_ptr_array_index (self->victims, i);

      identity_field_set (&vw->name, NULL);
      identity_field_set (&vw->guardian, NULL);
      identity_field_set (&vw->contact, NULL);
    }
  self->loading--;

  if (self->kase != NULL)
    casedb_case_clear_identities (self->kase);
  self->revealed = FALSE;
}

/* ---- the one place where role and state enable things ---- */

static void
casedb_case_editor_update_actions (CasedbCaseEditor *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean open = self->kase != NULL;
  gboolean editable = open && self->can_edit;
  gboolean stored = open && self->kase->id != 0;

  gtk_widget_action_set_enabled (widget, "editor.save", editable);
  gtk_widget_action_set_enabled (widget, "editor.save-draft", editable);
  gtk_widget_action_set_enabled (widget, "editor.add-victim", editable);
  gtk_widget_action_set_enabled (widget, "editor.add-violation", editable);
  gtk_widget_action_set_enabled (widget, "editor.delete", editable && stored);
  gtk_widget_action_set_enabled (widget, "editor.reveal",
                                 self->can_identity && stored && !self->revealed);
  gtk_widget_action_set_enabled (widget, "editor.undo-delete", self->pending_delete_id != 0);

  /* Analysts: a read-only view, no Save or Delete at all. */
  gtk_widget_set_visible (self->save_button, self->can_edit);
  gtk_widget_set_visible (self->save_draft_button, self->can_edit);
  gtk_widget_set_visible (self->delete_button, self->can_edit);
  gtk_widget_set_visible (self->add_victim_button, self->can_edit);
  gtk_widget_set_visible (self->add_violation_button, self->can_edit);
  gtk_widget_set_visible (self->read_only_icon, open && !self->can_edit);
}

static void
casedb_case_editor_update_title (CasedbCaseEditor *self)
{
  g_autoptr(GPtrArray) notes = g_ptr_array_new ();
  g_autofree char *subtitle = NULL;

  if (self->kase == NULL)
    {
      adw_window_title_set_title (self->window_title, _("No Case Open"));
      adw_window_title_set_subtitle (self->window_title, NULL);
      return;
    }

  if (self->kase->code != NULL)
    adw_window_title_set_title (self->window_title, self->kase->code);
  else
    adw_window_title_set_title (self->window_title, _("New Case"));

  if (self->kase->draft)
    g_ptr_array_add (notes, (gpointer) _("Draft"));
  if (!self->can_edit)
    g_ptr_array_add (notes, (gpointer) _("Read only"));
  if (self->modified)
    g_ptr_array_add (notes, (gpointer) _("Unsaved changes"));
  g_ptr_array_add (notes, NULL);

  /* Translators: separates notes under the case code, e.g. "Draft · Unsaved changes" */
  subtitle = g_strjoinv (_(" · "), (char **) notes->pdata);
  adw_window_title_set_subtitle (self->window_title, subtitle);
}

/* ---- victims ---- */

static char *
victim_dup_label (CasedbCaseEditor *self,
                  VictimWidgets    *vw)
{
  guint index = 0;

  if (vw->code != NULL)
    return g_strdup (vw->code);
  g_ptr_array_find (self->victims, vw, &index);
  return g_strdup_printf (_("New victim %u"), index + 1);
}

static char *
describe_victim (CasedbSex sex,
                 int       age)
{
  g_autofree char *age_text = NULL;

  if (age < 0)
    age_text = g_strdup (_("age unknown"));
  else
    age_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d year old", "%d years old", age), age);

  /* Translators: a child victim's sex and age, e.g. "Female, 12 years old" */
  return g_strdup_printf (_("%s, %s"),
                          sex == CASEDB_SEX_UNKNOWN ? _("Sex unknown") : casedb_sex_get_label (sex),
                          age_text);
}

static char *
victim_dup_description (VictimWidgets *vw)
{
  /* Item 0 of the age row is "unknown" (-1), item n is age n - 1. */
  return describe_victim (adw_combo_row_get_selected (vw->sex_row),
                          (int) adw_combo_row_get_selected (vw->age_row) - 1);
}

static void
casedb_case_editor_update_victim_titles (CasedbCaseEditor *self)
{
  for (guint i = 0; i < self->victims->len; i++)
    {
      VictimWidgets *vw = g_ptr_array_index (self->victims, i);
      g_autofree char *label = victim_dup_label (self, vw);
      g_autofree char *description = victim_dup_description (vw);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (vw->row), label);
      adw_expander_row_set_subtitle (vw->row, description);
    }
}

static void
casedb_case_editor_victim_changed_cb (CasedbCaseEditor *self)
{
  g_assert (CASEDB_IS_CASE_EDITOR (self));

  if (self->kase == NULL)
    return;

  casedb_case_editor_update_victim_titles (self);
  casedb_case_editor_sync_links (self);
  casedb_case_editor_changed_cb (self);
}

static void
victim_widgets_free (gpointer data)
{
  VictimWidgets *vw = data;

  g_free (vw->code);
  g_free (vw);
}

static void
casedb_case_editor_remove_victim_cb (CasedbCaseEditor *self,
                                     GtkButton        *button)
{
  VictimWidgets *vw = NULL;

  g_assert (CASEDB_IS_CASE_EDITOR (self));
  g_assert (GTK_IS_BUTTON (button));

  if (self->kase == NULL)
    return;

  for (guint i = 0; i < self->victims->len; i++)
    {
      VictimWidgets *candidate = g_ptr_array_index (self->victims, i);

      if (candidate->remove_button == GTK_WIDGET (button))
        {
          vw = g_ptr_array_steal_index (self->victims, i);
          break;
        }
    }
  g_return_if_fail (vw != NULL);

  /* Links are rebuilt while @vw still exists, so no stale pointer is compared. */
  casedb_case_editor_sync_links (self);
  identity_field_remove (&vw->name, GTK_WIDGET (vw->row));
  identity_field_remove (&vw->guardian, GTK_WIDGET (vw->row));
  identity_field_remove (&vw->contact, GTK_WIDGET (vw->row));
  adw_preferences_group_remove (self->victims_group, GTK_WIDGET (vw->row));
  victim_widgets_free (vw);

  casedb_case_editor_update_victim_titles (self);
  casedb_case_editor_changed_cb (self);
}

static VictimWidgets *
casedb_case_editor_add_victim (CasedbCaseEditor   *self,
                               const CasedbVictim *victim)
{
  VictimWidgets *vw = g_new0 (VictimWidgets, 1);
  const char *sexes[] = {
    casedb_sex_get_label (CASEDB_SEX_UNKNOWN),
    casedb_sex_get_label (CASEDB_SEX_FEMALE),
    casedb_sex_get_label (CASEDB_SEX_MALE),
    NULL
  };
  g_autoptr(GPtrArray) ages = g_ptr_array_new_with_free_func (g_free);

  g_assert (self->can_edit);

  g_ptr_array_add (self->victims, vw);
  vw->code = victim != NULL ? g_strdup (victim->code) : NULL;

  vw->row = ADW_EXPANDER_ROW (adw_expander_row_new ());
  gtk_widget_set_name (GTK_WIDGET (vw->row), "victim");
  /* Codes and typed text are not Pango markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (vw->row), FALSE);

  vw->remove_button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_valign (vw->remove_button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (vw->remove_button, _("Remove Victim"));
  gtk_widget_add_css_class (vw->remove_button, "flat");
  g_signal_connect_object (vw->remove_button, "clicked",
                           G_CALLBACK (casedb_case_editor_remove_victim_cb), self,
                           G_CONNECT_SWAPPED);
  adw_expander_row_add_action (vw->row, vw->remove_button);

  vw->sex_row = ADW_COMBO_ROW (adw_combo_row_new ());
  gtk_widget_set_name (GTK_WIDGET (vw->sex_row), "victim-sex");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (vw->sex_row), _("Sex"));
  set_string_model (vw->sex_row, sexes);
  adw_combo_row_set_selected (vw->sex_row, victim != NULL ? victim->sex : CASEDB_SEX_UNKNOWN);
  adw_expander_row_add_row (vw->row, GTK_WIDGET (vw->sex_row));

  /* Item 0 is "unknown" (-1), item n is age n - 1. */
  g_ptr_array_add (ages, age_to_string (-1));
  for (int age = 0; age <= 17; age++)
    g_ptr_array_add (ages, age_to_string (age));
  g_ptr_array_add (ages, NULL);
  vw->age_row = ADW_COMBO_ROW (adw_combo_row_new ());
  gtk_widget_set_name (GTK_WIDGET (vw->age_row), "victim-age");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (vw->age_row), _("Age"));
  set_string_model (vw->age_row, (const char * const *) ages->pdata);
  if (victim != NULL && victim->age >= 0 && victim->age <= 17)
    adw_combo_row_set_selected (vw->age_row, victim->age + 1);
  else
    adw_combo_row_set_selected (vw->age_row, 0);
  adw_expander_row_add_row (vw->row, GTK_WIDGET (vw->age_row));

  g_signal_connect_object (vw->sex_row, "notify::selected",
                           G_CALLBACK (casedb_case_editor_victim_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (vw->age_row, "notify::selected",
                           G_CALLBACK (casedb_case_editor_victim_changed_cb), self,
                           G_CONNECT_SWAPPED);

  if (self->can_identity)
    {
      casedb_case_editor_build_identity_field (self, &vw->name, GTK_WIDGET (vw->row),
                                               "victim-name", _("Name"), FALSE);
      casedb_case_editor_build_identity_field (self, &vw->guardian, GTK_WIDGET (vw->row),
                                               "victim-guardian",
                                               _("Parent or guardian"), FALSE);
      casedb_case_editor_build_identity_field (self, &vw->contact, GTK_WIDGET (vw->row),
                                               "victim-contact", _("Contact details"), FALSE);
      if (victim != NULL)
        {
          identity_field_set (&vw->name, victim->name);
          identity_field_set (&vw->guardian, victim->guardian);
          identity_field_set (&vw->contact, victim->contact);
        }
    }

  adw_preferences_group_add (self->victims_group, GTK_WIDGET (vw->row));
  return vw;
}

/* ---- violations ---- */

static void
violation_widgets_free (gpointer data)
{
  ViolationWidgets *vw = data;

  g_clear_pointer (&vw->link_rows, g_ptr_array_unref);
  g_clear_pointer (&vw->link_checks, g_ptr_array_unref);
  g_clear_pointer (&vw->link_victims, g_ptr_array_unref);
  g_free (vw);
}

static const char * const *
violation_get_subtypes (ViolationWidgets *vw)
{
  return casedb_violation_get_subtypes (adw_combo_row_get_selected (vw->kind_row));
}

static void
casedb_case_editor_set_subtypes (CasedbCaseEditor *self,
                                 ViolationWidgets *vw,
                                 const char       *subtype)
{
  const char * const *subtypes = violation_get_subtypes (vw);
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  guint selected = 0;

  g_ptr_array_add (labels, (gpointer) _("Not specified"));
  for (guint i = 0; subtypes != NULL && subtypes[i] != NULL; i++)
    {
      g_ptr_array_add (labels, (gpointer) casedb_subtype_get_label (subtypes[i]));
      if (g_strcmp0 (subtypes[i], subtype) == 0)
        selected = i + 1;
    }
  g_ptr_array_add (labels, NULL);

  self->loading++;
  set_string_model (vw->subtype_row, (const char * const *) labels->pdata);
  adw_combo_row_set_selected (vw->subtype_row, selected);
  self->loading--;
  gtk_widget_set_visible (GTK_WIDGET (vw->subtype_row), labels->len > 2);
}

/* The subtitle of a violation row, e.g. "Killing · P-0005".
 * @subtype: a subtype key, or NULL */
static char *
describe_violation (const char *subtype,
                    const char *perpetrator)
{
  GString *subtitle = g_string_new (NULL);

  if (subtype != NULL)
    g_string_append (subtitle, casedb_subtype_get_label (subtype));
  if (!is_blank (perpetrator))
    {
      if (subtitle->len > 0)
        g_string_append (subtitle, _(" · "));
      g_string_append (subtitle, perpetrator);
    }
  return g_string_free (subtitle, FALSE);
}

/* The subtype key chosen in @vw, or NULL. */
static const char *
violation_get_subtype (ViolationWidgets *vw)
{
  const char * const *subtypes = violation_get_subtypes (vw);
  guint subtype = adw_combo_row_get_selected (vw->subtype_row);

  if (subtype > 0 && subtypes != NULL && subtypes[subtype - 1] != NULL)
    return subtypes[subtype - 1];
  return NULL;
}

static void
casedb_case_editor_update_violation_titles (CasedbCaseEditor *self)
{
  for (guint i = 0; i < self->violations->len; i++)
    {
      ViolationWidgets *vw = g_ptr_array_index (self->violations, i);
      const char *perpetrator = gtk_editable_get_text (GTK_EDITABLE (vw->perpetrator_row));
      g_autofree char *subtitle = describe_violation (violation_get_subtype (vw), perpetrator);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (vw->row),
                                     casedb_violation_get_label (adw_combo_row_get_selected (vw->kind_row)));
      adw_expander_row_set_subtitle (vw->row, subtitle);
    }
}

static void
casedb_case_editor_violation_kind_cb (CasedbCaseEditor *self,
                                      GParamSpec       *pspec,
                                      AdwComboRow      *kind_row)
{
  g_assert (CASEDB_IS_CASE_EDITOR (self));

  if (self->kase == NULL)
    return;

  for (guint i = 0; i < self->violations->len; i++)
    {
      ViolationWidgets *vw = g_ptr_array_index (self->violations, i);

      if (vw->kind_row == kind_row)
        casedb_case_editor_set_subtypes (self, vw, NULL);
    }
  casedb_case_editor_update_violation_titles (self);
  casedb_case_editor_changed_cb (self);
}

static void
casedb_case_editor_violation_changed_cb (CasedbCaseEditor *self)
{
  g_assert (CASEDB_IS_CASE_EDITOR (self));

  if (self->kase == NULL)
    return;

  casedb_case_editor_update_violation_titles (self);
  casedb_case_editor_changed_cb (self);
}

static GtkWidget *
create_links_heading (void)
{
  GtkWidget *row = adw_preferences_row_new ();
  GtkWidget *label = gtk_label_new (_("Child victims of this violation"));

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_set_margin_top (label, 12);
  gtk_widget_set_margin_bottom (label, 6);
  gtk_widget_add_css_class (label, "caption-heading");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
  return row;
}

/* Rebuilds the victim check rows of @vw; @linked: VictimWidgets to tick. */
static void
casedb_case_editor_build_links (CasedbCaseEditor *self,
                                ViolationWidgets *vw,
                                GPtrArray        *linked)
{
  GtkWidget *heading;

  for (guint i = 0; i < vw->link_rows->len; i++)
    adw_expander_row_remove (vw->row, g_ptr_array_index (vw->link_rows, i));
  g_ptr_array_set_size (vw->link_rows, 0);
  g_ptr_array_set_size (vw->link_checks, 0);
  g_ptr_array_set_size (vw->link_victims, 0);

  if (self->victims->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No child victims yet"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   _("Add victims below to link them to this violation"));
      gtk_widget_add_css_class (row, "dim-label");
      g_ptr_array_add (vw->link_rows, row);
      adw_expander_row_add_row (vw->row, row);
      return;
    }

  heading = create_links_heading ();
  g_ptr_array_add (vw->link_rows, heading);
  adw_expander_row_add_row (vw->row, heading);

  for (guint i = 0; i < self->victims->len; i++)
    {
      VictimWidgets *victim = g_ptr_array_index (self->victims, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();
      g_autofree char *label = victim_dup_label (self, victim);
      g_autofree char *description = victim_dup_description (victim);

      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_widget_set_name (check, "victim-link");
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                   linked != NULL && g_ptr_array_find (linked, victim, NULL));
      g_signal_connect_object (check, "toggled",
                               G_CALLBACK (casedb_case_editor_changed_cb), self,
                               G_CONNECT_SWAPPED);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), label);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), description);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);

      g_ptr_array_add (vw->link_rows, row);
      g_ptr_array_add (vw->link_checks, check);
      g_ptr_array_add (vw->link_victims, victim);
      adw_expander_row_add_row (vw->row, row);
    }
}

/* The victims ticked in @vw that still exist. (transfer container) */
static GPtrArray *
casedb_case_editor_dup_linked (CasedbCaseEditor *self,
                               ViolationWidgets *vw)
{
  GPtrArray *linked = g_ptr_array_new ();

  for (guint i = 0; i < vw->link_checks->len; i++)
    {
      VictimWidgets *victim = g_ptr_array_index (vw->link_victims, i);

      if (gtk_check_button_get_active (g_ptr_array_index (vw->link_checks, i)) &&
          g_ptr_array_find (self->victims, victim, NULL))
        g_ptr_array_add (linked, victim);
    }
  return linked;
}

static void
casedb_case_editor_sync_links (CasedbCaseEditor *self)
{
  self->loading++;
  for (guint i = 0; i < self->violations->len; i++)
    {
      ViolationWidgets *vw = g_ptr_array_index (self->violations, i);
      g_autoptr(GPtrArray) linked = casedb_case_editor_dup_linked (self, vw);

      casedb_case_editor_build_links (self, vw, linked);
    }
  self->loading--;
}

static void
casedb_case_editor_remove_violation_cb (CasedbCaseEditor *self,
                                        GtkButton        *button)
{
  g_assert (CASEDB_IS_CASE_EDITOR (self));
  g_assert (GTK_IS_BUTTON (button));

  if (self->kase == NULL)
    return;

  for (guint i = 0; i < self->violations->len; i++)
    {
      ViolationWidgets *vw = g_ptr_array_index (self->violations, i);

      if (vw->remove_button == GTK_WIDGET (button))
        {
          adw_preferences_group_remove (self->violations_group, GTK_WIDGET (vw->row));
          g_ptr_array_remove_index (self->violations, i);
          break;
        }
    }
  casedb_case_editor_changed_cb (self);
}

static ViolationWidgets *
casedb_case_editor_add_violation (CasedbCaseEditor      *self,
                                  const CasedbViolation *violation)
{
  ViolationWidgets *vw = g_new0 (ViolationWidgets, 1);
  const char *kinds[CASEDB_N_VIOLATIONS + 1] = { NULL };

  g_assert (self->can_edit);

  g_ptr_array_add (self->violations, vw);
  vw->link_rows = g_ptr_array_new ();
  vw->link_checks = g_ptr_array_new ();
  vw->link_victims = g_ptr_array_new ();

  vw->row = ADW_EXPANDER_ROW (adw_expander_row_new ());
  gtk_widget_set_name (GTK_WIDGET (vw->row), "violation");
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (vw->row), FALSE);

  vw->remove_button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_valign (vw->remove_button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (vw->remove_button, _("Remove Violation"));
  gtk_widget_add_css_class (vw->remove_button, "flat");
  g_signal_connect_object (vw->remove_button, "clicked",
                           G_CALLBACK (casedb_case_editor_remove_violation_cb), self,
                           G_CONNECT_SWAPPED);
  adw_expander_row_add_action (vw->row, vw->remove_button);

  for (guint i = 0; i < CASEDB_N_VIOLATIONS; i++)
    kinds[i] = casedb_violation_get_label (i);
  vw->kind_row = ADW_COMBO_ROW (adw_combo_row_new ());
  gtk_widget_set_name (GTK_WIDGET (vw->kind_row), "violation-kind");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (vw->kind_row), _("Violation"));
  set_string_model (vw->kind_row, kinds);
  adw_combo_row_set_selected (vw->kind_row, violation != NULL ? violation->kind : 0);
  adw_expander_row_add_row (vw->row, GTK_WIDGET (vw->kind_row));

  vw->subtype_row = ADW_COMBO_ROW (adw_combo_row_new ());
  gtk_widget_set_name (GTK_WIDGET (vw->subtype_row), "violation-subtype");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (vw->subtype_row), _("Type"));
  adw_expander_row_add_row (vw->row, GTK_WIDGET (vw->subtype_row));
  casedb_case_editor_set_subtypes (self, vw, violation != NULL ? violation->subtype : NULL);

  vw->perpetrator_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  gtk_widget_set_name (GTK_WIDGET (vw->perpetrator_row), "perpetrator-code");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (vw->perpetrator_row),
                                 _("Perpetrator code (P-…)"));
  set_text (vw->perpetrator_row, violation != NULL ? violation->perpetrator_code : NULL);
  adw_expander_row_add_row (vw->row, GTK_WIDGET (vw->perpetrator_row));

  g_signal_connect_object (vw->kind_row, "notify::selected",
                           G_CALLBACK (casedb_case_editor_violation_kind_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (vw->subtype_row, "notify::selected",
                           G_CALLBACK (casedb_case_editor_violation_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (vw->perpetrator_row, "changed",
                           G_CALLBACK (casedb_case_editor_violation_changed_cb), self,
                           G_CONNECT_SWAPPED);

  if (violation != NULL && violation->victims != NULL)
    {
      g_autoptr(GPtrArray) linked = g_ptr_array_new ();

      for (guint i = 0; i < violation->victims->len; i++)
        {
          guint index = g_array_index (violation->victims, guint, i);

          if (index < self->victims->len)
            g_ptr_array_add (linked, g_ptr_array_index (self->victims, index));
        }
      casedb_case_editor_build_links (self, vw, linked);
    }
  else
    casedb_case_editor_build_links (self, vw, NULL);

  adw_preferences_group_add (self->violations_group, GTK_WIDGET (vw->row));
  return vw;
}

static void
casedb_case_editor_remove_all (CasedbCaseEditor *self)
{
  while (self->violations->len > 0)
    {
      ViolationWidgets *vw = g_ptr_array_index (self->violations, self->violations->len - 1);

      adw_preferences_group_remove (self->violations_group, GTK_WIDGET (vw->row));
      g_ptr_array_remove_index (self->violations, self->violations->len - 1);
    }
  while (self->victims->len > 0)
    {
      VictimWidgets *vw = g_ptr_array_steal_index (self->victims, self->victims->len - 1);

      identity_field_remove (&vw->name, GTK_WIDGET (vw->row));
      identity_field_remove (&vw->guardian, GTK_WIDGET (vw->row));
      identity_field_remove (&vw->contact, GTK_WIDGET (vw->row));
      adw_preferences_group_remove (self->victims_group, GTK_WIDGET (vw->row));
      victim_widgets_free (vw);
    }
}

/* ---- errors ---- */

static void
casedb_case_editor_clear_errors (CasedbCaseEditor *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->errors_box))) != NULL)
    gtk_box_remove (self->errors_box, child);
  gtk_revealer_set_reveal_child (self->errors_revealer, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->errors_revealer), FALSE);
}

static void
casedb_case_editor_add_error (CasedbCaseEditor *self,
                              const char       *message)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-error-symbolic");
  GtkWidget *label = gtk_label_new (message);

  gtk_widget_add_css_class (box, "error");
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (self->errors_box, box);
  gtk_widget_set_visible (GTK_WIDGET (self->errors_revealer), TRUE);
  gtk_revealer_set_reveal_child (self->errors_revealer, TRUE);
}

/* Every widget that a validation message can point at. */
static GPtrArray *
casedb_case_editor_dup_marked_widgets (CasedbCaseEditor *self)
{
  GPtrArray *widgets = g_ptr_array_new ();
  GtkWidget *fixed[] = {
    GTK_WIDGET (self->incident_date_row), GTK_WIDGET (self->report_date_row),
    GTK_WIDGET (self->verification_row), GTK_WIDGET (self->consent_by_row),
    GTK_WIDGET (self->consent_date_row), GTK_WIDGET (self->retention_review_row),
    self->add_violation_button,
  };

  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    g_ptr_array_add (widgets, fixed[i]);
  for (guint i = 0; i < self->violations->len; i++)
    g_ptr_array_add (widgets, ((ViolationWidgets *) g_ptr_array_index (self->violations, i))->row);
  for (guint i = 0; i < self->victims->len; i++)
    g_ptr_array_add (widgets, ((VictimWidgets *) g_ptr_array_index (self->victims, i))->row);
  return widgets;
}

static gboolean
message_names (const char *message,
               const char *field)
{
  gsize len = strlen (field);

  /* Messages from casedb_case_validate() read "<field>: <problem>". */
  return strncmp (message, field, len) == 0 && message[len] == ':';
}

/* Shows @problems above the form and marks the widgets they name with the
 * "error" style class.  Returns the first marked widget. */
static GtkWidget *
casedb_case_editor_show_problems (CasedbCaseEditor *self,
                                  GPtrArray        *problems)
{
  g_autoptr(GPtrArray) widgets = casedb_case_editor_dup_marked_widgets (self);
  GtkWidget *first = NULL;

  for (guint i = 0; i < widgets->len; i++)
    gtk_widget_remove_css_class (g_ptr_array_index (widgets, i), "error");
  casedb_case_editor_clear_errors (self);

  for (guint p = 0; problems != NULL && p < problems->len; p++)
    {
      const char *message = g_ptr_array_index (problems, p);
      struct { const char *field; GtkWidget *widget; } fields[] = {
        { _("Incident date"), GTK_WIDGET (self->incident_date_row) },
        { _("Report date"), GTK_WIDGET (self->report_date_row) },
        { _("Verification"), GTK_WIDGET (self->verification_row) },
        { _("Consent given by"), GTK_WIDGET (self->consent_by_row) },
        { _("Consent date"), GTK_WIDGET (self->consent_date_row) },
        { _("Retention review date"), GTK_WIDGET (self->retention_review_row) },
        { _("Violations"), self->add_violation_button },
      };
      GtkWidget *marked = NULL;

      casedb_case_editor_add_error (self, message);

      for (guint f = 0; f < G_N_ELEMENTS (fields) && marked == NULL; f++)
        {
          if (message_names (message, fields[f].field))
            marked = fields[f].widget;
        }
      for (guint i = 0; i < self->violations->len && marked == NULL; i++)
        {
          g_autofree char *field = g_strdup_printf (_("Violation %u"), i + 1);

          if (message_names (message, field))
            marked = GTK_WIDGET (((ViolationWidgets *) g_ptr_array_index (self->violations, i))->row);
        }
      for (guint i = 0; i < self->victims->len && marked == NULL; i++)
        {
          g_autofree char *field = g_strdup_printf (_("Victim %u"), i + 1);

          if (message_names (message, field))
            marked = GTK_WIDGET (((VictimWidgets *) g_ptr_array_index (self->victims, i))->row);
        }

      if (marked != NULL)
        {
          gtk_widget_add_css_class (marked, "error");
          if (first == NULL)
            first = marked;
        }
    }

  return first;
}

/* ---- the read-only view ---- */

/* A value up to this long sits beside its title on one line. */
#define SHORT_VALUE_CHARS 40

static const char *
describe_flag (gboolean value)
{
  /* Translators: the value of a yes/no field in a read-only case */
  return value ? C_("flag", "Yes") : C_("flag", "No");
}

/* A row with @title and @value after it; a blank value reads "Not recorded". */
static GtkWidget *
create_value_row (const char *name,
                  const char *title,
                  const char *value)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label;

  gtk_widget_set_name (row, name);
  /* Codes and typed text are not Pango markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);

  if (is_blank (value))
    {
      label = gtk_label_new (_("Not recorded"));
      gtk_widget_add_css_class (label, "dim-label");
    }
  else
    {
      /* A suffix label, not the subtitle: libadwaita 1.2 cannot make a
       * subtitle selectable, and analysts copy codes into their reports. */
      label = gtk_label_new (value);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
    }
  /* A short value asks for its whole width, so that it wraps only in a
   * narrow window (a long code may then break anywhere).  A long one shares
   * the row with its title half and half: asking for its whole width would
   * squeeze the title, whose natural width is its minimum in libadwaita 1.2. */
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  if (g_utf8_strlen (gtk_label_get_text (GTK_LABEL (label)), -1) <= SHORT_VALUE_CHARS)
    {
      gtk_label_set_natural_wrap_mode (GTK_LABEL (label), GTK_NATURAL_WRAP_NONE);
      gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_RIGHT);
    }
  else
    gtk_widget_set_hexpand (label, TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  return row;
}

static GtkWidget *
create_violation_view (const CasedbCase      *c,
                       const CasedbViolation *violation)
{
  AdwExpanderRow *row = ADW_EXPANDER_ROW (adw_expander_row_new ());
  const char * const *subtypes = casedb_violation_get_subtypes (violation->kind);
  g_autofree char *subtitle = describe_violation (violation->subtype, violation->perpetrator_code);
  g_autoptr(GString) victims = g_string_new (NULL);

  gtk_widget_set_name (GTK_WIDGET (row), "violation");
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 casedb_violation_get_label (violation->kind));
  adw_expander_row_set_subtitle (row, subtitle);

  if (subtypes != NULL && subtypes[0] != NULL)
    adw_expander_row_add_row (row, create_value_row ("violation-subtype", _("Type"),
                                                     violation->subtype != NULL
                                                       ? casedb_subtype_get_label (violation->subtype)
                                                       : NULL));
  adw_expander_row_add_row (row, create_value_row ("perpetrator-code", _("Perpetrator code (P-…)"),
                                                   violation->perpetrator_code));

  for (guint i = 0; violation->victims != NULL && i < violation->victims->len; i++)
    {
      guint index = g_array_index (violation->victims, guint, i);
      const CasedbVictim *victim;

      if (index >= c->victims->len)
        continue;
      victim = g_ptr_array_index (c->victims, index);
      if (victims->len > 0)
        /* Translators: separates victim codes, e.g. "V-0001, V-0002" */
        g_string_append (victims, _(", "));
      g_string_append (victims, victim->code != NULL ? victim->code : "");
    }
  adw_expander_row_add_row (row, create_value_row ("violation-victims", _("Child victims"),
                                                   victims->str));

  return GTK_WIDGET (row);
}

static void
casedb_case_editor_add_view_row (CasedbCaseEditor    *self,
                                 AdwPreferencesGroup *group,
                                 GtkWidget           *row)
{
  adw_preferences_group_add (group, row);
  g_ptr_array_add (self->view_rows, row);
}

static void
casedb_case_editor_clear_view (CasedbCaseEditor *self)
{
  for (guint i = 0; i < self->view_rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->view_rows, i);
      GtkWidget *group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

      adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), row);
    }
  g_ptr_array_set_size (self->view_rows, 0);
  adw_preferences_group_set_description (self->violations_group, NULL);
  adw_preferences_group_set_description (self->victims_group, NULL);
}

/* For a role that may not edit: the form's rows leave their groups, and
 * fill_view() puts value rows in their place.  They stay alive as template
 * children, unparented, and lend the view their titles. */
static void
casedb_case_editor_remove_form (CasedbCaseEditor *self)
{
  GtkWidget *rows[] = {
    GTK_WIDGET (self->code_row), GTK_WIDGET (self->reference_row),
    GTK_WIDGET (self->incident_date_row), GTK_WIDGET (self->report_date_row),
    GTK_WIDGET (self->region_row), GTK_WIDGET (self->source_code_row),
    GTK_WIDGET (self->verification_row), GTK_WIDGET (self->summary_row),
    self->needs_followup_row, GTK_WIDGET (self->consent_by_row),
    GTK_WIDGET (self->consent_date_row), self->informed_row,
    GTK_WIDGET (self->legal_basis_row), GTK_WIDGET (self->retention_review_row),
  };

  g_assert (!self->can_edit);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      GtkWidget *group = gtk_widget_get_ancestor (rows[i], ADW_TYPE_PREFERENCES_GROUP);

      adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), rows[i]);
    }
}

static void
casedb_case_editor_fill_view (CasedbCaseEditor *self)
{
  const CasedbCase *c = self->kase;
  const struct {
    AdwPreferencesGroup *group;
    const char          *name;
    gpointer             form_row;   /* for its title */
    const char          *value;
  } fields[] = {
    { self->incident_group, "case-code", self->code_row, c->code },
    { self->incident_group, "reference", self->reference_row, c->reference },
    { self->incident_group, "incident-date", self->incident_date_row, c->incident_date },
    { self->incident_group, "report-date", self->report_date_row, c->report_date },
    { self->incident_group, "region", self->region_row, c->region },
    { self->verification_group, "source-code", self->source_code_row, c->source_code },
    { self->verification_group, "verification", self->verification_row,
      casedb_verification_get_label (c->verification) },
    { self->verification_group, "summary", self->summary_row, c->summary },
    { self->verification_group, "needs-followup", self->needs_followup_row,
      describe_flag (c->needs_followup) },
    { self->consent_group, "consent-by", self->consent_by_row,
      casedb_consent_by_get_label (c->consent.given_by) },
    { self->consent_group, "consent-date", self->consent_date_row, c->consent.date },
    { self->consent_group, "consent-informed", self->informed_row,
      describe_flag (c->consent.informed) },
    { self->retention_group, "legal-basis", self->legal_basis_row, c->consent.legal_basis },
    { self->retention_group, "retention-review", self->retention_review_row,
      c->consent.retention_review },
  };

  g_assert (!self->can_edit);

  casedb_case_editor_clear_view (self);

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (fields[i].form_row));

      casedb_case_editor_add_view_row (self, fields[i].group,
                                       create_value_row (fields[i].name, title, fields[i].value));
    }

  for (guint i = 0; i < CASEDB_N_USES; i++)
    {
      CasedbConsentUses use = 1u << i;
      g_autofree char *name = g_strdup_printf ("use-%s", casedb_use_to_key (use));

      casedb_case_editor_add_view_row (self, self->uses_group,
                                       create_value_row (name, casedb_use_get_label (use),
                                                         describe_flag ((c->consent.uses & use) != 0)));
    }

  for (guint i = 0; i < c->violations->len; i++)
    casedb_case_editor_add_view_row (self, self->violations_group,
                                     create_violation_view (c, g_ptr_array_index (c->violations, i)));
  for (guint i = 0; i < c->victims->len; i++)
    {
      const CasedbVictim *victim = g_ptr_array_index (c->victims, i);
      g_autofree char *description = describe_victim (victim->sex, victim->age);

      casedb_case_editor_add_view_row (self, self->victims_group,
                                       create_value_row ("victim",
                                                         victim->code != NULL ? victim->code : "",
                                                         description));
    }
  if (c->violations->len == 0)
    adw_preferences_group_set_description (self->violations_group, _("None recorded"));
  if (c->victims->len == 0)
    adw_preferences_group_set_description (self->victims_group, _("None recorded"));
}

/* ---- filling and reading the form ---- */

static void
casedb_case_editor_set_verification_model (CasedbCaseEditor   *self,
                                           CasedbVerification  current)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  guint selected = 0;

  g_array_set_size (self->verification_values, 0);
  for (CasedbVerification v = CASEDB_VERIFICATION_UNVERIFIED; v <= CASEDB_VERIFICATION_VERIFIED; v++)
    {
      /* "Verified" only for roles that may verify, or to show what is stored. */
      if (v == CASEDB_VERIFICATION_VERIFIED && !self->can_verify && current != v)
        continue;
      if (v == current)
        selected = self->verification_values->len;
      g_array_append_val (self->verification_values, v);
      g_ptr_array_add (labels, (gpointer) casedb_verification_get_label (v));
    }
  g_ptr_array_add (labels, NULL);

  set_string_model (self->verification_row, (const char * const *) labels->pdata);
  adw_combo_row_set_selected (self->verification_row, selected);
}

static void
casedb_case_editor_fill_form (CasedbCaseEditor *self)
{
  CasedbCase *c = self->kase;

  g_assert (self->can_edit);

  casedb_case_editor_show_problems (self, NULL);

  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->code_row),
                               c->code != NULL ? c->code : _("Assigned when saved"));
  set_text (self->reference_row, c->reference);
  set_text (self->incident_date_row, c->incident_date);
  set_text (self->report_date_row, c->report_date);
  set_text (self->region_row, c->region);
  set_text (self->source_code_row, c->source_code);
  casedb_case_editor_set_verification_model (self, c->verification);
  set_text (self->summary_row, c->summary);
  gtk_switch_set_active (self->needs_followup_switch, c->needs_followup);
  adw_combo_row_set_selected (self->consent_by_row, c->consent.given_by);
  set_text (self->consent_date_row, c->consent.date);
  gtk_switch_set_active (self->informed_switch, c->consent.informed);
  for (guint i = 0; i < CASEDB_N_USES; i++)
    gtk_switch_set_active (self->use_switches[i], (c->consent.uses & (1u << i)) != 0);
  set_text (self->legal_basis_row, c->consent.legal_basis);
  set_text (self->retention_review_row, c->consent.retention_review);

  identity_field_set (&self->location_detail, c->location_detail);
  identity_field_set (&self->narrative, c->narrative);
  identity_field_set (&self->followup_notes, c->followup_notes);
  identity_field_set (&self->referral_notes, c->referral_notes);
  identity_field_set (&self->withhold_from, c->consent.withhold_from);
  identity_field_set (&self->withhold_reason, c->consent.withhold_reason);

  for (guint i = 0; i < c->victims->len; i++)
    casedb_case_editor_add_victim (self, g_ptr_array_index (c->victims, i));
  for (guint i = 0; i < c->violations->len; i++)
    casedb_case_editor_add_violation (self, g_ptr_array_index (c->violations, i));
  casedb_case_editor_update_victim_titles (self);
  casedb_case_editor_update_violation_titles (self);
}

static void
casedb_case_editor_fill (CasedbCaseEditor *self)
{
  g_assert (self->kase != NULL);

  self->loading++;
  casedb_case_editor_remove_all (self);
  if (self->can_edit)
    casedb_case_editor_fill_form (self);
  else
    casedb_case_editor_fill_view (self);
  self->loading--;
  self->modified = FALSE;

  casedb_case_editor_update_identity_rows (self);
  casedb_case_editor_update_actions (self);
  casedb_case_editor_update_title (self);
}

/* A case from the widgets; identities only if they are shown. (transfer full) */
static CasedbCase *
casedb_case_editor_build_case (CasedbCaseEditor *self)
{
  CasedbCase *c = casedb_case_new ();
  gboolean identities = casedb_case_editor_identities_shown (self);
  guint verification = adw_combo_row_get_selected (self->verification_row);

  g_assert (self->kase != NULL);

  c->id = self->kase->id;
  c->uuid = g_strdup (self->kase->uuid);
  c->code = g_strdup (self->kase->code);
  c->reference = dup_text (self->reference_row);
  c->incident_date = dup_text (self->incident_date_row);
  c->report_date = dup_text (self->report_date_row);
  c->region = dup_text (self->region_row);
  c->source_code = dup_text (self->source_code_row);
  if (verification < self->verification_values->len)
    c->verification = g_array_index (self->verification_values, CasedbVerification, verification);
  c->summary = dup_text (self->summary_row);
  c->needs_followup = gtk_switch_get_active (self->needs_followup_switch);
  c->consent.given_by = adw_combo_row_get_selected (self->consent_by_row);
  c->consent.date = dup_text (self->consent_date_row);
  c->consent.informed = gtk_switch_get_active (self->informed_switch);
  for (guint i = 0; i < CASEDB_N_USES; i++)
    {
      if (gtk_switch_get_active (self->use_switches[i]))
        c->consent.uses |= 1u << i;
    }
  c->consent.legal_basis = dup_text (self->legal_basis_row);
  c->consent.retention_review = dup_text (self->retention_review_row);

  /* Without Reveal the store keeps the stored identity values. */
  c->has_identities = identities;
  if (identities)
    {
      c->location_detail = identity_field_dup (&self->location_detail);
      c->narrative = identity_field_dup (&self->narrative);
      c->followup_notes = identity_field_dup (&self->followup_notes);
      c->referral_notes = identity_field_dup (&self->referral_notes);
      c->consent.withhold_from = identity_field_dup (&self->withhold_from);
      c->consent.withhold_reason = identity_field_dup (&self->withhold_reason);
    }

  for (guint i = 0; i < self->victims->len; i++)
    {
      VictimWidgets *vw = g_ptr_array_index (self->victims, i);
      CasedbVictim *v = casedb_case_add_victim (c);

      v->code = g_strdup (vw->code);
      v->sex = adw_combo_row_get_selected (vw->sex_row);
      v->age = (int) adw_combo_row_get_selected (vw->age_row) - 1;
      if (identities)
        {
          v->name = identity_field_dup (&vw->name);
          v->guardian = identity_field_dup (&vw->guardian);
          v->contact = identity_field_dup (&vw->contact);
        }
    }

  for (guint i = 0; i < self->violations->len; i++)
    {
      ViolationWidgets *vw = g_ptr_array_index (self->violations, i);
      CasedbViolation *v = casedb_case_add_violation (c, adw_combo_row_get_selected (vw->kind_row));
      g_autoptr(GPtrArray) linked = casedb_case_editor_dup_linked (self, vw);

      v->subtype = g_strdup (violation_get_subtype (vw));
      v->perpetrator_code = dup_text (vw->perpetrator_row);
      if (v->victims == NULL)
        v->victims = g_array_new (FALSE, FALSE, sizeof (guint));
      for (guint j = 0; j < linked->len; j++)
        {
          guint index;

          if (g_ptr_array_find (self->victims, g_ptr_array_index (linked, j), &index))
            g_array_append_val (v->victims, index);
        }
    }

  return c;
}

/* AdwPreferencesPage of libadwaita 1.2 has no scroll_to_top(). */
static void
casedb_case_editor_scroll_to_top (CasedbCaseEditor *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->page));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_SCROLLED_WINDOW (child))
        {
          GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (child));

          gtk_adjustment_set_value (adjustment, gtk_adjustment_get_lower (adjustment));
        }
    }
}

/* Takes @c as the open case and shows it.  Frees the previous case. */
static void
casedb_case_editor_take_case (CasedbCaseEditor *self,
                              CasedbCase       *c)
{
  casedb_case_editor_wipe_identities (self);
  g_clear_pointer (&self->kase, casedb_case_free);
  self->kase = c;
  self->revealed = c->id != 0 && c->has_identities;
  casedb_case_editor_fill (self);
  gtk_stack_set_visible_child_name (self->stack, "editor");
}

/* Wipes and forgets the open case; shows the empty page. */
static void
casedb_case_editor_close_case (CasedbCaseEditor *self)
{
  casedb_case_editor_wipe_identities (self);
  g_clear_pointer (&self->kase, casedb_case_free);

  if (self->can_edit)
    {
      /* Reset every widget through an empty case, then drop it. */
      self->kase = casedb_case_new ();
      casedb_case_editor_fill (self);
      g_clear_pointer (&self->kase, casedb_case_free);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->code_row), NULL);
    }
  else
    casedb_case_editor_clear_view (self);
  self->revealed = FALSE;
  self->modified = FALSE;

  casedb_case_editor_update_identity_rows (self);
  casedb_case_editor_update_actions (self);
  casedb_case_editor_update_title (self);
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

static void
casedb_case_editor_show_toast (CasedbCaseEditor *self,
                               const char       *title)
{
  AdwToast *toast = adw_toast_new (title);

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* ---- deletion with undo ---- */

static void
casedb_case_editor_commit_delete (CasedbCaseEditor *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = g_steal_pointer (&self->pending_delete_code);
  gint64 id = self->pending_delete_id;

  if (id == 0)
    return;

  self->pending_delete_id = 0;
  if (self->delete_toast != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->delete_toast, self);
      adw_toast_dismiss (self->delete_toast);
      g_clear_object (&self->delete_toast);
    }

  if (!casedb_store_delete_case (self->store, id, &error))
    {
      /* The case stays; the user sees it again in the list. */
      g_debug ("Deleting case %s failed: %s", code, error->message);
      if (gtk_widget_get_root (GTK_WIDGET (self)) != NULL)
        casedb_case_editor_show_toast (self, error->message);
    }
  else
    g_signal_emit (self, signals[DELETED], 0, id);

  if (self->toast_overlay != NULL)
    casedb_case_editor_update_actions (self);
}

static void
casedb_case_editor_delete_toast_dismissed_cb (CasedbCaseEditor *self,
                                              AdwToast         *toast)
{
  g_assert (CASEDB_IS_CASE_EDITOR (self));
  g_assert (ADW_IS_TOAST (toast));

  if (toast == self->delete_toast)
    casedb_case_editor_commit_delete (self);
}

static void
casedb_case_editor_delete_response_cb (CasedbCaseEditor *self,
                                       const char       *response,
                                       AdwMessageDialog *dialog)
{
  g_autofree char *title = NULL;

  g_assert (CASEDB_IS_CASE_EDITOR (self));

  if (g_strcmp0 (response, "delete") != 0 || self->kase == NULL || self->kase->id == 0)
    return;

  casedb_case_editor_commit_delete (self);

  self->pending_delete_id = self->kase->id;
  self->pending_delete_code = g_strdup (self->kase->code);
  casedb_case_editor_close_case (self);
  gtk_stack_set_visible_child_name (self->stack, "deleted");

  /* Translators: %s is a case code such as C-2024-0001 */
  title = g_strdup_printf (_("Case %s deleted"), self->pending_delete_code);
  adw_status_page_set_title (self->deleted_status, title);
  self->delete_toast = adw_toast_new (title);
  adw_toast_set_button_label (self->delete_toast, _("_Undo"));
  adw_toast_set_action_name (self->delete_toast, "editor.undo-delete");
  adw_toast_set_priority (self->delete_toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect_object (self->delete_toast, "dismissed",
                           G_CALLBACK (casedb_case_editor_delete_toast_dismissed_cb), self,
                           G_CONNECT_SWAPPED);
  adw_toast_overlay_add_toast (self->toast_overlay, g_object_ref (self->delete_toast));
  casedb_case_editor_update_actions (self);
}

static void
casedb_case_editor_undo_delete (CasedbCaseEditor *self)
{
  gint64 id = self->pending_delete_id;

  if (id == 0)
    return;

  self->pending_delete_id = 0;
  g_clear_pointer (&self->pending_delete_code, g_free);
  if (self->delete_toast != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->delete_toast, self);
      adw_toast_dismiss (self->delete_toast);
      g_clear_object (&self->delete_toast);
    }
  casedb_case_editor_load (self, id);
}

/* ---- saving ---- */

static void
casedb_case_editor_save (CasedbCaseEditor *self,
                         gboolean          draft)
{
  g_autoptr(CasedbCase) c = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  GtkWidget *first;
  gint64 id;

  if (self->kase == NULL || !self->can_edit)
    return;

  c = casedb_case_editor_build_case (self);
  c->draft = draft;

  /* A draft may be partial, but what it has must be well-formed. */
  problems = casedb_case_validate (c);
  first = casedb_case_editor_show_problems (self, problems);
  if (problems != NULL)
    {
      if (first != NULL)
        gtk_widget_grab_focus (first);
      casedb_case_editor_show_toast (self, draft ? _("Fix the marked fields to save the draft")
                                                 : _("Fix the marked fields, or save as a draft"));
      return;
    }

  if (!casedb_store_save_case (self->store, c, &error))
    {
      casedb_case_editor_add_error (self, error->message);
      return;
    }

  id = c->id;
  /* Translators: %s is a case code such as C-2024-0001 */
  title = g_strdup_printf (_("Case %s saved"), c->code);
  casedb_case_editor_take_case (self, g_steal_pointer (&c));
  casedb_case_editor_show_toast (self, title);

  g_signal_emit (self, signals[SAVED], 0, id);
}

/* ---- handlers and actions ---- */

static void
casedb_case_editor_changed_cb (CasedbCaseEditor *self)
{
  g_assert (CASEDB_IS_CASE_EDITOR (self));

  if (self->loading > 0 || self->kase == NULL || self->modified)
    return;

  self->modified = TRUE;
  casedb_case_editor_update_title (self);
}

static void
casedb_case_editor_notify_cb (CasedbCaseEditor *self)
{
  g_assert (CASEDB_IS_CASE_EDITOR (self));

  casedb_case_editor_changed_cb (self);
}

static void
casedb_case_editor_day_selected_cb (CasedbCaseEditor *self,
                                    GtkCalendar      *calendar)
{
  g_autoptr(GDateTime) date = NULL;
  g_autofree char *text = NULL;
  GtkWidget *row;

  g_assert (CASEDB_IS_CASE_EDITOR (self));

  row = gtk_widget_get_ancestor (GTK_WIDGET (calendar), ADW_TYPE_ENTRY_ROW);
  if (row == NULL || !gtk_editable_get_editable (GTK_EDITABLE (row)))
    return;
  date = gtk_calendar_get_date (calendar);
  text = g_date_time_format (date, "%Y-%m-%d");
  set_text (row, text);
}

static void
casedb_case_editor_calendar_show_cb (CasedbCaseEditor *self,
                                     GtkPopover       *popover)
{
  GtkWidget *row;
  const char *text;
  int y, m, d;

  g_assert (CASEDB_IS_CASE_EDITOR (self));

  row = gtk_widget_get_ancestor (GTK_WIDGET (popover), ADW_TYPE_ENTRY_ROW);
  if (row == NULL)
    return;
  text = gtk_editable_get_text (GTK_EDITABLE (row));
  if (casedb_date_valid (text) && sscanf (text, "%d-%d-%d", &y, &m, &d) == 3)
    {
      g_autoptr(GDateTime) date = g_date_time_new_local (y, m, d, 0, 0, 0);
      GtkWidget *calendar = gtk_popover_get_child (popover);

      g_signal_handlers_block_by_func (calendar, casedb_case_editor_day_selected_cb, self);
      gtk_calendar_select_day (GTK_CALENDAR (calendar), date);
      g_signal_handlers_unblock_by_func (calendar, casedb_case_editor_day_selected_cb, self);
    }
}

static void
casedb_case_editor_add_date_picker (CasedbCaseEditor *self,
                                    AdwEntryRow      *row)
{
  GtkWidget *button = gtk_menu_button_new ();
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *calendar = gtk_calendar_new ();

  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "x-office-calendar-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _("Pick a Date"));
  gtk_widget_add_css_class (button, "flat");
  gtk_popover_set_child (GTK_POPOVER (popover), calendar);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), popover);
  g_signal_connect_object (popover, "show",
                           G_CALLBACK (casedb_case_editor_calendar_show_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (calendar, "day-selected",
                           G_CALLBACK (casedb_case_editor_day_selected_cb), self,
                           G_CONNECT_SWAPPED);
  g_object_bind_property (row, "editable", button, "visible", G_BINDING_SYNC_CREATE);
  adw_entry_row_add_suffix (row, button);
}

static void
casedb_case_editor_save_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *param)
{
  casedb_case_editor_save (CASEDB_CASE_EDITOR (widget), FALSE);
}

static void
casedb_case_editor_save_draft_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *param)
{
  casedb_case_editor_save (CASEDB_CASE_EDITOR (widget), TRUE);
}

static void
casedb_case_editor_delete_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *param)
{
  CasedbCaseEditor *self = CASEDB_CASE_EDITOR (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  AdwMessageDialog *dialog;

  if (self->kase == NULL || self->kase->id == 0)
    return;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       NULL, NULL));
  /* Translators: %s is a case code such as C-2024-0001 */
  adw_message_dialog_format_heading (dialog, _("Delete Case %s?"), self->kase->code);
  adw_message_dialog_set_body (dialog,
                               _("The case, its victims and its consent record are removed "
                                 "for every user of this database. You can undo this until "
                                 "the notification goes away."));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (casedb_case_editor_delete_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
casedb_case_editor_undo_delete_action (GtkWidget  *widget,
                                       const char *action_name,
                                       GVariant   *param)
{
  casedb_case_editor_undo_delete (CASEDB_CASE_EDITOR (widget));
}

static void
casedb_case_editor_reveal_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *param)
{
  CasedbCaseEditor *self = CASEDB_CASE_EDITOR (widget);
  g_autoptr(CasedbCase) c = NULL;
  g_autoptr(GError) error = NULL;

  if (!self->can_identity || self->kase == NULL || self->kase->id == 0 || self->revealed)
    return;

  /* The store writes the "identity read" audit entry. */
  c = casedb_store_load_case (self->store, self->kase->id, TRUE, &error);
  if (c == NULL)
    {
      casedb_case_editor_show_toast (self, error->message);
      return;
    }

  /* Only identity widgets are filled: coded edits made before Reveal stay. */
  self->loading++;
  identity_field_set (&self->location_detail, c->location_detail);
  identity_field_set (&self->narrative, c->narrative);
  identity_field_set (&self->followup_notes, c->followup_notes);
  identity_field_set (&self->referral_notes, c->referral_notes);
  identity_field_set (&self->withhold_from, c->consent.withhold_from);
  identity_field_set (&self->withhold_reason, c->consent.withhold_reason);
  for (guint i = 0; i < self->victims->len; i++)
    {
      VictimWidgets *vw = g_ptr_array_index (self->victims, i);

      for (guint j = 0; vw->code != NULL && j < c->victims->len; j++)
        {
          CasedbVictim *v = g_ptr_array_index (c->victims, j);

          if (g_strcmp0 (v->code, vw->code) == 0)
            {
              identity_field_set (&vw->name, v->name);
              identity_field_set (&vw->guardian, v->guardian);
              identity_field_set (&vw->contact, v->contact);
            }
        }
    }
  self->loading--;

  self->revealed = TRUE;
  casedb_case_editor_update_identity_rows (self);
  casedb_case_editor_update_actions (self);
}

static void
casedb_case_editor_add_victim_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *param)
{
  CasedbCaseEditor *self = CASEDB_CASE_EDITOR (widget);
  VictimWidgets *vw;

  if (self->kase == NULL || !self->can_edit)
    return;

  vw = casedb_case_editor_add_victim (self, NULL);
  casedb_case_editor_update_identity_rows (self);
  casedb_case_editor_update_victim_titles (self);
  casedb_case_editor_sync_links (self);
  adw_expander_row_set_expanded (vw->row, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (vw->sex_row));
  casedb_case_editor_changed_cb (self);
}

static void
casedb_case_editor_add_violation_action (GtkWidget  *widget,
                                         const char *action_name,
                                         GVariant   *param)
{
  CasedbCaseEditor *self = CASEDB_CASE_EDITOR (widget);
  ViolationWidgets *vw;

  if (self->kase == NULL || !self->can_edit)
    return;

  vw = casedb_case_editor_add_violation (self, NULL);
  casedb_case_editor_update_violation_titles (self);
  adw_expander_row_set_expanded (vw->row, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (vw->kind_row));
  casedb_case_editor_changed_cb (self);
}

static void
casedb_case_editor_close_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *param)
{
  g_signal_emit (widget, signals[CLOSE_REQUESTED], 0);
}

/* ---- construction ---- */

/* Analysts: the identity widgets are never created, not merely hidden. */
static void
casedb_case_editor_build_identity_lock (CasedbCaseEditor *self)
{
  GtkWidget *row = adw_action_row_new ();

  g_assert (!self->can_identity);

  adw_action_row_set_icon_name (ADW_ACTION_ROW (row), "changes-prevent-symbolic");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 _("Identities are protected — your role sees coded records only"));
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
  gtk_widget_set_name (row, "identity-lock");
  adw_preferences_group_add (self->identity_status_group, row);
  gtk_widget_set_visible (GTK_WIDGET (self->notes_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->restrictions_group), FALSE);
}

static void
casedb_case_editor_build_role_widgets (CasedbCaseEditor *self)
{
  const char *consent_bys[] = {
    casedb_consent_by_get_label (CASEDB_CONSENT_BY_NONE),
    casedb_consent_by_get_label (CASEDB_CONSENT_BY_VICTIM),
    casedb_consent_by_get_label (CASEDB_CONSENT_BY_PARENT),
    casedb_consent_by_get_label (CASEDB_CONSENT_BY_GUARDIAN),
    NULL
  };
  AdwEntryRow *date_rows[] = {
    self->incident_date_row, self->report_date_row,
    self->consent_date_row, self->retention_review_row,
  };

  self->can_edit = casedb_store_can (self->store, CASEDB_PERM_EDIT_CASES);
  /* Every role that reads identities also edits (casedb-roles.c).  Should a
   * read-only one ever hold the key, it still gets the coded view only: the
   * read-only view has no identity rows. */
  self->can_identity = self->can_edit &&
                       casedb_store_can (self->store, CASEDB_PERM_READ_IDENTITY);
  self->can_verify = casedb_store_can (self->store, CASEDB_PERM_VERIFY_CASES);

  if (!self->can_edit)
    {
      casedb_case_editor_remove_form (self);
      casedb_case_editor_build_identity_lock (self);
      return;
    }

  set_string_model (self->consent_by_row, consent_bys);
  for (guint i = 0; i < G_N_ELEMENTS (date_rows); i++)
    casedb_case_editor_add_date_picker (self, date_rows[i]);

  for (guint i = 0; i < CASEDB_N_USES; i++)
    {
      CasedbConsentUses use = 1u << i;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *toggle = gtk_switch_new ();
      g_autofree char *name = g_strdup_printf ("use-%s", casedb_use_to_key (use));

      gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
      gtk_widget_set_name (toggle, name);
      g_signal_connect_object (toggle, "notify::active",
                               G_CALLBACK (casedb_case_editor_notify_cb), self,
                               G_CONNECT_SWAPPED);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), casedb_use_get_label (use));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
      adw_preferences_group_add (self->uses_group, row);
      self->use_switches[i] = GTK_SWITCH (toggle);
    }

  if (!self->can_identity)
    {
      casedb_case_editor_build_identity_lock (self);
      return;
    }

  self->reveal_row = adw_action_row_new ();
  adw_action_row_set_title_lines (ADW_ACTION_ROW (self->reveal_row), 0);
  self->reveal_button = gtk_button_new_with_mnemonic (_("_Reveal Identities"));
  gtk_widget_set_valign (self->reveal_button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->reveal_button), "editor.reveal");
  adw_action_row_add_suffix (ADW_ACTION_ROW (self->reveal_row), self->reveal_button);
  adw_preferences_group_add (self->identity_status_group, self->reveal_row);

  casedb_case_editor_build_identity_field (self, &self->location_detail,
                                           GTK_WIDGET (self->incident_group),
                                           "location-detail", _("Location detail"), FALSE);
  casedb_case_editor_build_identity_field (self, &self->narrative,
                                           GTK_WIDGET (self->notes_group),
                                           "narrative", _("Narrative"), TRUE);
  casedb_case_editor_build_identity_field (self, &self->followup_notes,
                                           GTK_WIDGET (self->notes_group),
                                           "followup-notes", _("Follow-up notes"), TRUE);
  casedb_case_editor_build_identity_field (self, &self->referral_notes,
                                           GTK_WIDGET (self->notes_group),
                                           "referral-notes", _("Referral notes"), TRUE);
  casedb_case_editor_build_identity_field (self, &self->withhold_from,
                                           GTK_WIDGET (self->restrictions_group),
                                           "withhold-from",
                                           _("Who must not be told about the case"), FALSE);
  casedb_case_editor_build_identity_field (self, &self->withhold_reason,
                                           GTK_WIDGET (self->restrictions_group),
                                           "withhold-reason",
                                           _("Why they must not be told"), TRUE);
}

static void
casedb_case_editor_constructed (GObject *object)
{
  CasedbCaseEditor *self = (CasedbCaseEditor *)object;

  G_OBJECT_CLASS (casedb_case_editor_parent_class)->constructed (object);

  g_assert (CASEDB_IS_STORE (self->store));

  casedb_case_editor_build_role_widgets (self);
  casedb_case_editor_close_case (self);
}

static void
casedb_case_editor_dispose (GObject *object)
{
  CasedbCaseEditor *self = (CasedbCaseEditor *)object;

  /* A confirmed deletion whose toast was still up goes through now. */
  if (self->pending_delete_id != 0 && self->store != NULL)
    casedb_case_editor_commit_delete (self);
  if (self->delete_toast != NULL)
    g_signal_handlers_disconnect_by_data (self->delete_toast, self);
  g_clear_object (&self->delete_toast);
  g_clear_pointer (&self->pending_delete_code, g_free);

  if (self->victims != NULL)
    casedb_case_editor_wipe_identities (self);
  /* Without an open case every handler below returns at once. */
  g_clear_pointer (&self->kase, casedb_case_free);

  /* The bin's child is a bound template child: unparent it through the bin
   * first, or disposing the template would leave AdwBin a dangling child. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CASEDB_TYPE_CASE_EDITOR);
  g_clear_pointer (&self->violations, g_ptr_array_unref);
  g_clear_pointer (&self->victims, g_ptr_array_unref);
  g_clear_pointer (&self->view_rows, g_ptr_array_unref);

  g_clear_object (&self->store);

  G_OBJECT_CLASS (casedb_case_editor_parent_class)->dispose (object);
}

static void
casedb_case_editor_finalize (GObject *object)
{
  CasedbCaseEditor *self = (CasedbCaseEditor *)object;

  g_clear_pointer (&self->verification_values, g_array_unref);

  G_OBJECT_CLASS (casedb_case_editor_parent_class)->finalize (object);
}

static void
casedb_case_editor_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CasedbCaseEditor *self = CASEDB_CASE_EDITOR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
casedb_case_editor_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  CasedbCaseEditor *self = CASEDB_CASE_EDITOR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
casedb_case_editor_class_init (CasedbCaseEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = casedb_case_editor_constructed;
  object_class->dispose = casedb_case_editor_dispose;
  object_class->finalize = casedb_case_editor_finalize;
  object_class->get_property = casedb_case_editor_get_property;
  object_class->set_property = casedb_case_editor_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         CASEDB_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CasedbCaseEditor::saved:
   * @id: the id of the stored case
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  /**
   * CasedbCaseEditor::deleted:
   * @id: the id of the case, now gone from the store
   */
  signals[DELETED] = g_signal_new ("deleted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[CLOSE_REQUESTED] = g_signal_new ("close-requested", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/example/CaseDB/ui/casedb-case-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, window_title);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, read_only_icon);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, delete_button);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, save_draft_button);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, errors_revealer);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, errors_box);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, stack);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, deleted_status);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, page);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, identity_status_group);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, incident_group);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, code_row);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, reference_row);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, incident_date_row);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, report_date_row);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, region_row);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, violations_group);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, add_violation_button);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, victims_group);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, add_victim_button);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, verification_group);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, source_code_row);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, verification_row);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, summary_row);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, needs_followup_row);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, needs_followup_switch);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, notes_group);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, consent_group);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, consent_by_row);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, consent_date_row);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, informed_row);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, informed_switch);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, uses_group);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, restrictions_group);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, retention_group);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, legal_basis_row);
  gtk_widget_class_bind_template_child (widget_class, CasedbCaseEditor, retention_review_row);
  gtk_widget_class_bind_template_callback (widget_class, casedb_case_editor_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, casedb_case_editor_notify_cb);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL,
                                   casedb_case_editor_save_action);
  gtk_widget_class_install_action (widget_class, "editor.save-draft", NULL,
                                   casedb_case_editor_save_draft_action);
  gtk_widget_class_install_action (widget_class, "editor.delete", NULL,
                                   casedb_case_editor_delete_action);
  gtk_widget_class_install_action (widget_class, "editor.undo-delete", NULL,
                                   casedb_case_editor_undo_delete_action);
  gtk_widget_class_install_action (widget_class, "editor.reveal", NULL,
                                   casedb_case_editor_reveal_action);
  gtk_widget_class_install_action (widget_class, "editor.add-victim", NULL,
                                   casedb_case_editor_add_victim_action);
  gtk_widget_class_install_action (widget_class, "editor.add-violation", NULL,
                                   casedb_case_editor_add_violation_action);
  gtk_widget_class_install_action (widget_class, "editor.close", NULL,
                                   casedb_case_editor_close_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "editor.save", NULL);
}

static void
casedb_case_editor_init (CasedbCaseEditor *self)
{
  self->victims = g_ptr_array_new_with_free_func (victim_widgets_free);
  self->violations = g_ptr_array_new_with_free_func (violation_widgets_free);
  self->verification_values = g_array_new (FALSE, FALSE, sizeof (CasedbVerification));
  self->view_rows = g_ptr_array_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * casedb_case_editor_new:
 * @store: an unlocked store; the role decides which widgets exist
 *
 * Returns: (transfer floating): a new #CasedbCaseEditor with no case open
 */
GtkWidget *
casedb_case_editor_new (CasedbStore *store)
{
  g_return_val_if_fail (CASEDB_IS_STORE (store), NULL);

  return g_object_new (CASEDB_TYPE_CASE_EDITOR,
                       "store", store,
                       NULL);
}

/**
 * casedb_case_editor_load:
 * @case_id: a stored case, or 0 for a new case
 *
 * Opens a case without its identities (they stay "Hidden" until Reveal).
 * The case open before is wiped from the widgets first.
 */
void
casedb_case_editor_load (CasedbCaseEditor *self,
                         gint64            case_id)
{
  g_autoptr(GError) error = NULL;
  CasedbCase *c;

  g_return_if_fail (CASEDB_IS_CASE_EDITOR (self));
  g_return_if_fail (case_id >= 0);

  if (case_id != 0 && case_id == self->pending_delete_id)
    {
      /* Opening the case being deleted takes the deletion back. */
      self->pending_delete_id = 0;
      g_clear_pointer (&self->pending_delete_code, g_free);
      if (self->delete_toast != NULL)
        {
          g_signal_handlers_disconnect_by_data (self->delete_toast, self);
          adw_toast_dismiss (self->delete_toast);
          g_clear_object (&self->delete_toast);
        }
    }
  casedb_case_editor_commit_delete (self);
  casedb_case_editor_close_case (self);

  if (case_id == 0)
    c = casedb_case_new ();
  else if ((c = casedb_store_load_case (self->store, case_id, FALSE, &error)) == NULL)
    {
      casedb_case_editor_show_toast (self, error->message);
      return;
    }

  casedb_case_editor_take_case (self, c);
  casedb_case_editor_scroll_to_top (self);
}

/**
 * casedb_case_editor_get_modified:
 *
 * Returns: whether the open case has changes that are not saved
 */
gboolean
casedb_case_editor_get_modified (CasedbCaseEditor *self)
{
  g_return_val_if_fail (CASEDB_IS_CASE_EDITOR (self), FALSE);

  return self->kase != NULL && self->modified;
}

/**
 * casedb_case_editor_clear:
 *
 * Closes the open case and wipes every value, identities first, from the
 * widgets.  A deletion waiting for its Undo toast is carried out.
 */
void
casedb_case_editor_clear (CasedbCaseEditor *self)
{
  g_return_if_fail (CASEDB_IS_CASE_EDITOR (self));

  casedb_case_editor_commit_delete (self);
  casedb_case_editor_close_case (self);
}
