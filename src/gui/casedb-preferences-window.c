/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "casedb-preferences-window.h"

struct _CasedbPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GtkSpinButton        *auto_lock_spin;
  GtkSpinButton        *backup_reminder_spin;
  GtkSpinButton        *password_age_spin;

  GSettings            *settings;
};

G_DEFINE_FINAL_TYPE (CasedbPreferencesWindow, casedb_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
casedb_preferences_window_dispose (GObject *object)
{
  CasedbPreferencesWindow *self = (CasedbPreferencesWindow *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CASEDB_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (casedb_preferences_window_parent_class)->dispose (object);
}

static void
casedb_preferences_window_class_init (CasedbPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = casedb_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/example/CaseDB/ui/casedb-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CasedbPreferencesWindow, auto_lock_spin);
  gtk_widget_class_bind_template_child (widget_class, CasedbPreferencesWindow, backup_reminder_spin);
  gtk_widget_class_bind_template_child (widget_class, CasedbPreferencesWindow, password_age_spin);
}

static void
casedb_preferences_window_init (CasedbPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "auto-lock-minutes",
                   self->auto_lock_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "backup-reminder-days",
                   self->backup_reminder_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "password-max-age-days",
                   self->password_age_spin, "value", G_SETTINGS_BIND_DEFAULT);
}

GtkWidget *
casedb_preferences_window_new (void)
{
  return g_object_new (CASEDB_TYPE_PREFERENCES_WINDOW, NULL);
}
