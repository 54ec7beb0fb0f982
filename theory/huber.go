package theory

import "math"

// huber is the one-dimensional Huber function scaled to be L-smooth,
//
//	f(x) = L·x²/2 for |x| ≤ a,   L·(a|x| − a²/2) beyond,
//
// convex, not strongly convex, minimised at 0 with f* = 0. Started far from 0 (|x₀| ≫ a) it
// is a nearly linear function with a quadratic bottom: the instance on which gradient
// descent and Nesterov's method come closest to their upper bounds.
type huber struct {
	l, a float64
}

func (h huber) Dim() int                      { return 1 }
func (h huber) Smoothness() float64           { return h.l }
func (h huber) StrongConvexity() float64      { return 0 }
func (h huber) Optimum() ([]float64, float64) { return []float64{0}, 0 }

// ValueGrad returns f(x) and stores f'(x) in grad.
func (h huber) ValueGrad(grad, x []float64) float64 {
	t := x[0]
	if math.Abs(t) <= h.a {
		grad[0] = h.l * t
		return h.l * t * t / 2
	}
	grad[0] = h.l * math.Copysign(h.a, t)
	return h.l * (h.a*math.Abs(t) - h.a*h.a/2)
}
