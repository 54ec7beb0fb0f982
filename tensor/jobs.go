package tensor

import (
	"sync"

	"github.com/descent-ml/descent/internal/parallel"
)

// Kernels split over the cores hand parallel.SplitBody a job: a struct of operands with a
// Range method, taken from a sync.Pool and put back after, so that a split allocates
// nothing (a closure capturing the operands would be allocated at every call).

// A sliceJob applies a kernel to matching chunks of up to three slices.
type sliceJob struct {
	fn        func(dst, a, b []float32, mode Mode)
	dst, a, b []float32
	mode      Mode
}

func (j *sliceJob) Range(_, lo, hi int) {
	j.fn(j.dst[lo:hi], chunk(j.a, lo, hi), chunk(j.b, lo, hi), j.mode)
}

func chunk(s []float32, lo, hi int) []float32 {
	if s == nil {
		return nil
	}
	return s[lo:hi]
}

var sliceJobs = sync.Pool{New: func() any { return new(sliceJob) }}

// each runs fn(dst, a, b, mode) — fn a function that captures nothing — over chunks of
// the slices split over the cores, or directly when they are short. a and b may be nil.
func each(dst, a, b []float32, mode Mode, fn func(dst, a, b []float32, mode Mode)) {
	n := len(dst)
	if n < 2*grain {
		fn(dst, a, b, mode)
		return
	}
	j := sliceJobs.Get().(*sliceJob)
	*j = sliceJob{fn, dst, a, b, mode}
	parallel.SplitBody(n, parallel.Parts(n, grain), j)
	*j = sliceJob{}
	sliceJobs.Put(j)
}

// splitPooled runs job j over [0, n) in chunks over the cores, through a copy taken from
// pool (so that j, a local of the caller, stays on its stack). With one chunk the caller
// runs j.Range itself.
func splitPooled[J any, PJ interface {
	*J
	parallel.Body
}](pool *sync.Pool, j J, n, chunks int) {
	p := pool.Get().(*J)
	*p = j
	parallel.SplitBody(n, chunks, PJ(p))
	var zero J
	*p = zero
	pool.Put(p)
}
