//go:build amd64 && !noasm

package vec

import "github.com/descent-ml/descent/internal/cpu"

// useVBMI selects lookupVBMI: it needs AVX-512 with the byte and VBMI extensions.
var useVBMI = cpu.Enabled().AVX512F && cpu.Enabled().AVX512BW && cpu.Enabled().AVX512VBMI

// useGather selects lookupAVX2 where lookupVBMI cannot run.
var useGather = !useVBMI && cpu.Enabled().AVX2 && cpu.Enabled().FMA

// lookupImpl names the kernel of Lookup that runs: "avx512vbmi", "avx2" or "go".
func lookupImpl() string {
	switch {
	case useVBMI:
		return "avx512vbmi"
	case useGather:
		return "avx2"
	}
	return "go"
}

// lookupVBMI is lookupGo on the first n elements, n a multiple of 64.
//
//go:noescape
func lookupVBMI(dst *float32, src *uint8, planes *[4][256]uint8, n int)

// lookupAVX2 is lookupGo on the first n elements, n a multiple of 32: eight table values
// at a time by VPGATHERDD. On an AMD EPYC (Zen 4) with DESCENT_CPU=avx2, BenchmarkLookup
// (128 images of 784 bytes) took 36-42 µs against lookupGo's 56-59 in the same runs, and
// a logreg epoch (descent train --model logreg --threads 2) 58-85 ms against 78-117
// (medians 79.5 and 99.7, four alternating runs each, the same training loss).
//
//go:noescape
func lookupAVX2(dst *float32, src *uint8, table *[256]float32, n int)

func lookup(dst []float32, src []uint8, t *Table) {
	switch {
	case useVBMI && len(dst) >= 64:
		n := len(dst) &^ 63
		lookupVBMI(&dst[0], &src[0], &t.planes, n)
		dst, src = dst[n:], src[n:]
	case useGather && len(dst) >= 32:
		n := len(dst) &^ 31
		lookupAVX2(&dst[0], &src[0], &t.values, n)
		dst, src = dst[n:], src[n:]
	}
	lookupGo(dst, src, t)
}
