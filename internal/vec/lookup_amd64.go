//go:build amd64 && !noasm

package vec

import "github.com/descent-ml/descent/internal/cpu"

// useVBMI selects lookupVBMI: it needs AVX-512 with the byte and VBMI extensions.
var useVBMI = cpu.Enabled().AVX512F && cpu.Enabled().AVX512BW && cpu.Enabled().AVX512VBMI

// lookupImpl names the kernel of Lookup that runs: "avx512vbmi" or "go".
func lookupImpl() string {
	if useVBMI {
		return "avx512vbmi"
	}
	return "go"
}

// lookupVBMI is lookupGo on the first n elements, n a multiple of 64.
//
//go:noescape
func lookupVBMI(dst *float32, src *uint8, planes *[4][256]uint8, n int)

func lookup(dst []float32, src []uint8, t *Table) {
	n := len(dst) &^ 63
	if !useVBMI || n == 0 {
		lookupGo(dst, src, t)
		return
	}
	lookupVBMI(&dst[0], &src[0], &t.planes, n)
	lookupGo(dst[n:], src[n:], t)
}
