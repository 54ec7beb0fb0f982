package autodiff

import (
	"cmp"
	"slices"

	"github.com/descent-ml/descent/internal/hugepage"
)

// An arena hands out slices of T by length and takes all of them back at once. A request
// gets the shortest free buffer at least as long (best fit), cut to the length asked
// for; a new buffer is made only when no free one is long enough, by internal/hugepage,
// so that a large one lies on huge pages.
//
// A loop that requests the same lengths in every iteration so allocates only in its first
// one: each request finds a buffer of exactly its length. An iteration that requests
// shorter lengths (the short last batch of an epoch) allocates nothing either: best fit
// serves any sequence of requests that the free buffers could serve in some assignment,
// since a buffer that fits a request fits every shorter one. So the buffers an arena
// holds are those of the most demanding iterations, not one set per batch size.
type arena[T any] struct {
	free [][]T // buffers available, shortest first
	used [][]T // buffers handed out since the last reset, whole
	size int   // total elements owned
}

// get returns a slice of n elements with arbitrary contents; its capacity is n.
func (a *arena[T]) get(n int) []T {
	if n == 0 {
		return nil
	}
	var s []T
	// The first free buffer of length n or more.
	i, _ := slices.BinarySearchFunc(a.free, n, func(s []T, n int) int { return cmp.Compare(len(s), n) })
	if i < len(a.free) {
		s = a.free[i]
		copy(a.free[i:], a.free[i+1:])
		a.free[len(a.free)-1] = nil
		a.free = a.free[:len(a.free)-1]
	} else {
		s = hugepage.Make[T](n)
		a.size += n
	}
	a.used = append(a.used, s)
	return s[:n:n]
}

// reset makes every slice handed out available again.
func (a *arena[T]) reset() {
	if len(a.used) == 0 {
		return
	}
	// A stable sort of the buffers by length keeps those of one length in a fixed order,
	// so the iterations of a loop get the same buffer for the same request.
	a.free = append(a.free, a.used...)
	clear(a.used)
	a.used = a.used[:0]
	slices.SortStableFunc(a.free, func(s, t []T) int { return cmp.Compare(len(s), len(t)) })
}

// release drops every slice, handed out or not, for the garbage collector.
func (a *arena[T]) release() {
	a.free, a.used, a.size = nil, nil, 0
}
