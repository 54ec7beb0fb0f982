package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/descent-ml/descent/internal/parallel"
)

// dropoutBlock is the number of mask elements drawn from one stream of the generator.
const dropoutBlock = 4096

// Dropout zeroes each element of x with probability p and scales the others by 1/(1 − p),
// writing the result to y and the factor applied to each element (0 or 1/(1 − p)) to mask,
// as PyTorch's dropout in training mode. y, mask and x have the same shape; y may be x.
//
// The mask takes one value from rng and derives from it a SplitMix64 stream per block of
// 4096 elements, so it depends only on rng's state, not on the number of cores. The keep
// test compares 32 random bits with p·2³², so p is honoured to within 2⁻³².
func Dropout(y, mask, x *Tensor, p float64, rng *rand.Rand) {
	mustSameShape("Dropout", y, mask, x)
	if !(p >= 0 && p <= 1) {
		panic(fmt.Sprintf("tensor: Dropout probability %v outside [0, 1]", p))
	}
	seed := rng.Uint64()
	var scale float32
	if p < 1 {
		scale = float32(1 / (1 - p))
	}
	threshold := uint64(math.Round(p * (1 << 32)))
	n, md, xd, yd := len(x.data), mask.data, x.data, y.data
	blocks := (n + dropoutBlock - 1) / dropoutBlock
	fill := func(lo, hi int) {
		for b := lo; b < hi; b++ {
			state := seed ^ (uint64(b) * 0xd1342543de82ef95)
			m := md[b*dropoutBlock : min((b+1)*dropoutBlock, n)]
			xs, ys := xd[b*dropoutBlock:][:len(m)], yd[b*dropoutBlock:][:len(m)]
			for i := 0; i < len(m); i += 2 {
				r := splitmix(&state)
				m[i] = keep(uint64(uint32(r)), threshold, scale)
				if i+1 < len(m) {
					m[i+1] = keep(r>>32, threshold, scale)
				}
			}
			for i := range m {
				ys[i] = xs[i] * m[i]
			}
		}
	}
	if n < 2*grain {
		fill(0, blocks)
		return
	}
	parallel.For(blocks, grain/dropoutBlock, fill)
}

func keep(r, threshold uint64, scale float32) float32 {
	if r < threshold {
		return 0
	}
	return scale
}

// splitmix advances a SplitMix64 state and returns its next output.
func splitmix(s *uint64) uint64 {
	*s += 0x9e3779b97f4a7c15
	z := *s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
