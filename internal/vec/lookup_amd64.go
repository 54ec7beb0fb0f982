//go:build amd64 && !noasm

package vec

import "golang.org/x/sys/cpu"

// useVBMI selects lookupVBMI: it needs AVX-512 with the byte and VBMI extensions.
var useVBMI = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VBMI

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
