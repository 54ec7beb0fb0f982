package autodiff

// An arena hands out slices of T by length and takes all of them back at once. Slices of
// a length are reused in the order they were handed out, so a loop that requests the same
// lengths in every iteration allocates only in its first one.
type arena[T any] struct {
	free map[int][][]T // slices available, by length
	used [][]T         // slices handed out since the last reset
	size int           // total elements owned
}

// get returns a slice of n elements with arbitrary contents.
func (a *arena[T]) get(n int) []T {
	if n == 0 {
		return nil
	}
	if a.free == nil {
		a.free = make(map[int][][]T)
	}
	var s []T
	if f := a.free[n]; len(f) > 0 {
		s = f[len(f)-1]
		a.free[n] = f[:len(f)-1]
	} else {
		s = make([]T, n)
		a.size += n
	}
	a.used = append(a.used, s)
	return s
}

// reset makes every slice handed out available again.
func (a *arena[T]) reset() {
	// Return them in reverse so that the next iteration gets them in the same order.
	for i := len(a.used) - 1; i >= 0; i-- {
		s := a.used[i]
		a.free[len(s)] = append(a.free[len(s)], s)
		a.used[i] = nil
	}
	a.used = a.used[:0]
}

// release drops every slice, handed out or not, for the garbage collector.
func (a *arena[T]) release() {
	a.free, a.used, a.size = nil, nil, 0
}
