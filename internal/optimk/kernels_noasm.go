//go:build noasm || !amd64

package optimk

// Without assembly, the kernels are the Go twins.

// impl names the kernels that run: the Go twins.
func impl() string { return "go" }

func allFinite(x []float32) bool                          { return allFiniteGo(x) }
func sgd(p, g, buf []float32, k *SGDCoef)                 { sgdGo(p, g, buf, k) }
func adam(p, g, m, v, vmax []float32, k *AdamCoef)        { adamGo(p, g, m, v, vmax, k) }
func rmsprop(v, g, sq, buf, ga []float32, k *RMSpropCoef) { rmspropGo(v, g, sq, buf, ga, k) }
func adagrad(v, g, s []float32, k *AdagradCoef)           { adagradGo(v, g, s, k) }
func adadelta(v, g, sq, acc []float32, k *AdadeltaCoef)   { adadeltaGo(v, g, sq, acc, k) }
func adamax(v, g, m, u []float32, k *AdamaxCoef)          { adamaxGo(v, g, m, u, k) }
func nadam(v, g, m, s []float32, k *NAdamCoef)            { nadamGo(v, g, m, s, k) }
func radam(v, g, m, s []float32, k *RAdamCoef)            { radamGo(v, g, m, s, k) }
