/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "casedb-application.h"
#include "casedb-core.h"
#include "casedb-preferences-window.h"
#include "casedb-window.h"

struct _CasedbApplication
{
  AdwApplication  parent_instance;

  GError         *init_error;
  guint           demo : 1;
};

G_DEFINE_FINAL_TYPE (CasedbApplication, casedb_application, ADW_TYPE_APPLICATION)

CasedbApplication *
casedb_application_new (void)
{
  return g_object_new (CASEDB_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/org/example/CaseDB",
                       /* so that "screensaver-active" is tracked: the window locks with the session */
                       "register-session", TRUE,
                       NULL);
}

char *
casedb_application_dup_demo_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "casedb", "demo.casedb", NULL);
}

static void
casedb_application_show_init_error (CasedbApplication *self)
{
  AdwMessageDialog *dialog;

  g_assert (CASEDB_IS_APPLICATION (self));

  /* Without libgcrypt's secure memory no secret could be kept safe, so the
   * app refuses to go on rather than open a database anyway. */
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (NULL,
                                                       _("CaseDB Cannot Start"),
                                                       self->init_error->message));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static CasedbWindow *
casedb_application_get_main_window (CasedbApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (CASEDB_IS_WINDOW (l->data))
      return l->data;

  return NULL;
}

static void
casedb_application_activate (GApplication *app)
{
  CasedbApplication *self = (CasedbApplication *)app;
  GtkWindow *window;

  g_assert (CASEDB_IS_APPLICATION (self));

  if (self->init_error != NULL)
    {
      casedb_application_show_init_error (self);
      return;
    }

  window = GTK_WINDOW (casedb_application_get_main_window (self));
  if (window == NULL)
    {
      window = GTK_WINDOW (casedb_window_new (self));

      if (self->demo)
        casedb_window_open_demo (CASEDB_WINDOW (window));
    }

  gtk_window_present (window);
}

static void
casedb_application_open (GApplication  *app,
                         GFile        **files,
                         int            n_files,
                         const char    *hint)
{
  CasedbApplication *self = (CasedbApplication *)app;
  g_autofree char *path = NULL;
  CasedbWindow *window;

  g_assert (CASEDB_IS_APPLICATION (self));

  if (n_files < 1 || self->init_error != NULL || (path = g_file_get_path (files[0])) == NULL)
    {
      g_application_activate (app);
      return;
    }

  /* The file is only offered on the unlock page; a password is still needed. */
  window = casedb_application_get_main_window (self);
  if (window == NULL)
    window = casedb_window_new (self);
  casedb_window_set_database (window, path);
  gtk_window_present (GTK_WINDOW (window));
}

static int
casedb_application_handle_local_options (GApplication *app,
                                         GVariantDict *options)
{
  CasedbApplication *self = (CasedbApplication *)app;

  g_assert (CASEDB_IS_APPLICATION (self));

  if (g_variant_dict_contains (options, "demo"))
    self->demo = TRUE;

  return -1;
}

static void
casedb_application_quit_action (GSimpleAction *action,
                                GVariant      *param,
                                gpointer       user_data)
{
  CasedbApplication *self = user_data;
  g_autolist(GtkWindow) windows = NULL;

  g_assert (CASEDB_IS_APPLICATION (self));

  /* Closing a window asks about unsaved changes, then locks it (closing
   * the store, wiping the keys); the app ends with its last window. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    windows = g_list_prepend (windows, g_object_ref (l->data));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
}

static void
casedb_application_about_action (GSimpleAction *action,
                                 GVariant      *param,
                                 gpointer       user_data)
{
  CasedbApplication *self = user_data;
  static const char *developers[] = { "CaseDB developers", NULL };
  GtkWidget *about;

  g_assert (CASEDB_IS_APPLICATION (self));

  about = adw_about_window_new ();
  adw_about_window_set_application_name (ADW_ABOUT_WINDOW (about), "CaseDB");
  adw_about_window_set_application_icon (ADW_ABOUT_WINDOW (about), APP_ID);
  adw_about_window_set_developer_name (ADW_ABOUT_WINDOW (about), "CaseDB developers");
  adw_about_window_set_developers (ADW_ABOUT_WINDOW (about), developers);
  adw_about_window_set_version (ADW_ABOUT_WINDOW (about), PACKAGE_VERSION);
  adw_about_window_set_comments (ADW_ABOUT_WINDOW (about),
                                 _("Document grave violations against children in armed conflict, with every identity encrypted."));
  adw_about_window_set_copyright (ADW_ABOUT_WINDOW (about), "© 2026 CaseDB developers");
  adw_about_window_set_license_type (ADW_ABOUT_WINDOW (about), GTK_LICENSE_GPL_3_0);
  /* Translators: replace with your names, one per line. */
  adw_about_window_set_translator_credits (ADW_ABOUT_WINDOW (about), _("translator-credits"));
  gtk_window_set_transient_for (GTK_WINDOW (about),
                                gtk_application_get_active_window (GTK_APPLICATION (self)));
  gtk_window_present (GTK_WINDOW (about));
}

static void
casedb_application_preferences_action (GSimpleAction *action,
                                       GVariant      *param,
                                       gpointer       user_data)
{
  CasedbApplication *self = user_data;
  GtkWidget *preferences;

  g_assert (CASEDB_IS_APPLICATION (self));

  preferences = casedb_preferences_window_new ();
  gtk_window_set_transient_for (GTK_WINDOW (preferences),
                                gtk_application_get_active_window (GTK_APPLICATION (self)));
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
casedb_application_shortcuts_action (GSimpleAction *action,
                                     GVariant      *param,
                                     gpointer       user_data)
{
  CasedbApplication *self = user_data;
  g_autoptr(GtkBuilder) builder = NULL;
  GtkWindow *shortcuts;

  g_assert (CASEDB_IS_APPLICATION (self));

  builder = gtk_builder_new_from_resource ("/org/example/CaseDB/ui/casedb-shortcuts-window.ui");
  shortcuts = GTK_WINDOW (gtk_builder_get_object (builder, "shortcuts_window"));
  gtk_window_set_transient_for (shortcuts,
                                gtk_application_get_active_window (GTK_APPLICATION (self)));
  gtk_window_present (shortcuts);
}

static const GActionEntry app_actions[] = {
  { "quit", casedb_application_quit_action },
  { "about", casedb_application_about_action },
  { "preferences", casedb_application_preferences_action },
  { "shortcuts", casedb_application_shortcuts_action },
};

static void
casedb_application_startup (GApplication *app)
{
  CasedbApplication *self = (CasedbApplication *)app;
  g_autoptr(GtkCssProvider) css = NULL;
  GdkDisplay *display;

  g_assert (CASEDB_IS_APPLICATION (self));

  G_APPLICATION_CLASS (casedb_application_parent_class)->startup (app);

  if (!casedb_core_init (&self->init_error))
    g_warning ("Core initialisation failed: %s", self->init_error->message);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);

  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit",
                                         (const char *[]) { "<Control>q", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         (const char *[]) { "<Control>comma", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.shortcuts",
                                         (const char *[]) { "<Control>question", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.lock",
                                         (const char *[]) { "<Control>l", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.new-case",
                                         (const char *[]) { "<Control>n", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.search",
                                         (const char *[]) { "<Control>f", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-page::cases",
                                         (const char *[]) { "<Alt>1", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-page::statistics",
                                         (const char *[]) { "<Alt>2", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-page::users",
                                         (const char *[]) { "<Alt>3", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-page::audit",
                                         (const char *[]) { "<Alt>4", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-page::share",
                                         (const char *[]) { "<Alt>5", NULL });

  /* Our resources live under /org/example/CaseDB/ui/, so the stylesheet and
   * icons are not found by AdwApplication's automatic lookup. */
  display = gdk_display_get_default ();
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/org/example/CaseDB/ui/style.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (display),
                                    "/org/example/CaseDB/ui/icons");
  gtk_window_set_default_icon_name (APP_ID);
}

static void
casedb_application_finalize (GObject *object)
{
  CasedbApplication *self = (CasedbApplication *)object;

  g_clear_error (&self->init_error);

  G_OBJECT_CLASS (casedb_application_parent_class)->finalize (object);
}

static void
casedb_application_class_init (CasedbApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = casedb_application_finalize;

  app_class->activate = casedb_application_activate;
  app_class->open = casedb_application_open;
  app_class->startup = casedb_application_startup;
  app_class->handle_local_options = casedb_application_handle_local_options;
}

static void
casedb_application_init (CasedbApplication *self)
{
  g_application_add_main_option (G_APPLICATION (self), "demo", 0,
                                 G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE,
                                 _("Open the demo database with fictional cases"),
                                 NULL);
}
