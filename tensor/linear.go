package tensor

import (
	"fmt"
	"sync"

	"github.com/descent-ml/descent/internal/gemm"
	"github.com/descent-ml/descent/internal/hugepage"
	"github.com/descent-ml/descent/internal/parallel"
	"github.com/descent-ml/descent/internal/vec"
)

// Activation is an elementwise function that a layer kernel applies to its output in the
// same pass as the bias, saving a trip through memory.
type Activation uint8

const (
	// ActNone applies nothing.
	ActNone Activation = iota
	// ActReLU applies the rectifier max(x, 0).
	ActReLU
)

// Linear sets y = act(x·wᵀ + b), the affine layer in PyTorch's layout: x is batch×in, w is
// out×in, b has out elements (or is nil for no bias) and y is batch×out.
func Linear(y, x, w, b *Tensor, act Activation) {
	if x.rank != 2 || w.rank != 2 || y.rank != 2 || x.shape[1] != w.shape[1] ||
		y.shape[0] != x.shape[0] || y.shape[1] != w.shape[0] || (b != nil && b.Len() != w.shape[0]) {
		bs := "none"
		if b != nil {
			bs = dimsOf(b)
		}
		panic(fmt.Sprintf("tensor: Linear of input %v, weight %v, bias %v into %v", dimsOf(x), dimsOf(w), bs, dimsOf(y)))
	}
	batch, in, out := x.shape[0], x.shape[1], w.shape[0]
	if out <= narrowOut && batch > out && out > gemm.NarrowCols() {
		linearNarrow(y.data, x.data, w.data, batch, in, out)
	} else {
		sgemm(false, true, batch, out, in, x.data, in, w.data, in, y.data, out, Assign)
	}
	var bias []float32
	if b != nil {
		bias = b.data
	}
	biasAct(y.data, batch, out, bias, act)
}

// narrowOut is the widest output that linearNarrow computes as w·xᵀ: the GEMM's tiles are
// wide in their columns, so a product with a handful of columns (a classifier's outputs)
// runs faster transposed, unless the GEMM computes such products by dot products of rows
// (gemm.NarrowCols).
const narrowOut = 16

// scratch holds buffers for kernels that need a little temporary memory.
var scratch = sync.Pool{New: func() any { return new([]float32) }}

// linearNarrow sets y = x·wᵀ (batch×out) by computing w·xᵀ (out×batch) into a pooled buffer
// and transposing it.
func linearNarrow(y, x, w []float32, batch, in, out int) {
	bp := scratch.Get().(*[]float32)
	if cap(*bp) < out*batch {
		*bp = hugepage.Float32s(out * batch)
	}
	yt := (*bp)[:out*batch]
	sgemm(false, true, out, batch, in, w, in, x, in, yt, batch, Assign)
	for o := range out {
		for b, v := range yt[o*batch : (o+1)*batch] {
			y[b*out+o] = v
		}
	}
	scratch.Put(bp)
}

// biasAct applies y[i,:] = act(y[i,:] + bias) to the rows of the rows×cols matrix y; bias may
// be nil.
func biasAct(y []float32, rows, cols int, bias []float32, act Activation) {
	if bias == nil && act == ActNone {
		return
	}
	j := biasActJob{y, bias, cols, act}
	chunks := 1
	if rows*cols >= 2*grain {
		chunks = parallel.Parts(rows, max(1, grain/max(cols, 1)))
	}
	if chunks == 1 {
		j.Range(0, 0, rows)
		return
	}
	splitPooled(&biasActJobs, j, rows, chunks)
}

// biasActJob applies a bias and an activation to the rows of a matrix.
type biasActJob struct {
	y, bias []float32
	cols    int
	act     Activation
}

var biasActJobs = sync.Pool{New: func() any { return new(biasActJob) }}

func (j *biasActJob) Range(_, lo, hi int) {
	for i := lo; i < hi; i++ {
		r := j.y[i*j.cols : (i+1)*j.cols]
		switch {
		case j.bias != nil && j.act == ActReLU:
			vec.AddReLU(r, j.bias)
		case j.bias != nil:
			vec.Add(r, j.bias)
		default:
			vec.AddConstReLU(r, 0)
		}
	}
}

// SumRows sets dst to the sum of the rows of x (mode Assign) or adds it (Accumulate): x is
// read as a matrix of dst.Len() columns, as for the gradient of a bias.
func SumRows(dst, x *Tensor, mode Mode) {
	n := dst.Len()
	if n == 0 || x.Len()%n != 0 {
		panic(fmt.Sprintf("tensor: SumRows of %v into %v", dimsOf(x), dimsOf(dst)))
	}
	rows := x.Len() / n
	if mode == Assign {
		clear(dst.data)
	}
	for i := range rows {
		vec.Add(dst.data, x.data[i*n:(i+1)*n])
	}
}
