package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/descent-ml/descent/autodiff"
	"github.com/descent-ml/descent/tensor"
)

// Embedding is PyTorch's nn.Embedding: a table Weight of Num rows of Dim values, looked up
// by index. The gradient of a row is the sum of the gradients of its lookups.
type Embedding struct {
	Num, Dim int
	Weight   *autodiff.Var
	idx      []int // scratch for Forward's indices
}

var _ Module = (*Embedding)(nil)

// NewEmbedding returns an Embedding of num rows of dim values, initialised as PyTorch's
// reset_parameters: standard normal values, drawn from rng.
func NewEmbedding(num, dim int, rng *rand.Rand) *Embedding {
	if num < 1 || dim < 1 {
		panic(fmt.Sprintf("nn: NewEmbedding(%d, %d)", num, dim))
	}
	w := tensor.New(num, dim)
	for i := range w.Data() {
		w.Data()[i] = float32(rng.NormFloat64())
	}
	return &Embedding{Num: num, Dim: dim, Weight: autodiff.NewParam(w)}
}

// Lookup returns the rows at the indices idx, shaped shape×Dim (len(idx)×Dim without a
// shape). It panics if an index is outside [0, Num).
func (e *Embedding) Lookup(t *autodiff.Tape, idx []int, shape ...int) *autodiff.Var {
	return t.Embedding(e.Weight, idx, shape...)
}

// Forward looks up the indices held in x's values (whole numbers in [0, Num), as a
// float32 batch carries them) and returns the rows shaped x.Shape()×Dim. It panics on a
// value that is not such an index.
func (e *Embedding) Forward(t *autodiff.Tape, x *autodiff.Var) *autodiff.Var {
	d := x.Value.Data()
	if cap(e.idx) < len(d) {
		e.idx = make([]int, len(d))
	}
	idx := e.idx[:len(d)]
	for i, v := range d {
		if v != float32(math.Trunc(float64(v))) || v < 0 || v >= float32(e.Num) {
			panic(fmt.Sprintf("nn: Embedding(%d, %d): input %d is %v, not an index", e.Num, e.Dim, i, v))
		}
		idx[i] = int(v)
	}
	return t.Embedding(e.Weight, idx, x.Value.Shape()...)
}

// Parameters returns "weight".
func (e *Embedding) Parameters() []Parameter { return []Parameter{{"weight", e.Weight}} }
