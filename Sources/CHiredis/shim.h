#ifndef CACHEWATCH_CHIREDIS_SHIM_H
#define CACHEWATCH_CHIREDIS_SHIM_H
/* The only place cachewatch includes hiredis (0.14.x on Debian 12). */
#include <hiredis/hiredis.h>
#include <sys/time.h>

/// Makes a timeval from milliseconds (Swift cannot build one portably).
static inline struct timeval cw_timeval_ms(long milliseconds) {
    struct timeval tv;
    tv.tv_sec = milliseconds / 1000;
    tv.tv_usec = (milliseconds % 1000) * 1000;
    return tv;
}

/// True when the context reports an error (err != 0).
static inline int cw_context_error(const redisContext *c) { return c ? c->err : REDIS_ERR_OTHER; }

/// The context's error text (hiredis keeps it in a fixed buffer).
static inline const char *cw_context_errstr(const redisContext *c) { return c ? c->errstr : "out of memory"; }

/// The context's socket descriptor.
static inline int cw_context_fd(const redisContext *c) { return c ? c->fd : -1; }
#endif
