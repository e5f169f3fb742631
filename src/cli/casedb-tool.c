/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-tool"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "casedb-core.h"
#include "casedb-csv.h"

/*
 * casedb-tool: argument parsing and printing only; the work is in the core.
 *
 * Passwords are never taken from the command line or the environment (both
 * are readable by other processes and end up in shell history): they are
 * read from the terminal without echo, or one line each from stdin.
 */

enum {
  EXIT_OK      = 0,
  EXIT_INPUT   = 1,   /* bad usage, bad input, missing file */
  EXIT_DENIED  = 2,   /* wrong password, not permitted */
  EXIT_DAMAGED = 3,   /* damaged database */
};

#define MIN_PASSWORD_LEN 8

static int
exit_code_for_error (const GError *error)
{
  if (error == NULL || error->domain != CASEDB_ERROR)
    return EXIT_INPUT;

  switch ((CasedbError) error->code)
    {
    case CASEDB_ERROR_WRONG_PASSWORD:
    case CASEDB_ERROR_NOT_PERMITTED:
      return EXIT_DENIED;
    case CASEDB_ERROR_DAMAGED:
      return EXIT_DAMAGED;
    case CASEDB_ERROR_INVALID_INPUT:
    case CASEDB_ERROR_NOT_FOUND:
    case CASEDB_ERROR_EXISTS:
    case CASEDB_ERROR_IO:
    case CASEDB_ERROR_FAILED:
    default:
      return EXIT_INPUT;
    }
}

static void
print_error (const char *message)
{
  g_printerr ("casedb-tool: %s\n", message);
}

static int
fail_with (const GError *error)
{
  print_error (error->message);
  return exit_code_for_error (error);
}

G_GNUC_PRINTF (1, 2)
static int
usage_error (const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  print_error (message);
  g_printerr (_("Try “%s --help”.\n"), g_get_prgname ());
  return EXIT_INPUT;
}

/* ---- passwords and passphrases ---- */

typedef gboolean (*SecretCheck) (const char *secret, GError **error);

static gboolean
check_password_length (const char *password, GError **error)
{
  if (g_utf8_strlen (password, -1) >= MIN_PASSWORD_LEN)
    return TRUE;

  g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
               _("The password is too short: use at least %d characters"),
               MIN_PASSWORD_LEN);
  return FALSE;
}

/* A new secret, in secure memory: read once and checked, then read again
 * on a terminal, where a typing slip would otherwise lock the data away. */
static char *
read_new_secret (const char   *prompt,
                 SecretCheck   check,
                 const char   *repeat_prompt,
                 const char   *differ_message,
                 GError      **error)
{
  g_autoptr(CasedbSecureString) secret = casedb_secure_read_password (prompt, error);
  g_autoptr(CasedbSecureString) again = NULL;

  if (secret == NULL || !check (secret, error))
    return NULL;

  if (isatty (STDIN_FILENO))
    {
      again = casedb_secure_read_password (repeat_prompt, error);
      if (again == NULL)
        return NULL;
      if (strcmp (secret, again) != 0)
        {
          g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT, differ_message);
          return NULL;
        }
    }

  return g_steal_pointer (&secret);
}

/* A new password for @user, or for oneself when @user is NULL. */
static char *
read_new_password (const char *user, GError **error)
{
  g_autofree char *prompt = NULL;

  if (user != NULL)
    prompt = g_strdup_printf (_("New password for %s: "), user);
  else
    prompt = g_strdup (_("New password: "));

  return read_new_secret (prompt, check_password_length, _("Repeat the password: "),
                          _("The two passwords differ"), error);
}

/* A new package passphrase. */
static char *
read_new_passphrase (GError **error)
{
  return read_new_secret (_("Passphrase for the package: "), casedb_export_check_passphrase,
                          _("Repeat the passphrase: "), _("The two passphrases differ"), error);
}

static char *
read_passphrase (GError **error)
{
  return casedb_secure_read_password (_("Passphrase of the package: "), error);
}

/* ---- what every command shares ---- */

typedef struct {
  const char *name;        /* "user add" */
  const char *params;      /* positional arguments, one word each */
  const char *summary;
  const char *description;
  const char *as_help;     /* help of --as; NULL: the command has no --as */
} CommandInfo;

/* What the dispatcher hands a command: its arguments; then what
 * command_parse() and command_open_store() make of them. */
typedef struct {
  int           argc;      /* the arguments after the command words */
  char        **argv;
  char         *as;
  GStrv         pos;       /* the positional arguments */
  CasedbStore  *store;
} CommandContext;

static void
command_context_clear (CommandContext *ctx)
{
  g_clear_pointer (&ctx->as, g_free);
  g_clear_pointer (&ctx->pos, g_strfreev);
  g_clear_object (&ctx->store);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CommandContext, command_context_clear)

static guint
count_words (const char *str)
{
  guint n = 1;

  for (const char *p = str; *p != '\0'; p++)
    n += (*p == ' ');
  return n;
}

static gboolean
require_option (const char *value, const char *option)
{
  if (value != NULL && value[0] != '\0')
    return TRUE;
  usage_error (_("the option %s is required"), option);
  return FALSE;
}

/* Output files are never overwritten. */
static gboolean
require_new_file (const char *path)
{
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  usage_error (_("“%s” already exists; choose another name"), path);
  return FALSE;
}

/* Parses the arguments of @ctx with --as when @info has it and with
 * @entries; on success @ctx holds --as, which is then required, and exactly
 * as many positional arguments as @info names.  Prints --help and usage
 * errors itself. */
static gboolean
command_parse (CommandContext     *ctx,
               const CommandInfo  *info,
               const GOptionEntry *entries)
{
  const GOptionEntry as_entries[] = {
    { "as", 0, 0, G_OPTION_ARG_STRING, &ctx->as, info->as_help, N_("NAME") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) strv = NULL;
  g_autofree char *prgname = g_strdup_printf ("casedb-tool %s", info->name);

  g_set_prgname (prgname);

  context = g_option_context_new (_(info->params));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _(info->summary));
  if (info->description != NULL)
    g_option_context_set_description (context, _(info->description));
  if (info->as_help != NULL)
    g_option_context_add_main_entries (context, as_entries, GETTEXT_PACKAGE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  g_ptr_array_add (args, g_strdup (prgname));
  for (int i = 0; i < ctx->argc; i++)
    g_ptr_array_add (args, g_strdup (ctx->argv[i]));
  g_ptr_array_add (args, NULL);
  strv = (GStrv) g_ptr_array_free (g_steal_pointer (&args), FALSE);

  if (!g_option_context_parse_strv (context, &strv, &error))
    {
      usage_error ("%s", error->message);
      return FALSE;
    }

  if (g_strv_length (strv) - 1 != count_words (info->params))
    {
      usage_error (_("%s needs %s"), info->name, _(info->params));
      return FALSE;
    }

  ctx->pos = g_strdupv (strv + 1);
  return info->as_help == NULL || require_option (ctx->as, "--as");
}

/* The password of --as, in secure memory. */
static char *
command_read_password (CommandContext *ctx, GError **error)
{
  g_autofree char *prompt = g_strdup_printf (_("Password for %s: "), ctx->as);

  return casedb_secure_read_password (prompt, error);
}

/* Opens DB, the first positional argument, as --as; the password is wiped
 * as soon as the store has derived its keys. */
static gboolean
command_open_store (CommandContext *ctx, GError **error)
{
  g_autoptr(CasedbSecureString) password = command_read_password (ctx, error);

  if (password == NULL)
    return FALSE;
  ctx->store = casedb_store_open (ctx->pos[0], ctx->as, password, error);
  return ctx->store != NULL;
}

/* ---- commands ---- */

static int
cmd_init (CommandContext *ctx)
{
  static const CommandInfo info = {
    "init", N_("DB"), N_("Creates a new encrypted database with one supervisor."),
    N_("Asks for the supervisor’s password (twice on a terminal; one line from stdin otherwise).\n"
       "Creates DB and DB.keys; neither may exist yet."),
    NULL,
  };
  g_autofree char *admin = NULL;
  const GOptionEntry entries[] = {
    { "admin", 0, 0, G_OPTION_ARG_STRING, &admin, N_("Name of the first supervisor"), N_("NAME") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbSecureString) password = NULL;

  if (!command_parse (ctx, &info, entries) || !require_option (admin, "--admin"))
    return EXIT_INPUT;

  password = read_new_password (admin, &error);
  if (password != NULL)
    ctx->store = casedb_store_create (ctx->pos[0], admin, password, NULL, &error);
  casedb_secure_clear (&password);
  if (ctx->store == NULL)
    return fail_with (error);
  casedb_store_close (ctx->store);

  g_print (_("Created %s with the supervisor %s.\n"), ctx->pos[0], admin);
  return EXIT_OK;
}

static int
cmd_user_add (CommandContext *ctx)
{
  static const CommandInfo info = {
    "user add", N_("DB"), N_("Adds a user."),
    N_("Reads the password of --as, then the new user’s password."),
    N_("Supervisor doing it"),
  };
  g_autofree char *user = NULL;
  g_autofree char *role_str = NULL;
  const GOptionEntry entries[] = {
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, N_("Name of the new user"), N_("NEW") },
    { "role", 0, 0, G_OPTION_ARG_STRING, &role_str, N_("caseworker, analyst or supervisor"), N_("ROLE") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbSecureString) password = NULL;
  CasedbRole role;

  if (!command_parse (ctx, &info, entries)
      || !require_option (user, "--user") || !require_option (role_str, "--role"))
    return EXIT_INPUT;
  if (!casedb_role_from_string (role_str, &role))
    return usage_error (_("unknown role “%s”: use caseworker, analyst or supervisor"), role_str);

  if (!command_open_store (ctx, &error)
      || !casedb_store_require (ctx->store, CASEDB_PERM_MANAGE_USERS, &error))
    return fail_with (error);

  password = read_new_password (user, &error);
  if (password == NULL || !casedb_store_add_user (ctx->store, user, role, password, &error))
    return fail_with (error);
  casedb_secure_clear (&password);
  casedb_store_close (ctx->store);

  g_print (_("Added %s as %s.\n"), user, casedb_role_to_string (role));
  return EXIT_OK;
}

/* After taking keys from someone: until a rekey, an old copy of DB.keys
 * still opens what their slot opened.  @since: when it became due, or NULL
 * to say it is due now. */
static void
print_rekey_due (const char *db, const char *as, const char *since)
{
  g_autofree char *command = g_strdup_printf ("casedb-tool rekey %s --as %s", db, as);

  if (since != NULL)
    /* Translators: %s is a date and time */
    g_printerr (_("A rekey is due since %s: a user was removed or may no longer see identities.\n"), since);
  g_printerr (_("Run “%s” so that an old copy of the key file opens nothing.\n"), command);
}

static int
cmd_user_remove (CommandContext *ctx)
{
  static const CommandInfo info = {
    "user remove", N_("DB"), N_("Removes a user."), NULL, N_("Supervisor doing it"),
  };
  g_autofree char *user = NULL;
  const GOptionEntry entries[] = {
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, N_("User to remove"), N_("OLD") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;

  if (!command_parse (ctx, &info, entries) || !require_option (user, "--user"))
    return EXIT_INPUT;

  if (!command_open_store (ctx, &error) || !casedb_store_remove_user (ctx->store, user, &error))
    return fail_with (error);
  casedb_store_close (ctx->store);

  g_print (_("Removed %s.\n"), user);
  print_rekey_due (ctx->pos[0], ctx->as, NULL);
  return EXIT_OK;
}

static int
cmd_user_list (CommandContext *ctx)
{
  static const CommandInfo info = {
    "user list", N_("DB"), N_("Lists the users and their roles."), NULL, N_("Your user name"),
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) users = NULL;
  g_autofree char *since = NULL;

  if (!command_parse (ctx, &info, NULL))
    return EXIT_INPUT;

  if (!command_open_store (ctx, &error)
      || (users = casedb_store_list_users (ctx->store, &error)) == NULL)
    return fail_with (error);

  g_print ("%-20s %-12s %-28s %s\n", _("NAME"), _("ROLE"), _("CREATED"), _("PASSWORD CHANGED"));
  for (guint i = 0; i < users->len; i++)
    {
      CasedbUserInfo *u = g_ptr_array_index (users, i);

      g_print ("%-20s %-12s %-28s %s\n", u->name, casedb_role_to_string (u->role),
               u->created != NULL ? u->created : "", u->password_changed != NULL ? u->password_changed : "");
    }
  if (!casedb_store_get_rekey_due (ctx->store, &since, &error))
    return fail_with (error);
  casedb_store_close (ctx->store);
  if (since != NULL)
    print_rekey_due (ctx->pos[0], ctx->as, since);
  return EXIT_OK;
}

static int
cmd_passwd (CommandContext *ctx)
{
  static const CommandInfo info = {
    "passwd", N_("DB"), N_("Changes your own password."),
    N_("Reads the old password, then the new one (twice on a terminal)."),
    NULL,
  };
  g_autofree char *user = NULL;
  const GOptionEntry entries[] = {
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, N_("Your user name"), N_("NAME") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbSecureString) old_password = NULL;
  g_autoptr(CasedbSecureString) new_password = NULL;
  g_autofree char *prompt = NULL;
  gboolean ok;

  if (!command_parse (ctx, &info, entries) || !require_option (user, "--user"))
    return EXIT_INPUT;

  prompt = g_strdup_printf (_("Current password for %s: "), user);
  old_password = casedb_secure_read_password (prompt, &error);
  if (old_password == NULL || (new_password = read_new_password (NULL, &error)) == NULL)
    return fail_with (error);

  ok = casedb_store_change_password_offline (ctx->pos[0], user, old_password, new_password, &error);
  casedb_secure_clear (&old_password);
  casedb_secure_clear (&new_password);
  if (!ok)
    return fail_with (error);

  g_print (_("Password changed for %s.\n"), user);
  return EXIT_OK;
}

static int
cmd_import (CommandContext *ctx)
{
  static const CommandInfo info = {
    "import", N_("DB FILE.csv"), N_("Imports cases from a CSV file: all of them or none."),
    N_("The file is UTF-8 CSV with a header row naming the columns:\n"
       "  case_ref, incident_date, report_date, region, location_detail, violation,\n"
       "  subtype, victim_name, victim_sex, victim_age, perpetrator_party, source_code,\n"
       "  verification, summary, narrative, consent_by, consent_statistics,\n"
       "  consent_share_un, consent_share_identity, consent_referral, consent_followup\n"
       "One row per victim per violation; rows with the same case_ref form one case.\n"
       "Any problem in the file stops the import and nothing is stored."),
    N_("Your user name"),
  };
  g_autoptr(GError) error = NULL;
  guint n_cases = 0;

  if (!command_parse (ctx, &info, NULL))
    return EXIT_INPUT;

  if (!command_open_store (ctx, &error)
      || !casedb_import_csv_file (ctx->store, ctx->pos[1], &n_cases, &error))
    return fail_with (error);
  casedb_store_close (ctx->store);

  g_print (g_dngettext (GETTEXT_PACKAGE, "Imported %u case.\n", "Imported %u cases.\n", n_cases),
           n_cases);
  return EXIT_OK;
}

/* Victim names of every listed case, read before anything is printed so
 * that one audit entry covers the listing. (element-type GPtrArray) */
static GPtrArray *
collect_victim_names (CasedbStore *store, GListModel *rows, GError **error)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  guint n = g_list_model_get_n_items (rows);
  g_autofree char *detail = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CasedbCaseRow) row = g_list_model_get_item (rows, i);
      GPtrArray *names = casedb_store_get_victim_names (store, casedb_case_row_get_id (row),
                                                        FALSE, error);

      if (names == NULL)
        return NULL;
      g_ptr_array_add (all, names);
    }

  detail = g_strdup_printf ("list: %u cases", n);
  if (!casedb_store_audit (store, "identity_read", detail, error))
    return NULL;
  return g_steal_pointer (&all);
}

static void
print_csv (GListModel *rows, GPtrArray *names)
{
  guint n = g_list_model_get_n_items (rows);
  GString *line = g_string_new (NULL);

  g_string_append (line, "case_code,case_ref,incident_date,region,violations,victims,verification,draft");
  if (names != NULL)
    g_string_append (line, ",victim_names");
  g_string_append (line, "\r\n");
  fputs (line->str, stdout);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CasedbCaseRow) row = g_list_model_get_item (rows, i);
      g_autofree char *keys = casedb_case_row_dup_violation_keys (row);
      char count[16];

      g_string_truncate (line, 0);
      casedb_csv_append_field (line, casedb_case_row_get_code (row));
      g_string_append_c (line, ',');
      casedb_csv_append_field (line, casedb_case_row_get_reference (row));
      g_string_append_c (line, ',');
      casedb_csv_append_field (line, casedb_case_row_get_incident_date (row));
      g_string_append_c (line, ',');
      casedb_csv_append_field (line, casedb_case_row_get_region (row));
      g_string_append_c (line, ',');
      casedb_csv_append_field (line, keys);
      g_snprintf (count, sizeof count, ",%u,", casedb_case_row_get_n_victims (row));
      g_string_append (line, count);
      casedb_csv_append_field (line, casedb_verification_to_key (casedb_case_row_get_verification (row)));
      g_string_append (line, casedb_case_row_get_draft (row) ? ",yes" : ",no");

      if (names != NULL)
        {
          GPtrArray *case_names = g_ptr_array_index (names, i);
          GString *joined = g_string_new (NULL);

          for (guint j = 0; j < case_names->len; j++)
            {
              const char *name = g_ptr_array_index (case_names, j);

              if (j > 0)
                g_string_append_c (joined, ';');
              g_string_append (joined, name != NULL ? name : "");
            }
          g_string_append_c (line, ',');
          casedb_csv_append_field (line, joined->str);
          casedb_secure_gstring_free (joined);
        }
      g_string_append (line, "\r\n");
      fputs (line->str, stdout);
      casedb_secure_wipe (line->str, line->len);
    }

  casedb_secure_gstring_free (line);
}

static void
print_json (GListModel *rows, GPtrArray *names)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  guint n = g_list_model_get_n_items (rows);
  gsize len = 0;
  char *data;

  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CasedbCaseRow) row = g_list_model_get_item (rows, i);
      guint mask = casedb_case_row_get_violation_mask (row);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "case_code");
      json_builder_add_string_value (builder, casedb_case_row_get_code (row));
      json_builder_set_member_name (builder, "case_ref");
      if (casedb_case_row_get_reference (row) != NULL)
        json_builder_add_string_value (builder, casedb_case_row_get_reference (row));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "incident_date");
      json_builder_add_string_value (builder, casedb_case_row_get_incident_date (row));
      json_builder_set_member_name (builder, "region");
      json_builder_add_string_value (builder, casedb_case_row_get_region (row));
      json_builder_set_member_name (builder, "violations");
      json_builder_begin_array (builder);
      for (guint k = 0; k < CASEDB_N_VIOLATIONS; k++)
        {
          if (mask & (1u << k))
            json_builder_add_string_value (builder, casedb_violation_to_key (k));
        }
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "victims");
      json_builder_add_int_value (builder, casedb_case_row_get_n_victims (row));
      json_builder_set_member_name (builder, "verification");
      json_builder_add_string_value (builder,
                                     casedb_verification_to_key (casedb_case_row_get_verification (row)));
      json_builder_set_member_name (builder, "draft");
      json_builder_add_boolean_value (builder, casedb_case_row_get_draft (row));
      if (names != NULL)
        {
          GPtrArray *case_names = g_ptr_array_index (names, i);

          json_builder_set_member_name (builder, "victim_names");
          json_builder_begin_array (builder);
          for (guint j = 0; j < case_names->len; j++)
            {
              const char *name = g_ptr_array_index (case_names, j);

              if (name != NULL)
                json_builder_add_string_value (builder, name);
              else
                json_builder_add_null_value (builder);
            }
          json_builder_end_array (builder);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  data = json_generator_to_data (generator, &len);
  fwrite (data, 1, len, stdout);
  fputc ('\n', stdout);
  casedb_secure_wipe (data, len);
  g_free (data);
}

static int
cmd_list (CommandContext *ctx)
{
  static const CommandInfo info = {
    "list", N_("DB"), N_("Lists cases, oldest code first."),
    N_("CSV columns (RFC 4180): case_code, case_ref, incident_date, region,\n"
       "violations (violation keys joined by “;”), victims (the number of victims),\n"
       "verification (verified, unverified or pending), draft (yes or no), and for\n"
       "roles that may see identities victim_names (joined by “;”; audited).\n"
       "JSON: an array of objects with the same keys; violations and victim_names\n"
       "are arrays, draft is true or false.\n"
       "Violation keys: killing_maiming, recruitment_use, sexual_violence, abduction,\n"
       "attack_school_hospital, denial_humanitarian_access."),
    N_("Your user name"),
  };
  g_autofree char *violation = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "violation", 0, 0, G_OPTION_ARG_STRING, &violation, N_("Only cases with this violation"), N_("KEY") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, N_("Incident on or after this date"), N_("YYYY-MM-DD") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, N_("Incident on or before this date"), N_("YYYY-MM-DD") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("csv (default) or json"), N_("FORMAT") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) rows = NULL;
  g_autoptr(GPtrArray) names = NULL;
  CasedbQuery query = CASEDB_QUERY_INIT;
  CasedbViolationKind kind;
  gboolean json = FALSE;

  if (!command_parse (ctx, &info, entries))
    return EXIT_INPUT;

  if (violation != NULL)
    {
      if (!casedb_violation_from_key (violation, &kind))
        return usage_error (_("unknown violation key “%s”"), violation);
      query.violation = kind;
    }
  if (from != NULL && !casedb_date_valid (from))
    return usage_error (_("--from needs a date written YYYY-MM-DD, not “%s”"), from);
  if (to != NULL && !casedb_date_valid (to))
    return usage_error (_("--to needs a date written YYYY-MM-DD, not “%s”"), to);
  query.from = from;
  query.to = to;
  if (format != NULL && g_strcmp0 (format, "json") == 0)
    json = TRUE;
  else if (format != NULL && g_strcmp0 (format, "csv") != 0)
    return usage_error (_("unknown format “%s”: use csv or json"), format);

  if (!command_open_store (ctx, &error)
      || (rows = casedb_store_list_cases (ctx->store, &query, &error)) == NULL)
    return fail_with (error);

  if (casedb_store_can (ctx->store, CASEDB_PERM_READ_IDENTITY))
    {
      names = collect_victim_names (ctx->store, rows, &error);
      if (names == NULL)
        return fail_with (error);
    }

  if (json)
    print_json (rows, names);
  else
    print_csv (rows, names);

  g_clear_pointer (&names, g_ptr_array_unref);
  casedb_store_close (ctx->store);
  return EXIT_OK;
}

static void
print_field (const char *label, const char *value)
{
  if (value != NULL && value[0] != '\0')
    g_print ("%-18s %s\n", label, value);
}

static int
cmd_show (CommandContext *ctx)
{
  static const CommandInfo info = {
    "show", N_("DB CASE_CODE"), N_("Shows every field of one case."),
    N_("Identity fields (names, location, narrative, notes) are shown only to roles\n"
       "that may see them, and showing them is audited."),
    N_("Your user name"),
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbCase) c = NULL;
  g_autoptr(GString) uses = g_string_new (NULL);

  if (!command_parse (ctx, &info, NULL))
    return EXIT_INPUT;

  if (!command_open_store (ctx, &error))
    return fail_with (error);
  c = casedb_store_load_case_by_code (ctx->store, ctx->pos[1],
                                      casedb_store_can (ctx->store, CASEDB_PERM_READ_IDENTITY), &error);
  if (c == NULL)
    return fail_with (error);

  print_field (_("Case:"), c->code);
  print_field (_("Reference:"), c->reference);
  print_field (_("Incident date:"), c->incident_date);
  print_field (_("Report date:"), c->report_date);
  print_field (_("Region:"), c->region);
  print_field (_("Location detail:"), c->location_detail);
  print_field (_("Verification:"), casedb_verification_to_key (c->verification));
  print_field (_("Draft:"), c->draft ? _("yes") : _("no"));
  print_field (_("Needs follow-up:"), c->needs_followup ? _("yes") : _("no"));
  print_field (_("Source:"), c->source_code);
  print_field (_("Summary:"), c->summary);
  print_field (_("Narrative:"), c->narrative);
  print_field (_("Follow-up notes:"), c->followup_notes);
  print_field (_("Referral notes:"), c->referral_notes);

  g_print ("%s\n", _("Violations:"));
  for (guint i = 0; i < c->violations->len; i++)
    {
      CasedbViolation *v = g_ptr_array_index (c->violations, i);
      g_autoptr(GString) victims = g_string_new (NULL);

      for (guint j = 0; v->victims != NULL && j < v->victims->len; j++)
        {
          guint index = g_array_index (v->victims, guint, j);
          CasedbVictim *victim = index < c->victims->len ? g_ptr_array_index (c->victims, index) : NULL;

          if (j > 0)
            g_string_append (victims, ", ");
          g_string_append (victims, victim != NULL && victim->code != NULL ? victim->code : "?");
        }
      g_print ("  %u. %s", i + 1, casedb_violation_to_key (v->kind));
      if (v->subtype != NULL)
        g_print (" / %s", v->subtype);
      if (v->perpetrator_code != NULL)
        g_print (_("; perpetrator %s"), v->perpetrator_code);
      g_print (_("; victims: %s\n"), victims->len > 0 ? victims->str : _("none"));
    }

  g_print ("%s\n", _("Victims:"));
  for (guint i = 0; i < c->victims->len; i++)
    {
      CasedbVictim *v = g_ptr_array_index (c->victims, i);
      char age[16] = "?";

      if (v->age >= 0)
        g_snprintf (age, sizeof age, "%d", v->age);
      g_print ("  %s  %s  %s", v->code != NULL ? v->code : "?", casedb_sex_to_key (v->sex), age);
      if (v->name != NULL)
        g_print ("  %s", v->name);
      if (v->guardian != NULL)
        g_print (_("  guardian: %s"), v->guardian);
      if (v->contact != NULL)
        g_print (_("  contact: %s"), v->contact);
      g_print ("\n");
    }

  for (guint i = 0; i < CASEDB_N_USES; i++)
    {
      if (c->consent.uses & (1u << i))
        {
          if (uses->len > 0)
            g_string_append (uses, ", ");
          g_string_append (uses, casedb_use_to_key (1u << i));
        }
    }
  g_print ("%s\n", _("Consent:"));
  print_field (_("  Given by:"), casedb_consent_by_to_key (c->consent.given_by));
  print_field (_("  Date:"), c->consent.date);
  print_field (_("  Informed:"), c->consent.informed ? _("yes") : _("no"));
  print_field (_("  Uses:"), uses->len > 0 ? uses->str : _("none"));
  print_field (_("  Withhold from:"), c->consent.withhold_from);
  print_field (_("  Reason:"), c->consent.withhold_reason);
  print_field (_("  Legal basis:"), c->consent.legal_basis);
  print_field (_("  Review by:"), c->consent.retention_review);
  print_field (_("Created:"), c->created);
  print_field (_("Updated:"), c->updated);
  print_field (_("Updated by:"), c->updated_by);

  casedb_store_close (ctx->store);
  return EXIT_OK;
}

static int
cmd_audit (CommandContext *ctx)
{
  static const CommandInfo info = {
    "audit", N_("DB"), N_("Shows the audit log (supervisors)."), NULL, N_("Your user name"),
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;

  if (!command_parse (ctx, &info, NULL))
    return EXIT_INPUT;

  if (!command_open_store (ctx, &error)
      || (entries = casedb_store_list_audit (ctx->store, &error)) == NULL)
    return fail_with (error);

  g_print ("%6s  %-27s  %-12s  %-16s  %s\n", _("ID"), _("TIME"), _("USER"), _("ACTION"), _("DETAIL"));
  for (guint i = 0; i < entries->len; i++)
    {
      CasedbAuditEntry *e = g_ptr_array_index (entries, i);

      g_print ("%6" G_GINT64_FORMAT "  %-27s  %-12s  %-16s  %s\n", e->id, e->time,
               e->user != NULL ? e->user : "-", e->action, e->detail != NULL ? e->detail : "");
    }
  casedb_store_close (ctx->store);
  return EXIT_OK;
}

static int
cmd_audit_verify (CommandContext *ctx)
{
  static const CommandInfo info = {
    "audit verify", N_("DB"), N_("Checks that no audit entry was changed, inserted or removed."),
    N_("Exit status 0 when the log is intact, 3 when it was tampered with."),
    N_("Your user name"),
  };
  g_autoptr(GError) error = NULL;
  guint n_entries = 0;

  if (!command_parse (ctx, &info, NULL))
    return EXIT_INPUT;

  if (!command_open_store (ctx, &error))
    return fail_with (error);
  if (!casedb_store_verify_audit (ctx->store, &n_entries, &error))
    {
      /* Any failure of the check itself means the log cannot be trusted. */
      print_error (error->message);
      return exit_code_for_error (error) == EXIT_DENIED ? EXIT_DENIED : EXIT_DAMAGED;
    }
  casedb_store_close (ctx->store);

  g_print (g_dngettext (GETTEXT_PACKAGE, "Audit log intact: %u entry\n",
                        "Audit log intact: %u entries\n", n_entries), n_entries);
  return EXIT_OK;
}

static int
cmd_rekey (CommandContext *ctx)
{
  static const CommandInfo info = {
    "rekey", N_("DB"), N_("Re-encrypts the database under new keys (supervisors)."),
    N_("Every user keeps their password.  Use it when a copy of the database or of\n"
       "a key may have leaked, or when a user with access has left."),
    N_("Your user name"),
  };
  g_autoptr(GError) error = NULL;

  if (!command_parse (ctx, &info, NULL))
    return EXIT_INPUT;

  if (!command_open_store (ctx, &error) || !casedb_store_rekey (ctx->store, &error))
    return fail_with (error);
  casedb_store_close (ctx->store);

  g_print (_("%s is now encrypted under new keys.\n"), ctx->pos[0]);
  return EXIT_OK;
}

/* One line, echoed on a terminal (it is not a secret).  read(2) byte by
 * byte, like casedb_secure_read_password(), so neither buffers ahead. */
static char *
read_confirmation (const char *prompt)
{
  GString *line = g_string_new (NULL);
  char c;

  if (isatty (STDIN_FILENO))
    {
      fputs (prompt, stderr);
      fflush (stderr);
    }
  while (line->len < 64)
    {
      ssize_t n = read (STDIN_FILENO, &c, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 || c == '\n')
        break;
      g_string_append_c (line, c);
    }
  if (line->len > 0 && line->str[line->len - 1] == '\r')
    g_string_truncate (line, line->len - 1);
  return g_string_free (line, FALSE);
}

static int
cmd_wipe (CommandContext *ctx)
{
  static const CommandInfo info = {
    "wipe", N_("DB"), N_("Destroys the database and its keys for good (supervisors)."),
    N_("Reads the password of --as, then asks for the word WIPE as confirmation;\n"
       "anything else stops with exit status 1 and changes nothing.\n"
       "The key file DB.keys is overwritten and deleted first: without it no copy\n"
       "of DB can be opened by anyone.  Then DB and its journal are overwritten and\n"
       "deleted.  Read “What wipe cannot promise” in the README."),
    N_("Supervisor doing it"),
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbSecureString) password = NULL;
  g_autofree char *prompt = NULL;
  g_autofree char *confirmation = NULL;
  gboolean ok;

  if (!command_parse (ctx, &info, NULL))
    return EXIT_INPUT;

  password = command_read_password (ctx, &error);
  if (password == NULL)
    return fail_with (error);

  prompt = g_strdup_printf (_("This destroys %s and every case in it, for good.\n"
                              "Type WIPE to go on: "), ctx->pos[0]);
  confirmation = read_confirmation (prompt);
  if (!g_str_equal (confirmation, "WIPE"))
    {
      print_error (_("Not confirmed with WIPE: nothing was changed"));
      return EXIT_INPUT;
    }

  ok = casedb_store_wipe (ctx->pos[0], ctx->as, password, &error);
  casedb_secure_clear (&password);
  if (!ok)
    return fail_with (error);

  g_print (_("Wiped %s and its key file.\n"), ctx->pos[0]);
  return EXIT_OK;
}

static int
cmd_demo (CommandContext *ctx)
{
  static const CommandInfo info = {
    "demo", N_("DB"), N_("Creates a demo database with fictional cases."),
    N_("The demo users’ passwords are published: never put real cases in it."),
    NULL,
  };
  g_autoptr(GError) error = NULL;
  const CasedbDemoUser *users;
  guint n_users = 0;
  gboolean existed;

  if (!command_parse (ctx, &info, NULL))
    return EXIT_INPUT;

  existed = g_file_test (ctx->pos[0], G_FILE_TEST_EXISTS);
  if (!casedb_demo_ensure (ctx->pos[0], &error))
    return fail_with (error);

  if (existed)
    g_print (_("%s already exists; it was not changed.\n"), ctx->pos[0]);
  else
    g_print (_("Created the demo database %s.\n"), ctx->pos[0]);

  g_print (_("Demo users (published passwords, fictional data only):\n"));
  users = casedb_demo_get_users (&n_users);
  for (guint i = 0; i < n_users; i++)
    g_print ("  %-8s %-12s %s\n", users[i].user, casedb_role_to_string (users[i].role),
             users[i].password);
  return EXIT_OK;
}

/* ---- exports, backups and transfers ---- */

#define DEFAULT_MIN_CELL 5

static int
export_summary (CasedbStore *store, CasedbPeriod period, guint min_cell,
                CasedbSummaryFormat format, const char *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbSummary) summary = NULL;
  g_autoptr(GBytes) bytes = NULL;
  guint excluded;

  summary = casedb_summary_new (store, period, min_cell, &error);
  if (summary == NULL)
    return fail_with (error);

  if (out != NULL)
    {
      if (!casedb_summary_write (summary, format, out, &error))
        return fail_with (error);
    }
  else
    {
      bytes = format == CASEDB_SUMMARY_JSON ? casedb_summary_to_json (summary)
                                            : casedb_summary_to_csv (summary);
      fwrite (g_bytes_get_data (bytes, NULL), 1, g_bytes_get_size (bytes), stdout);
      fflush (stdout);
    }

  excluded = casedb_summary_get_n_excluded (summary);
  g_printerr (g_dngettext (GETTEXT_PACKAGE,
                           "%u case left out: its consent does not allow statistics\n",
                           "%u cases left out: their consent does not allow statistics\n",
                           excluded), excluded);
  return EXIT_OK;
}

static int
cmd_export (CommandContext *ctx)
{
  static const CommandInfo info = {
    "export", N_("DB"), N_("Exports for the UN focal point: an anonymized summary or coded cases."),
    N_("--kind summary: counts per violation, period of the incident, region and\n"
       "verification; no case code, no identity.  Counts from 1 to K−1 are written\n"
       "“<K” (--min-cell K, default 5; 0 writes every count).  Drafts and cases whose\n"
       "consent does not allow statistics are left out (their number goes to stderr).\n"
       "CSV and JSON go to standard output without --out; PDF needs --out.\n"
       "\n"
       "--kind un: an encrypted package (--out FILE) with the non-draft cases whose\n"
       "consent allows sharing with the UN, coded fields only: codes, dates, region,\n"
       "violations and subtypes, perpetrator codes, victims’ codes, sex and age,\n"
       "verification and the coded summary.  --with-identities adds the victims’\n"
       "names, the location and the narrative of the cases whose consent ALSO allows\n"
       "sharing identities (audited as an identity read).  Reads the password of --as,\n"
       "then the package passphrase (at least 12 characters; twice on a terminal).\n"
       "Open it with “casedb-tool open-package”.  Supervisors only; audited."),
    N_("Your user name"),
  };
  g_autofree char *kind = NULL;
  g_autofree char *period_s = NULL;
  g_autofree char *format_s = NULL;
  g_autofree char *out = NULL;
  gboolean with_identities = FALSE;
  int min_cell = -1;
  const GOptionEntry entries[] = {
    { "kind", 0, 0, G_OPTION_ARG_STRING, &kind, N_("summary or un"), N_("KIND") },
    { "period", 0, 0, G_OPTION_ARG_STRING, &period_s, N_("summary: month (default), quarter or year"), N_("PERIOD") },
    { "min-cell", 0, 0, G_OPTION_ARG_INT, &min_cell, N_("summary: write counts below K as “<K”"), N_("K") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_s, N_("summary: csv (default), json or pdf"), N_("FORMAT") },
    { "with-identities", 0, 0, G_OPTION_ARG_NONE, &with_identities,
      N_("un: add identities where consent allows sharing them"), NULL },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, N_("File to write (never overwritten)"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbSecureString) passphrase = NULL;
  CasedbUnExportResult result;
  CasedbSummaryFormat format = CASEDB_SUMMARY_CSV;
  CasedbPeriod period = CASEDB_PERIOD_MONTH;
  gboolean un;
  gboolean ok = FALSE;
  int ret;

  if (!command_parse (ctx, &info, entries) || !require_option (kind, "--kind"))
    return EXIT_INPUT;

  if (g_strcmp0 (kind, "un") == 0)
    un = TRUE;
  else if (g_strcmp0 (kind, "summary") == 0)
    un = FALSE;
  else
    return usage_error (_("unknown kind “%s”: use summary or un"), kind);

  if (un)
    {
      if (period_s != NULL || format_s != NULL || min_cell != -1)
        return usage_error (_("--period, --min-cell and --format belong to --kind summary"));
      if (!require_option (out, "--out"))
        return EXIT_INPUT;
    }
  else
    {
      if (with_identities)
        return usage_error (_("a summary never holds identities: --with-identities belongs to --kind un"));
      if (period_s != NULL && !casedb_period_from_string (period_s, &period))
        return usage_error (_("unknown period “%s”: use month, quarter or year"), period_s);
      if (format_s != NULL && !casedb_summary_format_from_string (format_s, &format))
        return usage_error (_("unknown format “%s”: use csv, json or pdf"), format_s);
      if (min_cell < -1)
        return usage_error (_("--min-cell needs a number from 0 up"));
      if (format == CASEDB_SUMMARY_PDF && out == NULL)
        return usage_error (_("a PDF needs --out FILE"));
    }
  if (out != NULL && !require_new_file (out))
    return EXIT_INPUT;

  if (!command_open_store (ctx, &error)
      || !casedb_store_require (ctx->store, CASEDB_PERM_EXPORT, &error))
    return fail_with (error);

  if (!un)
    {
      ret = export_summary (ctx->store, period, min_cell < 0 ? DEFAULT_MIN_CELL : (guint) min_cell,
                            format, out);
      casedb_store_close (ctx->store);
      return ret;
    }

  if (with_identities && !casedb_store_require (ctx->store, CASEDB_PERM_READ_IDENTITY, &error))
    return fail_with (error);
  if ((passphrase = read_new_passphrase (&error)) != NULL)
    ok = casedb_export_un (ctx->store, out, passphrase, with_identities, NULL, &result, &error);
  casedb_secure_clear (&passphrase);
  if (!ok)
    return fail_with (error);
  casedb_store_close (ctx->store);

  g_print (g_dngettext (GETTEXT_PACKAGE, "Wrote %s: %u case", "Wrote %s: %u cases", result.n_cases),
           out, result.n_cases);
  if (with_identities)
    g_print (_(", %u with identities"), result.n_with_identities);
  g_print (".\n");
  g_printerr (g_dngettext (GETTEXT_PACKAGE,
                           "%u case left out: its consent does not allow sharing with the UN\n",
                           "%u cases left out: their consent does not allow sharing with the UN\n",
                           result.n_no_consent), result.n_no_consent);
  if (result.n_drafts > 0)
    g_printerr (g_dngettext (GETTEXT_PACKAGE, "%u draft left out\n", "%u drafts left out\n",
                             result.n_drafts), result.n_drafts);
  return EXIT_OK;
}

/* Writes @data to DIR/NAME: 0600, never over a file, never outside DIR. */
static gboolean
write_entry_file (const char *dir, const CasedbPackageEntry *entry, GError **error)
{
  g_autofree char *base = g_path_get_basename (entry->name);
  g_autofree char *path = NULL;
  const guint8 *data = entry->data;
  gsize len = entry->len;
  int fd;

  if (g_strcmp0 (base, entry->name) != 0 || entry->name[0] == '.')
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED,
                   _("The package holds a file with an unsafe name"));
      return FALSE;
    }
  path = g_build_filename (dir, base, NULL);
  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, CASEDB_ERROR, saved == EEXIST ? CASEDB_ERROR_EXISTS : CASEDB_ERROR_IO,
                   _("Could not create “%s”: %s"), path, g_strerror (saved));
      return FALSE;
    }
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;

          close (fd);
          g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_IO, _("Could not write “%s”: %s"),
                       path, g_strerror (saved));
          return FALSE;
        }
      data += n;
      len -= n;
    }
  if (close (fd) != 0)
    {
      int saved = errno;

      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_IO, _("Could not write “%s”: %s"),
                   path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static int
cmd_open_package (CommandContext *ctx)
{
  static const CommandInfo info = {
    "open-package", N_("FILE"), N_("Opens a package made for the UN focal point."),
    N_("Reads the passphrase.  Without --out, lists the files in the package; with\n"
       "--out -, writes their contents to standard output; with --out DIR, writes\n"
       "each file into DIR (created if needed; files 0600, never over an existing\n"
       "file).  Every byte of the package is checked first: a wrong passphrase gives\n"
       "exit status 2, a damaged or altered package exit status 3."),
    NULL,
  };
  g_autofree char *out = NULL;
  const GOptionEntry entries[] = {
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, N_("Folder to write to, or - for standard output"), N_("DIR") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(CasedbSecureString) passphrase = NULL;

  if (!command_parse (ctx, &info, entries))
    return EXIT_INPUT;

  if ((passphrase = read_passphrase (&error)) != NULL)
    files = casedb_package_read (ctx->pos[0], CASEDB_PACKAGE_UN_EXPORT, passphrase, &error);
  casedb_secure_clear (&passphrase);
  if (files == NULL)
    return fail_with (error);

  if (out != NULL && g_strcmp0 (out, "-") != 0 && g_mkdir_with_parents (out, 0700) != 0)
    {
      int saved = errno;

      g_printerr (_("casedb-tool: could not create “%s”: %s\n"), out, g_strerror (saved));
      return EXIT_INPUT;
    }

  for (guint i = 0; i < files->len; i++)
    {
      CasedbPackageEntry *e = g_ptr_array_index (files, i);

      if (out == NULL)
        g_print ("%-24s %" G_GSIZE_FORMAT "\n", e->name, e->len);
      else if (g_strcmp0 (out, "-") == 0)
        fwrite (e->data, 1, e->len, stdout);
      else if (!write_entry_file (out, e, &error))
        return fail_with (error);
    }
  return EXIT_OK;
}

static int
cmd_backup (CommandContext *ctx)
{
  static const CommandInfo info = {
    "backup", N_("DB DEST"), N_("Writes an encrypted backup of the database and its keys."),
    N_("Reads the password of --as, then the backup passphrase (at least 12\n"
       "characters; twice on a terminal).  DEST must not exist.  The backup holds DB\n"
       "and DB.keys exactly as they are on disk (still encrypted) inside a package\n"
       "sealed with the passphrase: keep the passphrase apart from the backup.\n"
       "Supervisors only; audited."),
    N_("Supervisor doing it"),
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbSecureString) passphrase = NULL;
  g_autoptr(CasedbBackupInfo) backup = NULL;
  gboolean ok = FALSE;

  if (!command_parse (ctx, &info, NULL) || !require_new_file (ctx->pos[1]))
    return EXIT_INPUT;

  if (!command_open_store (ctx, &error)
      || !casedb_store_require (ctx->store, CASEDB_PERM_BACKUP, &error))
    return fail_with (error);
  if ((passphrase = read_new_passphrase (&error)) != NULL)
    ok = casedb_backup_create (ctx->store, ctx->pos[1], passphrase, NULL, &backup, &error);
  casedb_secure_clear (&passphrase);
  if (!ok)
    return fail_with (error);
  casedb_store_close (ctx->store);

  g_print (g_dngettext (GETTEXT_PACKAGE, "Wrote the backup %s: %u case.\n",
                        "Wrote the backup %s: %u cases.\n", backup->n_cases),
           ctx->pos[1], backup->n_cases);
  return EXIT_OK;
}

static int
cmd_verify_backup (CommandContext *ctx)
{
  static const CommandInfo info = {
    "verify-backup", N_("FILE"), N_("Checks that a backup is whole and can be restored."),
    N_("Reads the backup passphrase.  Checks every part of the package, the\n"
       "manifest, the size and SHA-256 of the database and key files, and that the\n"
       "key file belongs to the database.  Exit status 0 when intact, 2 for a wrong\n"
       "passphrase, 3 when damaged."),
    NULL,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbSecureString) passphrase = NULL;
  g_autoptr(CasedbBackupInfo) backup = NULL;

  if (!command_parse (ctx, &info, NULL))
    return EXIT_INPUT;

  if ((passphrase = read_passphrase (&error)) != NULL)
    backup = casedb_backup_verify (ctx->pos[0], passphrase, &error);
  casedb_secure_clear (&passphrase);
  if (backup == NULL)
    return fail_with (error);

  g_print (g_dngettext (GETTEXT_PACKAGE,
                        "Backup intact: database %s, %u case, made %s by CaseDB %s.\n",
                        "Backup intact: database %s, %u cases, made %s by CaseDB %s.\n",
                        backup->n_cases),
           backup->database_id, backup->n_cases, backup->created,
           backup->casedb_version != NULL ? backup->casedb_version : "?");
  return EXIT_OK;
}

static int
cmd_restore (CommandContext *ctx)
{
  static const CommandInfo info = {
    "restore", N_("FILE DEST_DB"), N_("Restores a backup as a new database."),
    N_("Reads the backup passphrase, checks the backup as verify-backup does, then\n"
       "writes DEST_DB and DEST_DB.keys (0600).  Neither may exist: a restore never\n"
       "overwrites a database.  Every user keeps the password they had when the\n"
       "backup was made."),
    NULL,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbSecureString) passphrase = NULL;
  g_autoptr(CasedbBackupInfo) backup = NULL;

  if (!command_parse (ctx, &info, NULL))
    return EXIT_INPUT;

  if ((passphrase = read_passphrase (&error)) != NULL)
    backup = casedb_backup_restore (ctx->pos[0], passphrase, ctx->pos[1], &error);
  casedb_secure_clear (&passphrase);
  if (backup == NULL)
    return fail_with (error);

  g_print (g_dngettext (GETTEXT_PACKAGE, "Restored %u case to %s (backup made %s).\n",
                        "Restored %u cases to %s (backup made %s).\n", backup->n_cases),
           backup->n_cases, ctx->pos[1], backup->created);
  return EXIT_OK;
}

static int
cmd_transfer_export (CommandContext *ctx)
{
  static const CommandInfo info = {
    "transfer export", N_("DB"), N_("Writes the cases changed since the last transfer, for the main office."),
    N_("A field office sends its new and changed cases, with their identities, to\n"
       "the main office in an encrypted package (--out FILE, never overwritten).\n"
       "--all sends every case (use it when a package was lost).  Reads the password\n"
       "of --as, then the package passphrase (at least 12 characters; twice on a\n"
       "terminal).  Supervisors only; audited.  Deletions are not sent."),
    N_("Supervisor doing it"),
  };
  g_autofree char *out = NULL;
  gboolean all = FALSE;
  const GOptionEntry entries[] = {
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, N_("Package to write"), N_("FILE") },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Every case, not only the changed ones"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbSecureString) passphrase = NULL;
  guint n_cases = 0;
  gboolean ok = FALSE;

  if (!command_parse (ctx, &info, entries) || !require_option (out, "--out")
      || !require_new_file (out))
    return EXIT_INPUT;

  if (!command_open_store (ctx, &error)
      || !casedb_store_require (ctx->store, CASEDB_PERM_EXPORT, &error)
      || !casedb_store_require (ctx->store, CASEDB_PERM_READ_IDENTITY, &error))
    return fail_with (error);
  if ((passphrase = read_new_passphrase (&error)) != NULL)
    ok = casedb_transfer_export (ctx->store, out, passphrase, all, NULL, &n_cases, &error);
  casedb_secure_clear (&passphrase);
  if (!ok)
    return fail_with (error);
  casedb_store_close (ctx->store);

  g_print (g_dngettext (GETTEXT_PACKAGE, "Wrote %s: %u case.\n", "Wrote %s: %u cases.\n", n_cases),
           out, n_cases);
  return EXIT_OK;
}

static void
print_conflict_header (void)
{
  g_print ("%-36s  %-14s  %-27s  %s\n", _("UUID"), _("CODE"), _("RECEIVED"), _("FROM DATABASE"));
}

static int
cmd_transfer_import (CommandContext *ctx)
{
  static const CommandInfo info = {
    "transfer import", N_("DB FILE"), N_("Merges a transfer package from a field office."),
    N_("Cases are matched by their identifier: new ones are added (keeping their\n"
       "code when it is free here), cases not changed here since the last transfer\n"
       "are updated, and a case changed on both sides becomes a conflict that is\n"
       "never overwritten: list them with “transfer conflicts”, settle them with\n"
       "“transfer resolve”.  --dry-run shows what would happen.  Reads the password\n"
       "of --as, then the package passphrase.  Supervisors only; audited."),
    N_("Supervisor doing it"),
  };
  gboolean dry_run = FALSE;
  const GOptionEntry entries[] = {
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, N_("Store nothing, show what would happen"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbSecureString) passphrase = NULL;
  g_autoptr(CasedbTransferBundle) bundle = NULL;
  g_autoptr(GPtrArray) items = NULL;
  guint counts[CASEDB_MERGE_CONFLICT + 1] = { 0, };

  if (!command_parse (ctx, &info, entries))
    return EXIT_INPUT;

  if (!command_open_store (ctx, &error)
      || !casedb_store_require (ctx->store, CASEDB_PERM_EXPORT, &error))
    return fail_with (error);
  if ((passphrase = read_passphrase (&error)) != NULL)
    bundle = casedb_transfer_bundle_open (ctx->pos[1], passphrase, &error);
  casedb_secure_clear (&passphrase);
  if (bundle == NULL)
    return fail_with (error);

  items = dry_run ? casedb_transfer_preview (ctx->store, bundle, &error)
                  : casedb_transfer_import (ctx->store, bundle, &error);
  if (items == NULL)
    return fail_with (error);

  for (guint i = 0; i < items->len; i++)
    counts[((CasedbTransferItem *) g_ptr_array_index (items, i))->action]++;
  g_print (dry_run ? _("Would merge %u cases from database %s: %u new, %u updated, %u unchanged, %u conflicts.\n")
                   : _("Merged %u cases from database %s: %u new, %u updated, %u unchanged, %u conflicts.\n"),
           items->len, casedb_transfer_bundle_get_sender (bundle), counts[CASEDB_MERGE_NEW],
           counts[CASEDB_MERGE_UPDATE], counts[CASEDB_MERGE_SAME], counts[CASEDB_MERGE_CONFLICT]);
  for (guint i = 0; i < items->len; i++)
    {
      CasedbTransferItem *t = g_ptr_array_index (items, i);

      if (t->action == CASEDB_MERGE_CONFLICT)
        g_print (_("Conflict: %s (here %s, there %s)\n"), t->uuid,
                 t->code != NULL ? t->code : _("deleted"), t->sender_code != NULL ? t->sender_code : "?");
    }
  casedb_store_close (ctx->store);
  return EXIT_OK;
}

static int
cmd_transfer_conflicts (CommandContext *ctx)
{
  static const CommandInfo info = {
    "transfer conflicts", N_("DB"), N_("Lists the cases changed both here and at another office."),
    NULL, N_("Supervisor doing it"),
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;

  if (!command_parse (ctx, &info, NULL))
    return EXIT_INPUT;

  if (!command_open_store (ctx, &error)
      || (conflicts = casedb_store_list_conflicts (ctx->store, &error)) == NULL)
    return fail_with (error);

  print_conflict_header ();
  for (guint i = 0; i < conflicts->len; i++)
    {
      CasedbConflictInfo *c = g_ptr_array_index (conflicts, i);

      g_print ("%-36s  %-14s  %-27s  %s\n", c->uuid, c->code != NULL ? c->code : _("(deleted)"),
               c->received, c->peer);
    }
  casedb_store_close (ctx->store);
  return EXIT_OK;
}

static int
cmd_transfer_resolve (CommandContext *ctx)
{
  static const CommandInfo info = {
    "transfer resolve", N_("DB UUID"), N_("Settles a transfer conflict."),
    N_("--keep mine keeps this database’s version (the next change from that office\n"
       "is a conflict again); --keep theirs replaces it with the other office’s.\n"
       "--from names the sending database when several sent a version."),
    N_("Supervisor doing it"),
  };
  g_autofree char *keep = NULL;
  g_autofree char *from = NULL;
  const GOptionEntry entries[] = {
    { "keep", 0, 0, G_OPTION_ARG_STRING, &keep, N_("mine or theirs"), N_("WHICH") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, N_("The sending database’s id"), N_("ID") },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  gboolean theirs;

  if (!command_parse (ctx, &info, entries) || !require_option (keep, "--keep"))
    return EXIT_INPUT;
  if (g_strcmp0 (keep, "theirs") == 0)
    theirs = TRUE;
  else if (g_strcmp0 (keep, "mine") == 0)
    theirs = FALSE;
  else
    return usage_error (_("--keep needs mine or theirs, not “%s”"), keep);

  if (!command_open_store (ctx, &error)
      || !casedb_transfer_resolve (ctx->store, ctx->pos[1], from, theirs, &error))
    return fail_with (error);
  casedb_store_close (ctx->store);

  g_print (theirs ? _("Took the other office’s version of %s.\n")
                  : _("Kept this database’s version of %s.\n"), ctx->pos[1]);
  return EXIT_OK;
}

/* ---- dispatch ---- */

typedef int (*CommandFunc) (CommandContext *ctx);

static const struct {
  const char  *word1;
  const char  *word2;   /* NULL: one word */
  CommandFunc  func;
  const char  *usage;
} commands[] = {
  { "init", NULL, cmd_init, N_("init DB --admin NAME") },
  { "user", "add", cmd_user_add, N_("user add DB --as NAME --user NEW --role ROLE") },
  { "user", "remove", cmd_user_remove, N_("user remove DB --as NAME --user OLD") },
  { "user", "list", cmd_user_list, N_("user list DB --as NAME") },
  { "passwd", NULL, cmd_passwd, N_("passwd DB --user NAME") },
  { "import", NULL, cmd_import, N_("import DB --as NAME FILE.csv") },
  { "list", NULL, cmd_list, N_("list DB --as NAME [--violation KEY] [--from DATE] [--to DATE] [--format csv|json]") },
  { "show", NULL, cmd_show, N_("show DB --as NAME CASE_CODE") },
  { "audit", "verify", cmd_audit_verify, N_("audit verify DB --as NAME") },
  { "audit", NULL, cmd_audit, N_("audit DB --as NAME") },
  { "rekey", NULL, cmd_rekey, N_("rekey DB --as NAME") },
  { "wipe", NULL, cmd_wipe, N_("wipe DB --as NAME") },
  { "demo", NULL, cmd_demo, N_("demo DB") },
  { "export", NULL, cmd_export, N_("export DB --as NAME --kind summary|un [--period month|quarter|year] [--min-cell K] [--format csv|json|pdf] [--with-identities] [--out FILE]") },
  { "open-package", NULL, cmd_open_package, N_("open-package FILE [--out DIR|-]") },
  { "backup", NULL, cmd_backup, N_("backup DB --as NAME DEST") },
  { "verify-backup", NULL, cmd_verify_backup, N_("verify-backup FILE") },
  { "restore", NULL, cmd_restore, N_("restore FILE DEST_DB") },
  { "transfer", "export", cmd_transfer_export, N_("transfer export DB --as NAME --out FILE [--all]") },
  { "transfer", "import", cmd_transfer_import, N_("transfer import DB --as NAME FILE [--dry-run]") },
  { "transfer", "conflicts", cmd_transfer_conflicts, N_("transfer conflicts DB --as NAME") },
  { "transfer", "resolve", cmd_transfer_resolve, N_("transfer resolve DB --as NAME UUID --keep mine|theirs [--from ID]") },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n", _("Usage: casedb-tool COMMAND [OPTION…]"));
  fprintf (out, "\n%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  casedb-tool %s\n", _(commands[i].usage));
  fprintf (out, "\n%s\n",
           _("Passwords are read from the terminal without echo, or one line each from\n"
             "standard input.  “casedb-tool COMMAND --help” describes a command.\n"
             "Exit status: 0 success; 1 bad usage or input; 2 wrong password or not\n"
             "permitted; 3 damaged database."));
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (!casedb_core_init (&error))
    {
      print_error (error->message);
      return EXIT_INPUT;
    }

  if (argc < 2)
    {
      print_usage (stderr);
      return EXIT_INPUT;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    {
      print_usage (stdout);
      return EXIT_OK;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("casedb-tool %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(CommandContext) ctx = { 0, };
      int n_words = commands[i].word2 == NULL ? 2 : 3;

      if (!g_str_equal (argv[1], commands[i].word1)
          || (n_words == 3 && (argc < 3 || !g_str_equal (argv[2], commands[i].word2))))
        continue;
      ctx.argc = argc - n_words;
      ctx.argv = argv + n_words;
      return commands[i].func (&ctx);
    }

  if (g_str_equal (argv[1], "user"))
    print_error (_("user needs add, remove or list"));
  else if (g_str_equal (argv[1], "transfer"))
    print_error (_("transfer needs export, import, conflicts or resolve"));
  else
    g_printerr (_("casedb-tool: unknown command “%s”\n"), argv[1]);
  print_usage (stderr);
  return EXIT_INPUT;
}
