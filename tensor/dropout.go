package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

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
	j := dropoutJob{x: x.data, y: y.data, mask: mask.data, seed: seed, scale: scale,
		threshold: uint64(math.Round(p * (1 << 32)))}
	blocks, chunks := (len(x.data)+dropoutBlock-1)/dropoutBlock, 1
	if len(x.data) >= 2*grain {
		chunks = parallel.Parts(blocks, grain/dropoutBlock)
	}
	if chunks == 1 {
		j.Range(0, 0, blocks)
		return
	}
	splitPooled(&dropoutJobs, j, blocks, chunks)
}

var dropoutJobs = sync.Pool{New: func() any { return new(dropoutJob) }}

// A dropoutJob holds the operands of Dropout for its per-chunk method.
type dropoutJob struct {
	x, y, mask []float32
	seed       uint64
	threshold  uint64
	scale      float32
}

// Range draws the mask of blocks [lo, hi) and applies it.
func (j *dropoutJob) Range(_, lo, hi int) {
	n := len(j.x)
	for b := lo; b < hi; b++ {
		state := j.seed ^ (uint64(b) * 0xd1342543de82ef95)
		m := j.mask[b*dropoutBlock : min((b+1)*dropoutBlock, n)]
		xs, ys := j.x[b*dropoutBlock:][:len(m)], j.y[b*dropoutBlock:][:len(m)]
		for i := 0; i < len(m); i += 2 {
			r := splitmix(&state)
			m[i] = keep(uint64(uint32(r)), j.threshold, j.scale)
			if i+1 < len(m) {
				m[i+1] = keep(r>>32, j.threshold, j.scale)
			}
		}
		for i := range m {
			ys[i] = xs[i] * m[i]
		}
	}
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
