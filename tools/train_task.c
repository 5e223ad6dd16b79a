/* train_task.c — the datasets and models `mgviz train` knows, one row each,
 * and what every engine's task shares: its layers and its identity. */
#include <stdio.h>
#include <string.h>

#include "train_task.h"

extern const tensor_data_ops train_moons_tensor, train_images_tensor;

const train_dataset train_datasets[] = {
    { .name = "moons", .summary = "two interleaved half circles of 2-D points, labels +1/-1",
      .provides = NEEDS_POINTS, .engines = "scalar,tensor", .tensor = &train_moons_tensor,
      .hidden = "16,16", .steps = 100, .batch = 0, .optimizer = "sgd", .schedule = "linear",
      .lr_sgd = 1.0, .lr_momentum = 0.1, .lr_adam = 0.01, .log_every = 1,
      .snapshot_every = 10 },
    /* measured: Adam lr 0.002 with a cosine decay reaches 88.9-89.0% test
     * accuracy after 10 epochs (seeds 1-3), SGD momentum 0.9 lr 0.05 88.3-88.6% */
    { .name = "fashion-mnist", .summary = "28x28 grey images of clothes in 10 classes",
      .provides = NEEDS_FILES, .engines = "tensor", .tensor = &train_images_tensor,
      .hidden = "128", .epochs = 10, .batch = 64, .optimizer = "adam", .schedule = "cosine",
      .lr_sgd = 0.1, .lr_momentum = 0.05, .lr_adam = 0.002, .log_every = 50,
      .snapshot_every = 500 },
    { .name = "words", .summary = "English words (wamerican, a-z only), a letter at a time",
      .provides = NEEDS_FILES | NEEDS_TEXT, .engines = "tensor", .hidden = "200",
      .steps = 20000, .batch = 64, .optimizer = "adamw", .schedule = "cosine", .lr_sgd = 0.1,
      .lr_momentum = 0.05, .lr_adam = 0.01, .log_every = 200, .snapshot_every = 0,
      .eval_every = 2000 },
    { .name = "fortunes", .summary = "the fortunes corpus, a character at a time",
      .provides = NEEDS_FILES | NEEDS_TEXT, .engines = "tensor", .hidden = "200",
      .steps = 2000, .batch = 16, .optimizer = "adamw", .schedule = "cosine", .lr_sgd = 0.1,
      .lr_momentum = 0.05, .lr_adam = 0.003, .log_every = 50, .snapshot_every = 0,
      .eval_every = 250 },
    { .name = NULL },
};

const train_model train_models[] = {
    { .name = "mlp", .summary = "a multi-layer perceptron: relu hidden layers; on text, "
      "makemore's (embedding, then linear, layer norm and tanh)",
      .engines = "scalar,tensor", .context = 3, .embd = 10 },
    { .name = "gpt", .summary = "a GPT: causal self-attention blocks over characters",
      .engines = "tensor", .datasets = "words,fortunes", .provides = NEEDS_GPT,
      .context = 64, .embd = 64, .layers = 4, .heads = 4 },
    { .name = NULL },
};

void task_name_layers(train_task *t, int nlayers)
{
    t->nlayers = nlayers < TASK_MAX_LAYERS ? nlayers : TASK_MAX_LAYERS;
    for (int l = 0; l < t->nlayers; l++) {
        snprintf(t->layer_scope[l], sizeof t->layer_scope[l], "mlp/layer%d", l + 1);
        t->layer_names[l] = t->layer_scope[l];
        t->layers[l] = (mg_health_layer){ .scope = t->layer_scope[l] };
    }
}

void task_describe(train_task *t, const int *sizes, int nsizes)
{
    const train_config *c = t->c;
    char arch[128] = "";
    size_t len = 0;
    for (int i = 0; i < nsizes && len < sizeof arch; i++)
        len += (size_t)snprintf(arch + len, sizeof arch - len, i ? ",%d" : "%d", sizes[i]);
    snprintf(t->identity, sizeof t->identity, "dataset=%s model=%s engine=%s arch=%s%s",
             c->dataset, c->model, c->engine, arch,
             strcmp(c->engine, "tensor") == 0 ? " dtype=f32" : "");
    for (char *p = arch; *p; p++)
        if (*p == ',')
            *p = '-';
    snprintf(t->title, sizeof t->title, "%s: %s %s, %s engine", c->dataset, c->model, arch,
             c->engine);
    t->model.identity = t->identity;
}
