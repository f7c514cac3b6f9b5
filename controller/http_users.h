/* The users file of http_users (http_config.h): one NAME:CRYPT-HASH line per
 * user who may change the cluster from the web, blank lines and # comments
 * allowed.  A hash is one crypt(3) makes (yescrypt, sha512crypt, bcrypt...:
 * `mkpasswd -m yescrypt`, `openssl passwd -6`); legacy methods (DES, MD5)
 * and locked entries ("!", "*") are refused.  A bad line is reported as
 * "FILE: line N: problem" in the event log and its user skipped.
 * Passwords are checked with libxcrypt's crypt_rn. */
#ifndef LAMON_HTTP_USERS_H
#define LAMON_HTTP_USERS_H

#include <stdbool.h>
#include <stddef.h>

#include <crypt.h>

#define HTTP_USER_MAX 63             /* bytes of a name */
#define HTTP_USERS_MAX 256           /* users of one file */
#define HTTP_USERS_LINE 1024         /* bytes of a line */

struct http_user {
    char name[HTTP_USER_MAX + 1];
    char hash[CRYPT_OUTPUT_SIZE];
};

struct http_users {
    bool loaded;                     /* a file was read (it may hold no user) */
    size_t n;
    struct http_user u[HTTP_USERS_MAX];
};

/* Parses one line (without its newline) into U: 1 for a user, 0 for a
 * blank or comment line, -1 with the problem in why. */
int http_users_line(const char *line, struct http_user *u, char *why, size_t whylen);

/* Reads FILE into OUT (which is reset).  Bad lines are logged and skipped;
 * -1 with the reason in err when the file cannot be read at all (OUT is
 * then not loaded). */
int http_users_load(const char *file, struct http_users *out, char *err, size_t errlen);

/* The user named NAME, NULL for none. */
const struct http_user *http_users_find(const struct http_users *us, const char *name);

/* Whether PASSWORD is NAME's.  An unknown name costs a hash all the same,
 * so that the answer's time does not say which names exist. */
bool http_users_verify(const struct http_users *us, const char *name, const char *password);

/* Whether the two NUL-terminated strings are equal, in a time that depends
 * only on their lengths. */
bool http_const_equal(const char *a, const char *b);

#endif
