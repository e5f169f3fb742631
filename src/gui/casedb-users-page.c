/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-users-page"

#include "config.h"

#include <glib/gi18n.h>

#include "casedb-users-page.h"

/*
 * The supervisor's user management: who may open this database, with which
 * role.  One dialog at a time; its password rows keep their text in
 * GtkPasswordEntryBuffer (non-pageable, wiped) and are emptied right after
 * use.  The dialog is destroyed with the page, e.g. when the app locks.
 */

#define MIN_PASSWORD_LENGTH 10

typedef enum {
  DIALOG_ADD,
  DIALOG_RESET_PASSWORD,
  DIALOG_CHANGE_ROLE,
  DIALOG_REMOVE,
  DIALOG_REKEY,
} DialogKind;

struct _CasedbUsersPage
{
  AdwBin               parent_instance;

  CasedbStore         *store;
  GPtrArray           *rows;

  /* The open dialog, if any */
  AdwMessageDialog    *dialog;
  DialogKind           dialog_kind;
  char                *dialog_user;
  GtkWidget           *name_row;
  GtkWidget           *role_row;
  GtkWidget           *password_row;
  GtkWidget           *confirm_row;
  GtkWidget           *hint_label;

  /* Template widgets */
  AdwToastOverlay     *toast_overlay;
  AdwPreferencesGroup *users_group;
  AdwActionRow        *rekey_row;
  GtkWidget           *rekey_icon;
  GtkWidget           *rekey_button;
};

G_DEFINE_FINAL_TYPE (CasedbUsersPage, casedb_users_page, ADW_TYPE_BIN)

static void
casedb_users_page_toast (CasedbUsersPage *self,
                         const char      *title)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
}

static char *
dup_password_age (const char *iso8601)
{
  g_autoptr(GDateTime) changed = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  gint64 days;

  if (iso8601 == NULL || (changed = g_date_time_new_from_iso8601 (iso8601, NULL)) == NULL)
    return g_strdup (_("Password age unknown"));

  days = g_date_time_difference (now, changed) / G_TIME_SPAN_DAY;
  if (days < 1)
    return g_strdup (_("Password changed today"));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Password changed %u day ago",
                                       "Password changed %u days ago",
                                       (gulong) days),
                          (guint) days);
}

/* The password age after which the app reminds; 0 when unknown. */
static guint
get_password_max_age (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;

  if (source == NULL || (schema = g_settings_schema_source_lookup (source, APP_ID, TRUE)) == NULL ||
      !g_settings_schema_has_key (schema, "password-max-age-days"))
    return 0;
  settings = g_settings_new (APP_ID);
  return g_settings_get_uint (settings, "password-max-age-days");
}

static gboolean
password_is_old (const char *iso8601,
                 guint       max_days)
{
  g_autoptr(GDateTime) changed = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  if (max_days == 0 || iso8601 == NULL ||
      (changed = g_date_time_new_from_iso8601 (iso8601, NULL)) == NULL)
    return FALSE;
  return g_date_time_difference (now, changed) / G_TIME_SPAN_DAY > max_days;
}

static GtkWidget *
casedb_users_page_create_row (CasedbUsersPage      *self,
                              const CasedbUserInfo *info,
                              guint                 max_age)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *avatar = adw_avatar_new (32, info->name, TRUE);
  GtkWidget *button = gtk_menu_button_new ();
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenuItem) item = NULL;
  g_autofree char *age = dup_password_age (info->password_changed);
  g_autofree char *subtitle = NULL;
  g_autofree char *tooltip = NULL;
  gboolean self_row = g_strcmp0 (info->name, casedb_store_get_user (self->store)) == 0;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), info->name);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (self_row)
    /* Translators: role, password age, and that this row is the signed-in user */
    subtitle = g_strdup_printf (_("%s · %s · You"), casedb_role_get_label (info->role), age);
  else
    /* Translators: role and password age, e.g. "Analyst · Password changed 3 days ago" */
    subtitle = g_strdup_printf (_("%s · %s"), casedb_role_get_label (info->role), age);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), avatar);

  if (password_is_old (info->password_changed, max_age))
    {
      GtkWidget *warning = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

      gtk_widget_add_css_class (warning, "warning");
      gtk_widget_set_tooltip_text (warning, _("The password is older than the reminder age"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), warning);
    }

  if (!self_row)
    {
      item = g_menu_item_new (_("Change _Role…"), NULL);
      g_menu_item_set_action_and_target_value (item, "users.change-role",
                                               g_variant_new_string (info->name));
      g_menu_append_item (menu, item);
      g_clear_object (&item);
    }
  item = g_menu_item_new (_("Re_set Password…"), NULL);
  g_menu_item_set_action_and_target_value (item, "users.reset-password",
                                           g_variant_new_string (info->name));
  g_menu_append_item (menu, item);
  g_clear_object (&item);
  if (!self_row)
    {
      item = g_menu_item_new (_("Re_move…"), NULL);
      g_menu_item_set_action_and_target_value (item, "users.remove",
                                               g_variant_new_string (info->name));
      g_menu_append_item (menu, item);
    }

  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "view-more-symbolic");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), G_MENU_MODEL (menu));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  /* Translators: %s is a user name */
  tooltip = g_strdup_printf (_("Manage %s"), info->name);
  gtk_widget_set_tooltip_text (button, tooltip);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  return row;
}

/* ---- dialogs ---- */

static GtkWidget *
create_password_row (const char *title)
{
  GtkWidget *row = adw_password_entry_row_new ();
  GtkEditable *delegate = gtk_editable_get_delegate (GTK_EDITABLE (row));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_editable_set_enable_undo (GTK_EDITABLE (row), FALSE);
  if (GTK_IS_TEXT (delegate))
    {
      g_autoptr(GtkEntryBuffer) buffer = gtk_password_entry_buffer_new ();

      gtk_text_set_buffer (GTK_TEXT (delegate), buffer);
    }
  return row;
}

static GtkWidget *
create_role_row (CasedbRole selected)
{
  GtkWidget *row = adw_combo_row_new ();
  const char *roles[] = {
    casedb_role_get_label (CASEDB_ROLE_CASEWORKER),
    casedb_role_get_label (CASEDB_ROLE_ANALYST),
    casedb_role_get_label (CASEDB_ROLE_SUPERVISOR),
    NULL
  };
  g_autoptr(GtkStringList) model = gtk_string_list_new (roles);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Role"));
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (model));
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), selected);
  return row;
}

static void
casedb_users_page_validate_cb (CasedbUsersPage *self)
{
  const char *hint = NULL;
  gboolean valid = TRUE;

  g_assert (CASEDB_IS_USERS_PAGE (self));

  if (self->dialog == NULL)
    return;

  if (self->name_row != NULL)
    {
      g_autofree char *name = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row)));

      if (*g_strstrip (name) == '\0')
        valid = FALSE;
    }

  if (self->password_row != NULL)
    {
      const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
      const char *confirm = gtk_editable_get_text (GTK_EDITABLE (self->confirm_row));

      if (g_utf8_strlen (password, -1) < MIN_PASSWORD_LENGTH)
        {
          hint = _("The password needs at least 10 characters. A few unrelated words are easy to remember and hard to guess.");
          valid = FALSE;
        }
      else if (g_strcmp0 (password, confirm) != 0)
        {
          hint = _("The two passwords are not the same.");
          valid = FALSE;
        }
      gtk_label_set_label (GTK_LABEL (self->hint_label),
                           hint != NULL ? hint : _("Give the password to the user in person, never by message."));
    }

  adw_message_dialog_set_response_enabled (self->dialog, "apply", valid);
}

static void
casedb_users_page_dialog_destroy_cb (CasedbUsersPage *self)
{
  g_assert (CASEDB_IS_USERS_PAGE (self));

  self->dialog = NULL;
  self->name_row = NULL;
  self->role_row = NULL;
  self->password_row = NULL;
  self->confirm_row = NULL;
  self->hint_label = NULL;
  g_clear_pointer (&self->dialog_user, g_free);
}

static void
casedb_users_page_wipe_passwords (CasedbUsersPage *self)
{
  if (self->password_row != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  if (self->confirm_row != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), "");
}

/* Whether the core says a rekey is due; @since (nullable) gets when it became due. */
static gboolean
casedb_users_page_rekey_due (CasedbUsersPage  *self,
                             char            **since)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *due = NULL;

  if (!casedb_store_get_rekey_due (self->store, &due, &error))
    {
      g_warning ("Cannot tell whether a rekey is due: %s", error->message);
      return FALSE;
    }
  if (since != NULL)
    *since = g_strdup (due);
  return due != NULL;
}

static void
casedb_users_page_update_rekey_row (CasedbUsersPage *self)
{
  g_autofree char *since = NULL;
  gboolean due = casedb_users_page_rekey_due (self, &since);

  gtk_widget_set_visible (self->rekey_icon, due);
  if (due)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_iso8601 (since, NULL);
      g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;
      g_autofree char *date = local != NULL ? g_date_time_format (local, "%Y-%m-%d") : g_strdup (since);
      g_autofree char *subtitle =
        /* Translators: %s is a date */
        g_strdup_printf (_("Due since %s: a user was removed or may no longer see identities. "
                           "Until you re-encrypt, an old copy of the key file still opens "
                           "what they could open."), date);

      adw_action_row_set_subtitle (self->rekey_row, subtitle);
      gtk_widget_add_css_class (self->rekey_button, "suggested-action");
    }
  else
    {
      adw_action_row_set_subtitle (self->rekey_row,
                                   _("Replaces the database and identity keys. Do this after "
                                     "removing a user."));
      gtk_widget_remove_css_class (self->rekey_button, "suggested-action");
    }
}

static void
casedb_users_page_response_cb (CasedbUsersPage  *self,
                               const char       *response,
                               AdwMessageDialog *dialog)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *done = NULL;
  gboolean ok = TRUE;

  g_assert (CASEDB_IS_USERS_PAGE (self));

  if (g_strcmp0 (response, "apply") != 0)
    {
      casedb_users_page_wipe_passwords (self);
      return;
    }

  switch (self->dialog_kind)
    {
    case DIALOG_ADD:
      {
        g_autofree char *name =
          g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
        CasedbRole role = adw_combo_row_get_selected (ADW_COMBO_ROW (self->role_row));

        ok = casedb_store_add_user (self->store, name, role,
                                    gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                                    &error);
        /* Translators: %s is a user name */
        done = g_strdup_printf (_("%s can now open this database"), name);
      }
      break;

    case DIALOG_RESET_PASSWORD:
      ok = casedb_store_reset_password (self->store, self->dialog_user,
                                        gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                                        &error);
      /* Translators: %s is a user name */
      done = g_strdup_printf (_("Password of %s reset"), self->dialog_user);
      break;

    case DIALOG_CHANGE_ROLE:
      {
        CasedbRole role = adw_combo_row_get_selected (ADW_COMBO_ROW (self->role_row));

        ok = casedb_store_set_user_role (self->store, self->dialog_user, role, &error);
        if (casedb_role_holds_identity_key (role))
          /* Translators: a user name and a role, e.g. "amira is now Analyst" */
          done = g_strdup_printf (_("%s is now %s"), self->dialog_user, casedb_role_get_label (role));
        else
          /* Translators: a user name and a role, e.g. "amira is now Analyst. Re-encrypt…" */
          done = g_strdup_printf (_("%s is now %s. Re-encrypt the database now."),
                                  self->dialog_user, casedb_role_get_label (role));
      }
      break;

    case DIALOG_REMOVE:
      ok = casedb_store_remove_user (self->store, self->dialog_user, &error);
      /* Translators: %s is a user name */
      done = g_strdup_printf (_("%s removed. Re-encrypt the database now."), self->dialog_user);
      break;

    case DIALOG_REKEY:
      ok = casedb_store_rekey (self->store, &error);
      done = g_strdup (_("Database re-encrypted with new keys"));
      break;

    default:
      g_assert_not_reached ();
    }

  casedb_users_page_wipe_passwords (self);

  if (!ok)
    {
      casedb_users_page_toast (self, error->message);
      return;
    }

  if (self->dialog_kind == DIALOG_REMOVE ||
      (self->dialog_kind == DIALOG_CHANGE_ROLE && casedb_users_page_rekey_due (self, NULL)))
    {
      AdwToast *toast = adw_toast_new (done);

      adw_toast_set_button_label (toast, _("Re-_encrypt…"));
      adw_toast_set_action_name (toast, "users.rekey");
      adw_toast_set_timeout (toast, 0);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
    }
  else
    casedb_users_page_toast (self, done);

  casedb_users_page_refresh (self);
}

/* Opens a dialog; @extra (nullable) is a boxed list of rows. */
static void
casedb_users_page_present (CasedbUsersPage *self,
                           DialogKind       kind,
                           const char      *user,
                           const char      *heading,
                           const char      *body,
                           const char      *apply_label,
                           gboolean         destructive,
                           GtkWidget       *extra)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  /* A dialog still open goes without its destroy handler: the rows it
   * would forget already belong to the new dialog. */
  if (self->dialog != NULL)
    {
      GtkWindow *old = GTK_WINDOW (g_steal_pointer (&self->dialog));

      g_signal_handlers_disconnect_by_data (old, self);
      gtk_window_destroy (old);
    }

  self->dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                             heading, body));
  self->dialog_kind = kind;
  g_free (self->dialog_user);
  self->dialog_user = g_strdup (user);

  adw_message_dialog_add_responses (self->dialog,
                                    "cancel", _("_Cancel"),
                                    "apply", apply_label,
                                    NULL);
  adw_message_dialog_set_response_appearance (self->dialog, "apply",
                                              destructive ? ADW_RESPONSE_DESTRUCTIVE
                                                          : ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (self->dialog, destructive ? "cancel" : "apply");
  adw_message_dialog_set_close_response (self->dialog, "cancel");
  if (extra != NULL)
    adw_message_dialog_set_extra_child (self->dialog, extra);

  g_signal_connect_object (self->dialog, "response",
                           G_CALLBACK (casedb_users_page_response_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->dialog, "destroy",
                           G_CALLBACK (casedb_users_page_dialog_destroy_cb), self,
                           G_CONNECT_SWAPPED);

  casedb_users_page_validate_cb (self);
  gtk_window_present (GTK_WINDOW (self->dialog));
}

/* A boxed list with the rows asked for; sets the dialog row pointers. */
static GtkWidget *
casedb_users_page_create_form (CasedbUsersPage *self,
                               gboolean         with_name,
                               gboolean         with_role,
                               CasedbRole       role,
                               gboolean         with_password)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_box_append (GTK_BOX (box), list);

  self->name_row = NULL;
  self->role_row = NULL;
  self->password_row = NULL;
  self->confirm_row = NULL;
  self->hint_label = NULL;

  if (with_name)
    {
      self->name_row = adw_entry_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->name_row), _("User name"));
      g_signal_connect_object (self->name_row, "changed",
                               G_CALLBACK (casedb_users_page_validate_cb), self,
                               G_CONNECT_SWAPPED);
      gtk_list_box_append (GTK_LIST_BOX (list), self->name_row);
    }
  if (with_role)
    {
      self->role_row = create_role_row (role);
      gtk_list_box_append (GTK_LIST_BOX (list), self->role_row);
    }
  if (with_password)
    {
      self->password_row = create_password_row (_("Password"));
      self->confirm_row = create_password_row (_("Repeat password"));
      g_signal_connect_object (self->password_row, "changed",
                               G_CALLBACK (casedb_users_page_validate_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->confirm_row, "changed",
                               G_CALLBACK (casedb_users_page_validate_cb), self,
                               G_CONNECT_SWAPPED);
      gtk_list_box_append (GTK_LIST_BOX (list), self->password_row);
      gtk_list_box_append (GTK_LIST_BOX (list), self->confirm_row);

      self->hint_label = gtk_label_new (NULL);
      gtk_label_set_wrap (GTK_LABEL (self->hint_label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (self->hint_label), 0);
      gtk_widget_add_css_class (self->hint_label, "caption");
      gtk_widget_add_css_class (self->hint_label, "dim-label");
      gtk_box_append (GTK_BOX (box), self->hint_label);
    }

  return box;
}

static CasedbRole
casedb_users_page_get_role (CasedbUsersPage *self,
                            const char      *user)
{
  g_autoptr(GPtrArray) users = casedb_store_list_users (self->store, NULL);

  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      CasedbUserInfo *info = g_ptr_array_index (users, i);

      if (g_strcmp0 (info->name, user) == 0)
        return info->role;
    }
  return CASEDB_ROLE_CASEWORKER;
}

static void
casedb_users_page_add_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *param)
{
  CasedbUsersPage *self = CASEDB_USERS_PAGE (widget);
  GtkWidget *form = casedb_users_page_create_form (self, TRUE, TRUE, CASEDB_ROLE_CASEWORKER, TRUE);

  casedb_users_page_present (self, DIALOG_ADD, NULL,
                             _("Add User"),
                             _("Caseworkers record cases and see identities. Analysts see "
                               "coded records and statistics only. Supervisors manage users "
                               "and verify cases."),
                             _("_Add"), FALSE, form);
}

static void
casedb_users_page_reset_password_action (GtkWidget  *widget,
                                         const char *action_name,
                                         GVariant   *param)
{
  CasedbUsersPage *self = CASEDB_USERS_PAGE (widget);
  const char *user = g_variant_get_string (param, NULL);
  GtkWidget *form = casedb_users_page_create_form (self, FALSE, FALSE, 0, TRUE);
  g_autofree char *heading = g_strdup_printf (_("Reset Password of %s?"), user);

  casedb_users_page_present (self, DIALOG_RESET_PASSWORD, user, heading,
                             _("The old password stops working at once."),
                             _("_Reset Password"), FALSE, form);
}

static void
casedb_users_page_change_role_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *param)
{
  CasedbUsersPage *self = CASEDB_USERS_PAGE (widget);
  const char *user = g_variant_get_string (param, NULL);
  GtkWidget *form = casedb_users_page_create_form (self, FALSE, TRUE,
                                                   casedb_users_page_get_role (self, user), FALSE);
  g_autofree char *heading = g_strdup_printf (_("Change Role of %s?"), user);

  casedb_users_page_present (self, DIALOG_CHANGE_ROLE, user, heading,
                             _("An analyst cannot see names or any other identity. Taking "
                               "that access away from someone who had it should be followed "
                               "by re-encrypting the database."),
                             _("_Change Role"), FALSE, form);
}

static void
casedb_users_page_remove_action (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *param)
{
  CasedbUsersPage *self = CASEDB_USERS_PAGE (widget);
  const char *user = g_variant_get_string (param, NULL);
  g_autofree char *heading = g_strdup_printf (_("Remove %s?"), user);

  casedb_users_page_present (self, DIALOG_REMOVE, user, heading,
                             _("They can no longer open this database with their password. "
                               "Re-encrypt the database afterwards, so that an old copy of "
                               "the key file cannot open it either."),
                             _("_Remove"), TRUE, NULL);
}

static void
casedb_users_page_rekey_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *param)
{
  casedb_users_page_present (CASEDB_USERS_PAGE (widget), DIALOG_REKEY, NULL,
                             _("Re-encrypt the Database?"),
                             _("The database gets a new encryption key and a new identity key, "
                               "and every record is encrypted again. Use this after removing a "
                               "user or taking identity access away: a copied key file or an "
                               "old password can then no longer open it. Everyone keeps their "
                               "password. With many cases this takes a while; do not close "
                               "CaseDB. Backups made before stay readable with the old keys."),
                             _("Re-_encrypt"), FALSE, NULL);
}

static void
casedb_users_page_dispose (GObject *object)
{
  CasedbUsersPage *self = (CasedbUsersPage *)object;

  /* No password dialog outlives the page (e.g. when the app locks). */
  if (self->dialog != NULL)
    {
      casedb_users_page_wipe_passwords (self);
      gtk_window_destroy (GTK_WINDOW (self->dialog));
    }
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->dialog_user, g_free);

  /* The bin's child is a bound template child: unparent it through the bin. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CASEDB_TYPE_USERS_PAGE);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (casedb_users_page_parent_class)->dispose (object);
}

static void
casedb_users_page_class_init (CasedbUsersPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = casedb_users_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/example/CaseDB/ui/casedb-users-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CasedbUsersPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CasedbUsersPage, users_group);
  gtk_widget_class_bind_template_child (widget_class, CasedbUsersPage, rekey_row);
  gtk_widget_class_bind_template_child (widget_class, CasedbUsersPage, rekey_icon);
  gtk_widget_class_bind_template_child (widget_class, CasedbUsersPage, rekey_button);

  gtk_widget_class_install_action (widget_class, "users.add", NULL,
                                   casedb_users_page_add_action);
  gtk_widget_class_install_action (widget_class, "users.reset-password", "s",
                                   casedb_users_page_reset_password_action);
  gtk_widget_class_install_action (widget_class, "users.change-role", "s",
                                   casedb_users_page_change_role_action);
  gtk_widget_class_install_action (widget_class, "users.remove", "s",
                                   casedb_users_page_remove_action);
  gtk_widget_class_install_action (widget_class, "users.rekey", NULL,
                                   casedb_users_page_rekey_action);
}

static void
casedb_users_page_init (CasedbUsersPage *self)
{
  self->rows = g_ptr_array_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * casedb_users_page_new:
 * @store: an unlocked store whose role may manage users
 *
 * Returns: (transfer floating): a new #CasedbUsersPage
 */
GtkWidget *
casedb_users_page_new (CasedbStore *store)
{
  CasedbUsersPage *self;

  g_return_val_if_fail (CASEDB_IS_STORE (store), NULL);

  self = g_object_new (CASEDB_TYPE_USERS_PAGE, NULL);
  self->store = g_object_ref (store);

  /* The one place where the role enables this page's actions. */
  if (!casedb_store_can (store, CASEDB_PERM_MANAGE_USERS))
    {
      const char *actions[] = {
        "users.add", "users.reset-password", "users.change-role", "users.remove", "users.rekey",
      };

      for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
        gtk_widget_action_set_enabled (GTK_WIDGET (self), actions[i], FALSE);
    }

  casedb_users_page_refresh (self);
  return GTK_WIDGET (self);
}

/**
 * casedb_users_page_refresh:
 *
 * Lists the users again.
 */
void
casedb_users_page_refresh (CasedbUsersPage *self)
{
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GError) error = NULL;
  guint max_age;

  g_return_if_fail (CASEDB_IS_USERS_PAGE (self));

  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->users_group, g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);

  users = casedb_store_list_users (self->store, &error);
  if (users == NULL)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_action_row_set_icon_name (ADW_ACTION_ROW (row), "dialog-error-symbolic");
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), error->message);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
      g_ptr_array_add (self->rows, row);
      adw_preferences_group_add (self->users_group, row);
      return;
    }

  casedb_users_page_update_rekey_row (self);

  max_age = get_password_max_age ();
  for (guint i = 0; i < users->len; i++)
    {
      GtkWidget *row = casedb_users_page_create_row (self, g_ptr_array_index (users, i), max_age);

      g_ptr_array_add (self->rows, row);
      adw_preferences_group_add (self->users_group, row);
    }
}
