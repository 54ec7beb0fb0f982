package mnist

import (
	"fmt"
	"math"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/internal/prefetch"
	"github.com/descent-ml/descent/internal/vec"
)

// A Set is one split of a dataset: N grey images of Rows×Cols bytes and their labels.
// Example i is image i converted to float32, (p/255 − Mean)/Std.
type Set struct {
	// Images holds the images, N×Rows×Cols bytes, row-major. It may be shared with other
	// Sets and must not be modified.
	Images []uint8
	// Labels holds one label per image.
	Labels []uint8
	// Rows and Cols are the size of an image.
	Rows, Cols int
	// Mean and Std are the normalisation: set them with Normalized.
	Mean, Std float32

	table *vec.Table // the float32 value of each byte
	shape []int
}

var (
	_ data.Gatherer     = (*Set)(nil)
	_ data.ClassCounter = (*Set)(nil)
)

// NewSet returns a set over images and labels (not copied), normalised with mean and std.
// It panics if the lengths do not match or std is not positive.
func NewSet(images, labels []uint8, rows, cols int, mean, std float32) *Set {
	if rows <= 0 || cols <= 0 || len(images) != len(labels)*rows*cols {
		panic(fmt.Sprintf("mnist: NewSet with %d bytes for %d images of %d×%d", len(images), len(labels), rows, cols))
	}
	s := &Set{Images: images, Labels: labels, Rows: rows, Cols: cols, shape: []int{1, rows, cols}}
	return s.Normalized(mean, std)
}

// Normalized returns a Set over the same images and labels whose examples are
// (p/255 − mean)/std. Normalized(0, 1) gives the pixels in [0, 1]. It panics unless std is
// positive and finite.
func (s *Set) Normalized(mean, std float32) *Set {
	if !(std > 0) || math.IsInf(float64(std), 1) || math.IsNaN(float64(mean)) || math.IsInf(float64(mean), 0) {
		panic(fmt.Sprintf("mnist: normalisation with mean %v and std %v", mean, std))
	}
	var t [256]float32
	for p := range t {
		// The same float32 operations as torchvision's ToTensor then Normalize.
		x := float32(p) / 255
		t[p] = (x - mean) / std
	}
	c := *s
	c.Mean, c.Std, c.table = mean, std, vec.NewTable(&t)
	return &c
}

// Len returns the number of images.
func (s *Set) Len() int { return len(s.Labels) }

// Shape returns [1, Rows, Cols]: one channel.
func (s *Set) Shape() []int { return s.shape }

// Example writes image i, normalised, into dst (Rows×Cols values) and returns its label.
func (s *Set) Example(dst []float32, i int) int {
	f := s.Rows * s.Cols
	vec.Lookup(dst[:f], s.Images[i*f:(i+1)*f], s.table)
	return int(s.Labels[i])
}

// NumClasses returns the largest label plus one: 10 for the sets of MNIST and
// Fashion-MNIST, whose every split holds every class.
func (s *Set) NumClasses() int {
	m := -1
	for _, l := range s.Labels {
		m = max(m, int(l))
	}
	return m + 1
}

// Gather writes images idx[j], normalised, into dst[j·F:(j+1)·F] (F = Rows×Cols) and
// their labels into y[j]: the values of Example, for a batch.
//
// The images of a shuffled batch are scattered over the set, so their bytes come from
// memory, not cache: Gather first asks for every cache line of every image
// (internal/prefetch), so the memory system fetches all the images at once instead of one
// after the other, and then converts them. Prefetch instructions, unlike the loads of one
// byte a line that did this until 2026-12, leave the processor as soon as they are issued:
// a batch of 128 MNIST images took 12-13 µs instead of 22-24 (descent bench step --model
// logreg --threads 2, medians, AMD EPYC Zen 4), and a logreg epoch 37-51 ms instead of
// 44-53 (medians 39.9 and 46.2, six alternating runs).
func (s *Set) Gather(dst []float32, y []int, idx []int) {
	f := s.Rows * s.Cols
	dst, y = dst[:len(idx)*f], y[:len(idx)]
	for j, i := range idx {
		prefetch.Lines(s.Images[i*f : (i+1)*f])
		y[j] = int(s.Labels[i])
	}
	for j, i := range idx {
		vec.Lookup(dst[j*f:(j+1)*f], s.Images[i*f:(i+1)*f], s.table)
	}
}

// Stats are summary statistics of a Set.
type Stats struct {
	// Count is the number of images.
	Count int `json:"count"`
	// PixelMean and PixelStd are the mean and (population) standard deviation of all the
	// pixels scaled to [0, 1], before normalisation.
	PixelMean float64 `json:"pixel_mean"`
	PixelStd  float64 `json:"pixel_std"`
	// Labels counts the images of each label, up to the largest label.
	Labels []int `json:"labels"`
}

// Stats returns the statistics of s, computed exactly from byte histograms.
func (s *Set) Stats() Stats {
	var hist [256]int64
	for _, p := range s.Images {
		hist[p]++
	}
	var sum, sq float64
	for p, c := range hist {
		x := float64(p) / 255
		sum += float64(c) * x
		sq += float64(c) * x * x
	}
	st := Stats{Count: s.Len()}
	if n := float64(len(s.Images)); n > 0 {
		st.PixelMean = sum / n
		st.PixelStd = math.Sqrt(max(sq/n-st.PixelMean*st.PixelMean, 0))
	}
	for _, l := range s.Labels {
		for int(l) >= len(st.Labels) {
			st.Labels = append(st.Labels, 0)
		}
		st.Labels[l]++
	}
	return st
}
