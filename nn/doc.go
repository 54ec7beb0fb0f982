// Package nn provides neural-network layers, losses and initialisers on top of package
// autodiff, with PyTorch's definitions, defaults and parameter names.
//
// # Modules
//
// A [Module] computes its output on an [autodiff.Tape] and lists its parameters under the
// names of PyTorch's state_dict. Layers: [Linear], [Conv2d], [MaxPool2d], [LayerNorm],
// [BatchNorm] ([NewBatchNorm1d], [NewBatchNorm2d]), [Embedding], [Dropout], [ReLU], [Tanh],
// [Sigmoid], [GELU], [SiLU], [Flatten], [LogSoftmax], and the container [Sequential].
// Losses, whose zero values are PyTorch's defaults (reduction 'mean'): [MSELoss],
// [L1Loss], [SmoothL1Loss], [HuberLoss], [BCEWithLogitsLoss], [CrossEntropyLoss] (class
// weights, label smoothing) and [NLLLoss] (class weights). Each is checked against PyTorch
// (testdata/gen_torch.py) and by finite differences.
//
// # State
//
// Besides its parameters a module may have buffers, state that is saved but not trained:
// BatchNorm's running_mean, running_var and num_batches_tracked. Such modules, and the
// containers that hold them, are [Stateful]. [StateDict] lists parameters and buffers
// under the names and in the order of PyTorch's state_dict(), the tensors aliasing the
// module's, for reading and writing weights exchanged with PyTorch.
//
// [Params] hands the parameters to package optim, as the []*optim.Param that every
// optimiser's constructor and optim.GroupBy take: each optim.Param's Value and Grad alias
// the module's storage, so optimisers update the module in place and the gradients that
// [autodiff.Tape.Backward] accumulates are the ones they read.
//
// # Initialisation
//
// [NewLinear] and [NewConv2d] initialise as PyTorch's reset_parameters: weights by
// [KaimingUniform] with a = √5 (uniform in ±1/√fanIn), biases uniform in ±1/√fanIn, drawn
// from the *rand.Rand they are given: the same seed gives the same weights. [NewEmbedding]
// draws standard normal values; [NewLayerNorm] and the BatchNorm constructors start with
// weight 1, bias 0 (and running mean 0, running variance 1), as PyTorch.
//
// # Training and evaluation
//
// Modules start in training mode; [SetTraining] switches a module and its children, which
// changes what [Dropout] and [BatchNorm] do. For evaluation without recording, also put
// the tape in inference mode ([autodiff.Tape.SetInference]). [UpdateBN] recomputes the
// running statistics of every BatchNorm layer in one pass over data, as torch's
// swa_utils.update_bn, for weights averaged by package optim/swa.
//
// # Fusion
//
// [Sequential] runs a Linear or Conv2d followed by ReLU as one fused operation;
// [ForwardReLU] gives other models the same.
//
// # Weights files
//
// [LoadStateDict] copies a state read from a file into a module by name, as PyTorch's
// load_state_dict, after checking every name and shape: a file of another architecture is
// refused, naming the first tensor that does not fit, and the module is left unchanged.
// The formats live in sub-packages, each returning the tensors as []NamedTensor:
// nn/safetensors (read and write; the format of descent's run folders, which PyTorch reads
// through the safetensors package), nn/torchfile (a state_dict saved by torch.save) and
// nn/weights, which reads any of them and loads or saves a module in one call. Every
// reader reports a *[WeightsError] naming the file and the tensor at fault.
//
// [Load] and [ReadTensors] read descent's former format (names, shapes, float32 data), that
// of the model.weights and checkpoints of older run folders; it is no longer written.
package nn
