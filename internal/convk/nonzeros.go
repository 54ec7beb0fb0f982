package convk

import (
	"fmt"
	"math"
)

// PooledNonzeros lists the nonzero values of the gradient that [Unpool2] writes for the
// (oh/2)×(ow/2) pooled values y, their gradient g and the positions idx of PoolReLU2: for
// each window in row order where y > 0 and idx is one of the window's four positions
// (oy, ox), vals[k] = g[w] and offs[k] = (oy·ld + ox)·scale, the offset of that position
// in a plane of rows ld wide with scale elements a position (channels last). It returns k,
// how many; offs and vals need room for one a window. With AVX-512 it takes sixteen
// windows of a row at a time (the kept ones compressed together); with AVX2, given room for
// 7 more elements (which it may overwrite), eight at a time (the kept ones permuted to the
// front); otherwise a loop without branches. It panics if a slice is too short or an offset would not fit an
// int32.
func PooledNonzeros(offs []int32, vals, g, y []float32, idx []int32, oh, ow, ld, scale int) int {
	ph, pw := oh/2, ow/2
	n := ph * pw
	if ld < ow || scale < 1 || len(offs) < n || len(vals) < n || len(g) < n || len(y) < n || len(idx) < n {
		panic(fmt.Sprintf("convk: PooledNonzeros of %d windows (rows %d wide, %d a position) into %d offsets, %d values from %d, %d, %d",
			n, ld, scale, len(offs), len(vals), len(g), len(y), len(idx)))
	}
	if (oh*ld+ow)*scale > math.MaxInt32 {
		panic(fmt.Sprintf("convk: PooledNonzeros: offsets of a %d×%d plane (%d a position) past int32", oh, ld, scale))
	}
	if n == 0 {
		return 0
	}
	switch {
	case useAVX512:
		return pooledNonzerosAVX512(&offs[0], &vals[0], &g[0], &y[0], &idx[0], ph, pw, ow, ld, scale)
	case directAVX2 && len(offs) >= n+7 && len(vals) >= n+7:
		return pooledNonzerosAVX2(&offs[0], &vals[0], &g[0], &y[0], &idx[0], ph, pw, ow, ld, scale, &keptFirst)
	}
	return pooledNonzerosGo(offs, vals, g, y, idx, ph, pw, ow, ld, scale)
}

// keptFirst[m] is the permutation of eight lanes that moves the lanes of the set bits of
// m, in order, to the front: the AVX2 kernel's compress.
var keptFirst = func() (p [256][8]int32) {
	for m := range p {
		k := 0
		for l := range 8 {
			if m>>l&1 == 1 {
				p[m][k] = int32(l)
				k++
			}
		}
	}
	return p
}()

// pooledNonzerosGo is PooledNonzeros's loop, without the checks.
func pooledNonzerosGo(offs []int32, vals, g, y []float32, idx []int32, ph, pw, ow, ld, scale int) int {
	k := 0
	for wy := range ph {
		for wx := range pw {
			// Without branches, which the maxima's random places in their windows would
			// mispredict: r is the position in the window, 0, 1, ow or ow+1; a window
			// whose position is outside it, or whose value is not positive, is written
			// and not counted.
			w := wy*pw + wx
			oy, ox := 2*wy, 2*wx
			r := int(idx[w]) - oy*ow - ox
			second := (ow - 1 - r) >> 63 // −1 in the window's second row, else 0
			r -= ow & second
			oy -= second
			ok := 1
			if uint(r) > 1 {
				ok = 0
			}
			if !(y[w] > 0) {
				ok = 0
			}
			offs[k], vals[k] = int32((oy*ld+ox+r)*scale), g[w]
			k += ok
		}
	}
	return k
}
