package theory

import (
	"context"
	"fmt"
	"sync"

	"github.com/descent-ml/descent/data/mnist"
	"github.com/descent-ml/descent/minimize"
	"github.com/descent-ml/descent/problem"
)

// Data holds what several claims of a run share and is costly to make: MNIST, loaded
// once, and the even-versus-odd logistic regression with its constant L and its optimum.
// Its methods are safe for concurrent use; each value is made once, on first use.
type Data struct {
	opts mnist.Options

	mu   sync.Mutex
	memo map[string]*memoEntry
}

type memoEntry struct {
	once sync.Once
	v    any
	err  error
}

// NewData returns a Data that loads MNIST as mnist.Load does with opts (by default from
// $MNIST_DIR, the cache, or fetched).
func NewData(opts mnist.Options) *Data {
	return &Data{opts: opts, memo: map[string]*memoEntry{}}
}

// once returns the value stored under key, making it with build the first time. Concurrent
// callers of the same key wait for the one that makes it.
func (d *Data) once(key string, build func() (any, error)) (any, error) {
	d.mu.Lock()
	e, ok := d.memo[key]
	if !ok {
		e = &memoEntry{}
		d.memo[key] = e
	}
	d.mu.Unlock()
	e.once.Do(func() { e.v, e.err = build() })
	return e.v, e.err
}

// MNIST returns the MNIST dataset.
func (d *Data) MNIST(ctx context.Context) (*mnist.Data, error) {
	v, err := d.once("mnist", func() (any, error) {
		spec, err := mnist.Lookup("mnist")
		if err != nil {
			return nil, err
		}
		m, err := mnist.Load(ctx, spec, d.opts)
		if err != nil {
			return nil, fmt.Errorf("theory: MNIST is needed: %w", err)
		}
		return m, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*mnist.Data), nil
}

// evenOddLambda is the L2 weight of the MNIST even-versus-odd problems, the same as in the
// problem of bench/scipy_lbfgs.py, SciPy's L-BFGS-B reference of the benchmarks.
const evenOddLambda = 1e-3

// evenOdd is the L2 logistic regression of MNIST's even digits against the odd ones on the
// first n training images, with its constant L and its optimum.
type evenOdd struct {
	p     *problem.Logistic // not for concurrent use: Clone it
	n     int
	l     float64   // λmax(XᵀX)/(4n) + λ
	xstar []float64 // the minimiser, to ‖∇f‖ ≤ 1e-10
	fstar float64
}

// problem returns a fresh copy of the problem for one goroutine.
func (e *evenOdd) problem() *problem.Logistic { return e.p.Clone() }

// EvenOdd returns the even-versus-odd problem on MNIST's first n training images (all of
// them if n is 0 or too large), with L and the optimum computed once.
func (d *Data) evenOdd(ctx context.Context, n int) (*evenOdd, error) {
	m, err := d.MNIST(ctx)
	if err != nil {
		return nil, err
	}
	if n <= 0 || n > m.Train.Len() {
		n = m.Train.Len()
	}
	v, err := d.once(fmt.Sprintf("evenodd/%d", n), func() (any, error) {
		p := problem.MNISTEvenOdd(m.Train.Images[:n*problem.MNISTPixels], m.Train.Labels[:n], evenOddLambda)
		l := p.Smoothness()
		res, err := minimize.Minimize(ctx, p.Clone(), make([]float64, p.Dim()), &minimize.LBFGS{},
			minimize.Settings{GradTol: 1e-10, MaxIter: 5000, TraceEvery: -1})
		if err != nil {
			return nil, fmt.Errorf("theory: optimum of MNIST even/odd: %w", err)
		}
		// L-BFGS stops when f stops changing; Newton-CG polishes the last digits of θ*.
		res2, err := minimize.Minimize(ctx, p.Clone(), res.X, &minimize.NewtonCG{},
			minimize.Settings{GradTol: 1e-11, MaxIter: 5, TraceEvery: -1})
		if err == nil && res2.Last.GradNorm < res.Last.GradNorm {
			res = res2
		}
		return &evenOdd{p: p, n: n, l: l, xstar: res.X, fstar: res.F}, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*evenOdd), nil
}

// mnistSubset returns the images and labels of MNIST's training set at the indices idx, as
// the bytes the MNIST problems take.
func mnistSubset(m *mnist.Data, idx []int) (images, labels []uint8) {
	images = make([]uint8, 0, len(idx)*problem.MNISTPixels)
	labels = make([]uint8, 0, len(idx))
	for _, i := range idx {
		images = append(images, m.Train.Images[i*problem.MNISTPixels:(i+1)*problem.MNISTPixels]...)
		labels = append(labels, m.Train.Labels[i])
	}
	return images, labels
}
