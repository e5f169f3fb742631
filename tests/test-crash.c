/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#include "casedb-import-fixture.h"
#include "casedb-test-util.h"

/*
 * Crash safety: casedb-tool (CASEDB_TOOL) is killed with SIGKILL at random
 * moments of an import, a password change and a rekey.  After every kill
 * the database must open, pass PRAGMA integrity_check and its audit chain,
 * and hold a state the user can live with: all of the import file or none
 * of it; the old or the new password; the old or the new keyring, with
 * every identity still readable.
 *
 * The random moments come from a GRand with a fixed seed, printed so that a
 * failure can be replayed: CASEDB_CRASH_SEED=N overrides it.
 *
 * The database is made with the cheap test cost; the tool unlocks each slot
 * with the cost stored in it, so unlocks stay cheap.  casedb-tool passwd
 * gives the changed slot the full default cost (about half a second): that
 * test restores the database after every run and keeps its runs few.
 */

#define DEFAULT_SEED     20240605u
/* Under valgrind (CASEDB_UNDER_VALGRIND) a fifth of each: memcheck looks
 * at this process, not at the tool it kills. */
static guint n_cases = 1500;          /* two rows each: a 3,000-row file */
static guint n_import_kills = 25;
static guint n_passwd_kills = 10;
static guint n_rekey_kills = 20;
#define MARKER           "Zzcrash"

static GRand   *rng;
static guint32  seed;

static const char * const users[][2] = {
  { "sara", "sara-password" },     /* supervisor */
  { "karim", "karim-password" },   /* caseworker */
  { "lina", "lina-password" },     /* analyst */
};

/* ---- helpers ---- */

static char *
case_ref (guint i)
{
  return g_strdup_printf ("CRASH-%04u", i);
}

static char *
victim_name (guint i, char which)
{
  return g_strdup_printf (MARKER " Victim%u%c (fictional)", i, which);
}

/* n_cases cases of two victims each, one row per victim.  Every 50th case
 * names its perpetrator, which the import maps to a code-book entry. */
static char *
make_csv (void)
{
  GString *csv = g_string_new (NULL);

  fixture_append_header (csv);
  for (guint i = 0; i < n_cases; i++)
    {
      g_autofree char *ref = case_ref (i);
      g_autofree char *a = victim_name (i, 'a');
      g_autofree char *b = victim_name (i, 'b');
      g_autofree char *party = g_strdup_printf ("Commander %u " MARKER " (fictional)", i % 7);
      FixtureRow row = fixture_row (ref);

      row.v[FX_NARRATIVE] = MARKER " narrative, told by a relative\nover two lines";
      if (i % 50 == 0)
        row.v[FX_PERPETRATOR_PARTY] = party;
      row.v[FX_VICTIM_NAME] = a;
      fixture_append_row (csv, &row);
      row.v[FX_VICTIM_NAME] = b;
      row.v[FX_VICTIM_SEX] = "male";
      fixture_append_row (csv, &row);
    }
  return g_string_free (csv, FALSE);
}

static void
copy_file (const char *from, const char *to)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (from, &contents, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents (to, contents, len, &error);
  g_assert_no_error (error);
}

typedef struct {
  char *dir;
  char *path;
  char *keys;
  char *journal;
  char *saved;        /* a copy of path, to start over from */
  char *saved_keys;
} Db;

static void
db_init (Db *db, const char *dir)
{
  db->dir = g_strdup (dir);
  db->path = g_build_filename (dir, "office.casedb", NULL);
  db->keys = casedb_store_keyslots_path (db->path);
  db->journal = g_strconcat (db->path, "-journal", NULL);
  db->saved = g_build_filename (dir, "saved.casedb", NULL);
  db->saved_keys = casedb_store_keyslots_path (db->saved);
}

static void
db_clear (Db *db)
{
  g_free (db->dir);
  g_free (db->path);
  g_free (db->keys);
  g_free (db->journal);
  g_free (db->saved);
  g_free (db->saved_keys);
}

static void
db_save (Db *db)
{
  g_assert_false (g_file_test (db->journal, G_FILE_TEST_EXISTS));
  copy_file (db->path, db->saved);
  copy_file (db->keys, db->saved_keys);
}

static void
db_restore (Db *db)
{
  g_unlink (db->journal);
  copy_file (db->saved, db->path);
  copy_file (db->saved_keys, db->keys);
}

/* A database with the three users and the cheap cost. */
static void
db_create (Db *db)
{
  g_autoptr(CasedbStore) store = casedb_test_create_store (db->path, users[0][0], users[0][1]);

  casedb_test_add_user (store, users[1][0], CASEDB_ROLE_CASEWORKER, users[1][1]);
  casedb_test_add_user (store, users[2][0], CASEDB_ROLE_ANALYST, users[2][1]);
  casedb_store_close (store);
}

/* Leftovers of key-slot saves cut short ("DB.keys.XXXXXX"). */
static guint
count_keyslot_temps (Db *db)
{
  g_autoptr(GDir) d = g_dir_open (db->dir, 0, NULL);
  g_autofree char *base = g_path_get_basename (db->keys);
  const char *name;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, base) && strlen (name) == strlen (base) + 7)
      n++;
  return n;
}

/* ---- running the tool ---- */

/* When to kill: @at seconds after the start, or @after seconds after the
 * journal first grew to @journal_size bytes (a write of that size is under
 * way).  Both < 0: let it run. */
typedef struct {
  double at;
  double after;
  gint64 journal_size;
} Plan;

typedef struct {
  gboolean  killed;
  int       status;       /* exit status when not killed */
  double    seconds;      /* until it ended or was killed */
  gboolean  mid_write;    /* the journal existed when it was killed */
  char     *err;
} Run;

typedef struct {
  GMainLoop   *loop;
  GSubprocess *proc;
  const Plan  *plan;
  const char  *journal;
  gint64       start;
  gint64       kill_at;     /* monotonic time, 0 not yet known */
  gboolean     ended;
  gboolean     mid_write;
} Runner;

static void
runner_wait_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Runner *r = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  r->ended = TRUE;
  g_main_loop_quit (r->loop);
}

static gboolean
runner_poll_cb (gpointer user_data)
{
  Runner *r = user_data;
  gint64 now = g_get_monotonic_time ();
  GStatBuf st;

  if (r->ended)
    return G_SOURCE_REMOVE;

  if (r->kill_at == 0 && r->plan->after >= 0 &&
      g_stat (r->journal, &st) == 0 && st.st_size >= r->plan->journal_size)
    r->kill_at = now + (gint64) (r->plan->after * G_USEC_PER_SEC);

  if (r->kill_at != 0 && now >= r->kill_at)
    {
      r->mid_write = g_file_test (r->journal, G_FILE_TEST_EXISTS);
      g_subprocess_force_exit (r->proc);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* Runs casedb-tool @args with @input on stdin and kills it with SIGKILL as
 * @plan says, unless it ends first.  @journal: the database's -journal. */
static void
run_tool (Run *run, const char *input, const Plan *plan, const char *journal,
          const char * const *args)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (context, FALSE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GSource) poll = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) err = NULL;
  GOutputStream *in;
  const char *tool = g_getenv ("CASEDB_TOOL");
  Runner r = { loop, NULL, plan, journal, 0, 0, FALSE, FALSE };

  g_assert_nonnull (tool);
  g_ptr_array_add (argv, (char *) tool);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  memset (run, 0, sizeof *run);
  g_main_context_push_thread_default (context);

  r.start = g_get_monotonic_time ();
  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                            | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  r.proc = proc;
  if (plan->at >= 0)
    r.kill_at = r.start + (gint64) (plan->at * G_USEC_PER_SEC);

  /* A few bytes: they fit the pipe whatever the child does. */
  in = g_subprocess_get_stdin_pipe (proc);
  g_output_stream_write_all (in, input, strlen (input), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (in, NULL, &error);
  g_assert_no_error (error);

  g_subprocess_wait_async (proc, NULL, runner_wait_cb, &r);
  poll = g_timeout_source_new (1);
  g_source_set_callback (poll, runner_poll_cb, &r, NULL);
  g_source_attach (poll, context);
  g_main_loop_run (loop);
  g_source_destroy (poll);

  g_main_context_pop_thread_default (context);

  run->seconds = (g_get_monotonic_time () - r.start) / (double) G_USEC_PER_SEC;
  run->killed = g_subprocess_get_if_signaled (proc);
  if (run->killed)
    {
      g_assert_cmpint (g_subprocess_get_term_sig (proc), ==, SIGKILL);
      run->mid_write = r.mid_write;
    }
  else
    {
      g_assert_true (g_subprocess_get_if_exited (proc));
      run->status = g_subprocess_get_exit_status (proc);
    }

  err = g_input_stream_read_bytes (g_subprocess_get_stderr_pipe (proc), 4096, NULL, NULL);
  run->err = err != NULL ? g_strndup (g_bytes_get_data (err, NULL), g_bytes_get_size (err))
                         : g_strdup ("");
}

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->err, g_free);
}

/* The median time of three uninterrupted runs; @reset restores the state. */
static double
measure (Db *db, const char *input, const char * const *args, void (*reset) (Db *db))
{
  const Plan never = { -1, -1, 0 };
  double t[3];

  for (guint i = 0; i < 3; i++)
    {
      Run run;

      run_tool (&run, input, &never, db->journal, args);
      if (run.status != 0)
        g_error ("casedb-tool %s failed: %s", args[0], run.err);
      t[i] = run.seconds;
      run_clear (&run);
      if (reset != NULL)
        reset (db);
    }
  return MAX (MIN (t[0], t[1]), MIN (MAX (t[0], t[1]), t[2]));
}

/* A third of the kills anywhere in the run, a third in its last part,
 * a third soon after a write of @journal_size bytes got under way. */
static Plan
pick_plan (double full, gint64 journal_size, guint i)
{
  Plan plan = { -1, -1, journal_size };

  switch (i % 3)
    {
    case 0:
      plan.at = g_rand_double_range (rng, 0, full);
      break;
    case 1:
      plan.at = g_rand_double_range (rng, full * 0.6, full);
      break;
    default:
      plan.after = g_rand_double_range (rng, 0, full / 4);
      break;
    }
  return plan;
}

/* ---- checks ---- */

static CasedbStore *
open_as (Db *db, guint user, const char *password)
{
  g_autoptr(GError) error = NULL;
  CasedbStore *store = casedb_store_open (db->path, users[user][0],
                                          password != NULL ? password : users[user][1], &error);

  if (store == NULL)
    g_error ("%s cannot unlock (seed %u): %s", users[user][0], seed, error->message);
  return store;
}

static gint64
query_int (CasedbStore *store, const char *sql)
{
  sqlite3 *db = casedb_store_get_db_handle (store);
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* PRAGMA integrity_check, and the audit chain for a role that may read it. */
static void
assert_sound (CasedbStore *store)
{
  sqlite3 *db = casedb_store_get_db_handle (store);
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GError) error = NULL;
  guint n_entries = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check;", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);

  if (casedb_store_can (store, CASEDB_PERM_READ_AUDIT) &&
      !casedb_store_verify_audit (store, &n_entries, &error))
    g_error ("audit chain (seed %u): %s", seed, error->message);
}

static guint
count_file_cases (CasedbStore *store, gint64 *n_victims)
{
  *n_victims = query_int (store, "SELECT count(*) FROM victims v JOIN cases c ON c.id = v.case_id"
                                 " WHERE c.reference LIKE 'CRASH-%'");
  return (guint) query_int (store, "SELECT count(*) FROM cases WHERE reference LIKE 'CRASH-%'");
}

/* The identities of case @i read back right (needs the identity key). */
static void
assert_identities (CasedbStore *store, guint i)
{
  g_autofree char *ref = case_ref (i);
  g_autofree char *a = victim_name (i, 'a');
  g_autofree char *b = victim_name (i, 'b');
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) rows = NULL;
  g_autoptr(CasedbCaseRow) row = NULL;
  g_autoptr(GPtrArray) names = NULL;
  CasedbQuery query = CASEDB_QUERY_INIT;

  query.text = ref;
  rows = casedb_store_list_cases (store, &query, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 1);
  row = g_list_model_get_item (rows, 0);

  names = casedb_store_get_victim_names (store, casedb_case_row_get_id (row), FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (names);
  g_assert_cmpuint (names->len, ==, 2);
  g_assert_true ((g_strcmp0 (g_ptr_array_index (names, 0), a) == 0 &&
                  g_strcmp0 (g_ptr_array_index (names, 1), b) == 0) ||
                 (g_strcmp0 (g_ptr_array_index (names, 0), b) == 0 &&
                  g_strcmp0 (g_ptr_array_index (names, 1), a) == 0));
}

static void
print_seed (void)
{
  g_test_message ("seed %u (set CASEDB_CRASH_SEED to replay)", seed);
}

/* ---- import ---- */

static void
test_crash_import (void)
{
  g_autofree char *dir = casedb_test_mkdtemp ();
  g_autofree char *csv_path = g_build_filename (dir, "cases.csv", NULL);
  g_autofree char *csv = make_csv ();
  const char *args[] = { "import", NULL, "--as", "sara", NULL, NULL };
  guint n_none = 0, n_all = 0, n_mid_write = 0, n_ended = 0;
  double full;
  Db db;

  print_seed ();
  db_init (&db, dir);
  db_create (&db);
  db_save (&db);
  g_assert_true (g_file_set_contents (csv_path, csv, -1, NULL));
  args[1] = db.path;
  args[4] = csv_path;

  full = measure (&db, "sara-password\n", args, db_restore);

  for (guint i = 0; i < n_import_kills; i++)
    {
      g_autoptr(CasedbStore) store = NULL;
      Plan plan = pick_plan (full, 64 * 1024, i);
      gint64 n_victims = 0;
      guint n;
      Run run;

      run_tool (&run, "sara-password\n", &plan, db.journal, args);
      if (!run.killed && run.status != 0)
        g_error ("import %u (not killed) failed: %s", i, run.err);
      n_mid_write += run.mid_write;

      store = open_as (&db, 0, NULL);
      assert_sound (store);
      n = count_file_cases (store, &n_victims);
      if (n != 0 && n != n_cases)
        g_error ("import killed after %.3f s (seed %u): %u of %u cases stored",
                 run.seconds, seed, n, n_cases);
      g_assert_cmpint (n_victims, ==, 2 * (gint64) n);
      if (!run.killed)
        {
          g_assert_cmpuint (n, ==, n_cases);
          n_ended++;
        }
      if (n == n_cases)
        assert_identities (store, g_rand_int_range (rng, 0, n_cases));
      casedb_store_close (store);

      if (n == n_cases)
        {
          n_all++;
          db_restore (&db);
        }
      else
        n_none++;
      run_clear (&run);
    }

  g_test_message ("import of %u rows: %.2f s; %u runs: %u left none, %u all (%u were not killed); "
                  "%u killed while writing; %u key-slot temp files left",
                  2 * n_cases, full, n_import_kills, n_none, n_all, n_ended, n_mid_write,
                  count_keyslot_temps (&db));

  casedb_test_rmtree (dir);
  db_clear (&db);
}

/* ---- passwd ---- */

static void
test_crash_passwd (void)
{
  g_autofree char *dir = casedb_test_mkdtemp ();
  const char *args[] = { "passwd", NULL, "--user", "karim", NULL };
  const char *input = "karim-password\nkarim-new-password\n";
  guint n_old = 0, n_new = 0, n_mid_write = 0;
  double full;
  Db db;

  print_seed ();
  db_init (&db, dir);
  db_create (&db);
  {
    g_autoptr(CasedbStore) store = open_as (&db, 0, NULL);
    g_autoptr(GError) error = NULL;

    for (guint i = 0; i < 20; i++)
      {
        g_autofree char *ref = case_ref (i);
        g_autoptr(CasedbCase) c = casedb_test_make_case (ref, "2024-01-01", CASEDB_VIOLATION_ABDUCTION);

        g_assert_true (casedb_store_save_case (store, c, &error));
        g_assert_no_error (error);
      }
    casedb_store_close (store);
  }
  db_save (&db);
  args[1] = db.path;

  full = measure (&db, input, args, db_restore);

  for (guint i = 0; i < n_passwd_kills; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CasedbStore) store = NULL;
      Plan plan = pick_plan (full, 1, i);
      Run run;

      run_tool (&run, input, &plan, db.journal, args);
      if (!run.killed && run.status != 0)
        g_error ("passwd %u (not killed) failed: %s", i, run.err);
      n_mid_write += run.mid_write;

      /* The others are untouched; karim has exactly one of his two. */
      for (guint u = 0; u < G_N_ELEMENTS (users); u += 2)
        {
          store = open_as (&db, u, NULL);
          assert_sound (store);
          g_assert_cmpint (query_int (store, "SELECT count(*) FROM cases"), ==, 20);
          casedb_store_close (store);
          g_clear_object (&store);
        }

      store = casedb_store_open (db.path, "karim", "karim-password", &error);
      if (store != NULL)
        {
          g_assert_true (run.killed);
          n_old++;
        }
      else
        {
          g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_WRONG_PASSWORD);
          g_clear_error (&error);
          store = open_as (&db, 1, "karim-new-password");
          n_new++;
        }
      g_assert_cmpint (query_int (store, "SELECT count(*) FROM cases"), ==, 20);
      casedb_store_close (store);
      run_clear (&run);

      /* The new slot has the full cost: start over from the cheap one. */
      db_restore (&db);
    }

  g_test_message ("passwd: %.2f s; %u runs: %u kept the old password, %u have the new one; "
                  "%u killed while writing; %u key-slot temp files left",
                  full, n_passwd_kills, n_old, n_new, n_mid_write, count_keyslot_temps (&db));

  casedb_test_rmtree (dir);
  db_clear (&db);
}

/* ---- rekey ---- */

static guint
keyslots_generation (Db *db, gboolean *pending)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbKeyslots) slots = casedb_keyslots_load (db->keys, &error);

  g_assert_no_error (error);
  *pending = casedb_keyslots_has_pending (slots);
  return casedb_keyslots_get_generation (slots);
}

/* Every user unlocks (the first one to do so finishes or drops an
 * interrupted rekey), nothing is lost, identities still open. */
static void
check_after_rekey (Db *db, guint first_user)
{
  gboolean pending = FALSE;

  for (guint k = 0; k < G_N_ELEMENTS (users); k++)
    {
      guint u = (first_user + k) % G_N_ELEMENTS (users);
      g_autoptr(CasedbStore) store = open_as (db, u, NULL);
      gint64 n_victims = 0;

      assert_sound (store);
      g_assert_cmpuint (count_file_cases (store, &n_victims), ==, n_cases);
      g_assert_cmpint (n_victims, ==, 2 * n_cases);
      if (casedb_store_can (store, CASEDB_PERM_READ_IDENTITY))
        {
          assert_identities (store, 0);
          assert_identities (store, g_rand_int_range (rng, 0, n_cases));
        }
      casedb_store_close (store);
    }

  keyslots_generation (db, &pending);
  g_assert_false (pending);
}

static void
test_crash_rekey (void)
{
  g_autofree char *dir = casedb_test_mkdtemp ();
  g_autofree char *csv_path = g_build_filename (dir, "cases.csv", NULL);
  g_autofree char *csv = make_csv ();
  const char *args[] = { "rekey", NULL, "--as", "sara", NULL };
  guint n_unchecked = 0, n_mid_write = 0;
  guint gen_start, gen_end;
  gboolean pending;
  double full;
  Db db;

  print_seed ();
  db_init (&db, dir);
  db_create (&db);
  g_assert_true (g_file_set_contents (csv_path, csv, -1, NULL));
  {
    g_autoptr(CasedbStore) store = open_as (&db, 0, NULL);
    g_autoptr(GError) error = NULL;

    g_assert_true (casedb_import_csv_file (store, csv_path, NULL, &error));
    g_assert_no_error (error);
    casedb_store_close (store);
  }
  args[1] = db.path;

  full = measure (&db, "sara-password\n", args, NULL);
  check_after_rekey (&db, 0);
  gen_start = keyslots_generation (&db, &pending);

  for (guint i = 0; i < n_rekey_kills; i++)
    {
      Plan plan = pick_plan (full, 64 * 1024, i);
      Run run;

      run_tool (&run, "sara-password\n", &plan, db.journal, args);
      if (!run.killed && run.status != 0)
        g_error ("rekey %u (not killed) failed (seed %u): %s", i, seed, run.err);
      n_mid_write += run.mid_write;

      /* Now and then the next run of the tool meets the interrupted rekey
       * first, and may itself be killed while finishing it. */
      if (i % 4 == 1)
        n_unchecked++;
      else
        check_after_rekey (&db, i % G_N_ELEMENTS (users));
      run_clear (&run);
    }
  check_after_rekey (&db, 1);

  gen_end = keyslots_generation (&db, &pending);
  g_test_message ("rekey of %u cases: %.2f s; %u runs (%u met by the next run): "
                  "%u took effect; %u killed while writing; %u key-slot temp files left",
                  n_cases, full, n_rekey_kills, n_unchecked, gen_end - gen_start,
                  n_mid_write, count_keyslot_temps (&db));

  casedb_test_rmtree (dir);
  db_clear (&db);
}

int
main (int argc, char *argv[])
{
  const char *env_seed = g_getenv ("CASEDB_CRASH_SEED");
  int ret;

  casedb_test_init (&argc, &argv);
  /* A tool that exits before reading its stdin must not take us along. */
  signal (SIGPIPE, SIG_IGN);

  if (g_getenv ("CASEDB_UNDER_VALGRIND") != NULL)
    {
      n_cases /= 5;
      n_import_kills /= 5;
      n_passwd_kills /= 5;
      n_rekey_kills /= 5;
    }

  seed = env_seed != NULL ? (guint32) g_ascii_strtoull (env_seed, NULL, 10) : DEFAULT_SEED;
  rng = g_rand_new_with_seed (seed);

  g_test_add_func ("/crash/import", test_crash_import);
  g_test_add_func ("/crash/passwd", test_crash_passwd);
  g_test_add_func ("/crash/rekey", test_crash_rekey);

  ret = g_test_run ();
  g_rand_free (rng);
  return ret;
}
