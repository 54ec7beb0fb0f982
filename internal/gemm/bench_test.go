package gemm

import (
	"fmt"
	"testing"
)

// BenchmarkSgemm measures every kernel set of this machine on one goroutine, on the
// shapes (m×k×n) of an MLP's layers at batch 128 and a square product, in every layout.
func BenchmarkSgemm(b *testing.B) {
	for _, sh := range [][3]int{{128, 784, 1000}, {128, 1000, 1000}, {1000, 128, 1000}, {1024, 1024, 1024}} {
		m, k, n := sh[0], sh[1], sh[2]
		x, y, z := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
		for i := range x {
			x[i] = float32(i%7) - 3
		}
		for i := range y {
			y[i] = float32(i%5) - 2
		}
		for _, l := range layouts {
			lda, ldb := k, n
			if l.transA {
				lda = m
			}
			if l.transB {
				ldb = k
			}
			for _, im := range impls() {
				b.Run(fmt.Sprintf("%dx%dx%d/%s/%s", m, k, n, l.name, im.name), func(b *testing.B) {
					for b.Loop() {
						sgemm(im, 1, l.transA, l.transB, m, n, k, 1, x, lda, y, ldb, 0, z, n)
					}
					b.ReportMetric(2*float64(m*k*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}

// BenchmarkPackAllA measures the copy of a whole transposed A of 1024×1024 (packAllA) on
// one goroutine, with every kernel set of this machine.
func BenchmarkPackAllA(b *testing.B) {
	m, k := 1024, 1024
	a := make([]float32, m*k)
	for _, x := range impls() {
		p := problem{x: x, transA: true, m: m, n: m, k: k, a: a, lda: m}
		p.ap, p.mp = make([]float32, p.packedASize()), p.slivers()*x.mr
		b.Run(x.name, func(b *testing.B) {
			for b.Loop() {
				p.packAllA(0, k)
			}
			b.ReportMetric(8*float64(m*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
		})
	}
}
