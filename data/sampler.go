package data

import (
	"encoding/binary"
	"math/rand/v2"
	"strconv"
)

// Sampling says in which order a [Loader] visits the examples of each epoch.
type Sampling int

const (
	// Sequential visits the examples in dataset order, every epoch the same.
	Sequential Sampling = iota
	// Shuffle visits a new uniform random permutation of the examples every epoch:
	// sampling without replacement, each example exactly once per epoch.
	Shuffle
	// Replacement draws each index independently and uniformly from [0, Len): the i.i.d.
	// indices of the analysis of SGD. An epoch has Config.Samples of them.
	Replacement
)

// String returns "sequential", "shuffle" or "replacement".
func (s Sampling) String() string {
	switch s {
	case Sequential:
		return "sequential"
	case Shuffle:
		return "shuffle"
	case Replacement:
		return "replacement"
	}
	return "Sampling(" + strconv.Itoa(int(s)) + ")"
}

// A sampler writes the order of the examples of an epoch. The order of epoch e is a
// function of (seed, e) only: a ChaCha8 stream keyed by both, so that a loader can jump to
// any epoch without replaying the ones before.
type sampler struct {
	src rand.ChaCha8
	rng *rand.Rand
}

func newSampler() *sampler {
	s := &sampler{}
	s.rng = rand.New(&s.src)
	return s
}

// order fills dst with the indices, in [0, n), of epoch e.
func (s *sampler) order(dst []int, n int, how Sampling, seed uint64, epoch int) {
	if how == Sequential {
		for i := range dst {
			dst[i] = i
		}
		return
	}
	var key [32]byte
	binary.LittleEndian.PutUint64(key[0:], seed)
	binary.LittleEndian.PutUint64(key[8:], uint64(epoch))
	copy(key[16:], "descent/data")
	s.src.Seed(key)
	switch how {
	case Shuffle: // Fisher-Yates on the identity
		for i := range dst {
			dst[i] = i
		}
		for i := len(dst) - 1; i > 0; i-- {
			j := s.rng.IntN(i + 1)
			dst[i], dst[j] = dst[j], dst[i]
		}
	case Replacement:
		for i := range dst {
			dst[i] = s.rng.IntN(n)
		}
	}
}
