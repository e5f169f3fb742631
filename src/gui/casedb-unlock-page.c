/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-gui"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "casedb-core.h"
#include "casedb-unlock-page.h"

#define MIN_PASSWORD_LENGTH 10
#define MAX_RECENT          10
#define SHOWN_RECENT        5

struct _CasedbUnlockPage
{
  AdwBin                parent_instance;

  AdwPreferencesGroup  *demo_group;
  AdwActionRow         *database_row;
  AdwPreferencesGroup  *recent_group;
  GtkEntry             *user_entry;
  GtkPasswordEntry     *password_entry;
  GtkWidget            *error_box;
  GtkLabel             *error_label;
  GtkButton            *unlock_button;
  GtkSpinner           *spinner;

  GSettings            *settings;
  GPtrArray            *demo_rows;
  GPtrArray            *recent_rows;
  char                 *path;
  GtkFileChooserNative *chooser;

  /* The "New Database" dialog and its fields, while it is open. */
  AdwMessageDialog     *new_dialog;
  GtkEntry             *new_path_entry;
  GtkEntry             *new_user_entry;
  GtkPasswordEntry     *new_password_entry;
  GtkPasswordEntry     *new_repeat_entry;
  GtkLevelBar          *new_strength_bar;
  GtkLabel             *new_hint_label;

  guint                 busy : 1;
  guint                 demo : 1;
  guint                 disposed : 1;
};

enum {
  PROP_0,
  PROP_PATH,
  PROP_DEMO,
  PROP_BUSY,
  N_PROPS
};

enum {
  UNLOCKED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CasedbUnlockPage, casedb_unlock_page, ADW_TYPE_BIN)

typedef struct
{
  char *path;
  char *user;
  char *password;   /* secure memory */
} UnlockData;

static void
unlock_data_free (gpointer data)
{
  UnlockData *d = data;

  g_free (d->path);
  g_free (d->user);
  casedb_secure_clear (&d->password);
  g_free (d);
}

static void
casedb_unlock_page_update_actions (CasedbUnlockPage *self)
{
  g_assert (CASEDB_IS_UNLOCK_PAGE (self));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "unlock.unlock",
                                 !self->busy && self->path != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "unlock.open", !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "unlock.new-database", !self->busy);
}

static void
casedb_unlock_page_set_busy (CasedbUnlockPage *self,
                             gboolean          busy)
{
  g_assert (CASEDB_IS_UNLOCK_PAGE (self));

  if (self->busy == !!busy)
    return;

  self->busy = !!busy;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  /* Not insensitive: a focused GtkText made insensitive keeps its cursor
   * blink running without focus. */
  gtk_editable_set_editable (GTK_EDITABLE (self->user_entry), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->password_entry), !busy);
  casedb_unlock_page_update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

void
casedb_unlock_page_show_error (CasedbUnlockPage *self,
                               const char       *message)
{
  g_return_if_fail (CASEDB_IS_UNLOCK_PAGE (self));

  gtk_label_set_text (self->error_label, message ? message : "");
  gtk_widget_set_visible (self->error_box, message != NULL);
}

const char *
casedb_unlock_page_get_error (CasedbUnlockPage *self)
{
  g_return_val_if_fail (CASEDB_IS_UNLOCK_PAGE (self), NULL);

  if (!gtk_widget_get_visible (self->error_box))
    return NULL;

  return gtk_label_get_text (self->error_label);
}

char *
casedb_unlock_page_describe_error (const GError *error,
                                   const char   *path)
{
  g_autofree char *keys_path = NULL;
  g_autofree char *display = NULL;

  g_return_val_if_fail (error != NULL, NULL);

  if (path == NULL)
    return g_strdup (error->message);

  display = g_filename_display_name (path);

  if (g_error_matches (error, CASEDB_ERROR, CASEDB_ERROR_WRONG_PASSWORD))
    return g_strdup (_("Wrong user name or password. Check both and try again."));

  if (g_error_matches (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED))
    return g_strdup_printf (_("The database “%s” is damaged or is not a CaseDB database. "
                              "Restore it from a backup."), display);

  if (g_error_matches (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND))
    {
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        return g_strdup_printf (_("The database “%s” does not exist. "
                                  "It may have been moved, renamed or deleted."), display);

      keys_path = casedb_store_keyslots_path (path);
      if (!g_file_test (keys_path, G_FILE_TEST_EXISTS))
        {
          g_autofree char *keys_display = g_filename_display_name (keys_path);

          return g_strdup_printf (_("The key file “%s” is missing. It must stay next to the "
                                    "database; without it nobody can open the database. "
                                    "Restore it from a backup."), keys_display);
        }
    }

  return g_strdup_printf (_("The database could not be opened: %s"), error->message);
}

static void
casedb_unlock_page_add_recent (CasedbUnlockPage *self,
                               const char       *path)
{
  g_auto(GStrv) old = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) recent = NULL;
  guint n = 1;

  g_assert (CASEDB_IS_UNLOCK_PAGE (self));

  old = g_settings_get_strv (self->settings, "recent-databases");
  builder = g_strv_builder_new ();
  g_strv_builder_add (builder, path);
  for (guint i = 0; old[i] != NULL && n < MAX_RECENT; i++)
    {
      if (g_strcmp0 (old[i], path) == 0)
        continue;
      g_strv_builder_add (builder, old[i]);
      n++;
    }
  recent = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-databases", (const char * const *)recent);
}

static void
casedb_unlock_page_recent_activated_cb (CasedbUnlockPage *self,
                                        AdwActionRow     *row)
{
  g_assert (CASEDB_IS_UNLOCK_PAGE (self));
  g_assert (ADW_IS_ACTION_ROW (row));

  casedb_unlock_page_set_path (self, g_object_get_data (G_OBJECT (row), "casedb-path"));
  gtk_widget_grab_focus (GTK_WIDGET (self->user_entry));
}

static void
casedb_unlock_page_load_recent (CasedbUnlockPage *self)
{
  g_auto(GStrv) recent = NULL;
  guint shown = 0;

  g_assert (CASEDB_IS_UNLOCK_PAGE (self));

  for (guint i = 0; i < self->recent_rows->len; i++)
    adw_preferences_group_remove (self->recent_group, g_ptr_array_index (self->recent_rows, i));
  g_ptr_array_set_size (self->recent_rows, 0);

  recent = g_settings_get_strv (self->settings, "recent-databases");
  for (guint i = 0; recent[i] != NULL && shown < SHOWN_RECENT; i++)
    {
      g_autofree char *base = NULL;
      g_autofree char *dir = NULL;
      GtkWidget *row;

      if (!g_file_test (recent[i], G_FILE_TEST_IS_REGULAR))
        continue;

      base = g_filename_display_basename (recent[i]);
      dir = g_path_get_dirname (recent[i]);
      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), base);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), dir);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("go-next-symbolic"));
      g_object_set_data_full (G_OBJECT (row), "casedb-path", g_strdup (recent[i]), g_free);
      g_signal_connect_object (row, "activated",
                               G_CALLBACK (casedb_unlock_page_recent_activated_cb),
                               self, G_CONNECT_SWAPPED);
      adw_preferences_group_add (self->recent_group, row);
      g_ptr_array_add (self->recent_rows, row);
      shown++;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->recent_group), shown > 0);
}

static void
casedb_unlock_page_unlock_cb (GObject      *object,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  CasedbUnlockPage *self = (CasedbUnlockPage *)object;
  g_autoptr(CasedbStore) store = NULL;
  g_autoptr(GError) error = NULL;
  UnlockData *data;

  g_assert (CASEDB_IS_UNLOCK_PAGE (self));
  g_assert (G_IS_TASK (result));

  store = g_task_propagate_pointer (G_TASK (result), &error);
  data = g_task_get_task_data (G_TASK (result));

  if (self->disposed)
    {
      if (store != NULL)
        casedb_store_close (store);
      return;
    }

  casedb_unlock_page_set_busy (self, FALSE);

  if (store == NULL)
    {
      g_autofree char *message = casedb_unlock_page_describe_error (error, data->path);

      g_debug ("Unlock failed: %s", error->message);
      casedb_unlock_page_show_error (self, message);
      gtk_widget_grab_focus (GTK_WIDGET (self->password_entry));
      return;
    }

  casedb_unlock_page_show_error (self, NULL);
  casedb_unlock_page_add_recent (self, data->path);
  g_signal_emit (self, signals[UNLOCKED], 0, store);
}

static void
casedb_unlock_page_unlock_thread (GTask        *task,
                                  gpointer      source_object,
                                  gpointer      task_data,
                                  GCancellable *cancellable)
{
  UnlockData *data = task_data;
  GError *error = NULL;
  CasedbStore *store;

  store = casedb_store_open (data->path, data->user, data->password, &error);
  casedb_secure_clear (&data->password);

  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

static void
casedb_unlock_page_unlock (CasedbUnlockPage *self)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *user = NULL;
  UnlockData *data;
  const char *password;

  g_assert (CASEDB_IS_UNLOCK_PAGE (self));

  if (self->busy)
    return;

  if (self->path == NULL)
    {
      casedb_unlock_page_show_error (self, _("Choose a database first: open a file or create a new database."));
      return;
    }

  user = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->user_entry))));
  if (user[0] == '\0')
    {
      casedb_unlock_page_show_error (self, _("Enter your user name."));
      gtk_widget_grab_focus (GTK_WIDGET (self->user_entry));
      return;
    }

  password = gtk_editable_get_text (GTK_EDITABLE (self->password_entry));
  if (password[0] == '\0')
    {
      casedb_unlock_page_show_error (self, _("Enter your password."));
      gtk_widget_grab_focus (GTK_WIDGET (self->password_entry));
      return;
    }

  data = g_new0 (UnlockData, 1);
  data->path = g_strdup (self->path);
  data->user = g_steal_pointer (&user);
  data->password = casedb_secure_strdup (password);
  /* From here on the password lives only in secure memory. */
  gtk_editable_set_text (GTK_EDITABLE (self->password_entry), "");

  casedb_unlock_page_show_error (self, NULL);
  casedb_unlock_page_set_busy (self, TRUE);

  /* Argon2id takes about half a second and 64 MiB: keep the UI alive. */
  task = g_task_new (self, NULL, casedb_unlock_page_unlock_cb, NULL);
  g_task_set_source_tag (task, casedb_unlock_page_unlock);
  g_task_set_task_data (task, data, unlock_data_free);
  g_task_run_in_thread (task, casedb_unlock_page_unlock_thread);
}

static void
casedb_unlock_page_unlock_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *param)
{
  casedb_unlock_page_unlock (CASEDB_UNLOCK_PAGE (widget));
}

static void
casedb_unlock_page_user_activate_cb (CasedbUnlockPage *self,
                                     GtkEntry         *entry)
{
  g_assert (CASEDB_IS_UNLOCK_PAGE (self));

  if (gtk_editable_get_text (GTK_EDITABLE (self->password_entry))[0] == '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->password_entry));
  else
    casedb_unlock_page_unlock (self);
}

static void
casedb_unlock_page_password_activate_cb (CasedbUnlockPage *self,
                                         GtkPasswordEntry *entry)
{
  g_assert (CASEDB_IS_UNLOCK_PAGE (self));

  casedb_unlock_page_unlock (self);
}

static void
casedb_unlock_page_changed_cb (CasedbUnlockPage *self,
                               GtkEditable      *editable)
{
  g_assert (CASEDB_IS_UNLOCK_PAGE (self));

  /* A stale "wrong password" next to a freshly typed one misleads. */
  if (gtk_editable_get_text (editable)[0] != '\0')
    casedb_unlock_page_show_error (self, NULL);
}

/* ---- Open… ---- */

static GtkFileFilter *
casedb_unlock_page_database_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("CaseDB Databases"));
  gtk_file_filter_add_pattern (filter, "*.casedb");
  return filter;
}

static void
casedb_unlock_page_open_response_cb (CasedbUnlockPage     *self,
                                     int                   response,
                                     GtkFileChooserNative *chooser)
{
  g_assert (CASEDB_IS_UNLOCK_PAGE (self));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        {
          casedb_unlock_page_set_path (self, path);
          gtk_widget_grab_focus (GTK_WIDGET (self->user_entry));
        }
      else
        casedb_unlock_page_show_error (self, _("Only local files can be opened."));
    }

  g_clear_object (&self->chooser);
}

static void
casedb_unlock_page_open_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *param)
{
  CasedbUnlockPage *self = CASEDB_UNLOCK_PAGE (widget);
  g_autoptr(GtkFileFilter) all = NULL;

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Open Database"),
                                               GTK_WINDOW (gtk_widget_get_root (widget)),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Open"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser),
                               casedb_unlock_page_database_filter ());
  all = gtk_file_filter_new ();
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (casedb_unlock_page_open_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* ---- New database… ---- */

/* A rough hint only: length matters most for a passphrase under Argon2id. */
static guint
casedb_unlock_page_estimate_strength (const char  *password,
                                      const char **hint)
{
  g_autoptr(GHashTable) distinct = g_hash_table_new (NULL, NULL);
  gboolean lower = FALSE, upper = FALSE, digit = FALSE, other = FALSE;
  glong len = g_utf8_strlen (password, -1);
  guint classes;
  guint score;

  for (const char *p = password; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_hash_table_add (distinct, GUINT_TO_POINTER (c));
      if (g_unichar_islower (c))
        lower = TRUE;
      else if (g_unichar_isupper (c))
        upper = TRUE;
      else if (g_unichar_isdigit (c))
        digit = TRUE;
      else
        other = TRUE;
    }
  classes = lower + upper + digit + other;

  if (len < MIN_PASSWORD_LENGTH)
    {
      *hint = _("Too short: use at least 10 characters.");
      return 0;
    }

  score = 1;
  if (len >= 14)
    score++;
  if (len >= 20)
    score++;
  if (classes >= 3)
    score++;
  if (g_hash_table_size (distinct) < 6)
    score = 1;
  score = MIN (score, 4);

  switch (score)
    {
    case 1:
      *hint = _("Weak: a passphrase of several unrelated words is safer.");
      break;
    case 2:
      *hint = _("Fair: longer is better.");
      break;
    case 3:
      *hint = _("Good.");
      break;
    default:
      *hint = _("Strong.");
      break;
    }

  return score;
}

/* The store refuses names with spaces or control characters; say so
 * before the user has typed the password twice. */
static gboolean
casedb_unlock_page_user_name_valid (const char *user)
{
  for (const char *p = user; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        return FALSE;
    }

  return g_utf8_validate (user, -1, NULL);
}

static char *
casedb_unlock_page_new_path (CasedbUnlockPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->new_path_entry));
  g_autofree char *expanded = NULL;
  g_autofree char *base = NULL;

  if (text[0] == '\0')
    return NULL;

  if (text[0] == '~' && (text[1] == '/' || text[1] == '\0'))
    expanded = g_build_filename (g_get_home_dir (), text + 1, NULL);
  else
    expanded = g_strdup (text);

  base = g_path_get_basename (expanded);
  if (strchr (base, '.') == NULL)
    return g_strconcat (expanded, ".casedb", NULL);

  return g_steal_pointer (&expanded);
}

static void
casedb_unlock_page_new_changed_cb (CasedbUnlockPage *self)
{
  const char *password;
  const char *repeat;
  const char *user;
  const char *hint = NULL;
  g_autofree char *path = NULL;
  g_autofree char *stripped = NULL;
  guint strength;
  gboolean user_valid;
  gboolean valid;

  g_assert (CASEDB_IS_UNLOCK_PAGE (self));

  if (self->new_dialog == NULL)
    return;

  path = casedb_unlock_page_new_path (self);
  user = gtk_editable_get_text (GTK_EDITABLE (self->new_user_entry));
  password = gtk_editable_get_text (GTK_EDITABLE (self->new_password_entry));
  repeat = gtk_editable_get_text (GTK_EDITABLE (self->new_repeat_entry));

  strength = casedb_unlock_page_estimate_strength (password, &hint);
  gtk_level_bar_set_value (self->new_strength_bar, strength);

  stripped = g_strstrip (g_strdup (user));
  user_valid = stripped[0] != '\0' && casedb_unlock_page_user_name_valid (stripped);

  if (stripped[0] != '\0' && !user_valid)
    hint = _("The user name may not contain spaces.");
  else if (password[0] == '\0')
    hint = _("At least 10 characters. It cannot be recovered if forgotten.");
  else if (strength > 0 && repeat[0] != '\0' && g_strcmp0 (password, repeat) != 0)
    hint = _("The passwords do not match.");
  gtk_label_set_text (self->new_hint_label, hint);

  valid = path != NULL
          && user_valid
          && strength > 0
          && g_strcmp0 (password, repeat) == 0;
  adw_message_dialog_set_response_enabled (self->new_dialog, "create", valid);
}

static void
casedb_unlock_page_choose_response_cb (CasedbUnlockPage     *self,
                                       int                   response,
                                       GtkFileChooserNative *chooser)
{
  g_assert (CASEDB_IS_UNLOCK_PAGE (self));

  if (response == GTK_RESPONSE_ACCEPT && self->new_dialog != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        gtk_editable_set_text (GTK_EDITABLE (self->new_path_entry), path);
    }

  g_clear_object (&self->chooser);
}

static void
casedb_unlock_page_choose_clicked_cb (CasedbUnlockPage *self)
{
  g_assert (CASEDB_IS_UNLOCK_PAGE (self));

  if (self->chooser != NULL || self->new_dialog == NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("New Database"),
                                               GTK_WINDOW (self->new_dialog),
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Choose"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser),
                               casedb_unlock_page_database_filter ());
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), "cases.casedb");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (casedb_unlock_page_choose_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
casedb_unlock_page_create_cb (GObject      *object,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  CasedbUnlockPage *self = (CasedbUnlockPage *)object;
  g_autoptr(CasedbStore) store = NULL;
  g_autoptr(GError) error = NULL;
  UnlockData *data;

  g_assert (CASEDB_IS_UNLOCK_PAGE (self));

  store = g_task_propagate_pointer (G_TASK (result), &error);
  data = g_task_get_task_data (G_TASK (result));

  if (self->disposed)
    {
      if (store != NULL)
        casedb_store_close (store);
      return;
    }

  casedb_unlock_page_set_busy (self, FALSE);

  if (store == NULL)
    {
      g_autofree char *display = g_filename_display_name (data->path);
      g_autofree char *message = NULL;

      if (g_error_matches (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS))
        message = g_strdup_printf (_("“%s” already exists. Choose another name; "
                                     "an existing database is never overwritten."), display);
      else
        message = g_strdup_printf (_("The database “%s” could not be created: %s"),
                                   display, error->message);
      casedb_unlock_page_show_error (self, message);
      return;
    }

  casedb_unlock_page_set_path (self, data->path);
  gtk_editable_set_text (GTK_EDITABLE (self->user_entry), data->user);
  casedb_unlock_page_add_recent (self, data->path);
  g_signal_emit (self, signals[UNLOCKED], 0, store);
}

static void
casedb_unlock_page_create_thread (GTask        *task,
                                  gpointer      source_object,
                                  gpointer      task_data,
                                  GCancellable *cancellable)
{
  UnlockData *data = task_data;
  g_autofree char *dir = g_path_get_dirname (data->path);
  GError *error = NULL;
  CasedbStore *store;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      casedb_secure_clear (&data->password);
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               "%s", g_strerror (saved_errno));
      return;
    }

  store = casedb_store_create (data->path, data->user, data->password, NULL, &error);
  casedb_secure_clear (&data->password);

  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

static void
casedb_unlock_page_new_response_cb (CasedbUnlockPage *self,
                                    const char       *response,
                                    AdwMessageDialog *dialog)
{
  g_autoptr(GTask) task = NULL;
  UnlockData *data;

  g_assert (CASEDB_IS_UNLOCK_PAGE (self));

  /* Closing the dialog after a response may respond a second time. */
  if (dialog != self->new_dialog)
    return;

  /* GTK 4.8: a GtkPasswordEntry that still has the focus when its window is
   * destroyed is called back after it was disposed. */
  gtk_window_set_focus (GTK_WINDOW (dialog), NULL);

  if (g_strcmp0 (response, "create") == 0 && !self->busy)
    {
      data = g_new0 (UnlockData, 1);
      data->path = casedb_unlock_page_new_path (self);
      data->user = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->new_user_entry))));
      data->password = casedb_secure_strdup (gtk_editable_get_text (GTK_EDITABLE (self->new_password_entry)));

      casedb_unlock_page_show_error (self, NULL);
      casedb_unlock_page_set_busy (self, TRUE);

      task = g_task_new (self, NULL, casedb_unlock_page_create_cb, NULL);
      g_task_set_source_tag (task, casedb_unlock_page_new_response_cb);
      g_task_set_task_data (task, data, unlock_data_free);
      g_task_run_in_thread (task, casedb_unlock_page_create_thread);
    }

  gtk_editable_set_text (GTK_EDITABLE (self->new_password_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->new_repeat_entry), "");
  self->new_dialog = NULL;
  self->new_path_entry = NULL;
  self->new_user_entry = NULL;
  self->new_password_entry = NULL;
  self->new_repeat_entry = NULL;
  self->new_strength_bar = NULL;
  self->new_hint_label = NULL;
}

static GtkWidget *
casedb_unlock_page_labelled (const char *mnemonic,
                             GtkWidget  *child,
                             GtkWidget  *entry)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new_with_mnemonic (mnemonic);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), entry);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), child);
  return box;
}

static void
casedb_unlock_page_new_database_action (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *param)
{
  CasedbUnlockPage *self = CASEDB_UNLOCK_PAGE (widget);
  g_autofree char *suggested = NULL;
  const char *documents;
  GtkWidget *dialog;
  GtkWidget *box;
  GtkWidget *path_box;
  GtkWidget *choose;

  if (self->new_dialog != NULL || self->busy)
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                   _("New Database"),
                                   _("You become its first supervisor. Nobody can recover a "
                                     "forgotten password: without it the cases cannot be read."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "create", _("C_reate"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "create",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "create", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "create");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  self->new_path_entry = GTK_ENTRY (gtk_entry_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (self->new_path_entry), TRUE);
  documents = g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS);
  suggested = g_build_filename (documents ? documents : g_get_home_dir (), "cases.casedb", NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->new_path_entry), suggested);
  choose = gtk_button_new_with_mnemonic (_("C_hoose…"));
  g_signal_connect_object (choose, "clicked",
                           G_CALLBACK (casedb_unlock_page_choose_clicked_cb),
                           self, G_CONNECT_SWAPPED);
  path_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_append (GTK_BOX (path_box), GTK_WIDGET (self->new_path_entry));
  gtk_box_append (GTK_BOX (path_box), choose);
  gtk_box_append (GTK_BOX (box),
                  casedb_unlock_page_labelled (_("_File"), path_box,
                                               GTK_WIDGET (self->new_path_entry)));

  self->new_user_entry = GTK_ENTRY (gtk_entry_new ());
  gtk_box_append (GTK_BOX (box),
                  casedb_unlock_page_labelled (_("_Supervisor User Name"),
                                               GTK_WIDGET (self->new_user_entry),
                                               GTK_WIDGET (self->new_user_entry)));

  self->new_password_entry = GTK_PASSWORD_ENTRY (gtk_password_entry_new ());
  gtk_password_entry_set_show_peek_icon (self->new_password_entry, TRUE);
  gtk_box_append (GTK_BOX (box),
                  casedb_unlock_page_labelled (_("_Password"),
                                               GTK_WIDGET (self->new_password_entry),
                                               GTK_WIDGET (self->new_password_entry)));

  self->new_repeat_entry = GTK_PASSWORD_ENTRY (gtk_password_entry_new ());
  gtk_password_entry_set_show_peek_icon (self->new_repeat_entry, TRUE);
  gtk_box_append (GTK_BOX (box),
                  casedb_unlock_page_labelled (_("_Repeat Password"),
                                               GTK_WIDGET (self->new_repeat_entry),
                                               GTK_WIDGET (self->new_repeat_entry)));

  self->new_strength_bar = GTK_LEVEL_BAR (gtk_level_bar_new_for_interval (0, 4));
  gtk_level_bar_set_mode (self->new_strength_bar, GTK_LEVEL_BAR_MODE_DISCRETE);
  gtk_level_bar_add_offset_value (self->new_strength_bar, GTK_LEVEL_BAR_OFFSET_LOW, 1);
  gtk_level_bar_add_offset_value (self->new_strength_bar, GTK_LEVEL_BAR_OFFSET_HIGH, 3);
  gtk_level_bar_add_offset_value (self->new_strength_bar, GTK_LEVEL_BAR_OFFSET_FULL, 4);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->new_strength_bar));

  self->new_hint_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->new_hint_label, TRUE);
  gtk_label_set_xalign (self->new_hint_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->new_hint_label), "dim-label");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->new_hint_label));

  g_signal_connect_object (self->new_path_entry, "changed",
                           G_CALLBACK (casedb_unlock_page_new_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->new_user_entry, "changed",
                           G_CALLBACK (casedb_unlock_page_new_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->new_password_entry, "changed",
                           G_CALLBACK (casedb_unlock_page_new_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->new_repeat_entry, "changed",
                           G_CALLBACK (casedb_unlock_page_new_changed_cb), self, G_CONNECT_SWAPPED);

  /* Enter in any field creates, once the dialog lets it. */
  gtk_entry_set_activates_default (self->new_path_entry, TRUE);
  gtk_entry_set_activates_default (self->new_user_entry, TRUE);
  g_object_set (self->new_password_entry, "activates-default", TRUE, NULL);
  g_object_set (self->new_repeat_entry, "activates-default", TRUE, NULL);

  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (casedb_unlock_page_new_response_cb),
                           self, G_CONNECT_SWAPPED);

  self->new_dialog = ADW_MESSAGE_DIALOG (dialog);
  casedb_unlock_page_new_changed_cb (self);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (GTK_WIDGET (self->new_user_entry));
}

/* ---- demo accounts ---- */

static void
casedb_unlock_page_use_demo_cb (CasedbUnlockPage *self,
                                GtkButton        *button)
{
  const CasedbDemoUser *users;
  guint n_users = 0;
  guint i;

  g_assert (CASEDB_IS_UNLOCK_PAGE (self));

  users = casedb_demo_get_users (&n_users);
  i = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "casedb-demo-user"));
  g_return_if_fail (i < n_users);

  gtk_editable_set_text (GTK_EDITABLE (self->user_entry), users[i].user);
  gtk_editable_set_text (GTK_EDITABLE (self->password_entry), users[i].password);
  gtk_widget_grab_focus (GTK_WIDGET (self->unlock_button));
}

static void
casedb_unlock_page_update_demo (CasedbUnlockPage *self)
{
  const CasedbDemoUser *users;
  guint n_users = 0;

  g_assert (CASEDB_IS_UNLOCK_PAGE (self));

  for (guint i = 0; i < self->demo_rows->len; i++)
    adw_preferences_group_remove (self->demo_group, g_ptr_array_index (self->demo_rows, i));
  g_ptr_array_set_size (self->demo_rows, 0);

  gtk_widget_set_visible (GTK_WIDGET (self->demo_group), self->demo);
  if (!self->demo)
    return;

  users = casedb_demo_get_users (&n_users);
  for (guint i = 0; i < n_users; i++)
    {
      g_autofree char *subtitle = NULL;
      GtkWidget *row;
      GtkWidget *button;

      /* Translators: "Supervisor — password: demo-supervisor" (published demo accounts). */
      subtitle = g_strdup_printf (_("%s — password: %s"),
                                  casedb_role_get_label (users[i].role), users[i].password);
      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), users[i].user);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_widget_add_css_class (row, "property");

      button = gtk_button_new_with_label (C_("demo account", "Use"));
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      g_object_set_data (G_OBJECT (button), "casedb-demo-user", GUINT_TO_POINTER (i));
      g_signal_connect_object (button, "clicked",
                               G_CALLBACK (casedb_unlock_page_use_demo_cb),
                               self, G_CONNECT_SWAPPED);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);

      adw_preferences_group_add (self->demo_group, row);
      g_ptr_array_add (self->demo_rows, row);
    }
}

/* ---- GObject ---- */

static void
casedb_unlock_page_dispose (GObject *object)
{
  CasedbUnlockPage *self = (CasedbUnlockPage *)object;

  self->disposed = TRUE;

  /* See casedb_unlock_page_new_response_cb(). */
  if (GTK_IS_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))))
    gtk_window_set_focus (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), NULL);

  if (self->password_entry != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->password_entry), "");
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  if (self->new_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->new_dialog));
  self->new_dialog = NULL;

  gtk_widget_dispose_template (GTK_WIDGET (self), CASEDB_TYPE_UNLOCK_PAGE);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->demo_rows, g_ptr_array_unref);
  g_clear_pointer (&self->recent_rows, g_ptr_array_unref);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (casedb_unlock_page_parent_class)->dispose (object);
}

static void
casedb_unlock_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CasedbUnlockPage *self = CASEDB_UNLOCK_PAGE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case PROP_DEMO:
      g_value_set_boolean (value, self->demo);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
casedb_unlock_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  CasedbUnlockPage *self = CASEDB_UNLOCK_PAGE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      casedb_unlock_page_set_path (self, g_value_get_string (value));
      break;

    case PROP_DEMO:
      casedb_unlock_page_set_demo (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
casedb_unlock_page_class_init (CasedbUnlockPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = casedb_unlock_page_dispose;
  object_class->get_property = casedb_unlock_page_get_property;
  object_class->set_property = casedb_unlock_page_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_DEMO] =
    g_param_spec_boolean ("demo", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CasedbUnlockPage::unlocked:
   * @store: (transfer none): the unlocked store
   */
  signals[UNLOCKED] =
    g_signal_new ("unlocked",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, CASEDB_TYPE_STORE);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/example/CaseDB/ui/casedb-unlock-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CasedbUnlockPage, demo_group);
  gtk_widget_class_bind_template_child (widget_class, CasedbUnlockPage, database_row);
  gtk_widget_class_bind_template_child (widget_class, CasedbUnlockPage, recent_group);
  gtk_widget_class_bind_template_child (widget_class, CasedbUnlockPage, user_entry);
  gtk_widget_class_bind_template_child (widget_class, CasedbUnlockPage, password_entry);
  gtk_widget_class_bind_template_child (widget_class, CasedbUnlockPage, error_box);
  gtk_widget_class_bind_template_child (widget_class, CasedbUnlockPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, CasedbUnlockPage, unlock_button);
  gtk_widget_class_bind_template_child (widget_class, CasedbUnlockPage, spinner);
  gtk_widget_class_bind_template_callback (widget_class, casedb_unlock_page_user_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, casedb_unlock_page_password_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, casedb_unlock_page_changed_cb);

  gtk_widget_class_install_action (widget_class, "unlock.unlock", NULL,
                                   casedb_unlock_page_unlock_action);
  gtk_widget_class_install_action (widget_class, "unlock.open", NULL,
                                   casedb_unlock_page_open_action);
  gtk_widget_class_install_action (widget_class, "unlock.new-database", NULL,
                                   casedb_unlock_page_new_database_action);
}

static void
casedb_unlock_page_init (CasedbUnlockPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  self->demo_rows = g_ptr_array_new ();
  self->recent_rows = g_ptr_array_new ();

  g_signal_connect_object (self->settings, "changed::recent-databases",
                           G_CALLBACK (casedb_unlock_page_load_recent),
                           self, G_CONNECT_SWAPPED);
  casedb_unlock_page_load_recent (self);
  casedb_unlock_page_update_actions (self);
}

GtkWidget *
casedb_unlock_page_new (void)
{
  return g_object_new (CASEDB_TYPE_UNLOCK_PAGE, NULL);
}

void
casedb_unlock_page_set_path (CasedbUnlockPage *self,
                             const char       *path)
{
  g_return_if_fail (CASEDB_IS_UNLOCK_PAGE (self));

  if (g_strcmp0 (self->path, path) == 0)
    return;

  g_free (self->path);
  self->path = g_strdup (path);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self->database_row), FALSE);
  if (path != NULL)
    {
      g_autofree char *base = g_filename_display_basename (path);
      g_autofree char *display = g_filename_display_name (path);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->database_row), base);
      adw_action_row_set_subtitle (self->database_row, display);
    }
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->database_row),
                                     _("No database chosen"));
      adw_action_row_set_subtitle (self->database_row,
                                   _("Open a database file or create a new one"));
    }

  casedb_unlock_page_show_error (self, NULL);
  casedb_unlock_page_update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATH]);
}

const char *
casedb_unlock_page_get_path (CasedbUnlockPage *self)
{
  g_return_val_if_fail (CASEDB_IS_UNLOCK_PAGE (self), NULL);

  return self->path;
}

void
casedb_unlock_page_set_demo (CasedbUnlockPage *self,
                             gboolean          demo)
{
  g_return_if_fail (CASEDB_IS_UNLOCK_PAGE (self));

  if (self->demo == !!demo)
    return;

  self->demo = !!demo;
  casedb_unlock_page_update_demo (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEMO]);
}

gboolean
casedb_unlock_page_get_demo (CasedbUnlockPage *self)
{
  g_return_val_if_fail (CASEDB_IS_UNLOCK_PAGE (self), FALSE);

  return self->demo;
}

gboolean
casedb_unlock_page_get_busy (CasedbUnlockPage *self)
{
  g_return_val_if_fail (CASEDB_IS_UNLOCK_PAGE (self), FALSE);

  return self->busy;
}

void
casedb_unlock_page_reset (CasedbUnlockPage *self)
{
  g_return_if_fail (CASEDB_IS_UNLOCK_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->password_entry), "");
  casedb_unlock_page_show_error (self, NULL);
  casedb_unlock_page_load_recent (self);
}

GtkWidget *
casedb_unlock_page_get_default_widget (CasedbUnlockPage *self)
{
  g_return_val_if_fail (CASEDB_IS_UNLOCK_PAGE (self), NULL);

  return GTK_WIDGET (self->unlock_button);
}

void
casedb_unlock_page_focus (CasedbUnlockPage *self)
{
  g_return_if_fail (CASEDB_IS_UNLOCK_PAGE (self));

  if (gtk_editable_get_text (GTK_EDITABLE (self->user_entry))[0] == '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->user_entry));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->password_entry));
}
