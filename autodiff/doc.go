// Package autodiff computes gradients of float32 tensor programs by reverse-mode automatic
// differentiation, with PyTorch's semantics.
//
// # Recording
//
// Operations are methods of a [Tape] on [Var]s. An operation whose inputs need no gradient
// is computed but not recorded, so the first layer of a network does not compute the
// gradient of its input batch. [Tape.SetInference] turns recording off altogether, as
// torch.inference_mode(). Each operation's doc gives its formula and its gradient.
//
// # Operations
//
// Layers: [Tape.Linear], [Tape.Conv2d], [Tape.MaxPool2d], [Tape.MatMul], [Tape.LayerNorm],
// [Tape.BatchNorm], [Tape.Dropout], [Tape.Embedding].
//
// Elementwise, broadcasting as NumPy's: [Tape.Add], [Tape.Sub], [Tape.Mul], [Tape.Div]
// (operands of one shape take the vector kernels, broadcasting a strided loop), and
// [Tape.Scale]. Functions: [Tape.Exp], [Tape.Log], [Tape.Sqrt], [Tape.Pow] (a tensor to a
// scalar power), [Tape.Abs], [Tape.ReLU], [Tape.Tanh], [Tape.Sigmoid], [Tape.GELU],
// [Tape.GELUTanh], [Tape.SiLU].
//
// Reductions and normalisations along an axis: [Tape.Sum], [Tape.Mean] (of all elements),
// [Tape.SumAxis], [Tape.MeanAxis], [Tape.Softmax], [Tape.LogSoftmax], [Tape.LogSoftmaxAxis].
//
// Shapes: [Tape.Reshape] and [Tape.Flatten] (views), [Tape.Concat], [Tape.Narrow],
// [Tape.Permute], [Tape.Transpose], [Tape.IndexSelect] (copies).
//
// Losses, with PyTorch's definitions and a [tensor.Reduction]: [Tape.MSELoss],
// [Tape.L1Loss], [Tape.SmoothL1Loss], [Tape.HuberLoss], [Tape.BCEWithLogitsLoss],
// [Tape.CrossEntropy] (class weights, label smoothing), [Tape.NLL] (class weights), and
// [Tape.CrossEntropyLoss] and [Tape.NLLLoss] with PyTorch's defaults.
//
// # Operations of your own
//
// A [CustomOp] supplies a forward and a backward pass written on tensors; [Tape.Custom]
// records it like the tape's own operations. [CheckGrad] compares the backward pass of any
// function on a tape (custom operations included) with central differences evaluated in
// float64, and reports the first element that differs as a *[GradError]. Every operation
// of this package is checked so, and against PyTorch (testdata/gen_torch.py).
//
// # Gradients
//
// [Tape.Backward] walks the recorded operations from a one-element loss back to the
// parameters ([NewParam]) and adds the gradient to each parameter's Grad: gradients
// accumulate across backward passes until zeroed with [Var.ZeroGrad], as in PyTorch.
// A gradient that reaches a Var along several paths is summed. Each operation's backward
// pass writes its first contribution to an intermediate gradient directly (no zeroing
// pass) and adds the later ones.
//
// # Memory
//
// Values and gradients of intermediate Vars live in buffers owned by the tape and handed
// out by length, each request getting the shortest free buffer that holds it (best fit).
// [Tape.Reset] takes them all back; a training loop that resets its tape every iteration
// allocates buffers only in its first iteration, and an iteration on a smaller batch (the
// short last batch of an epoch) reuses the buffers of the full ones:
//
//	for step := range steps {
//		tp.Reset()
//		loss := tp.NLLLoss(model.Forward(tp, tp.Const(x)), y)
//		opt.ZeroGrad()
//		tp.Backward(loss)
//		opt.Step()
//	}
//
// A Var computed on a tape is invalid after the tape's Reset; parameters are not the
// tape's and live on.
//
// # Fusion
//
// [Tape.Linear] and [Tape.Conv2d] take an activation applied in the same pass as the
// bias, and apply its backward pass in place on the output's gradient; [Tape.Reshape] and
// [Tape.Flatten] are views whose gradients are shared, not copied; [Tape.CrossEntropyLoss]
// fuses the log-softmax with the negative log-likelihood.
package autodiff
