// Package autodiff computes gradients of float32 tensor programs by reverse-mode automatic
// differentiation, with PyTorch's semantics.
//
// # Recording
//
// Operations are methods of a [Tape] ([Tape.Linear], [Tape.Conv2d], [Tape.ReLU],
// [Tape.NLLLoss], …) on [Var]s. An operation whose inputs need no gradient is computed but
// not recorded, so the first layer of a network does not compute the gradient of its input
// batch. [Tape.SetInference] turns recording off altogether, as torch.inference_mode().
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
// out by length. [Tape.Reset] takes them all back; a training loop that resets its tape
// every iteration allocates buffers only in its first iteration:
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
