/* run.c — mg_run.h: a run directory, its run.json and the append-only
 * steps.jsonl. */
#include "mg_run.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mg_file.h"
#include "mg_json.h"

struct mg_run {
    char *dir;
    int fd;             /* steps.jsonl, O_APPEND */
    double start;       /* monotonic seconds at open */
    mg_buf line;        /* the record being written, reused */
};

/* The files a run (with its pictures) writes: what MG_RUN_REPLACE removes. */
static const char *const run_files[] = {
    MG_RUN_INFO_FILE, MG_RUN_STEPS_FILE, "index.html", "loss.png", "snapshots.json",
    "inspector.html",
};
#define SNAPSHOT_DIR "snapshots"

static double monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* ---- the directory ---- */

mg_code mg_run_fresh_dir(const char *root, const char *stem, char *buf, size_t n,
                         mg_error *err)
{
    if (!root || !*root || !stem || !buf)
        return mg_error_set(err, MG_EINVAL, "run: no runs directory or name given");
    mg_code rc = mg_file_make_dirs(root, err);
    if (rc != MG_OK)
        return rc;
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime_r(&now, &tm));
    for (int k = 1; k < 1000; k++) {
        int len = k == 1 ? snprintf(buf, n, "%s/%s-%s", root, stamp, stem)
                         : snprintf(buf, n, "%s/%s-%s-%d", root, stamp, stem, k);
        if (len < 0 || (size_t)len >= n)
            return mg_error_set(err, MG_EINVAL, "run: the path under %s is too long", root);
        if (mkdir(buf, 0777) == 0)
            return MG_OK;
        if (errno != EEXIST)
            return mg_error_set(err, MG_EIO, "cannot create directory %s: %s", buf,
                                strerror(errno));
    }
    return mg_error_set(err, MG_EIO, "run: no free name for %s-%s under %s", stamp, stem, root);
}

bool mg_run_dir_in_use(const char *dir)
{
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d)
        return false;
    bool used = false;
    for (struct dirent *e; !used && (e = readdir(d));)
        used = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return used;
}

/* Removes path unless it is absent; MG_OK or MG_EIO. */
static mg_code remove_file(const char *dir, const char *name, mg_error *err)
{
    char *path = join(dir, name);
    if (!path)
        return mg_error_set(err, MG_ENOMEM, "out of memory");
    mg_code rc = unlink(path) == 0 || errno == ENOENT
                     ? MG_OK
                     : mg_error_set(err, MG_EIO, "cannot remove %s: %s", path, strerror(errno));
    free(path);
    return rc;
}

/* Removes an earlier run's files: the run's own, and its snapshots/
 * directory's step files (the directory too once empty). */
static mg_code clear_run(const char *dir, mg_error *err)
{
    mg_code rc = MG_OK;
    for (size_t i = 0; i < sizeof run_files / sizeof *run_files && rc == MG_OK; i++)
        rc = remove_file(dir, run_files[i], err);
    char *snaps = join(dir, SNAPSHOT_DIR);
    struct stat st;
    if (rc == MG_OK && snaps && lstat(snaps, &st) == 0 && S_ISLNK(st.st_mode)) {
        /* a link planted where the pictures go: it goes, never what it
         * points to */
        rc = remove_file(dir, SNAPSHOT_DIR, err);
        free(snaps);
        return rc;
    }
    int fd = snaps ? open(snaps, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (fd >= 0 && !d)
        close(fd);
    for (struct dirent *e; rc == MG_OK && d && (e = readdir(d));)
        if (strncmp(e->d_name, "step-", 5) == 0 && unlinkat(dirfd(d), e->d_name, 0) != 0 &&
            errno != ENOENT)
            rc = mg_error_set(err, MG_EIO, "cannot remove %s/%s: %s", snaps, e->d_name,
                              strerror(errno));
    if (d)
        closedir(d);
    if (snaps && rc == MG_OK)
        rmdir(snaps); /* fails, harmlessly, when something else is in it */
    free(snaps);
    return rc;
}

/* ---- run.json ---- */

static void field_json(mg_json *o, const mg_run_field *f)
{
    switch (f->kind) {
    case MG_RUN_NUMBER: mg_json_number(o, f->name, f->number); break;
    case MG_RUN_INT: mg_json_int(o, f->name, f->integer); break;
    case MG_RUN_BOOL: mg_json_bool(o, f->name, f->integer != 0); break;
    default: mg_json_string(o, f->name, f->text); break;
    }
}

static void strings_json(mg_json *o, const char *key, char *const *v, int n)
{
    mg_json_key(o, key);
    mg_json a = mg_json_begin(o->b, '[');
    for (int i = 0; i < n; i++)
        mg_json_string(&a, NULL, v[i]);
    mg_json_end(&a, ']');
}

static const char *last_name(const char *dir)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    const char *p = dir + n;
    while (p > dir && p[-1] != '/')
        p--;
    return p;
}

static mg_code write_info(const mg_run *r, const mg_run_info *info, mg_error *err)
{
    mg_buf b = { 0 };
    char created[32], name[256];
    time_t now = time(NULL);
    struct tm tm;
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    snprintf(name, sizeof name, "%s", info->name ? info->name : last_name(r->dir));
    size_t slash = strcspn(name, "/");
    name[slash] = '\0';
    mg_json o = mg_json_begin(&b, '{');
    mg_json_string(&o, "format", "mgviz-run");
    mg_json_int(&o, "version", MG_RUN_VERSION);
    mg_json_string(&o, "name", name);
    mg_json_string(&o, "created", created);
    strings_json(&o, "command", info->argv, info->argv ? info->argc : 0);
    mg_json_string(&o, "dataset", info->dataset);
    mg_json_string(&o, "model", info->model);
    mg_json_key(&o, "options");
    mg_json opts = mg_json_begin(&b, '{');
    for (int i = 0; info->options && i < info->noptions; i++)
        field_json(&opts, &info->options[i]);
    mg_json_end(&opts, '}');
    strings_json(&o, "layers", (char *const *)info->layers, info->layers ? info->nlayers : 0);
    if (info->planned_steps > 0)
        mg_json_int(&o, "planned_steps", info->planned_steps);
    else
        mg_json_string(&o, "planned_steps", NULL); /* null: unknown */
    mg_json_string(&o, "steps", MG_RUN_STEPS_FILE);
    mg_json_end(&o, '}');
    mg_buf_puts(&b, "\n");
    char *path = join(r->dir, MG_RUN_INFO_FILE);
    mg_code rc = b.failed || !path ? mg_error_set(err, MG_ENOMEM, "out of memory writing run.json")
                                   : mg_file_write_atomic(path, b.p, b.len, err);
    free(path);
    mg_buf_free(&b);
    return rc;
}

/* ---- open and close ---- */

static void run_free(mg_run *r)
{
    if (r->fd >= 0)
        close(r->fd);
    mg_buf_free(&r->line);
    free(r->dir);
    free(r);
}

static mg_code open_steps(mg_run *r, mg_error *err)
{
    char *path = join(r->dir, MG_RUN_STEPS_FILE);
    if (!path)
        return mg_error_set(err, MG_ENOMEM, "out of memory");
    r->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0666);
    mg_code rc = r->fd >= 0 ? MG_OK
                            : mg_error_set(err, MG_EIO, "cannot create %s: %s", path,
                                           strerror(errno));
    free(path);
    return rc;
}

mg_run *mg_run_open(const char *dir, const mg_run_info *info, unsigned flags, mg_error *err)
{
    static const mg_run_info none = { 0 };
    if (!dir || !*dir) {
        mg_error_set(err, MG_EINVAL, "run: no directory given");
        return NULL;
    }
    if (mg_file_make_dirs(dir, err) != MG_OK)
        return NULL;
    if (!(flags & MG_RUN_REPLACE) && mg_run_dir_in_use(dir)) {
        mg_error_set(err, MG_EIO, "%s is not empty: a run there would mix with what it holds",
                     dir);
        return NULL;
    }
    mg_run *r = calloc(1, sizeof *r);
    if (!r || !(r->dir = malloc(strlen(dir) + 1))) {
        free(r);
        mg_error_set(err, MG_ENOMEM, "out of memory opening a run");
        return NULL;
    }
    strcpy(r->dir, dir);
    r->fd = -1;
    r->start = monotonic();
    mg_code rc = flags & MG_RUN_REPLACE ? clear_run(dir, err) : MG_OK;
    if (rc == MG_OK)
        rc = write_info(r, info ? info : &none, err);
    if (rc == MG_OK)
        rc = open_steps(r, err);
    if (rc != MG_OK) {
        run_free(r);
        return NULL;
    }
    return r;
}

const char *mg_run_dir(const mg_run *r) { return r ? r->dir : NULL; }

double mg_run_time(const mg_run *r) { return r ? monotonic() - r->start : 0.0; }

/* ---- records ---- */

/* Appends the record in r->line as one line; the buffer is kept for the next. */
static mg_code append_line(mg_run *r, mg_error *err)
{
    mg_buf_put(&r->line, "\n", 1);
    mg_code rc = r->line.failed
                     ? mg_error_set(err, MG_ENOMEM, "out of memory writing a run record")
                 : mg_file_write_fd(r->fd, r->line.p, r->line.len) != MG_OK
                     ? mg_error_set(err, MG_EIO, "cannot write %s/%s: %s", r->dir,
                                    MG_RUN_STEPS_FILE, strerror(errno))
                     : MG_OK;
    r->line.len = 0;
    r->line.failed = false;
    return rc;
}

static void warnings_json(mg_json *o, const mg_run_step *s)
{
    mg_json_key(o, "warnings");
    mg_json a = mg_json_begin(o->b, '[');
    for (int i = 0; i < mg_health_warning_count(s->health); i++)
        mg_json_string(&a, NULL, mg_health_warning(s->health, i));
    for (int i = 0; s->warnings && i < s->nwarnings; i++)
        mg_json_string(&a, NULL, s->warnings[i]);
    mg_json_end(&a, ']');
}

mg_code mg_run_log_step(mg_run *r, const mg_run_step *s, mg_error *err)
{
    if (!r || !s)
        return mg_error_set(err, MG_EINVAL, "run: no run or step");
    mg_json o = mg_json_begin(&r->line, '{');
    mg_json_int(&o, "step", s->step);
    mg_json_int(&o, "epoch", s->epoch);
    mg_json_number(&o, "loss", s->loss);
    if (isnan(s->accuracy))
        mg_json_string(&o, "accuracy", NULL);
    else
        mg_json_number(&o, "accuracy", s->accuracy);
    mg_json_number(&o, "lr", s->lr);
    mg_json_number(&o, "time", mg_run_time(r));
    mg_json_key(&o, "layers");
    if (s->health)
        mg_health_json(s->health, &r->line);
    else
        mg_buf_puts(&r->line, "{}");
    mg_json_string(&o, "snapshot", s->snapshot);
    warnings_json(&o, s);
    mg_json_end(&o, '}');
    return append_line(r, err);
}

mg_code mg_run_log_event(mg_run *r, const char *name, const mg_run_field *fields, int n,
                         mg_error *err)
{
    if (!r || !name)
        return mg_error_set(err, MG_EINVAL, "run: no run or event name");
    mg_json o = mg_json_begin(&r->line, '{');
    mg_json_string(&o, "event", name);
    mg_json_number(&o, "time", mg_run_time(r));
    for (int i = 0; fields && i < n; i++)
        field_json(&o, &fields[i]);
    mg_json_end(&o, '}');
    return append_line(r, err);
}

mg_code mg_run_close(mg_run *r, mg_run_status status, const char *message, mg_error *err)
{
    if (!r)
        return MG_OK;
    static const char *const names[] = { "ok", "stopped", "error" };
    mg_run_field f[] = {
        { .name = "status", .text = names[status <= MG_RUN_ERROR ? status : MG_RUN_ERROR] },
        { .name = "message", .text = message },
    };
    mg_code rc = mg_run_log_event(r, "end", f, (int)(sizeof f / sizeof f[0]), err);
    run_free(r);
    return rc;
}

/* ---- reading ---- */

/* The complete lines of f from *offset on (see mg_run_read_lines); name is
 * the file's name in messages. */
static mg_code read_lines(FILE *f, const char *name, size_t *offset, mg_run_line_fn fn,
                          void *ctx, mg_error *err)
{
    mg_code rc = MG_OK;
    if (fseek(f, (long)*offset, SEEK_SET) != 0)
        rc = mg_error_set(err, MG_EIO, "cannot read %s: %s", name, strerror(errno));
    mg_buf line = { 0 };
    for (int c, stop = 0; rc == MG_OK && !stop && (c = getc(f)) != EOF;) {
        if (c != '\n') {
            char ch = (char)c;
            mg_buf_put(&line, &ch, 1);
            if (line.len > MG_RUN_LINE_MAX)
                rc = mg_error_set(err, MG_EFORMAT, "%s: the line at byte %zu is longer than "
                                  "%d bytes: not a run's record", name, *offset, MG_RUN_LINE_MAX);
            continue;
        }
        if (line.failed) {
            rc = mg_error_set(err, MG_ENOMEM, "out of memory reading %s", name);
            break;
        }
        stop = fn(ctx, line.p ? line.p : "", line.len);
        *offset += line.len + 1;
        line.len = 0;
    }
    if (rc == MG_OK && ferror(f))
        rc = mg_error_set(err, MG_EIO, "cannot read %s", name);
    mg_buf_free(&line);
    return rc;
}

mg_code mg_run_read_lines(const char *path, size_t *offset, mg_run_line_fn fn, void *ctx,
                          mg_error *err)
{
    FILE *f = path && offset && fn ? fopen(path, "rb") : NULL;
    if (!f)
        return mg_error_set(err, path && offset && fn ? MG_EIO : MG_EINVAL, "cannot read %s: %s",
                            path ? path : "(no path)", path ? strerror(errno) : "bad arguments");
    mg_code rc = read_lines(f, path, offset, fn, ctx, err);
    fclose(f);
    return rc;
}

mg_code mg_run_read_lines_fd(int fd, size_t *offset, mg_run_line_fn fn, void *ctx, mg_error *err)
{
    if (fd < 0 || !offset || !fn)
        return mg_error_set(err, MG_EINVAL, "cannot read steps: bad arguments");
    int own = dup(fd); /* fclose() below closes the copy, never the caller's */
    FILE *f = own >= 0 ? fdopen(own, "rb") : NULL;
    if (!f) {
        int e = errno;
        if (own >= 0)
            close(own);
        return mg_error_set(err, MG_EIO, "cannot read steps: %s", strerror(e));
    }
    mg_code rc = read_lines(f, "steps", offset, fn, ctx, err);
    fclose(f);
    return rc;
}
