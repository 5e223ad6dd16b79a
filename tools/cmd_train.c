/* cmd_train.c — `mgviz train`: one command line for every dataset, model
 * and engine (train_options.c), one loop (train_loop.c). */
#include "cli.h"
#include "train_config.h"

int cmd_train(int argc, char **argv)
{
    train_config c;
    int rc = train_parse(argc, argv, &c);
    return rc >= 0 ? rc : train_run(&c);
}
