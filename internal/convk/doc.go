// Package convk holds the convolution kernels of descent that are not products: the
// epilogue and prologue of its implicit-GEMM convolutions where a max-pooling follows the
// rectifier (the MNIST CNN's conv2, ReLU, max-pool 2), and a direct convolution for one
// input channel (its conv1). [PoolReLU2] turns one plane of a convolution's output, still
// in the product's layout, into the rectified and pooled plane with the positions of the
// maxima, and [Unpool2] routes the pooled plane's gradient back to those positions, where
// the rectifier lets it through, in the layout the backward products read. The
// convolution's full output is then never written to memory, nor read again by a pooling
// pass. [Conv3x3One] convolves one plane with 3×3 filters, bias and rectifier included,
// where a product of inner dimension 9 would write its tiles every nine steps, and
// [Conv3x3OneGrad] computes the gradient of those filters, a product of 9 columns.
//
// Behind the pooling, the gradient of the convolution's output is zero but at one position
// of each window, and only where the pooled value is positive. [PooledNonzeros] lists those
// positions and values, and [SparseAxpys] and [SparseScatter] compute the convolution's
// weight and input gradients from them alone (a quarter of the products' multiply-adds at
// most, far fewer in training), on planes laid out channels last, which [Transpose] makes
// and undoes (package tensor, conv2d_sparse.go).
//
// # Semantics
//
// PoolReLU2's and Unpool2's results are those of the rectifier and PyTorch's MaxPool2d(2) one after the other,
// bit for bit: each element u = max(v + bias, 0) (NaN stays NaN), the maximum of each
// 2×2 window and the position of its first maximum in row-major order, or of its last NaN
// if it has one; the gradient goes to that position when the pooled value is positive
// (the rectifier's mask) and nowhere else.
//
// # Kernels
//
// [Conv3x3One] and [Conv3x3OneGrad] are AVX-512 and AVX2 assembly (direct_amd64.s,
// written by the program in gen/ through go generate) and have no twins: where they do not run they say
// so, and package tensor computes by its products, which give the same bits for the
// convolution and the same sums in another order for the gradient (TestConv2dDirect
// there). PoolReLU2 and Unpool2 are AVX2 assembly on amd64 (kernels_amd64.s), eight
// windows at a time, with their Go twins (twins.go), which run on other architectures, on
// CPUs without AVX2 (as internal/cpu enables its features, DESCENT_CPU included) and with
// -tags noasm, and which the tests compare with the assembly bit for bit inside NaN guard
// bands. A plane with a NaN goes to the twin: the assembly only detects it.
//
// SparseAxpys and SparseScatter are AVX-512 and AVX2 assembly (direct_amd64.s, from gen/,
// one loop for each number of rows and vectors held in registers), PooledNonzeros AVX-512
// and AVX2 (nonzeros_amd64.s, sixteen windows a step compressed, or eight permuted) and
// Transpose AVX2
// (transpose_amd64.s, 8×8 blocks); each has a loop in Go for the rest, which the tests
// compare with it.
package convk
