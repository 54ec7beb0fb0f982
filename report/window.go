package report

import "fmt"

// Window is the trailing moving average: each point becomes the mean of itself and the
// Size − 1 points before it (fewer at the start of the curve).
type Window struct {
	// Size is the number of points averaged. If Size is 0, it is 10.
	Size int
}

// Smooth implements Smoother. It panics if Size is negative.
func (m Window) Smooth(dst, y []float64) {
	if len(dst) != len(y) {
		panic("report: Window: slice lengths do not match")
	}
	k := m.Size
	if k == 0 {
		k = 10
	}
	if k < 0 {
		panic(fmt.Sprintf("report: Window size %d is negative", m.Size))
	}
	// The running sum is recomputed every k points so that rounding cannot drift along
	// a long curve.
	sum := 0.0
	for i, v := range y {
		if i%k == 0 {
			sum = 0
			for j := max(0, i-k+1); j < i; j++ {
				sum += y[j]
			}
		} else if i >= k {
			sum -= y[i-k]
		}
		sum += v
		dst[i] = sum / float64(min(i+1, k))
	}
}
