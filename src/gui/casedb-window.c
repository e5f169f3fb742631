/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-gui"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <time.h>

#include "casedb-audit-page.h"
#include "casedb-case-list.h"
#include "casedb-core.h"
#include "casedb-statistics-page.h"
#include "casedb-unlock-page.h"
#include "casedb-share-page.h"
#include "casedb-users-page.h"
#include "casedb-window.h"

/* The pages beside the case list.  Each is built when first shown: at
 * unlock only the case list is on screen, and a page in the view stack is
 * measured, styled and bound with every frame (issue 5). */
typedef enum {
  PAGE_STATISTICS,
  PAGE_USERS,
  PAGE_AUDIT,
  PAGE_SHARE,
  N_PAGES
} Page;

static const struct {
  const char *name;
  const char *title;
  const char *icon_name;
} page_info[N_PAGES] = {
  [PAGE_STATISTICS] = { "statistics", N_("Statistics"), "x-office-presentation-symbolic" },
  [PAGE_USERS]      = { "users", N_("Users"), "system-users-symbolic" },
  [PAGE_AUDIT]      = { "audit", N_("Audit Log"), "document-properties-symbolic" },
  [PAGE_SHARE]      = { "share", N_("Import & Export"), "document-send-symbolic" },
};

struct _CasedbWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  CasedbUnlockPage     *unlock_page;
  AdwStatusPage        *busy_page;
  GtkSpinner           *busy_spinner;
  AdwHeaderBar         *header_bar;
  GtkWidget            *role_badge;
  GtkImage             *role_icon;
  GtkLabel             *role_label;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewStack         *view_stack;

  GSettings            *settings;
  CasedbStore          *store;
  GtkWidget            *case_list;
  /* An empty AdwBin in the view stack for each page the role may use… */
  GtkWidget            *page_bins[N_PAGES];
  /* …and in it, once shown, the page. */
  GtkWidget            *pages[N_PAGES];

  /* Password reminder, "Change Password" and "Wipe" dialogs */
  AdwToast             *password_toast;
  AdwToast             *backup_toast;
  AdwMessageDialog     *dialog;
  GtkWidget            *old_password_row;
  GtkWidget            *new_password_row;
  GtkWidget            *again_password_row;
  GtkWidget            *wipe_word_row;
  GtkWidget            *dialog_hint;

  gint64                last_activity;
  guint                 auto_lock_source;

  /* From the unlock worker's answer to the first frame that shows the
   * case list (issue 5: within 200 ms at 100,000 cases). */
  gint64                unlocked_at;
  gint64                unlocked_cpu;
  gulong                after_paint_handler;
  guint                 close_confirmed : 1;
};

#define MIN_PASSWORD_LENGTH 10

G_DEFINE_FINAL_TYPE (CasedbWindow, casedb_window, ADW_TYPE_APPLICATION_WINDOW)

static void casedb_window_schedule_auto_lock (CasedbWindow *self);
static void casedb_window_remind_password   (CasedbWindow *self);
static void casedb_window_remind_backup     (CasedbWindow *self);

static void
casedb_window_update_actions (CasedbWindow *self)
{
  gboolean unlocked;
  GAction *action;

  g_assert (CASEDB_IS_WINDOW (self));

  unlocked = self->store != NULL;

  action = g_action_map_lookup_action (G_ACTION_MAP (self), "lock");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), unlocked);

  action = g_action_map_lookup_action (G_ACTION_MAP (self), "search");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), unlocked);

  action = g_action_map_lookup_action (G_ACTION_MAP (self), "change-password");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), unlocked);

  action = g_action_map_lookup_action (G_ACTION_MAP (self), "wipe");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action),
                               unlocked && casedb_store_can (self->store, CASEDB_PERM_WIPE));

  /* The one place where a role's right to create cases reaches the UI. */
  action = g_action_map_lookup_action (G_ACTION_MAP (self), "new-case");
  g_simple_action_set_enabled (G_SIMPLE_ACTION (action),
                               unlocked && casedb_store_can (self->store, CASEDB_PERM_EDIT_CASES));
}

static void
casedb_window_close_transients (CasedbWindow *self)
{
  g_autoptr(GListModel) toplevels = NULL;
  g_autoptr(GPtrArray) doomed = g_ptr_array_new_with_free_func (g_object_unref);

  g_assert (CASEDB_IS_WINDOW (self));

  /* Dialogs opened from the pages may show case data too. */
  toplevels = g_object_ref (gtk_window_get_toplevels ());
  for (guint i = 0, n = g_list_model_get_n_items (toplevels); i < n; i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (gtk_window_get_transient_for (window) == GTK_WINDOW (self))
        g_ptr_array_add (doomed, g_steal_pointer (&window));
    }

  for (guint i = 0; i < doomed->len; i++)
    gtk_window_destroy (g_ptr_array_index (doomed, i));
}

static void
casedb_window_drop_page (CasedbWindow  *self,
                         GtkWidget    **page)
{
  GtkWidget *widget = g_steal_pointer (page);

  if (widget == NULL)
    return;

  /* Empty the page first: its content goes even if something still holds
   * a reference to the page, and an AdwBin whose child is also a template
   * child cannot then unparent it twice while disposing. */
  if (ADW_IS_BIN (widget))
    adw_bin_set_child (ADW_BIN (widget), NULL);
  adw_view_stack_remove (self->view_stack, widget);
}

static void
casedb_window_clear_clipboards (CasedbWindow *self)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));
  GdkClipboard *clipboards[] = {
    gdk_display_get_clipboard (display),
    gdk_display_get_primary_clipboard (display),
  };

  /* A name copied from a case must not outlive the lock; what other
   * applications put there is theirs. */
  for (guint i = 0; i < G_N_ELEMENTS (clipboards); i++)
    if (gdk_clipboard_is_local (clipboards[i]))
      gdk_clipboard_set_content (clipboards[i], NULL);
}

/* Of this thread, in µs: on a busy machine it tells our work from waiting. */
static gint64
thread_cpu_time (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void
casedb_window_stop_latency_clock (CasedbWindow *self)
{
  GdkFrameClock *frame_clock;

  g_assert (CASEDB_IS_WINDOW (self));

  self->unlocked_at = 0;
  if (self->after_paint_handler == 0)
    return;

  frame_clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
  if (frame_clock != NULL)
    g_clear_signal_handler (&self->after_paint_handler, frame_clock);
  self->after_paint_handler = 0;
}

static void
casedb_window_after_paint_cb (CasedbWindow  *self,
                              GdkFrameClock *frame_clock)
{
  g_assert (CASEDB_IS_WINDOW (self));

  if (self->case_list == NULL || !gtk_widget_get_mapped (self->case_list))
    return;

  g_debug ("Case list shown %.0f ms after unlock (%.0f ms of CPU in the GUI thread)",
           (g_get_monotonic_time () - self->unlocked_at) / 1000.0,
           (thread_cpu_time () - self->unlocked_cpu) / 1000.0);
  casedb_window_stop_latency_clock (self);
}

static void
casedb_window_start_latency_clock (CasedbWindow *self)
{
  GdkFrameClock *frame_clock;

  g_assert (CASEDB_IS_WINDOW (self));

  casedb_window_stop_latency_clock (self);

  frame_clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
  if (frame_clock == NULL)
    return;

  self->unlocked_at = g_get_monotonic_time ();
  self->unlocked_cpu = thread_cpu_time ();
  self->after_paint_handler =
    g_signal_connect_object (frame_clock, "after-paint",
                             G_CALLBACK (casedb_window_after_paint_cb),
                             self, G_CONNECT_SWAPPED);
}

void
casedb_window_lock (CasedbWindow *self)
{
  g_autoptr(CasedbStore) store = NULL;

  g_return_if_fail (CASEDB_IS_WINDOW (self));

  if (self->store == NULL)
    return;

  g_debug ("Locking");
  casedb_window_stop_latency_clock (self);

  /* From here on the window counts as locked: no page refreshes while the
   * pages are being torn down. */
  store = g_steal_pointer (&self->store);

  g_clear_handle_id (&self->auto_lock_source, g_source_remove);
  if (self->password_toast != NULL)
    adw_toast_dismiss (self->password_toast);
  g_clear_object (&self->password_toast);
  if (self->backup_toast != NULL)
    adw_toast_dismiss (self->backup_toast);
  g_clear_object (&self->backup_toast);
  casedb_window_close_transients (self);
  casedb_window_clear_clipboards (self);

  if (self->case_list != NULL)
    casedb_case_list_clear (CASEDB_CASE_LIST (self->case_list));

  /* Destroy, not hide: nothing that showed a case may outlive the lock. */
  gtk_stack_set_visible_child_name (self->stack, "unlock");
  casedb_window_drop_page (self, &self->case_list);
  for (guint i = 0; i < N_PAGES; i++)
    {
      GtkWidget *page = g_steal_pointer (&self->pages[i]);

      if (page != NULL && ADW_IS_BIN (page))
        adw_bin_set_child (ADW_BIN (page), NULL);
      casedb_window_drop_page (self, &self->page_bins[i]);
    }

  casedb_store_close (store);

  gtk_label_set_text (self->role_label, "");
  gtk_widget_set_tooltip_text (self->role_badge, NULL);

  casedb_unlock_page_reset (self->unlock_page);
  gtk_window_set_default_widget (GTK_WINDOW (self),
                                 casedb_unlock_page_get_default_widget (self->unlock_page));
  casedb_unlock_page_focus (self->unlock_page);
  casedb_window_update_actions (self);
}

static void
casedb_window_add_page (CasedbWindow *self,
                        GtkWidget    *page,
                        const char   *name,
                        const char   *title,
                        const char   *icon_name)
{
  adw_view_stack_add_titled_with_icon (self->view_stack, page, name, title, icon_name);
}

static gboolean
casedb_window_page_allowed (CasedbStore *store,
                            Page         page)
{
  switch (page)
    {
    case PAGE_STATISTICS:
      return casedb_store_can (store, CASEDB_PERM_VIEW_STATISTICS);
    case PAGE_USERS:
      return casedb_store_can (store, CASEDB_PERM_MANAGE_USERS);
    case PAGE_AUDIT:
      return casedb_store_can (store, CASEDB_PERM_READ_AUDIT);
    case PAGE_SHARE:
      return casedb_share_page_is_allowed (store);
    case N_PAGES:
    default:
      g_assert_not_reached ();
    }
}

/* Builds @page into its place in the view stack.  Each page fills itself
 * from the store as it is made. */
static void
casedb_window_build_page (CasedbWindow *self,
                          Page          page)
{
  GtkWidget *widget = NULL;

  g_assert (CASEDB_IS_WINDOW (self));
  g_assert (self->store != NULL);
  g_assert (self->page_bins[page] != NULL);
  g_assert (self->pages[page] == NULL);

  /* Checked again: the permission decides, not the placeholder. */
  if (!casedb_window_page_allowed (self->store, page))
    return;

  switch (page)
    {
    case PAGE_STATISTICS:
      widget = casedb_statistics_page_new (self->store);
      break;

    case PAGE_USERS:
      widget = casedb_users_page_new (self->store);
      break;

    case PAGE_AUDIT:
      widget = casedb_audit_page_new (self->store);
      break;

    case PAGE_SHARE:
      widget = casedb_share_page_new (self->store);
      g_signal_connect_object (widget, "cases-imported",
                               G_CALLBACK (casedb_case_list_refresh), self->case_list,
                               G_CONNECT_SWAPPED);
      break;

    case N_PAGES:
    default:
      g_assert_not_reached ();
    }

  g_debug ("Built the %s page", page_info[page].name);
  self->pages[page] = widget;
  adw_bin_set_child (ADW_BIN (self->page_bins[page]), widget);
}

void
casedb_window_set_store (CasedbWindow *self,
                         CasedbStore  *store)
{
  g_autofree char *tooltip = NULL;
  CasedbRole role;

  g_return_if_fail (CASEDB_IS_WINDOW (self));
  g_return_if_fail (CASEDB_IS_STORE (store));

  if (self->store != NULL)
    casedb_window_lock (self);

  self->store = g_object_ref (store);
  role = casedb_store_get_role (store);

  if (!casedb_store_can (store, CASEDB_PERM_READ_IDENTITY))
    {
      /* Translators: shown in the header bar for the analyst role. */
      gtk_label_set_text (self->role_label, _("Analyst — coded records only"));
      gtk_widget_set_visible (GTK_WIDGET (self->role_icon), TRUE);
      gtk_widget_add_css_class (self->role_badge, "analyst");
    }
  else
    {
      gtk_label_set_text (self->role_label, casedb_role_get_label (role));
      gtk_widget_set_visible (GTK_WIDGET (self->role_icon), FALSE);
      gtk_widget_remove_css_class (self->role_badge, "analyst");
    }
  /* Translators: tooltip of the role badge: "Signed in as karim (Caseworker)". */
  tooltip = g_strdup_printf (_("Signed in as %s (%s)"),
                             casedb_store_get_user (store), casedb_role_get_label (role));
  gtk_widget_set_tooltip_text (self->role_badge, tooltip);

  self->case_list = casedb_case_list_new (store);
  casedb_window_add_page (self, self->case_list, "cases", _("Cases"), "view-list-symbolic");

  /* A page a role may not use is never built, not merely hidden: it does
   * not even get a place in the view stack. */
  for (guint i = 0; i < N_PAGES; i++)
    {
      if (!casedb_window_page_allowed (store, i))
        continue;
      self->page_bins[i] = adw_bin_new ();
      casedb_window_add_page (self, self->page_bins[i], page_info[i].name,
                              _(page_info[i].title), page_info[i].icon_name);
    }

  adw_view_stack_set_visible_child_name (self->view_stack, "cases");
  gtk_stack_set_visible_child_name (self->stack, "main");
  gtk_window_set_default_widget (GTK_WINDOW (self), NULL);

  casedb_window_update_actions (self);

  self->last_activity = g_get_monotonic_time ();
  casedb_window_schedule_auto_lock (self);

  casedb_window_remind_password (self);
  casedb_window_remind_backup (self);
}

CasedbStore *
casedb_window_get_store (CasedbWindow *self)
{
  g_return_val_if_fail (CASEDB_IS_WINDOW (self), NULL);

  return self->store;
}

GtkWidget *
casedb_window_get_unlock_page (CasedbWindow *self)
{
  g_return_val_if_fail (CASEDB_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->unlock_page);
}

GtkWidget *
casedb_window_get_case_list (CasedbWindow *self)
{
  g_return_val_if_fail (CASEDB_IS_WINDOW (self), NULL);

  return self->case_list;
}

void
casedb_window_set_database (CasedbWindow *self,
                            const char   *path)
{
  g_return_if_fail (CASEDB_IS_WINDOW (self));

  casedb_unlock_page_set_path (self->unlock_page, path);
  if (self->store == NULL)
    casedb_unlock_page_focus (self->unlock_page);
}

/* ---- auto-lock ---- */

static gboolean
casedb_window_auto_lock_cb (gpointer user_data)
{
  CasedbWindow *self = user_data;

  g_assert (CASEDB_IS_WINDOW (self));

  self->auto_lock_source = 0;
  casedb_window_schedule_auto_lock (self);

  return G_SOURCE_REMOVE;
}

static void
casedb_window_schedule_auto_lock (CasedbWindow *self)
{
  gint64 limit;
  gint64 idle;
  guint minutes;

  g_assert (CASEDB_IS_WINDOW (self));

  g_clear_handle_id (&self->auto_lock_source, g_source_remove);

  if (self->store == NULL)
    return;

  minutes = g_settings_get_uint (self->settings, "auto-lock-minutes");
  if (minutes == 0)
    return;

  limit = (gint64)minutes * 60 * G_USEC_PER_SEC;
  idle = g_get_monotonic_time () - self->last_activity;

  if (idle >= limit)
    {
      g_autofree char *message = NULL;

      /* Nobody is there to answer "Save changes?": unsaved edits are lost. */
      casedb_window_lock (self);
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "Locked after %u minute without use",
                                              "Locked after %u minutes without use",
                                              minutes),
                                 minutes);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
      return;
    }

  /* Activity only moves a timestamp; the timer re-arms itself when it fires. */
  self->auto_lock_source =
    g_timeout_add_seconds_full (G_PRIORITY_DEFAULT,
                                (guint)((limit - idle) / G_USEC_PER_SEC) + 1,
                                casedb_window_auto_lock_cb, self, NULL);
}

static gboolean
casedb_window_input_cb (CasedbWindow             *self,
                        GdkEvent                 *event,
                        GtkEventControllerLegacy *controller)
{
  g_assert (CASEDB_IS_WINDOW (self));

  self->last_activity = g_get_monotonic_time ();

  return GDK_EVENT_PROPAGATE;
}

static void
casedb_window_screensaver_cb (CasedbWindow   *self,
                              GParamSpec     *pspec,
                              GtkApplication *app)
{
  gboolean active = FALSE;

  g_assert (CASEDB_IS_WINDOW (self));

  g_object_get (app, "screensaver-active", &active, NULL);
  if (active)
    casedb_window_lock (self);
}

/* ---- actions ---- */

static void
casedb_window_lock_confirmed_cb (GObject      *object,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  g_autoptr(CasedbWindow) self = user_data;

  g_assert (CASEDB_IS_WINDOW (self));

  if (casedb_case_list_confirm_leave_finish (CASEDB_CASE_LIST (object), result, NULL))
    casedb_window_lock (self);
}

static void
casedb_window_lock_action (GSimpleAction *action,
                           GVariant      *param,
                           gpointer       user_data)
{
  CasedbWindow *self = user_data;

  g_assert (CASEDB_IS_WINDOW (self));

  if (self->case_list == NULL)
    {
      casedb_window_lock (self);
      return;
    }

  casedb_case_list_confirm_leave_async (CASEDB_CASE_LIST (self->case_list), NULL,
                                        casedb_window_lock_confirmed_cb,
                                        g_object_ref (self));
}

static void
casedb_window_new_case_action (GSimpleAction *action,
                               GVariant      *param,
                               gpointer       user_data)
{
  CasedbWindow *self = user_data;

  g_assert (CASEDB_IS_WINDOW (self));

  if (self->case_list == NULL)
    return;

  adw_view_stack_set_visible_child_name (self->view_stack, "cases");
  casedb_case_list_new_case (CASEDB_CASE_LIST (self->case_list));
}

static void
casedb_window_search_action (GSimpleAction *action,
                             GVariant      *param,
                             gpointer       user_data)
{
  CasedbWindow *self = user_data;

  g_assert (CASEDB_IS_WINDOW (self));

  if (self->case_list == NULL)
    return;

  adw_view_stack_set_visible_child_name (self->view_stack, "cases");
  casedb_case_list_focus_search (CASEDB_CASE_LIST (self->case_list));
}

static void
casedb_window_show_page_action (GSimpleAction *action,
                                GVariant      *param,
                                gpointer       user_data)
{
  CasedbWindow *self = user_data;
  const char *name = g_variant_get_string (param, NULL);

  g_assert (CASEDB_IS_WINDOW (self));

  /* A page the role does not have simply does not exist. */
  if (self->store != NULL && adw_view_stack_get_child_by_name (self->view_stack, name) != NULL)
    adw_view_stack_set_visible_child_name (self->view_stack, name);
}

/* ---- password reminder and change ---- */

static void
casedb_window_remind_password (CasedbWindow *self)
{
  g_autofree char *keys_path = NULL;
  g_autofree char *message = NULL;
  g_autoptr(CasedbKeyslots) slots = NULL;
  g_autoptr(GDateTime) changed = NULL;
  g_autoptr(GDateTime) now = NULL;
  guint max_days;
  gint64 days;

  g_assert (CASEDB_IS_WINDOW (self));

  max_days = g_settings_get_uint (self->settings, "password-max-age-days");
  if (max_days == 0 || self->store == NULL)
    return;

  /* The slot's own date: it changes exactly when the password does. */
  keys_path = casedb_store_keyslots_path (casedb_store_get_path (self->store));
  slots = casedb_keyslots_load (keys_path, NULL);
  if (slots == NULL ||
      !casedb_keyslots_get_user (slots, casedb_store_get_user (self->store), NULL, &changed) ||
      changed == NULL)
    return;

  now = g_date_time_new_now_utc ();
  days = g_date_time_difference (now, changed) / G_TIME_SPAN_DAY;
  if (days <= (gint64) max_days)
    return;

  /* Irregular, not monthly: a fixed rhythm makes people count up "…1",
   * "…2", and a guesser knows it. */
  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "Your password is %u day old — change it at irregular intervals",
                                          "Your password is %u days old — change it at irregular intervals",
                                          (gulong) days),
                             (guint) days);
  g_clear_object (&self->password_toast);
  self->password_toast = g_object_ref (adw_toast_new (message));
  adw_toast_set_button_label (self->password_toast, _("Change _Password"));
  adw_toast_set_action_name (self->password_toast, "win.change-password");
  adw_toast_set_timeout (self->password_toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, self->password_toast);
}

/* ---- backup reminder ---- */

static void
casedb_window_remind_backup (CasedbWindow *self)
{
  g_autoptr(GDateTime) last = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *message = NULL;
  AdwToast *toast;
  guint max_days;
  gint64 days;

  g_assert (CASEDB_IS_WINDOW (self));

  max_days = g_settings_get_uint (self->settings, "backup-reminder-days");
  if (max_days == 0 || self->store == NULL || self->page_bins[PAGE_SHARE] == NULL ||
      !casedb_store_can (self->store, CASEDB_PERM_BACKUP))
    return;

  last = casedb_store_get_last_backup (self->store);
  if (last == NULL)
    message = g_strdup (_("No backup of this database has been made yet"));
  else
    {
      now = g_date_time_new_now_utc ();
      days = g_date_time_difference (now, last) / G_TIME_SPAN_DAY;
      if (days < (gint64) max_days)
        return;
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "The last backup is %u day old",
                                              "The last backup is %u days old",
                                              (gulong) days),
                                 (guint) days);
    }

  /* Kept, to be dismissed on lock: the next user may not be a supervisor. */
  g_clear_object (&self->backup_toast);
  toast = self->backup_toast = g_object_ref (adw_toast_new (message));
  adw_toast_set_button_label (toast, _("_Back Up…"));
  adw_toast_set_action_name (toast, "win.show-page");
  adw_toast_set_action_target_value (toast, g_variant_new_string ("share"));
  adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static GtkWidget *
casedb_window_password_row (const char *title)
{
  GtkWidget *row = adw_password_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  return row;
}

static void
casedb_window_dialog_destroy_cb (CasedbWindow *self)
{
  g_assert (CASEDB_IS_WINDOW (self));

  self->dialog = NULL;
  self->old_password_row = NULL;
  self->new_password_row = NULL;
  self->again_password_row = NULL;
  self->wipe_word_row = NULL;
  self->dialog_hint = NULL;
}

static void
casedb_window_clear_dialog_passwords (CasedbWindow *self)
{
  GtkWidget *rows[] = { self->old_password_row, self->new_password_row, self->again_password_row };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    if (rows[i] != NULL)
      gtk_editable_set_text (GTK_EDITABLE (rows[i]), "");
}

static void
casedb_window_change_password_validate_cb (CasedbWindow *self)
{
  const char *old_password;
  const char *new_password;
  const char *again;
  const char *hint = NULL;

  g_assert (CASEDB_IS_WINDOW (self));

  if (self->dialog == NULL || self->again_password_row == NULL)
    return;

  old_password = gtk_editable_get_text (GTK_EDITABLE (self->old_password_row));
  new_password = gtk_editable_get_text (GTK_EDITABLE (self->new_password_row));
  again = gtk_editable_get_text (GTK_EDITABLE (self->again_password_row));

  if (g_utf8_strlen (new_password, -1) < MIN_PASSWORD_LENGTH)
    hint = _("The new password needs at least 10 characters. A few unrelated words are easy to remember and hard to guess.");
  else if (g_strcmp0 (new_password, again) != 0)
    hint = _("The two new passwords are not the same.");
  else if (g_strcmp0 (new_password, old_password) == 0)
    hint = _("The new password is the same as the current one.");

  gtk_label_set_label (GTK_LABEL (self->dialog_hint),
                       hint != NULL ? hint : _("Other users keep their passwords; nobody else needs to know."));
  adw_message_dialog_set_response_enabled (self->dialog, "change",
                                           hint == NULL && *old_password != '\0');
}

static void
casedb_window_change_password_response_cb (CasedbWindow     *self,
                                           const char       *response,
                                           AdwMessageDialog *dialog)
{
  g_autoptr(CasedbSecureString) old_password = NULL;
  g_autoptr(CasedbSecureString) new_password = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  g_assert (CASEDB_IS_WINDOW (self));

  if (g_strcmp0 (response, "change") != 0 || self->store == NULL)
    {
      casedb_window_clear_dialog_passwords (self);
      return;
    }

  old_password = casedb_secure_strdup (gtk_editable_get_text (GTK_EDITABLE (self->old_password_row)));
  new_password = casedb_secure_strdup (gtk_editable_get_text (GTK_EDITABLE (self->new_password_row)));
  casedb_window_clear_dialog_passwords (self);

  /* On this thread, like every other call on the store: the new slot takes
   * one Argon2id derivation (about half a second). */
  if (!casedb_store_change_password (self->store, old_password, new_password, &error))
    {
      if (g_error_matches (error, CASEDB_ERROR, CASEDB_ERROR_WRONG_PASSWORD))
        message = g_strdup (_("The current password was wrong; the password was not changed"));
      else
        message = g_strdup_printf (_("The password was not changed: %s"), error->message);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
      return;
    }

  if (self->password_toast != NULL)
    adw_toast_dismiss (self->password_toast);
  g_clear_object (&self->password_toast);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Password changed")));
}

static AdwMessageDialog *
casedb_window_new_dialog (CasedbWindow *self,
                          const char   *heading,
                          const char   *body,
                          GtkWidget    *extra)
{
  if (self->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->dialog));

  self->dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));
  adw_message_dialog_set_extra_child (self->dialog, extra);
  adw_message_dialog_set_close_response (self->dialog, "cancel");
  g_signal_connect_object (self->dialog, "destroy",
                           G_CALLBACK (casedb_window_dialog_destroy_cb), self,
                           G_CONNECT_SWAPPED);
  return self->dialog;
}

static GtkWidget *
casedb_window_new_form (CasedbWindow  *self,
                        GtkWidget    **list)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  *list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (*list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (*list, "boxed-list");
  gtk_box_append (GTK_BOX (box), *list);

  self->dialog_hint = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->dialog_hint), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->dialog_hint), 0);
  gtk_widget_add_css_class (self->dialog_hint, "caption");
  gtk_widget_add_css_class (self->dialog_hint, "dim-label");
  gtk_box_append (GTK_BOX (box), self->dialog_hint);

  return box;
}

static void
casedb_window_change_password_action (GSimpleAction *action,
                                      GVariant      *param,
                                      gpointer       user_data)
{
  CasedbWindow *self = user_data;
  GtkWidget *list = NULL;
  GtkWidget *form;
  GtkWidget *rows[3];

  g_assert (CASEDB_IS_WINDOW (self));

  if (self->store == NULL)
    return;

  form = casedb_window_new_form (self, &list);
  casedb_window_new_dialog (self, _("Change Your Password"), NULL, form);

  self->old_password_row = rows[0] = casedb_window_password_row (_("Current password"));
  self->new_password_row = rows[1] = casedb_window_password_row (_("New password"));
  self->again_password_row = rows[2] = casedb_window_password_row (_("Repeat new password"));
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_signal_connect_object (rows[i], "changed",
                               G_CALLBACK (casedb_window_change_password_validate_cb), self,
                               G_CONNECT_SWAPPED);
      gtk_list_box_append (GTK_LIST_BOX (list), rows[i]);
    }

  adw_message_dialog_add_responses (self->dialog,
                                    "cancel", _("_Cancel"),
                                    "change", _("C_hange Password"),
                                    NULL);
  adw_message_dialog_set_response_appearance (self->dialog, "change", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (self->dialog, "change");
  g_signal_connect_object (self->dialog, "response",
                           G_CALLBACK (casedb_window_change_password_response_cb), self,
                           G_CONNECT_SWAPPED);

  casedb_window_change_password_validate_cb (self);
  gtk_window_present (GTK_WINDOW (self->dialog));
}

/* ---- emergency wipe ---- */

typedef struct {
  char *path;
  char *user;
  char *password;   /* secure memory */
} WipeData;

static void
wipe_data_free (WipeData *data)
{
  g_free (data->path);
  g_free (data->user);
  casedb_secure_free (data->password);
  g_free (data);
}

static void
casedb_window_wipe_thread (GTask        *task,
                           gpointer      source_object,
                           gpointer      task_data,
                           GCancellable *cancellable)
{
  WipeData *data = task_data;
  GError *error = NULL;
  gboolean ok;

  ok = casedb_store_wipe (data->path, data->user, data->password, &error);
  casedb_secure_clear (&data->password);
  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
casedb_window_forget_recent (CasedbWindow *self,
                             const char   *path)
{
  g_auto(GStrv) recent = g_settings_get_strv (self->settings, "recent-databases");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) kept = NULL;

  for (guint i = 0; recent[i] != NULL; i++)
    if (g_strcmp0 (recent[i], path) != 0)
      g_strv_builder_add (builder, recent[i]);
  kept = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-databases", (const char * const *) kept);
}

static void
casedb_window_wipe_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  CasedbWindow *self = (CasedbWindow *)object;
  g_autoptr(GError) error = NULL;
  WipeData *data = g_task_get_task_data (G_TASK (result));

  g_assert (CASEDB_IS_WINDOW (self));

  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;

  gtk_spinner_stop (self->busy_spinner);
  gtk_stack_set_visible_child_name (self->stack, "unlock");

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *message = g_strdup_printf (_("The database was not wiped: %s"), error->message);

      casedb_unlock_page_show_error (self->unlock_page, message);
      casedb_unlock_page_focus (self->unlock_page);
      return;
    }

  casedb_window_forget_recent (self, data->path);
  casedb_unlock_page_set_path (self->unlock_page, NULL);
  adw_toast_overlay_add_toast (self->toast_overlay,
                               adw_toast_new (_("The database and its keys were wiped")));
}

static void
casedb_window_wipe_validate_cb (CasedbWindow *self)
{
  g_assert (CASEDB_IS_WINDOW (self));

  if (self->dialog == NULL || self->wipe_word_row == NULL)
    return;

  /* The literal word, in every language, as in casedb-tool wipe. */
  adw_message_dialog_set_response_enabled (
    self->dialog, "wipe",
    *gtk_editable_get_text (GTK_EDITABLE (self->old_password_row)) != '\0' &&
    g_str_equal (gtk_editable_get_text (GTK_EDITABLE (self->wipe_word_row)), "WIPE"));
}

/* After the dialog has closed: locking destroys every transient window. */
static gboolean
casedb_window_start_wipe_idle (gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  CasedbWindow *self = g_task_get_source_object (task);

  g_assert (CASEDB_IS_WINDOW (self));

  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return G_SOURCE_REMOVE;

  /* Nothing of the cases stays on screen while the files go. */
  casedb_window_lock (self);
  adw_status_page_set_title (self->busy_page, _("Wiping the Database"));
  adw_status_page_set_description (self->busy_page,
                                   _("The key file is destroyed first, then the database."));
  gtk_stack_set_visible_child_name (self->stack, "busy");
  gtk_spinner_start (self->busy_spinner);

  g_task_run_in_thread (task, casedb_window_wipe_thread);
  return G_SOURCE_REMOVE;
}

static void
casedb_window_wipe_response_cb (CasedbWindow     *self,
                                const char       *response,
                                AdwMessageDialog *dialog)
{
  GTask *task;
  WipeData *data;

  g_assert (CASEDB_IS_WINDOW (self));

  if (g_strcmp0 (response, "wipe") != 0 || self->store == NULL)
    {
      casedb_window_clear_dialog_passwords (self);
      return;
    }

  data = g_new0 (WipeData, 1);
  data->path = g_strdup (casedb_store_get_path (self->store));
  data->user = g_strdup (casedb_store_get_user (self->store));
  data->password = casedb_secure_strdup (gtk_editable_get_text (GTK_EDITABLE (self->old_password_row)));
  casedb_window_clear_dialog_passwords (self);

  task = g_task_new (self, NULL, casedb_window_wipe_cb, NULL);
  g_task_set_source_tag (task, casedb_window_wipe_response_cb);
  g_task_set_task_data (task, data, (GDestroyNotify) wipe_data_free);
  g_idle_add (casedb_window_start_wipe_idle, task);
}

static void
casedb_window_wipe_action (GSimpleAction *action,
                           GVariant      *param,
                           gpointer       user_data)
{
  CasedbWindow *self = user_data;
  g_autofree char *base = NULL;
  g_autofree char *body = NULL;
  GtkWidget *list = NULL;
  GtkWidget *form;

  g_assert (CASEDB_IS_WINDOW (self));

  if (self->store == NULL || !casedb_store_can (self->store, CASEDB_PERM_WIPE))
    return;

  base = g_filename_display_basename (casedb_store_get_path (self->store));
  body = g_strdup_printf (_("Every case, user and audit entry of “%s” is destroyed for good. "
                            "The key file goes first, so no copy of the database can be opened "
                            "afterwards. Backups and exports made elsewhere are not touched."),
                          base);
  form = casedb_window_new_form (self, &list);
  casedb_window_new_dialog (self, _("Wipe This Database?"), body, form);

  self->old_password_row = casedb_window_password_row (_("Your password"));
  self->wipe_word_row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->wipe_word_row), _("Type WIPE to confirm"));
  g_signal_connect_object (self->old_password_row, "changed",
                           G_CALLBACK (casedb_window_wipe_validate_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->wipe_word_row, "changed",
                           G_CALLBACK (casedb_window_wipe_validate_cb), self, G_CONNECT_SWAPPED);
  gtk_list_box_append (GTK_LIST_BOX (list), self->old_password_row);
  gtk_list_box_append (GTK_LIST_BOX (list), self->wipe_word_row);
  gtk_label_set_label (GTK_LABEL (self->dialog_hint),
                       _("This cannot be undone. Read “What wipe cannot promise” in the manual."));

  adw_message_dialog_add_responses (self->dialog,
                                    "cancel", _("_Cancel"),
                                    "wipe", _("_Wipe Database"),
                                    NULL);
  adw_message_dialog_set_response_appearance (self->dialog, "wipe", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (self->dialog, "cancel");
  g_signal_connect_object (self->dialog, "response",
                           G_CALLBACK (casedb_window_wipe_response_cb), self,
                           G_CONNECT_SWAPPED);

  casedb_window_wipe_validate_cb (self);
  gtk_window_present (GTK_WINDOW (self->dialog));
}

static const GActionEntry win_actions[] = {
  { "lock", casedb_window_lock_action },
  { "show-page", casedb_window_show_page_action, "s" },
  { "new-case", casedb_window_new_case_action },
  { "search", casedb_window_search_action },
  { "change-password", casedb_window_change_password_action },
  { "wipe", casedb_window_wipe_action },
};

/* ---- callbacks ---- */

static void
casedb_window_unlocked_cb (CasedbWindow     *self,
                           CasedbStore      *store,
                           CasedbUnlockPage *page)
{
  g_assert (CASEDB_IS_WINDOW (self));
  g_assert (CASEDB_IS_STORE (store));

  if (self->store != NULL)
    casedb_window_lock (self);
  casedb_window_start_latency_clock (self);
  casedb_window_set_store (self, store);
}

static void
casedb_window_page_changed_cb (CasedbWindow *self,
                               GParamSpec   *pspec,
                               AdwViewStack *view_stack)
{
  GtkWidget *child;

  g_assert (CASEDB_IS_WINDOW (self));

  child = adw_view_stack_get_visible_child (view_stack);
  if (child == NULL || self->store == NULL)
    return;

  for (guint i = 0; i < N_PAGES; i++)
    {
      GtkWidget *page = self->pages[i];

      if (child != self->page_bins[i])
        continue;

      if (page == NULL)
        {
          casedb_window_build_page (self, i);
          return;
        }

      /* Pages show what the other pages changed meanwhile.  The statistics
       * page counts by itself whenever it comes on screen. */
      if (CASEDB_IS_USERS_PAGE (page))
        casedb_users_page_refresh (CASEDB_USERS_PAGE (page));
      else if (CASEDB_IS_AUDIT_PAGE (page))
        casedb_audit_page_refresh (CASEDB_AUDIT_PAGE (page));
      else if (CASEDB_IS_SHARE_PAGE (page))
        casedb_share_page_refresh (CASEDB_SHARE_PAGE (page));
      return;
    }
}

static void
casedb_window_demo_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  CasedbWindow *self = (CasedbWindow *)object;
  g_autoptr(GError) error = NULL;
  const char *path;

  g_assert (CASEDB_IS_WINDOW (self));

  path = g_task_get_task_data (G_TASK (result));

  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;

  gtk_spinner_stop (self->busy_spinner);

  casedb_unlock_page_set_path (self->unlock_page, path);
  gtk_stack_set_visible_child_name (self->stack, "unlock");

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *message = g_strdup_printf (_("The demo database could not be created: %s"),
                                                  error->message);

      casedb_unlock_page_show_error (self->unlock_page, message);
      return;
    }

  casedb_unlock_page_set_demo (self->unlock_page, TRUE);
  casedb_unlock_page_focus (self->unlock_page);
}

static void
casedb_window_demo_thread (GTask        *task,
                           gpointer      source_object,
                           gpointer      task_data,
                           GCancellable *cancellable)
{
  const char *path = task_data;
  g_autofree char *dir = g_path_get_dirname (path);
  GError *error = NULL;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               "%s", g_strerror (saved_errno));
      return;
    }

  if (!casedb_demo_ensure (path, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
casedb_window_open_demo (CasedbWindow *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CASEDB_IS_WINDOW (self));

  if (self->store != NULL)
    return;

  adw_status_page_set_title (self->busy_page, _("Preparing the Demo Database"));
  adw_status_page_set_description (self->busy_page,
                                   _("Fictional cases are being encrypted. This takes a few seconds."));
  gtk_stack_set_visible_child_name (self->stack, "busy");
  gtk_spinner_start (self->busy_spinner);

  /* Creating it derives three keys with the full Argon2id cost. */
  task = g_task_new (self, NULL, casedb_window_demo_cb, NULL);
  g_task_set_source_tag (task, casedb_window_open_demo);
  g_task_set_task_data (task, casedb_application_dup_demo_path (), g_free);
  g_task_run_in_thread (task, casedb_window_demo_thread);
}

static void
casedb_window_close_confirmed_cb (GObject      *object,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(CasedbWindow) self = user_data;

  g_assert (CASEDB_IS_WINDOW (self));

  if (casedb_case_list_confirm_leave_finish (CASEDB_CASE_LIST (object), result, NULL))
    {
      self->close_confirmed = TRUE;
      gtk_window_close (GTK_WINDOW (self));
    }
}

static gboolean
casedb_window_close_request (GtkWindow *window)
{
  CasedbWindow *self = (CasedbWindow *)window;

  g_assert (CASEDB_IS_WINDOW (self));

  if (!self->close_confirmed
      && self->case_list != NULL
      && casedb_case_list_get_modified (CASEDB_CASE_LIST (self->case_list)))
    {
      casedb_case_list_confirm_leave_async (CASEDB_CASE_LIST (self->case_list), NULL,
                                            casedb_window_close_confirmed_cb,
                                            g_object_ref (self));
      return TRUE;
    }

  casedb_window_lock (self);

  return GTK_WINDOW_CLASS (casedb_window_parent_class)->close_request (window);
}

/* ---- GObject ---- */

static void
casedb_window_dispose (GObject *object)
{
  CasedbWindow *self = (CasedbWindow *)object;

  /* GTK 4.8 calls a focused GtkPasswordEntry back after disposing it. */
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  g_clear_handle_id (&self->auto_lock_source, g_source_remove);
  casedb_window_stop_latency_clock (self);

  if (self->store != NULL && self->view_stack != NULL)
    casedb_window_lock (self);
  if (self->store != NULL)
    casedb_store_close (self->store);
  g_clear_object (&self->store);

  gtk_widget_dispose_template (GTK_WIDGET (self), CASEDB_TYPE_WINDOW);

  g_clear_object (&self->settings);
  g_clear_object (&self->password_toast);
  g_clear_object (&self->backup_toast);

  G_OBJECT_CLASS (casedb_window_parent_class)->dispose (object);
}

static void
casedb_window_class_init (CasedbWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = casedb_window_dispose;

  window_class->close_request = casedb_window_close_request;

  g_type_ensure (CASEDB_TYPE_UNLOCK_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/example/CaseDB/ui/casedb-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CasedbWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CasedbWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CasedbWindow, unlock_page);
  gtk_widget_class_bind_template_child (widget_class, CasedbWindow, busy_page);
  gtk_widget_class_bind_template_child (widget_class, CasedbWindow, busy_spinner);
  gtk_widget_class_bind_template_child (widget_class, CasedbWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, CasedbWindow, role_badge);
  gtk_widget_class_bind_template_child (widget_class, CasedbWindow, role_icon);
  gtk_widget_class_bind_template_child (widget_class, CasedbWindow, role_label);
  gtk_widget_class_bind_template_child (widget_class, CasedbWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, CasedbWindow, view_stack);
  gtk_widget_class_bind_template_callback (widget_class, casedb_window_unlocked_cb);
  gtk_widget_class_bind_template_callback (widget_class, casedb_window_page_changed_cb);
}

static void
casedb_window_init (CasedbWindow *self)
{
  GtkEventController *controller;

  gtk_widget_init_template (GTK_WIDGET (self));

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions,
                                   G_N_ELEMENTS (win_actions), self);

  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->settings, "changed::auto-lock-minutes",
                           G_CALLBACK (casedb_window_schedule_auto_lock),
                           self, G_CONNECT_SWAPPED);

  /* Any key, click or pointer motion in the window counts as use. */
  controller = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller, "event",
                           G_CALLBACK (casedb_window_input_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gtk_window_set_default_widget (GTK_WINDOW (self),
                                 casedb_unlock_page_get_default_widget (self->unlock_page));
  casedb_unlock_page_focus (self->unlock_page);
  casedb_window_update_actions (self);
}

CasedbWindow *
casedb_window_new (CasedbApplication *app)
{
  CasedbWindow *self;

  g_return_val_if_fail (app == NULL || CASEDB_IS_APPLICATION (app), NULL);

  self = g_object_new (CASEDB_TYPE_WINDOW,
                       "application", app,
                       NULL);

  if (app != NULL)
    g_signal_connect_object (app, "notify::screensaver-active",
                             G_CALLBACK (casedb_window_screensaver_cb),
                             self, G_CONNECT_SWAPPED);

  return self;
}
