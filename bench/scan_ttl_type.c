/* Baseline for `make bench`: the tightest census a C programmer writes over hiredis.
 * SCAN cursor COUNT 1000, then for every key of the page TYPE + PTTL pipelined, one round
 * trip per page. Prints keys, keys without TTL and elapsed seconds. Read-only. */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    const char *host = argc > 1 ? argv[1] : "127.0.0.1";
    int port = argc > 2 ? atoi(argv[2]) : 6379;
    redisContext *c = redisConnect(host, port);
    if (c == NULL || c->err) {
        fprintf(stderr, "connect: %s\n", c ? c->errstr : "out of memory");
        return 1;
    }
    double start = now_seconds();
    char cursor[64] = "0";
    long long keys = 0, no_ttl = 0;
    do {
        redisReply *page = redisCommand(c, "SCAN %s COUNT 1000", cursor);
        if (page == NULL || page->type != REDIS_REPLY_ARRAY || page->elements != 2) {
            fprintf(stderr, "scan failed\n");
            return 1;
        }
        snprintf(cursor, sizeof cursor, "%s", page->element[0]->str);
        redisReply *list = page->element[1];
        for (size_t i = 0; i < list->elements; i++) {
            redisAppendCommand(c, "TYPE %b", list->element[i]->str, (size_t)list->element[i]->len);
            redisAppendCommand(c, "PTTL %b", list->element[i]->str, (size_t)list->element[i]->len);
        }
        for (size_t i = 0; i < list->elements; i++) {
            redisReply *type = NULL, *ttl = NULL;
            if (redisGetReply(c, (void **)&type) != REDIS_OK || redisGetReply(c, (void **)&ttl) != REDIS_OK) {
                fprintf(stderr, "reply failed\n");
                return 1;
            }
            keys++;
            if (ttl->type == REDIS_REPLY_INTEGER && ttl->integer == -1) no_ttl++;
            freeReplyObject(type);
            freeReplyObject(ttl);
        }
        freeReplyObject(page);
    } while (strcmp(cursor, "0") != 0);
    printf("keys=%lld no_ttl=%lld seconds=%.3f\n", keys, no_ttl, now_seconds() - start);
    redisFree(c);
    return 0;
}
