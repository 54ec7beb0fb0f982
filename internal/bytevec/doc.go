// Package bytevec holds float64 kernels over vectors of bytes: the dot products and
// axpys, one row or four rows at a time, with which package problem reads features stored
// as uint8 (pixels) at an eighth of the memory traffic of float64; and [Blocks], a matrix
// of bytes stored by its nonzero blocks of 8 columns, for sparse features such as MNIST's
// pixels.
//
// # Kernels
//
// Each function (and each method of [Blocks]) runs its whole blocks of 8 elements on a
// kernel, the rest in Go. On amd64 with AVX-512F and AVX-512DQ (as internal/cpu reports
// them) the kernel is AVX-512 assembly (kernels_amd64.s); with AVX2 and FMA only, AVX2
// assembly (kernels_avx2_amd64.s, written by the program in gen/), each vector of eight
// float64 lanes in two YMM; otherwise, on other architectures and with -tags noasm, it is
// its Go twin (twins.go). All three compute the same bits: the same fused multiply-adds
// into the same accumulators, summed in the same order. The results therefore do not
// depend on the machine. TestKernelsMatchGo compares assembly and twin bit for bit, and
// fails if the twin ran where AVX-512 or AVX2 is enabled.
//
// # Order of the sums
//
// A dot product of n ≥ 8 elements sums its first n - n mod 8 products in 32 accumulators
// (four vectors of eight lanes; Dot4 two vectors per row), adds the vectors, then the
// lanes pairwise (l with l+4, then with l+2, then the two left), and adds the dot product
// of the last n mod 8 elements, summed in four accumulators. Under 8 elements, only the
// latter. The axpys add one fused multiply-add per element and row, rows in order.
//
// # Conversion
//
// The assembly widens 8 bytes to 8 quadwords (VPMOVZXBQ) and converts them to float64 in
// their lanes (VCVTQQ2PD). On an AMD EPYC (Zen 5), a logistic regression's ValueGrad over
// 60000×784 bytes (BenchmarkLogisticMNISTSize in package problem, 2 threads) took 3.3-3.5 ms
// with them against 3.8-4.1 ms with doublewords converted across lanes (VPMOVZXBD,
// VCVTDQ2PD). Widening each group of four rows once into a float64 buffer, for the dot
// products and the axpys to read instead of converting the bytes twice, took 6.8-7.1 ms:
// the buffer's stores, eight bytes for every byte read, cost more than a conversion. The
// AVX2 kernels widen four bytes to doublewords (VPMOVZXBD) and convert them (VCVTDQ2PD),
// twice for 8 bytes. On an AMD EPYC (Zen 4) with AVX-512 masked off (DESCENT_CPU=avx2),
// L-BFGS on the even/odd logistic problem (descent minimize --problem logistic --method
// lbfgs, one thread) took 1.31-1.36 s with them against 8.3-8.5 s on the Go twins (1.16 s
// on the AVX-512 kernels), to the same f.
//
// # Several vectors
//
// [Blocks.DotsN] and [Blocks.AxpysN] take the weight vectors (or the gradients) of a
// multinomial regression's classes five at a time, each kept block widened once for the
// five, with the same bits as [Blocks.Dots] and [Blocks.Axpys] vector by vector. AxpysN
// has an AVX-512 and an AVX2 kernel; DotsN an AVX-512 kernel only, its twenty accumulators
// in ZMM (the AVX2 kernels' sixteen YMM hold one vector's eight), and Dots's kernel for
// each vector on AVX2. L-BFGS on MNIST's ten classes (descent minimize --problem
// multinomial --method lbfgs --threads 1, AMD EPYC Zen 4) took 8.9-9.1 s against 10.8 s
// vector by vector on AVX-512, 10.8-10.9 s against 11.8-13.0 s on AVX2, to the same f
// (bench/README.md).
package bytevec
