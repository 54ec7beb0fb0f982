// Package tensor provides dense row-major float32 tensors and the kernels that descent's
// neural networks need, forward and backward.
//
// # Tensors
//
// A [Tensor] is a shape of at most [MaxRank] dimensions and a []float32 storage of exactly
// their product, in row-major (C) order. [New] allocates; [FromSlice] and [Wrap] adopt a
// slice without copying; [Tensor.Reshape] returns a view sharing the storage.
//
// # Kernels
//
// The kernels are functions whose first argument is the destination, which must be
// allocated with the right shape (they panic on a mismatch, naming the shapes). None
// allocates except [Tensor.Clone], [New] and [FromSlice]. Images are NCHW, weights are in
// PyTorch's layouts (out×in for [Linear], f×c×kh×kw for [Conv2d]), so that PyTorch's
// parameters load unchanged.
//
// Gradient kernels are named after the forward kernel with Backward. They take a [Mode]:
// [Assign] overwrites the destination and [Accumulate] adds to it, which is how gradients
// that reach a tensor along several paths are summed without a separate pass.
//
// Layer kernels ([Linear], [Conv2d]) apply their bias and an optional [Activation] in the
// pass that writes their output. The backward kernels of such a fused layer take the
// gradient before the activation: apply [ReLUBackward] (or, in place,
// ReLUBackward(dy, dy, y, Assign)) first.
//
// # Broadcasting
//
// [Add], [Sub], [Mul] and [Div] broadcast their operands as NumPy's ([BroadcastShape]):
// operands of one shape take the vector loops, split over the cores; operands of
// different shapes take a strided loop over rows of the output, on one core. [SumTo] sums
// a gradient back to the shape of a broadcast operand, and [Expand] broadcasts a tensor to
// a larger shape.
//
// # Other kernels
//
// Elementwise functions ([Exp], [Log], [Sqrt], [Pow], [Abs], [GELU], [GELUTanh], [SiLU],
// with their Backward kernels), softmax along any axis ([Softmax], [LogSoftmax]), the
// shape kernels ([Concat], [Narrow], [SliceScatter], [Permute], [IndexSelect],
// [IndexAdd]), the normalisations ([LayerNorm], [BatchNorm]) and the losses ([MSELoss],
// [L1Loss], [SmoothL1Loss], [HuberLoss], [BCEWithLogitsLoss], [CrossEntropy], [NLLLoss],
// each with a [Reduction]) follow PyTorch's definitions; each doc comment gives the formula
// and the precision.
//
// # Aliasing
//
// A destination may be an operand only where a kernel's documentation says so
// (elementwise kernels allow it); matrix products never allow it.
//
// # Speed
//
// Matrix products and convolutions run on the packed SGEMM of internal/gemm; convolutions
// with stride 1 by implicit GEMM, without an unfolded (im2col) copy of their input.
// Elementwise kernels run on the AVX2 loops of internal/vec (exponentials included), and
// every kernel over more than about 64k elements is split over runtime.GOMAXPROCS cores
// through internal/parallel. No kernel allocates in steady state: the few that need
// scratch take it as an argument ([Conv2dWorkLen]) or from a pool.
package tensor
