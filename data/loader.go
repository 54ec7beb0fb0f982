package data

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/descent-ml/descent/internal/hugepage"
	"github.com/descent-ml/descent/internal/parallel"
)

// Config configures a [Loader]. Its zero value gives batches of 64 in dataset order.
type Config struct {
	// BatchSize is the number of examples per batch. If BatchSize is 0, it is defaulted to
	// 64, the lecture's DataLoader.
	BatchSize int
	// Sampling is the order of the examples of each epoch. The default is Sequential.
	Sampling Sampling
	// Samples is the number of indices per epoch with Replacement. If Samples is 0, it is
	// defaulted to the length of the dataset. It must be 0 with the other samplings.
	Samples int
	// DropLast drops the last batch of each epoch when it has fewer than BatchSize
	// examples.
	DropLast bool
	// NoPrefetch builds every batch on the caller's goroutine instead of one batch ahead
	// on a background goroutine. The batches are the same. A loader over a [Gatherer]
	// never prefetches: it builds each batch when Next is called, split over the cores,
	// in less time than handing a batch over from another goroutine takes.
	NoPrefetch bool
}

// A Batch is a mini-batch of examples. Its slices belong to the [Loader] and are valid
// until the next call to Next.
type Batch struct {
	// X holds the examples, row-major: [Size, features], the same memory as
	// [Size, Shape[1:]...].
	X []float32
	// Y holds the labels (zeros for a regression set without labels).
	Y []int
	// T holds the float targets of a dataset that has them ([Targeted]), row-major:
	// [Size, width of a target]; nil otherwise.
	T []float32
	// TargetShape is [Size, shape of one target...], e.g. [128 1], or nil without float
	// targets.
	TargetShape []int
	// Indices holds the dataset index of each example.
	Indices []int
	// Shape is [Size, shape of one example...], e.g. [128 1 28 28].
	Shape []int
	// Epoch is the epoch of the batch, from 0, and Number its position in the epoch.
	Epoch, Number int

	x, t     []float32 // backing arrays, of BatchSize examples
	y, idx   []int
	visible  []int
	tvisible []int
}

// Size returns the number of examples of b.
func (b *Batch) Size() int { return len(b.Y) }

// A State is the position of a [Loader]: what a checkpoint stores to resume a run with the
// same batches. Seed, Epoch and Batch say where the loader is; the other fields describe
// the loader it was taken from and are checked by Restore.
type State struct {
	Seed  uint64 `json:"seed"`
	Epoch int    `json:"epoch"`
	Batch int    `json:"batch"` // batches of Epoch already returned by Next

	Len       int      `json:"len"`
	BatchSize int      `json:"batch_size"`
	Sampling  Sampling `json:"sampling"`
	Samples   int      `json:"samples"`
	DropLast  bool     `json:"drop_last"`
}

// ErrState is matched, with errors.Is, by the error of [Loader.Restore] for a State that
// does not fit the loader.
var ErrState = errors.New("data: loader state does not match")

// A Loader cuts a [Dataset] into batches, epoch after epoch. See the package documentation
// for the orders, determinism, and the aliasing of the batches it returns.
type Loader struct {
	ds      Dataset
	cfg     Config
	feat    int
	targets Targeted // the dataset, if it has float targets
	tw      int      // values per float target, 0 without
	tshape  []int    // the shape of a target, with tw
	n       int      // examples in the dataset
	samples int      // indices per epoch
	batches int      // batches per epoch

	seed    uint64
	epoch   int // the current epoch
	next    int // batches of the current epoch returned so far
	order   []int
	sampler *sampler

	gather Gatherer // the dataset, or the Gatherer a chain of Subsets views; nil if none
	maps   [][]int  // the Indices of that chain of Subsets, outermost first
	gidx   []int    // a batch's indices in gather, with maps
	job    gatherJob

	bufs    [2]Batch
	cur     int  // buffer of the current batch, or -1
	pending bool // the worker is filling buffer other() with batch next
	jobs    chan job
	done    chan struct{}
	closed  bool
}

// NewLoader returns a loader over d. With Shuffle or Replacement it draws its seed from
// r, which may be nil with Sequential. It panics on a bad Config: a negative BatchSize or
// Samples, an unknown Sampling, Samples without Replacement.
func NewLoader(d Dataset, cfg Config, r *rand.Rand) *Loader {
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 64
	}
	switch {
	case cfg.BatchSize < 0:
		panic("data: NewLoader with a negative BatchSize")
	case cfg.Sampling < Sequential || cfg.Sampling > Replacement:
		panic("data: NewLoader with an unknown Sampling")
	case cfg.Samples < 0:
		panic("data: NewLoader with negative Samples")
	case cfg.Samples != 0 && cfg.Sampling != Replacement:
		panic("data: NewLoader with Samples but without Replacement")
	case cfg.Sampling != Sequential && r == nil:
		panic("data: NewLoader with " + cfg.Sampling.String() + " sampling needs a *rand.Rand")
	}
	l := &Loader{ds: d, cfg: cfg, feat: Features(d), n: d.Len(), cur: -1, sampler: newSampler()}
	l.gather, l.maps = gatherer(d)
	var tshape []int
	if l.tw = TargetWidth(d); l.tw > 0 {
		l.targets = d.(Targeted)
		tshape = l.targets.TargetShape()
	}
	if len(l.maps) > 0 {
		l.gidx = make([]int, cfg.BatchSize)
	}
	if r != nil && cfg.Sampling != Sequential {
		l.seed = r.Uint64()
	}
	l.samples = l.n
	if cfg.Sampling == Replacement && cfg.Samples > 0 {
		l.samples = cfg.Samples
	}
	if cfg.Sampling == Replacement && l.n == 0 {
		l.samples = 0 // nothing to draw from
	}
	l.batches = l.samples / cfg.BatchSize
	if !cfg.DropLast && l.samples%cfg.BatchSize != 0 {
		l.batches++
	}
	l.tshape = tshape
	return l
}

// Prepare makes the loader's buffers (the epoch's order and the two batches) now rather
// than at the first call to Next, which otherwise does it; a training loop calls it
// before it starts timing its first epoch. A loader made and closed unused
// (train.Jobs.Check makes every run of a sweep to check it) allocates nothing.
func (l *Loader) Prepare() {
	if l.closed {
		panic("data: Prepare on a closed Loader")
	}
	l.alloc()
}

// alloc makes the epoch's order and the two batch buffers, once. The buffers of an
// evaluation's batches (1000 MNIST images: 3 MiB each) are large enough for huge pages
// (internal/hugepage): each trial of a sweep makes its own, and their first writes took
// half the page faults of a shard of a 16-trial logreg sweep (3,482 of 7,264, counted with
// perf record -e page-faults) in 4 KiB pages.
func (l *Loader) alloc() {
	if l.order != nil {
		return
	}
	l.order = make([]int, l.samples)
	shape := l.ds.Shape()
	for i := range l.bufs {
		b := &l.bufs[i]
		b.x = hugepage.Float32s(l.cfg.BatchSize * l.feat)
		b.y = make([]int, l.cfg.BatchSize)
		b.idx = make([]int, l.cfg.BatchSize)
		b.visible = append([]int{0}, shape...)
		if l.tw > 0 {
			b.t = hugepage.Float32s(l.cfg.BatchSize * l.tw)
			b.tvisible = append([]int{0}, l.tshape...)
		}
	}
}

// BatchesPerEpoch returns the number of batches Next returns per epoch.
func (l *Loader) BatchesPerEpoch() int { return l.batches }

// Next makes the next batch of the current epoch available through Batch and reports
// whether there was one. At the end of an epoch it returns false, once; the next call
// starts the next epoch.
func (l *Loader) Next() bool {
	if l.closed {
		panic("data: Next on a closed Loader")
	}
	l.alloc()
	if l.next == 0 {
		l.sampler.order(l.order, l.n, l.cfg.Sampling, l.seed, l.epoch)
	}
	if l.next == l.batches {
		l.epoch++
		l.next = 0
		l.cur = -1
		return false
	}
	b := l.other()
	if l.pending {
		l.wait()
	} else {
		l.fill(b, l.next)
	}
	l.cur = b
	l.next++
	if !l.cfg.NoPrefetch && l.gather == nil && l.next < l.batches {
		l.start()
		l.pending = true
		l.jobs <- job{buf: l.other(), batch: l.next}
	}
	return true
}

// Batch returns the current batch: the one the last call to Next made available. It panics
// if that call returned false or there was none.
func (l *Loader) Batch() *Batch {
	if l.cur < 0 {
		panic("data: Batch without a current batch")
	}
	return &l.bufs[l.cur]
}

// other returns the buffer that is not the current batch's.
func (l *Loader) other() int {
	if l.cur == 0 {
		return 1
	}
	return 0
}

// A job asks the background goroutine to build a batch of the current epoch in a buffer.
type job struct{ buf, batch int }

// start starts the background goroutine, once. While it builds a batch, the caller's
// goroutine touches neither that buffer nor the loader's order or epoch: it waits on done
// first.
func (l *Loader) start() {
	if l.jobs != nil {
		return
	}
	l.jobs = make(chan job, 1)
	l.done = make(chan struct{}, 1)
	go func(jobs <-chan job, done chan<- struct{}) {
		for j := range jobs {
			l.fill(j.buf, j.batch)
			done <- struct{}{}
		}
		close(done)
	}(l.jobs, l.done)
}

// fill builds batch k of the current epoch in buffer i.
func (l *Loader) fill(i, k int) {
	b := &l.bufs[i]
	lo := k * l.cfg.BatchSize
	hi := min(lo+l.cfg.BatchSize, l.samples)
	size := hi - lo
	f := l.feat
	b.X, b.Y, b.Indices = b.x[:size*f], b.y[:size], b.idx[:size]
	b.visible[0] = size
	b.Shape = b.visible
	b.Epoch, b.Number = l.epoch, k
	copy(b.Indices, l.order[lo:hi])
	if l.tw > 0 {
		w := l.tw
		b.T = b.t[:size*w]
		b.tvisible[0] = size
		b.TargetShape = b.tvisible
		for j, ex := range b.Indices {
			l.targets.Target(b.T[j*w:(j+1)*w:(j+1)*w], ex)
		}
	}
	if l.gather == nil {
		for j, ex := range b.Indices {
			b.Y[j] = l.ds.Example(b.X[j*f:(j+1)*f:(j+1)*f], ex)
		}
		return
	}
	idx := b.Indices
	if len(l.maps) > 0 {
		idx = l.gidx[:size]
		copy(idx, b.Indices)
		for _, m := range l.maps {
			for j, i := range idx {
				idx[j] = m[i]
			}
		}
	}
	l.job = gatherJob{g: l.gather, x: b.X, y: b.Y, idx: idx, f: f}
	parallel.SplitBody(size, GatherChunks(size, f), &l.job)
	l.job = gatherJob{}
}

// GatherChunks returns the number of goroutines over which a Loader gathers a batch of n
// examples of f features each: one per [gatherWork] features, at most GOMAXPROCS.
func GatherChunks(n, f int) int { return parallel.Chunks(n, max(1, gatherWork/max(f, 1))) }

// gatherWork is the least number of features worth a core of their own in a batch's
// gather: tens of µs of table lookups and memory, so that a chunk outweighs the hand-off
// to another thread even where that traps into the hypervisor. A batch of 128 MNIST images
// (100,352 pixels: 25µs when this was chosen, 12-13 µs since mnist.Set.Gather prefetches
// their lines) stays on one core; it was split from 16 images a chunk until 2026-12, which
// with the split of small products (see tensor's sgemm) made a logreg epoch 38% slower
// on 2 cores of an AMD EPYC VM. Splitting both again (a chunk of 64 images each way,
// gemm's parallelWork 2¹⁸) did not pay with the prefetching gather either: logreg epochs
// of 40.1-51.5 ms against 38.7-46.7 (four alternating runs, AMD EPYC Zen 4).
const gatherWork = 1 << 18

// A gatherJob is the gather of a batch, split over the cores.
type gatherJob struct {
	g      Gatherer
	x      []float32
	y, idx []int
	f      int // features per example
}

func (j *gatherJob) Range(_, lo, hi int) {
	j.g.Gather(j.x[lo*j.f:hi*j.f], j.y[lo:hi], j.idx[lo:hi])
}

// gatherer returns the Gatherer that d is, or that the chain of Subsets d is views, with
// the Indices of the Subsets from d inwards; nil if there is none.
func gatherer(d Dataset) (Gatherer, [][]int) {
	var maps [][]int
	for {
		if g, ok := d.(Gatherer); ok {
			return g, maps
		}
		s, ok := d.(*Subset)
		if !ok {
			return nil, nil
		}
		maps = append(maps, s.Indices)
		d = s.Parent
	}
}

// wait waits for the batch being built in the background, if any.
func (l *Loader) wait() {
	if l.pending {
		<-l.done
		l.pending = false
	}
}

// State returns the position of the loader: Restore(State()) on a loader made with the
// same dataset and Config continues with the same batches as this one.
func (l *Loader) State() State {
	return State{
		Seed: l.seed, Epoch: l.epoch, Batch: l.next,
		Len: l.n, BatchSize: l.cfg.BatchSize, Sampling: l.cfg.Sampling, Samples: l.samples, DropLast: l.cfg.DropLast,
	}
}

// Restore moves the loader to s, taken by State from a loader over a dataset of the same
// length with the same Config; the seed of s replaces the loader's. The next batch is
// batch s.Batch of epoch s.Epoch. It returns an error matching [ErrState], and leaves the
// loader as it was, if s does not fit.
func (l *Loader) Restore(s State) error {
	if l.closed {
		panic("data: Restore on a closed Loader")
	}
	mine := l.State()
	switch {
	case s.Len != mine.Len || s.BatchSize != mine.BatchSize || s.Sampling != mine.Sampling ||
		s.Samples != mine.Samples || s.DropLast != mine.DropLast:
		return fmt.Errorf("%w: state of a loader over %d examples (batch %d, %s, %d samples, drop_last %t), this one is over %d (batch %d, %s, %d samples, drop_last %t)",
			ErrState, s.Len, s.BatchSize, s.Sampling, s.Samples, s.DropLast,
			mine.Len, mine.BatchSize, mine.Sampling, mine.Samples, mine.DropLast)
	case s.Epoch < 0 || s.Batch < 0 || s.Batch > l.batches:
		return fmt.Errorf("%w: position epoch %d batch %d outside [0, %d] batches", ErrState, s.Epoch, s.Batch, l.batches)
	}
	l.wait()
	l.seed, l.epoch, l.next, l.cur = s.Seed, s.Epoch, s.Batch, -1
	l.alloc()
	if l.next > 0 {
		l.sampler.order(l.order, l.n, l.cfg.Sampling, l.seed, l.epoch)
	}
	return nil
}

// Close stops the background goroutine. The loader must not be used afterwards.
func (l *Loader) Close() {
	if l.closed {
		return
	}
	l.closed = true
	l.wait()
	if l.jobs != nil {
		close(l.jobs)
		for range l.done {
		}
	}
}
