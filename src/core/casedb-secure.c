/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-secure"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <gcrypt.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <termios.h>
#include <unistd.h>

#include "casedb-error.h"
#include "casedb-secure.h"

#define NEED_LIBGCRYPT_VERSION "1.10.0"
/* The locked pool: every key, the identities of open cases and an import's
 * parsed rows.  Half of Debian's default RLIMIT_MEMLOCK (8 MiB), so that it
 * really is locked.  libgcrypt adds pools when it runs out
 * (GCRYCTL_AUTO_EXPAND_SECMEM); those are still wiped on free but not
 * locked, and libgcrypt says so on stderr. */
#define SECMEM_POOL_SIZE (4 * 1024 * 1024)
#define MAX_PASSWORD_LEN 1024

gboolean
casedb_secure_init (GError **error)
{
  if (gcry_control (GCRYCTL_INITIALIZATION_FINISHED_P))
    return TRUE;

  if (!gcry_check_version (NEED_LIBGCRYPT_VERSION))
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_FAILED,
                   _("libgcrypt is too old: %s is needed, %s is installed"),
                   NEED_LIBGCRYPT_VERSION, gcry_check_version (NULL));
      return FALSE;
    }

  /* A core dump would write keys and decrypted names to disk, and a
   * non-dumpable process cannot be attached to by another process of the
   * same user. */
  {
    struct rlimit no_core = { 0, 0 };

    if (setrlimit (RLIMIT_CORE, &no_core) != 0 || prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
      g_warning ("Could not turn off core dumps: %s", g_strerror (errno));
  }

  gcry_control (GCRYCTL_SUSPEND_SECMEM_WARN);
  gcry_control (GCRYCTL_INIT_SECMEM, SECMEM_POOL_SIZE, 0);
  gcry_control (GCRYCTL_AUTO_EXPAND_SECMEM, SECMEM_POOL_SIZE, 0);
  gcry_control (GCRYCTL_RESUME_SECMEM_WARN);
  gcry_control (GCRYCTL_INITIALIZATION_FINISHED, 0);

  g_debug ("libgcrypt %s initialised with a %d KiB secure pool",
           gcry_check_version (NULL), SECMEM_POOL_SIZE / 1024);
  return TRUE;
}

gpointer
casedb_secure_alloc (gsize size)
{
  gpointer mem;

  /* gcry_calloc_secure returns NULL for 0 bytes on some versions */
  mem = gcry_calloc_secure (1, MAX (size, 1));
  if (mem == NULL)
    g_error ("out of secure memory (%" G_GSIZE_FORMAT " bytes)", size);
  return mem;
}

gpointer
casedb_secure_realloc (gpointer mem, gsize size)
{
  gpointer ret;

  if (mem == NULL)
    return casedb_secure_alloc (size);
  ret = gcry_realloc (mem, MAX (size, 1));
  if (ret == NULL)
    g_error ("out of secure memory (%" G_GSIZE_FORMAT " bytes)", size);
  return ret;
}

void
casedb_secure_free (gpointer mem)
{
  /* gcry_free wipes secure memory before releasing it. */
  if (mem != NULL)
    gcry_free (mem);
}

char *
casedb_secure_strndup (const char *str, gsize len)
{
  char *ret;

  if (str == NULL)
    return NULL;
  ret = casedb_secure_alloc (len + 1);
  memcpy (ret, str, len);
  ret[len] = '\0';
  return ret;
}

char *
casedb_secure_strdup (const char *str)
{
  if (str == NULL)
    return NULL;
  return casedb_secure_strndup (str, strlen (str));
}

void
casedb_secure_wipe (gpointer mem, gsize size)
{
  if (mem != NULL && size > 0)
    explicit_bzero (mem, size);
}

void
casedb_secure_gstring_free (GString *str)
{
  if (str == NULL)
    return;
  casedb_secure_wipe (str->str, str->allocated_len);
  g_string_free (str, TRUE);
}

gboolean
casedb_secure_is_secure (gconstpointer mem)
{
  return mem != NULL && gcry_is_secure (mem);
}

char *
casedb_secure_read_password (const char *prompt, GError **error)
{
  struct termios old_tio, new_tio;
  gboolean is_tty = isatty (STDIN_FILENO);
  gboolean echo_off = FALSE;
  char *buf = casedb_secure_alloc (MAX_PASSWORD_LEN + 1);
  gsize len = 0;
  gboolean got_any = FALSE;

  if (is_tty)
    {
      if (prompt != NULL)
        {
          fputs (prompt, stderr);
          fflush (stderr);
        }
      if (tcgetattr (STDIN_FILENO, &old_tio) == 0)
        {
          new_tio = old_tio;
          new_tio.c_lflag &= ~(ECHO);
          new_tio.c_lflag |= ECHONL;
          echo_off = tcsetattr (STDIN_FILENO, TCSAFLUSH, &new_tio) == 0;
        }
      /* Never read a password with the terminal echoing it. */
      if (!echo_off)
        {
          casedb_secure_free (buf);
          g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_FAILED,
                               _("Cannot turn off the terminal's echo to read the password"));
          return NULL;
        }
    }

  /* One byte at a time with read(2): stdio would keep a copy of the line in
   * its own (ordinary, swappable) buffer. */
  for (;;)
    {
      char c;
      ssize_t n = read (STDIN_FILENO, &c, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      got_any = TRUE;
      if (c == '\n')
        break;
      if (len >= MAX_PASSWORD_LEN)
        {
          if (echo_off)
            tcsetattr (STDIN_FILENO, TCSAFLUSH, &old_tio);
          casedb_secure_free (buf);
          g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                       _("The password is longer than %d bytes"), MAX_PASSWORD_LEN);
          return NULL;
        }
      buf[len++] = c;
    }

  if (echo_off)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &old_tio);

  if (len > 0 && buf[len - 1] == '\r')
    buf[--len] = '\0';

  if (!got_any)
    {
      casedb_secure_free (buf);
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                   _("No password was given (end of input)"));
      return NULL;
    }

  return buf;
}
