/* options.c — what a zero-initialised mg_viz_options means, and formats. */
#include <string.h>
#include <strings.h>

#include "viz_internal.h"

mg_viz_options viz_resolve(const mg_viz_options *opt)
{
    mg_viz_options o = {0};
    if (opt)
        o = *opt;
    if (o.precision <= 0)
        o.precision = MG_VIZ_PRECISION;
    if (o.precision > 17)
        o.precision = 17;
    if (!o.rankdir || !*o.rankdir)
        o.rankdir = "LR";
    /* fold_budget stays 0 for "default": fold.c treats graphs without scopes
     * differently then (see fold_budget_of) */
    if (o.focus_radius == 0)
        o.focus_radius = MG_VIZ_FOCUS_RADIUS;
    if (!(o.max_inches > 0))
        o.max_inches = VIZ_MAX_INCHES;
    if (o.dpi <= 0)
        o.dpi = VIZ_DPI;
    return o;
}

static const char *const formats[] = {"png", "svg", "dot"};

mg_code viz_check_format(const char *format, mg_error *err)
{
    if (!format)
        return mg_error_set(err, MG_EINVAL, "no output format given");
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(format, formats[i]) == 0)
            return MG_OK;
    return mg_error_set(err, MG_EINVAL,
                        "unsupported output format \"%s\" (use png, svg or dot)",
                        format);
}

const char *mg_viz_format_of(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    const char *slash = path ? strrchr(path, '/') : NULL;
    if (!dot || (slash && dot < slash))
        return NULL;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcasecmp(dot + 1, formats[i]) == 0) /* "G.PNG" too */
            return formats[i];
    return NULL;
}

mg_code viz_check_options(const mg_viz_options *o, mg_error *err)
{
    static const char *const dirs[] = {"LR", "TB", "RL", "BT"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        if (strcmp(o->rankdir, dirs[i]) == 0)
            return MG_OK;
    return mg_error_set(err, MG_EINVAL,
                        "unknown rankdir \"%s\" (use LR, TB, RL or BT)", o->rankdir);
}
