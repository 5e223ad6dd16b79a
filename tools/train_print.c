/* train_print.c — the terminal side of `mgviz train` (train_print.h). */
#include "train_print.h"

#include <math.h>
#include <stdio.h>
#include <time.h>

#include "cli.h"
#include "mg_format.h"

double print_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* x with 6 significant digits, nan/inf as such (printf may say -nan). */
static const char *number(double x, char *buf, size_t n)
{
    if (isfinite(x))
        snprintf(buf, n, "%.6g", x == 0 ? 0.0 : x);
    else
        mg_format_double(x, buf, n);
    return buf;
}

void print_clear(train_printer *p)
{
    if (p->line_open)
        fputs("\r\033[K", stdout);
    p->line_open = false;
    fflush(stdout);
}

void print_start(train_printer *p, const char *title, const char *plan, const char *dir)
{
    p->start = print_now();
    if (!p->quiet) {
        printf("training %s\n%s\nrun directory ", title, plan);
        cli_put_visible(stdout, dir, false); /* a path as given: no escapes */
        fputs("/\n", stdout);
    }
    fflush(stdout);
}

/* "step   10/100  epoch 1/1  loss 0.412  accuracy 85.0%  lr 0.91" */
static void step_text(const train_printer *p, const train_report *r, char *buf, size_t n)
{
    char loss[32], lr[32];
    int width = snprintf(NULL, 0, "%lld", (long long)p->total - 1);
    int k = snprintf(buf, n, "step %*lld/%lld", width, (long long)r->step,
                     (long long)p->total);
    if (p->epochs > 1 && k > 0 && (size_t)k < n)
        k += snprintf(buf + k, n - (size_t)k, "  %s %d/%d", p->period ? p->period : "epoch",
                      r->epoch + 1, p->epochs);
    if (k > 0 && (size_t)k < n)
        k += snprintf(buf + k, n - (size_t)k, "  loss %s", number(r->loss, loss, sizeof loss));
    if (!isnan(r->accuracy) && k > 0 && (size_t)k < n)
        k += snprintf(buf + k, n - (size_t)k, "  accuracy %5.1f%%", 100 * r->accuracy);
    if (k > 0 && (size_t)k < n)
        snprintf(buf + k, n - (size_t)k, "  lr %s", number(r->lr, lr, sizeof lr));
}

static void redraw(train_printer *p, const train_report *r, bool force)
{
    double now = print_now();
    if (!force && now - p->last_draw < 0.1)
        return;
    p->last_draw = now;
    char text[200];
    step_text(p, r, text, sizeof text);
    double done = (double)(r->step + 1 - p->first), rate = done / (now - p->start + 1e-9);
    printf("\r\033[K%s  %.0f steps/s  ETA %.0fs", text, rate,
           rate > 0 ? (double)(p->total - r->step - 1) / rate : 0.0);
    p->line_open = true;
    fflush(stdout);
}

void print_step(train_printer *p, const train_report *r)
{
    if (p->quiet)
        return;
    if (p->redraw) {
        redraw(p, r, r->step + 1 == p->total);
        return;
    }
    char text[200];
    step_text(p, r, text, sizeof text);
    printf("%s%s\n", text, r->saved ? "  saved" : "");
}

void print_tick(train_printer *p, const train_report *r)
{
    if (!p->quiet && p->redraw)
        redraw(p, r, false);
}

void print_epoch(train_printer *p, int epoch, double train_loss, double test_loss,
                 double test_accuracy, double seconds)
{
    if (p->quiet)
        return;
    print_clear(p);
    char a[32], b[32];
    const char *split = p->split ? p->split : "test";
    printf("%s %d/%d  train loss %s", p->period ? p->period : "epoch", epoch + 1, p->epochs,
           number(train_loss, a, sizeof a));
    if (!isnan(test_accuracy))
        printf("  %s loss %s  %s accuracy %.2f%%", split, number(test_loss, b, sizeof b), split,
               100 * test_accuracy);
    printf("  %.2f s\n", seconds);
    fflush(stdout);
}

void print_warning(train_printer *p, int64_t step, const char *text)
{
    print_clear(p);
    fprintf(stderr, "warning: step %lld: %s\n", (long long)step, text);
    fflush(stderr);
}
