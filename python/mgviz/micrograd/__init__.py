"""micrograd's package layout on mgviz: `from mgviz.micrograd.engine import Value`,
`from mgviz.micrograd.nn import Neuron, Layer, MLP`, `from mgviz.micrograd import nn`."""
