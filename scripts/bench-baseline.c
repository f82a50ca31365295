/*
 * The raw-SQLite baseline for scripts/bench: the same INSERTs into the same
 * `events` table (same schema, indexes and pragmas: WAL, synchronous=FULL),
 * with rows of the same shape, and nothing else: no hashing, no JSON, no
 * projections. The ledger's rates are reported as ratios of these.
 *
 * usage: bench-baseline DB COUNT PER_TRANSACTION
 * prints: rows per second
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void check(int code, sqlite3 *db, const char *what) {
    if (code != SQLITE_OK && code != SQLITE_DONE && code != SQLITE_ROW) {
        fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s DB COUNT PER_TRANSACTION\n", argv[0]);
        return 2;
    }
    long count = atol(argv[2]), per = atol(argv[3]);
    sqlite3 *db;
    check(sqlite3_open(argv[1], &db), db, "open");
    check(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", 0, 0, 0), db, "pragmas");

    sqlite3_stmt *insert, *begin, *commit;
    check(sqlite3_prepare_v3(db,
        "INSERT INTO events (position, id, stream, version, type, data, metadata, actor, recorded_at, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, SQLITE_PREPARE_PERSISTENT, &insert, 0), db, "prepare");
    check(sqlite3_prepare_v3(db, "BEGIN IMMEDIATE", -1, SQLITE_PREPARE_PERSISTENT, &begin, 0), db, "prepare");
    check(sqlite3_prepare_v3(db, "COMMIT", -1, SQLITE_PREPARE_PERSISTENT, &commit, 0), db, "prepare");

    const char *types[] = {"DeploymentRequested", "ImageVerified", "ImageVerified", "TaskDefinitionRendered",
                           "TaskDefinitionRegistered", "ServiceUpdated", "DeploymentStable"};
    const char *data =
        "{\"app\":\"api\",\"environment\":\"production\",\"tag\":\"rel-2026.11.27.10.00.00\",\"trigger\":\"release\"}";
    const char *metadata = "{\"actor\":\"openverse-bot\",\"auth_method\":\"cli\",\"on_behalf_of\":\"ana\"}";
    unsigned char hash[32], prev[32];
    memset(prev, 0, sizeof prev);
    char id[37], stream[32];

    double started = now();
    for (long position = 1; position <= count; position++) {
        if ((position - 1) % per == 0) { check(sqlite3_step(begin), db, "begin"); sqlite3_reset(begin); }
        long deployment = (position - 1) / 7, version = (position - 1) % 7 + 1;
        snprintf(stream, sizeof stream, "deployment-%ld", deployment);
        snprintf(id, sizeof id, "%08lx-0000-4000-8000-%012lx", position, position * 2654435761u);
        for (int i = 0; i < 32; i++) hash[i] = (unsigned char)(position * 31 + i);
        sqlite3_bind_int64(insert, 1, position);
        sqlite3_bind_text(insert, 2, id, 36, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 3, stream, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(insert, 4, version);
        sqlite3_bind_text(insert, 5, types[version - 1], -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 6, data, -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 7, metadata, -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 8, "ana", 3, SQLITE_STATIC);
        sqlite3_bind_text(insert, 9, "2026-11-27T10:00:00.000000Z", -1, SQLITE_STATIC);
        sqlite3_bind_blob(insert, 10, prev, 32, SQLITE_TRANSIENT);
        sqlite3_bind_blob(insert, 11, hash, 32, SQLITE_TRANSIENT);
        check(sqlite3_step(insert), db, "insert");
        sqlite3_reset(insert);
        memcpy(prev, hash, 32);
        if (position % per == 0 || position == count) { check(sqlite3_step(commit), db, "commit"); sqlite3_reset(commit); }
    }
    double elapsed = now() - started;
    printf("%.0f\n", count / elapsed);
    sqlite3_finalize(insert);
    sqlite3_finalize(begin);
    sqlite3_finalize(commit);
    sqlite3_close(db);
    return 0;
}
