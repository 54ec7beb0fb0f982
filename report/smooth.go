package report

// A Smoother smooths the y values of a curve before it is drawn: [EMA] or [Window].
type Smoother interface {
	// Smooth writes the smoothed y to dst, which has y's length and does not
	// overlap it. Points are weighted alike whatever their x spacing.
	Smooth(dst, y []float64)
}

var (
	_ Smoother = EMA{}
	_ Smoother = Window{}
)
