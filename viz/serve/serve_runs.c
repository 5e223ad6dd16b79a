/* serve_runs.c — the runs under the root, as the page's list shows them:
 * each run's run.json and the tail of its steps.jsonl (the last step, the
 * end), read through serve_open() like every other file. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mg_file.h"
#include "mg_json.h"
#include "mg_run.h"
#include "serve_internal.h"

enum { TAIL_BYTES = 64 * 1024 };

/* What the tail of a steps.jsonl says. */
typedef struct tail {
    bool skip;                   /* the first line read starts mid-record */
    mg_buf last, end;            /* the last step record, the end event */
} tail;

static int tail_line(void *ctx, const char *line, size_t len)
{
    tail *t = ctx;
    if (t->skip) {
        t->skip = false;
        return 0;
    }
    mg_buf *into = strncmp(line, "{\"step\":", 8) == 0            ? &t->last
                   : strncmp(line, "{\"event\":\"end\"", 14) == 0 ? &t->end
                                                                  : NULL;
    if (into) {
        into->len = 0;
        mg_buf_put(into, line, len);
        mg_buf_put(into, "", 1); /* NUL-terminated even when empty */
    }
    return 0;
}

/* Appends one run's entry, or nothing when it is not a readable run. */
static void run_json(const serve_root *r, const char *id, mg_json *list)
{
    int fd = serve_open(r, id, MG_RUN_INFO_FILE, SERVE_FILE);
    char *info = NULL;
    size_t len = 0;
    bool ok = fd >= 0 && mg_file_read_fd(fd, MG_RUN_INFO_FILE, SERVE_INFO_MAX, &info, &len,
                                         NULL) == MG_OK;
    if (fd >= 0)
        close(fd);
    if (!ok)
        return;
    tail t = { 0 };
    struct stat st = { 0 };
    fd = serve_open(r, id, MG_RUN_STEPS_FILE, SERVE_FILE);
    if (fd >= 0 && fstat(fd, &st) == 0) {
        size_t offset = st.st_size > TAIL_BYTES ? (size_t)st.st_size - TAIL_BYTES : 0;
        t.skip = offset > 0;
        mg_run_read_lines_fd(fd, &offset, tail_line, &t, NULL);
    }
    if (fd >= 0)
        close(fd);
    mg_json_key(list, NULL);
    mg_json o = mg_json_begin(list->b, '{');
    mg_json_string(&o, "id", id);
    mg_json_string(&o, "info", info);
    mg_json_string(&o, "last", t.last.len ? t.last.p : NULL);
    mg_json_string(&o, "end", t.end.len ? t.end.p : NULL);
    mg_json_number(&o, "idle", st.st_mtime ? difftime(time(NULL), st.st_mtime) : 0);
    mg_json_int(&o, "bytes", (long long)st.st_size);
    mg_json_end(&o, '}');
    mg_buf_free(&t.last);
    mg_buf_free(&t.end);
    free(info);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the root's entries that may be runs, sorted; *n of them. */
static char **run_names(const serve_root *r, size_t *n)
{
    *n = 0;
    /* a descriptor of its own: a dup() would share the read position with
     * every other listing */
    int fd = openat(r->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    char **names = calloc(SERVE_LIST_MAX, sizeof *names);
    for (struct dirent *e; names && *n < SERVE_LIST_MAX && (e = readdir(d));)
        if (serve_name_ok(e->d_name, strlen(e->d_name)) && (names[*n] = strdup(e->d_name)))
            (*n)++;
    closedir(d);
    if (names)
        qsort(names, *n, sizeof *names, by_name);
    return names;
}

void serve_runs_json(const serve_root *r, mg_buf *b)
{
    mg_json o = mg_json_begin(b, '{');
    const char *slash = strrchr(r->real, '/');
    mg_json_string(&o, "root", slash && slash[1] ? slash + 1 : r->real);
    mg_json_bool(&o, "single", r->single != NULL);
    mg_json_key(&o, "runs");
    mg_json list = mg_json_begin(b, '[');
    if (r->single) {
        run_json(r, r->single, &list);
    } else {
        size_t n;
        char **names = run_names(r, &n);
        for (size_t i = 0; i < n; i++) {
            run_json(r, names[i], &list);
            free(names[i]);
        }
        free(names);
    }
    mg_json_end(&list, ']');
    mg_json_end(&o, '}');
}
